"""The whole conformance suite through the minimal dialect, mounted for this module only."""
from jobgate.testing.suite import *  # noqa: F401,F403
from tests.minimal.driver import Driver, Requirements  # noqa: F401
