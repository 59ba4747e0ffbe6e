"""`python -m jobgate` is the `jobgate` command."""
import sys

from jobgate.cli import main

sys.exit(main())
