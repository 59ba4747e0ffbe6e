"""The fault scenario of tests/test_faults.py: a stack of its own, a load of submits through three
dialects, and the faults dealt to the stack meanwhile.

The stack is production's shape: a Redis server with its append-only file (the embedded server,
on a unix socket in a folder of its own), the gateway under gunicorn (`jobgate serve`: 2 processes
of 8 threads) and two `jobgate worker`s. Each run's step (tests.jobs:trail) appends
"<execution id> <attempt>" to a trail file as it starts, so what ran, and how often, is known.
"""
from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests
from rq import Worker
from rq.registry import FailedJobRegistry

from jobgate.model import State, now, to_ms
from jobgate.store.connection import connect
from jobgate.store.executions import Store
from jobgate.testing import WireError, utc
from jobgate.testing.driver import TERMINAL
from jobgate.testing.parts import TOKENS, ServedGateway, start_worker
from jobgate.tools import processes
from jobgate.tools.embedded import EmbeddedRedis
from tests.conftest import ROOT
from tests.dialects import native, ocapi, sahara

JOB = "TrailJob"
SUBMITS = 200
CLIENTS = 16
DRIVERS = {"native": native.Driver, "ocapi": ocapi.Driver, "sahara": sahara.Driver}
#: seconds the submits are spread over, so that every fault lands among them
WINDOW = 12.0
#: when each fault starts, in seconds from the first submit
KILL_WORKER, RESTART_REDIS, RESTART_GATEWAY = 2.0, 5.0, 9.0
#: how long Redis stays away
REDIS_AWAY = 1.0
#: the bound on every acknowledged execution ending, from the last submit
DRAIN = 60.0
#: how long each run's step works (Sahara's parameters are strings): most briefly, every
#: LONG_EVERY-th long enough that the watcher of a run whose worker was killed finds it orphaned
SHORT, LONG, LONG_EVERY = "0.05", "1.5", 8


class Stack:
    """Redis (AOF), gunicorn and workers of the scenario's own, in `folder` with their logs."""

    def __init__(self, env: dict, folder: Path):
        self.folder = folder
        self.redis = EmbeddedRedis(folder / "redis")
        self.env = {**env, "REDIS_URL": self.redis.start()}
        self.gateway = ServedGateway(self.env, ROOT, log=folder / "gateway.log")
        self.workers: list[subprocess.Popen] = []

    def start(self, workers: int = 2) -> None:
        for _ in range(workers):
            self.start_worker()
        self.gateway.start()

    def start_worker(self) -> None:
        self.workers.append(start_worker(self.env, ROOT, log=self.folder / f"worker-{len(self.workers)}.log"))

    def stop(self) -> None:
        self.gateway.stop()
        processes.stop(*self.workers)
        self.redis.stop()


@dataclass
class Submit:
    dialect: str
    ref: str | None = None       # the dialect's id for it, when acknowledged
    refused: str = ""            # why not, when not


def submit(base_url: str, dialect: str, parameters: dict, job: str = JOB) -> Submit:
    """One client's submit, in its dialect's wire format."""
    driver = DRIVERS[dialect](base_url, TOKENS["alice"])
    try:
        return Submit(dialect, ref=driver.submit(job, parameters))
    except WireError as error:
        return Submit(dialect, refused=f"{error.status} {error.kind}")
    except requests.ConnectionError:
        return Submit(dialect, refused="connection error")
    except Exception as error:             # an answer no client can make sense of
        return Submit(dialect, refused=f"unexpected {type(error).__name__}: {error}")
    finally:
        driver.http.close()


def load(base_url: str, trail: Path, started: float) -> list[Submit]:
    """SUBMITS submits, evenly over WINDOW seconds from `started`, round robin over the dialects."""
    dialects = list(DRIVERS)

    def one(index: int) -> Submit:
        time.sleep(max(0.0, started + index * WINDOW / SUBMITS - time.monotonic()))
        seconds = LONG if index % LONG_EVERY == 0 else SHORT
        return submit(base_url, dialects[index % len(dialects)], {"trail": str(trail), "seconds": seconds})

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(one, range(SUBMITS)))


def on_a_long_run(stack: Stack, timeout: float = 10) -> subprocess.Popen:
    """A worker of the stack whose horse has just started a long run."""
    client = connect(stack.env["REDIS_URL"])
    store, ours = Store(client), {worker.pid: worker for worker in stack.workers if worker.poll() is None}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker in Worker.all(connection=client):
            running = store.get(worker.get_current_job_id() or "")
            if worker.pid in ours and running and running.parameters.get("seconds") == LONG \
                    and running.state is State.RUNNING and to_ms(now()) - to_ms(running.started) < 500:
                return ours[worker.pid]
        time.sleep(0.05)
    raise AssertionError(f"no worker took a long run within {timeout:g} s")


