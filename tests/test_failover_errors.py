"""What a failover puts between a gateway and its primary is a 503 in each dialect's format, never
a 500: writes answered READONLY (a primary demoted to a replica), no primary known to the
Sentinels, and a submit its replicas did not confirm in time (JOBGATE_REDIS_WAIT_REPLICAS)."""
from __future__ import annotations

import pytest
import requests

from jobgate.settings import Settings
from jobgate.testing.parts import TOKENS, Gateway
from tests import faults
from tests.redis_servers import Server, binary, free_port
from tests.test_steps import wait_for

needs_redis_server = pytest.mark.skipif(not binary("redis-server"), reason="redis-server is not installed")


def refusals(url: str, trail) -> dict[str, str]:
    """dialect -> how its submit was refused ("" when it was acknowledged)."""
    return {dialect: faults.submit(url, dialect, {"trail": str(trail), "seconds": "0"}).refused
            for dialect in faults.DRIVERS}


@pytest.fixture
def served(gateway_env):
    made = []

    def serve(**env: str) -> Gateway:
        made.append(Gateway(Settings.from_env({**gateway_env, **env})))
        return made[-1]
    yield serve
    for gateway in made:
        gateway.close()


@pytest.fixture
def demoted(tmp_path):
    """A replica of a primary that is gone, as a demoted primary is: it reads, and answers writes READONLY."""
    server = Server(binary("redis-server"), tmp_path / "replica", f"replicaof 127.0.0.1 {free_port()}")
    server.start()
    try:
        assert wait_for(server.answers, timeout=10), "the replica did not start"
        yield server
    finally:
        server.stop()


@needs_redis_server
def test_writes_a_demoted_primary_refuses_are_503s_in_each_dialect(served, demoted, tmp_path):
    gateway = served(REDIS_URL=f"redis://127.0.0.1:{demoted.port}/0")
    assert set(refusals(gateway.url, tmp_path / "trail").values()) == {"503 unavailable"}


def test_no_primary_known_to_the_sentinels_is_a_503_in_each_dialect(served, tmp_path):
    gateway = served(REDIS_URL=f"redis+sentinel://127.0.0.1:{free_port()},127.0.0.1:{free_port()}/jobgate/0")
    assert set(refusals(gateway.url, tmp_path / "trail").values()) == {"503 unavailable"}
    answer = requests.get(f"{gateway.url}/api/v1/executions", headers={"Authorization": f"Bearer {TOKENS['alice']}"},
                          timeout=10)
    assert answer.status_code == 503 and answer.headers["Retry-After"]


def test_a_submit_no_replica_confirms_is_a_503_in_each_dialect(served, tmp_path):
    """The suite's Redis has no replica: with one asked for, no submit is acknowledged."""
    waiting = served(JOBGATE_REDIS_WAIT_REPLICAS="1", JOBGATE_REDIS_WAIT_TIMEOUT="50")
    assert set(refusals(waiting.url, tmp_path / "trail").values()) == {"503 unavailable"}
    assert set(refusals(served().url, tmp_path / "trail").values()) == {""}          # the same, not waiting: acknowledged
