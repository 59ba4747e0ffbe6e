"""Redis goes away and comes back: 503s in each dialect's format meanwhile, then
the same gateway and worker go on, and nothing acknowledged is lost."""
import shutil
import tempfile
from pathlib import Path

import pytest

from jobgate.tools import processes
from jobgate.settings import Settings
from jobgate.tools.embedded import EmbeddedRedis
from jobgate.testing.parts import TOKENS, Gateway, start_worker
from tests.dialects import all_drivers


@pytest.fixture
def own_stack(gateway_env):
    """A Redis, gateway and worker of this test's own, so stopping Redis harms no other test."""
    folder = Path(tempfile.mkdtemp(prefix="jg-outage-"))
    server = EmbeddedRedis(folder / "redis")
    url = server.start()
    env = {**gateway_env, "REDIS_URL": url}
    worker = start_worker(env)
    gateway = Gateway(Settings.from_env(env))
    yield server, gateway, worker
    gateway.close()
    processes.stop(worker)
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


def test_outage_answers_503_then_everything_resumes(own_stack):
    server, gateway, worker = own_stack
    drivers = {name: cls(gateway.url, TOKENS["alice"]) for name, cls in all_drivers().items()}
    native = drivers["native"]
    assert native.wait(native.submit("QuickJob")).state == "SUCCEEDED"
    parked = native.submit("ParkedJob")
    server.stop()
    for name, driver in drivers.items():
        with pytest.raises(Exception) as caught:
            driver.page("QuickJob", 0, 1)
        assert (getattr(caught.value, "status", None), getattr(caught.value, "kind", None)) == (503, "unavailable"), name
    server.start()
    assert native.get(parked).state == "QUEUED"
    assert native.wait(native.submit("QuickJob"), timeout=60).state == "SUCCEEDED"
    assert worker.poll() is None
    native.cancel(parked)
