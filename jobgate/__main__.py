"""`python -m jobgate` is the `jobgate` command."""
import sys

from jobgate.tools.cli import main

sys.exit(main())
