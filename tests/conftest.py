"""Real parts for every test, from jobgate's own suite plugin (jobgate.testing.plugin):
a Redis server, RQ worker processes, the gateway over HTTP. This project serves
jobs of its own beside the suite's (tests/fixtures/catalog.toml, tests.jobs)."""
from pathlib import Path

import pytest

from jobgate.testing import parts

pytest_plugins = ["jobgate.testing.plugin"]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def jobgate_catalogs():
    return [parts.CATALOG, FIXTURES / "catalog.toml"]


@pytest.fixture(scope="session")
def jobgate_environment():
    # webhook URLs only to loopback addresses: whatever the input checks register makes no DNS lookup
    return {"JOBGATE_PYTHON_ALLOW": f"{parts.PYTHON_ALLOW},tests.jobs,examples", "JOBGATE_WEBHOOK_ALLOW": "127.0.0.1"}
