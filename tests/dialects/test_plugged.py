"""Every installed dialect has a driver here and a test module running the suite through it."""
import importlib

import requests

from jobgate.kit import dialect as dialects
from tests.dialects import all_drivers


def test_every_installed_dialect_runs_the_suite():
    drivers = all_drivers()
    assert set(drivers) == set(dialects.available())
    for name, driver in drivers.items():
        module = importlib.import_module(f"tests.dialects.test_{name}")
        assert module.Driver is driver
        assert module.test_submit_runs_to_success.__module__.startswith("jobgate.testing.suite")


def test_a_dialect_that_is_not_installed_is_served_only_for_its_own_module(gateway):
    """tests/minimal is mounted on its module's gateway (jobgate.testing.plugin), never the session's."""
    assert "minimal" not in dialects.available()
    assert "minimal" not in gateway.app.extensions["jobgate.dialects"]
    response = requests.get(f"{gateway.url}/mini/runs", headers={"X-Mini-Key": "tok-alice"}, timeout=10)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
