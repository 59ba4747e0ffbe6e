"""Scale phase: each dialect's lists and filters (bench.dialects, a page of 10) with 1k stored
executions and again after seeding to `--seed N` (bench.seed), one request at a time.

A list that scans the tenant grows with it; at 1M it may outlast gunicorn's worker timeout
(30 s), which kills the worker: that list is shown as failed, with how long it went on.
"""
from __future__ import annotations

import http.client
import json
import statistics
import time

import redis

from bench.dialects import DIALECTS
from bench.seed import seed
from bench.serving import Processes, call, serve
from jobgate.store.executions import Store

FIRST = 1000
#: stop repeating a list once this much time went into it (at least one request each)
BUDGET_S = 5.0
CLIENT_TIMEOUT_S = 60


def timed(port: int, method: str, path: str, body, headers: dict) -> tuple[float, str | None]:
    """One request's milliseconds, and what went wrong (None: a 2xx answer)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT_S)
    payload = None if body is None else json.dumps(body).encode()
    started = time.perf_counter()
    try:
        conn.request(method, path, body=payload, headers={**headers, **(
            {"Content-Type": "application/json"} if payload else {})})
        response = conn.getresponse()
        answer = response.read()
        problem = None if response.status < 300 else f"HTTP {response.status} {answer[:160].decode(errors='replace')}"
    except (OSError, http.client.HTTPException) as exc:
        problem = f"no answer ({type(exc).__name__})"
    finally:
        conn.close()
    return 1000 * (time.perf_counter() - started), problem


def measure(port: int, lists: dict, repeats: int) -> dict:
    out = {}
    for label, (method, path, body, headers) in lists.items():
        first, problem = timed(port, method, path, body, headers)     # warm-up (the definitions cache)
        spent, times = first, ([first] if problem or first > BUDGET_S * 1000 else [])   # too slow to repeat
        while len(times) < repeats and spent < BUDGET_S * 1000 and problem is None:
            ms, problem = timed(port, method, path, body, headers)
            times.append(ms)
            spent += ms
        out[label] = {"p50_ms": round(statistics.median(times), 1), "requests": len(times), "error": problem}
    return out


def phase(procs: Processes, env: dict, client: redis.Redis, args) -> dict:
    """Lists at 1k stored executions, and at --seed N if N > 1k."""
    client.flushdb()
    gate, port = serve(procs, "bench.tasks:gateway", env)
    try:
        store, lists, templates = Store(client), {}, []
        for name in args.dialects:              # one real submit per dialect: the seed's templates
            dialect = DIALECTS[name]
            find = lambda path, auth=dialect.auth: call(port, "GET", path, headers=auth)   # noqa: E731
            path, body, extra = dialect.submit(find)
            ref = dialect.ref(call(port, "POST", path, body, {**dialect.auth, **extra}))
            made = store.get(ref)
            templates.append((made, store.get_plan(made.id)))
            lists.update({f"{name} {label}": (*request, dialect.auth) for label, request in dialect.lists(find).items()})
        levels = [FIRST] + ([args.seed] if args.seed > FIRST else [])
        first_ms = int(time.time() * 1000) - 1000 * (levels[-1] + 100)
        out, stored = {"levels": levels, "seeding": [], "at": {}}, len(templates)
        for level in levels:
            before = int(client.info("memory")["used_memory"])
            out["seeding"].append(seed(client, templates, level - stored, first_ms=first_ms))
            out["seeding"][-1]["memory_per_execution_bytes"] = round(
                (int(client.info("memory")["used_memory"]) - before) / (level - stored))
            stored = level
            out["at"][level] = measure(port, lists, args.list_repeats)
        return out
    finally:
        procs.stop(gate)
