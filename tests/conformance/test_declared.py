"""What each dialect declares it supports is what its driver exercises, so the
README's support table (drawn from the declarations) is what the suite tests."""
import pytest

from jobgate.kit import dialect as dialects
from tests.conformance.conftest import DRIVERS

#: capabilities the declarations and the drivers both speak of
SHARED = {"cancel", "restart", "delete", "log", "result", "steps"}


@pytest.mark.parametrize("name", sorted(DRIVERS))
def test_declared_capabilities_are_the_tested_ones(name):
    declared = dialects.load((name,))[0].capabilities & SHARED
    assert declared == DRIVERS[name].capabilities & SHARED


def test_every_installed_dialect_has_a_driver():
    assert set(dialects.available()) == set(DRIVERS)
