"""The conformance suite through the sas dialect's wire."""
from jobgate.testing.suite import *  # noqa: F401,F403
from tests.dialects.sas import Driver, Requirements  # noqa: F401
