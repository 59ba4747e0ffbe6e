"""A Sentinel failover under load (issue 15): nothing acknowledged is lost, left unfinished or run twice.

The test starts by itself a primary, one replica and three Sentinels (tests.redis_servers), a
gateway under gunicorn and two `jobgate worker`s, all given only the `redis+sentinel://` URL and
JOBGATE_REDIS_WAIT_REPLICAS=1. 200 submits go through the native, OCAPI and Sahara wire formats
(tests.faults.load) while a client submits a non-concurrent job again and again; a few seconds in,
the primary is SIGKILLed. The Sentinels promote the replica; once they have, the killed server is
started again as its replica, as a supervisor would (until then no replica can confirm a submit,
and submits are 503s). The scenario runs once; each test checks one
property of what it left. A submit that got a connection error or a 503 was refused, not lost.
"""
from __future__ import annotations

import os
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from jobgate.testing import utc
from jobgate.testing.driver import TERMINAL
from jobgate.testing.parts import ServedGateway, start_worker
from jobgate.tools import processes
from tests import faults
from tests.conftest import ROOT
from tests.redis_servers import SentinelSet, binary
from tests.test_steps import wait_for

pytestmark = pytest.mark.sentinel

SOLO = """
[[job]]
id = "SoloTrailJob"
description = "TrailJob that never runs twice at once"
allow_concurrent = false
  [[job.step]]
  id = "Mark"
  type = "python"
  params = { callable = "tests.jobs:trail" }
"""
#: seconds from the first submit to the primary's death
KILL_AT = 4.0
#: the bound on every acknowledged execution ending, from the last submit
DRAIN = 30.0


@dataclass
class Outcome:
    submits: list[faults.Submit]      # the load's, the probes' after the kill and the solo job's
    shown: dict                       # acknowledged ref -> its execution once all ended (None: not found)
    solo: list[str]                   # refs of the acknowledged non-concurrent executions
    runs: Counter                     # (execution id, attempt) -> how often its step started
    recovered: float | None           # seconds from the kill to the first acknowledged submit
    report: str
    stopped: list[int | None] = None  # the workers' exit codes after a SIGTERM at the end

    @property
    def acknowledged(self) -> list[faults.Submit]:
        return [s for s in self.submits if s.ref is not None]


@pytest.fixture(scope="module")
def outcome(gateway_env, tmp_path_factory):
    if not (binary("redis-server") and binary("redis-sentinel")):
        why = "redis-server and redis-sentinel are needed (apt-get install -y redis-server redis-sentinel)"
        if os.environ.get("JOBGATE_REQUIRE_SENTINEL") == "1":
            pytest.fail(f"JOBGATE_REQUIRE_SENTINEL=1: {why}")
        pytest.skip(why)
    folder = tmp_path_factory.mktemp("sentinel")
    servers = SentinelSet(folder / "redis")
    catalog = folder / "catalog.toml"
    catalog.write_text(Path(gateway_env["JOBGATE_CATALOG"]).read_text() + SOLO)
    env = {**gateway_env, "REDIS_URL": servers.start(), "JOBGATE_CATALOG": str(catalog),
           "JOBGATE_REDIS_WAIT_REPLICAS": "1"}
    gateway = ServedGateway(env, ROOT, log=folder / "gateway.log")
    workers = [start_worker(env, ROOT, log=folder / f"worker-{n}.log") for n in range(2)]
    try:
        gateway.start()
        played = play(gateway.url, servers, folder)
        processes.stop(*workers)           # SIGTERM, then SIGKILL after 10 s
        played.stopped = [worker.returncode for worker in workers]
    finally:
        gateway.stop()
        processes.stop(*workers)
        servers.stop()
    print(played.report)
    return played


