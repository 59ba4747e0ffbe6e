"""`python -m bench.scale_check [N ...]`: list latency at N stored executions (issue 16, point 5).

Seeds N executions of the suite's QuickJob (tenant acme) in a private embedded Redis through
the store (Store.create, each in its final state; marks built afterwards as a worker would),
then times each list route through the app (Flask's test client, in process: no HTTP, so the
numbers are the gateway's own work) and prints the median and the
minimum of up to ROUNDS calls per route and N (an error status, such as
the 503 of a request that ran out of its store budget, in their place).
Not a test; a measurement to compare stores of 1k and 100k+ executions.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from jobgate.model import Execution, State, StepExecution, now
from jobgate.rules.service import Service
from jobgate.settings import Settings
from jobgate.store import keys
from jobgate.testing import parts
from jobgate.tools.embedded import EmbeddedRedis

ROUNDS = 40
#: a slow route stops sampling after this long (at least 3 samples)
BUDGET = 3.0
#: (state, process exit of its failed step) seeded in turn: mostly successes, as a real store holds
MIX = [(State.SUCCEEDED, None)] * 12 + [(State.FAILED, 3), (State.FAILED, None), (State.CANCELED, None),
                                        (State.SUCCEEDED_WITH_WARNINGS, None), (State.DIED, None), (State.QUEUED, None)]
OCAPI = "/s/-/dw/data/v19_5"
ROUTES = {
    "native list": ("GET", "/api/v1/executions?limit=10", None),
    "native list state=FAILED": ("GET", "/api/v1/executions?limit=10&state=FAILED", None),
    "sahara list limit=10": ("GET", "/v1.1/acme/job-executions?limit=10", None),
    "sahara sort_by=-status": ("GET", "/v1.1/acme/job-executions?limit=10&sort_by=-status", None),
    "sahara status=DONEWITHERROR": ("GET", "/v1.1/acme/job-executions?limit=10&status=DONEWITHERROR", None),
    "ocapi job executions": ("GET", f"{OCAPI}/jobs/QuickJob/executions?count=10", None),
    "ocapi search match_all": ("POST", f"{OCAPI}/job_execution_search", {"query": {"match_all_query": {}}, "count": 10}),
    "ocapi search status sort": ("POST", f"{OCAPI}/job_execution_search", {
        "query": {"match_all_query": {}}, "count": 10, "sorts": [{"field": "status", "sort_order": "desc"}]}),
    "ocapi search ERROR|ABORTED": ("POST", f"{OCAPI}/job_execution_search", {"query": {"term_query": {
        "fields": ["status"], "operator": "one_of", "values": ["ERROR", "ABORTED"]}}, "count": 10, "start": 20}),
    "sas jobs state in": ("GET", "/jobExecution/jobs?limit=10&filter=in(state,'canceled','completed')", None),
    "cdq jobs 2 states": ("GET", "/cdq/v2/jobs?limit=10&jobStatus=FINISHED,CANCELED&features=NUMBER_OF_TOTAL", None),
}


def seed(service: Service, count: int) -> None:
    store = service.store
    for n in range(count):
        state, exit_status = MIX[n % len(MIX)]
        stamp = now()
        steps = [StepExecution(id="Count", type="python", state=state if state is not State.QUEUED else State.CREATED,
                               process_exit=exit_status)]
        store.create(Execution(id=str(uuid.uuid4()), seq=store.next_seq(), definition_id="QuickJob", tenant="acme",
                               principal="alice", origin="native", state=state, created=stamp, queued=stamp,
                               started=None if state is State.QUEUED else stamp, modified=stamp,
                               ended=stamp if state.terminal else None, steps=steps), {"steps": []}, exclusive=False)
    windows = getattr(store, "windows", None)
    if windows is not None:                   # the marks, as a worker builds them on start
        service.redis.delete(keys.SCHEMA)
        windows.build_marks()


def timed(client, method: str, path: str, body) -> float:
    headers = {"Authorization": "Bearer tok-alice", "X-Auth-Token": "tok-alice"}
    samples = []
    while len(samples) < ROUNDS and (len(samples) < 3 or sum(samples) < BUDGET):
        start = time.perf_counter()
        response = client.open(path, method=method, json=body, headers=headers)
        samples.append(time.perf_counter() - start)
        if response.status_code != 200:         # a 503: the request ran out of its store budget
            return response.status_code, response.status_code
    return statistics.median(samples) * 1000, min(samples) * 1000


def main(sizes: list[int]) -> None:
    folder = tempfile.mkdtemp(prefix="jg-scale-")
    server = EmbeddedRedis(Path(folder) / "redis")
    server.start()
    try:
        settings = Settings.from_env({"REDIS_URL": server.url, "JOBGATE_CATALOG": str(parts.CATALOG),
                                      "JOBGATE_PRINCIPALS": str(parts.PRINCIPALS), "JOBGATE_QUOTAS": str(parts.QUOTAS),
                                      "JOBGATE_PYTHON_ALLOW": parts.PYTHON_ALLOW})
        service = Service.from_settings(settings)
        client = parts.build_app(settings, service).test_client()
        results, stored = {}, 0
        for size in sizes:
            began = time.perf_counter()
            seed(service, size - stored)
            stored = size
            used = service.redis.info("memory")["used_memory"]
            print(f"seeded {size} in {time.perf_counter() - began:.0f} s; Redis used_memory {used / size:.0f} B "
                  "per execution (records, plans, indexes; no logs)", file=sys.stderr)
            results[size] = {name: timed(client, *route) for name, route in ROUTES.items()}
        print(f"{'ms: median (min)':30}" + "".join(f"{size:>16}" for size in sizes) + "  ratio of medians (mins)")
        for name in ROUTES:
            row = [results[size][name] for size in sizes]
            cells = "".join(f"{p50:9.1f} ({low:4.1f})" for p50, low in row)
            print(f"{name:30}{cells}   {row[-1][0] / row[0][0]:5.2f} ({row[-1][1] / row[0][1]:.2f})")
    finally:
        server.stop()


if __name__ == "__main__":
    main([int(n) for n in sys.argv[1:]] or [1000, 100_000])