@dataclass
class Faults:
    """What was done to the stack, and how long each part was away."""
    log: list[str] = field(default_factory=list)
    killed_at: float = 0.0           # wall clock
    redis_away: float = 0.0
    gateway_away: float = 0.0

    def deal(self, stack: Stack, started: float) -> None:
        """In the main thread: the embedded Redis dies with the thread that started it."""
        def at(moment: float) -> None:
            time.sleep(max(0.0, started + moment - time.monotonic()))

        def note(what: str) -> float:
            self.log.append(f"{time.monotonic() - started:.1f} s {what}")
            return time.monotonic()

        at(KILL_WORKER)
        doomed = on_a_long_run(stack)
        doomed.kill()
        self.killed_at = time.time()
        doomed.wait()
        stack.start_worker()                  # as a supervisor would
        note("SIGKILLed a worker in a run, started another")
        at(RESTART_REDIS)
        away = note("stopped Redis")
        stack.redis.stop()
        time.sleep(REDIS_AWAY)
        stack.redis.start()
        self.redis_away = note("Redis answers again") - away
        at(RESTART_GATEWAY)
        away = note("stopped gunicorn")
        stack.gateway.stop()
        stack.gateway.start()
        self.gateway_away = note("gunicorn answers again") - away


class Reader:
    """Reads executions through the native API, which takes a uuid or a seq."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {TOKENS['alice']}"

    def get(self, ref: str) -> dict | None:
        response = self.http.get(f"{self.base_url}/api/v1/executions/{ref}", timeout=10)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()

    def every(self) -> list[dict]:
        """Every execution of the job, page by page."""
        found = []
        while True:
            page = self.http.get(f"{self.base_url}/api/v1/executions", timeout=10,
                                 params={"definition": JOB, "offset": len(found), "limit": 200}).json()
            found += page["items"]
            if not page["items"] or len(found) >= page["total"]:
                return found

    def settle(self, refs: list[str], deadline: float) -> dict[str, dict | None]:
        """ref -> its execution (None: not found), once all have ended or at the deadline."""
        shown: dict[str, dict | None] = {}
        pending = list(refs)
        while pending:
            shown.update((ref, self.get(ref)) for ref in pending)
            pending = [ref for ref in pending if shown[ref] is not None and shown[ref]["state"] not in TERMINAL]
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
        return shown


@dataclass
class Outcome:
    submits: list[Submit]
    shown: dict[str, dict | None]     # acknowledged ref -> its execution once all ended (or at the bound)
    every: list[dict]                 # every execution of the job in the store
    runs: Counter                     # (execution id, attempt) -> how often its step started
    failed_jobs: set[str]             # the RQ jobs in RQ's failed registry
    report: str

    @property
    def acknowledged(self) -> list[Submit]:
        return [s for s in self.submits if s.ref is not None]


def play(stack: Stack) -> Outcome:
    """The load and the faults together; then what the stack shows once everything acknowledged ended."""
    trail = stack.folder / "trail"
    trail.touch()
    began = time.monotonic()
    started = began + 0.5
    submits: list[Submit] = []
    submitting = threading.Thread(target=lambda: submits.extend(load(stack.gateway.url, trail, started)))
    submitting.start()
    faults = Faults()
    try:
        faults.deal(stack, started)
    finally:
        submitting.join()
    submitted = time.monotonic()
    reader = Reader(stack.gateway.url)
    shown = reader.settle([s.ref for s in submits if s.ref is not None], submitted + DRAIN)
    ended = time.monotonic()
    every = reader.every()
    runs = Counter(tuple(line.split()) for line in trail.read_text().splitlines())
    failed_jobs = set(FailedJobRegistry("default", connection=connect(stack.env["REDIS_URL"])).get_job_ids())
    died = [utc(e["ended"]).timestamp() - faults.killed_at for e in every if e["state"] == "DIED"]
    acknowledged = Counter(s.dialect for s in submits if s.ref is not None)
    report = "\n".join([
        f"submits: {sum(acknowledged.values())} acknowledged {dict(acknowledged)}, refused "
        f"{dict(Counter(s.refused for s in submits if s.ref is None))}",
        f"executions: {len(every)} {dict(Counter(e['state'] for e in every))}; not succeeded: "
        + repr([(e["id"], e["state"], e["attempt"], e["message"]) for e in every if e["state"] != "SUCCEEDED"]),
        f"faults: {'; '.join(faults.log)}; Redis away {faults.redis_away:.1f} s, gunicorn away "
        f"{faults.gateway_away:.1f} s, the killed run DIED {', '.join(f'{d:.1f}' for d in died)} s after the kill",
        f"all acknowledged ended {ended - submitted:.1f} s after the last submit; the scenario took "
        f"{ended - began:.1f} s; logs in {stack.folder}",
    ])
    return Outcome(submits, shown, every, runs, failed_jobs, report)