def play(url: str, servers: SentinelSet, folder: Path) -> Outcome:
    trail = folder / "trail"
    trail.touch()
    began = time.monotonic()
    started = began + 0.5
    submits: list[faults.Submit] = []
    solo: list[faults.Submit] = []
    done = threading.Event()
    load = threading.Thread(target=lambda: submits.extend(faults.load(url, trail, started)))
    soloist = threading.Thread(target=_solo, args=(url, trail, done, solo))
    load.start()
    soloist.start()
    time.sleep(max(0.0, started + KILL_AT - time.monotonic()))
    servers.primary.kill()
    killed = time.monotonic()
    promoted = wait_for(servers.failed_over, timeout=15)
    failed_over = time.monotonic() - killed
    # a supervisor's restart, as a replica of the primary the Sentinels name (as Sentinel-aware
    # charts do): restarted empty as a primary, it could win it all back and the data be lost
    servers.primary.start("--replicaof", "127.0.0.1", str(servers.replica.port))
    probes = _until_acknowledged(url, trail, killed + 20)
    recovered = time.monotonic() - killed if probes and probes[-1].ref else None
    load.join()
    done.set()
    soloist.join()
    everything = submits + probes + solo
    reader = faults.Reader(url)
    shown = reader.settle([s.ref for s in everything if s.ref], time.monotonic() + DRAIN)
    runs = Counter(tuple(line.split()) for line in trail.read_text().splitlines())
    states = Counter(e["state"] if e else "missing" for e in shown.values())
    report = "\n".join([
        f"submits: {len(everything)}, acknowledged {sum(1 for s in everything if s.ref)}, refused "
        f"{dict(Counter(s.refused for s in everything if s.ref is None))}; executions {dict(states)}",
        f"primary SIGKILLed {KILL_AT:g} s in; Sentinels promoted the replica "
        f"{f'after {failed_over:.1f} s' if promoted else 'NOT within 15 s'}; submits acknowledged again "
        f"{f'{recovered:.1f} s' if recovered else 'NOT within 20 s'} after the kill; logs in {folder}",
    ])
    return Outcome(everything, shown, [s.ref for s in solo if s.ref], runs, recovered, report)


def _solo(url: str, trail: Path, done: threading.Event, into: list) -> None:
    """The non-concurrent job submitted again and again (most are refused: one runs already)."""
    while not done.is_set():
        into.append(faults.submit(url, "native", {"trail": str(trail), "seconds": "0.3"}, job="SoloTrailJob"))
        time.sleep(0.1)


def _until_acknowledged(url: str, trail: Path, deadline: float) -> list[faults.Submit]:
    """Submits every 50 ms from the kill on, until one is acknowledged (or the deadline)."""
    probes: list[faults.Submit] = []
    while time.monotonic() < deadline and not (probes and probes[-1].ref):
        probes.append(faults.submit(url, "native", {"trail": str(trail), "seconds": faults.SHORT}))
        time.sleep(0.05)
    return probes


def test_submits_succeed_again_after_the_failover(outcome):
    assert outcome.recovered is not None, outcome.report


def test_submits_are_refused_only_by_connection_errors_503s_and_a_running_solo(outcome):
    allowed = ("connection error", "503 ", "409 ")
    odd = {s.refused for s in outcome.submits if s.ref is None and not s.refused.startswith(allowed)}
    assert not odd, outcome.report
    assert {s.dialect for s in outcome.acknowledged} == set(faults.DRIVERS), outcome.report


def test_every_acknowledged_execution_is_kept_and_ends(outcome):
    lost = [ref for ref, shown in outcome.shown.items() if shown is None]
    assert not lost, f"acknowledged, then not found: {lost}\n{outcome.report}"
    unfinished = [(ref, e["state"]) for ref, e in outcome.shown.items() if e["state"] not in TERMINAL]
    assert not unfinished, f"left unfinished after {DRAIN:g} s: {unfinished}\n{outcome.report}"


def test_no_attempt_starts_twice(outcome):
    twice = {run: count for run, count in outcome.runs.items() if count > 1}
    assert not twice, f"(execution, attempt) started more than once: {twice}\n{outcome.report}"


def test_the_non_concurrent_job_never_ran_twice_at_once(outcome):
    ran = sorted((utc(e["started"]), utc(e["ended"]), e["id"]) for ref in outcome.solo
                 if (e := outcome.shown[ref]) and e["started"] and e["ended"])
    assert len(ran) >= 2, outcome.report
    overlaps = [(a[2], b[2]) for a, b in zip(ran, ran[1:], strict=False) if b[0] < a[1]]
    assert not overlaps, f"ran at the same time: {overlaps}\n{outcome.report}"


def test_workers_stop_on_sigterm_after_the_failover(outcome):
    """A SIGTERM in the middle of RQ's blocking dequeue leaves no reply unread on a Sentinel
    connection (jobgate.store.connection): the worker records its death and exits 0."""
    assert outcome.stopped == [0, 0], outcome.report
