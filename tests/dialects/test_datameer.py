"""The conformance suite through the datameer dialect's wire."""
from jobgate.testing.suite import *  # noqa: F401,F403
from tests.dialects.datameer import Driver, Requirements  # noqa: F401
