"""Run every test in this folder once per dialect, through that dialect's wire driver."""
import pytest

from tests.conftest import TOKENS
from tests.conformance.drivers import all_drivers

DRIVERS = all_drivers()


@pytest.fixture(params=sorted(DRIVERS))
def dialect(request):
    return DRIVERS[request.param]


@pytest.fixture
def as_user(dialect, base_url):
    """as_user("alice") -> that dialect's driver holding alice's credential (None: no credential)."""
    return lambda who, token=None: dialect(base_url, token if token is not None else TOKENS.get(who))


@pytest.fixture
def driver(as_user):
    return as_user("alice")


def needs(driver, capability):
    if capability not in driver.capabilities:
        pytest.skip(f"{driver.name} has no {capability}")
