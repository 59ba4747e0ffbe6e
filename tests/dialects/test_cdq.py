"""The conformance suite through the cdq dialect's wire."""
from jobgate.testing.suite import *  # noqa: F401,F403
from tests.dialects.cdq import Driver, Requirements  # noqa: F401
