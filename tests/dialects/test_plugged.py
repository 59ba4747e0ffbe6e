"""Every installed dialect has a driver here and a test module running the suite through it."""
import importlib

from jobgate.kit import dialect as dialects
from tests.dialects import all_drivers


def test_every_installed_dialect_runs_the_suite():
    drivers = all_drivers()
    assert set(drivers) == set(dialects.available())
    for name, driver in drivers.items():
        module = importlib.import_module(f"tests.dialects.test_{name}")
        assert module.Driver is driver
        assert module.test_submit_runs_to_success.__module__.startswith("jobgate.testing.suite")
