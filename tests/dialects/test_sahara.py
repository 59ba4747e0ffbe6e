"""The conformance suite through the sahara dialect's wire."""
from jobgate.testing.suite import *  # noqa: F401,F403
from tests.dialects.sahara import Driver, Requirements  # noqa: F401
