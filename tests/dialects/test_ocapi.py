"""The conformance suite through the ocapi dialect's wire."""
from jobgate.testing.suite import *  # noqa: F401,F403
from tests.dialects.ocapi import Driver  # noqa: F401
