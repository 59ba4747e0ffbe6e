"""The conformance suite through the native dialect's wire."""
from jobgate.testing.suite import *  # noqa: F401,F403
from tests.dialects.native import Driver  # noqa: F401
