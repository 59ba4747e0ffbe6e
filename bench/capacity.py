"""Capacity phase: end-to-end jobs/s with 1, 2 and 4 `jobgate worker` processes against one
Redis, and what one execution costs Redis over its whole life, submit to purge.

The gateway is the run's shared one (one gunicorn process), or with `--gateways N` one of
N gunicorn processes started for this phase, as `--workers N` (or WEB_CONCURRENCY) would
run it; the submit rate is reported beside jobs/s, to show whether the gateway was the bound.

Native submits come from wrk (`--clients` connections for `--seconds`; without wrk, `--jobs`
of them from the Python load) while the workers run; the clock stops when the store counts
every execution ended, and then each is purged (DELETE). Redis's INFO commandstats and CPU
counters before and after, less what the idle workers and the gateway issue on their own
(measured for a second first, scaled to the run's length), over the executions.
commandstats counts the commands a Lua script runs as well as the script call itself; the
bench's own commands (its INFO reads, its polls for the end, the ZRANGE of ids) are taken out.
"""
from __future__ import annotations

import sys
import time

import redis
from rq import Worker

from bench import wrk
from bench.dialects import AUTH, SUBMIT, TENANT
from bench.serving import Processes, call, serve, until
from jobgate.model import TERMINAL
from jobgate.store import keys

IDLE_SECONDS = 1.0


def counters(client: redis.Redis) -> tuple[dict[str, int], float]:
    """Calls per command so far, and Redis's CPU seconds (user + system, main thread and children)."""
    calls = {name.removeprefix("cmdstat_"): stat["calls"] for name, stat in client.info("commandstats").items()}
    cpu = client.info("cpu")
    return calls, cpu["used_cpu_user"] + cpu["used_cpu_sys"]


def delta(later: dict[str, int], earlier: dict[str, int]) -> dict[str, int]:
    """Calls per command between two snapshots, but INFO (only the bench reads it)."""
    return {name: calls - earlier.get(name, 0) for name, calls in later.items()
            if calls > earlier.get(name, 0) and name != "info"}


def run(procs: Processes, env: dict, client: redis.Redis, port: int, workers: int, args) -> dict:
    client.flushdb()
    # the tenant a deployment has had since its first submit: with none known, each worker's webhook
    # thread polls without waiting (store.feed.read), and the idle count below would be that loop
    client.sadd(keys.TENANTS, TENANT)
    started = [procs.spawn([sys.executable, "-m", "jobgate", "worker"], env) for _ in range(workers)]
    try:
        until(lambda: Worker.count(connection=client) >= workers, "workers", 60, 0.05)
        idle_calls, _ = counters(client)
        time.sleep(IDLE_SECONDS)
        idle = delta(counters(client)[0], idle_calls)
        calls, cpu = counters(client)
        clock = time.perf_counter()
        submitted = wrk.load(port, *SUBMIT, seconds=args.seconds, clients=args.clients, headers=AUTH,
                             fallback_requests=args.jobs)
        everyone, done, polls, totals = keys.index(TENANT), [keys.index(TENANT, state=s.value) for s in TERMINAL], [], []

        def ended() -> bool:
            """Counted in the store: a submit wrk still had in flight when it stopped is one too."""
            polls.append(len(done) + 1)
            totals.append(client.zcard(everyone))
            return sum(client.zcard(key) for key in done) >= totals[-1]
        until(ended, "the executions to end")
        elapsed, count = time.perf_counter() - clock, totals[-1]
        for raw in client.zrange(keys.index(TENANT), 0, -1):
            call(port, "DELETE", f"/api/v1/executions/{raw.decode()}", headers=AUTH)
        life = time.perf_counter() - clock
        after, cpu_after = counters(client)
        remaining = left(client)
    finally:
        procs.stop(*started)
    used = delta(after, calls)
    mine = {"zcard": sum(polls), "zrange": 1}
    used = {name: n - mine.get(name, 0) for name, n in used.items() if n > mine.get(name, 0)}
    background = sum(idle.values()) * life / IDLE_SECONDS
    top = sorted(used.items(), key=lambda kv: -kv[1])[:8]
    redis_ms = 1000 * (cpu_after - cpu) / count
    return {"gateways": args.gateways, "workers": workers, "jobs": count, "seconds": round(elapsed, 2),
            "jobs_per_s": round(count / elapsed, 1),
            "submits_per_s": submitted["rps"], "redis_cpu_ms_per_execution": round(redis_ms, 3),
            "redis_core_share": round((cpu_after - cpu) / life, 3), "redis_bound_jobs_per_s": round(1000 / redis_ms),
            "commands_per_execution": round((sum(used.values()) - background) / count, 1),
            "background_commands_per_s": round(sum(idle.values()) / IDLE_SECONDS, 1),
            "top_commands_per_execution": {name: round(n / count, 1) for name, n in top},
            "submit_errors": submitted["errors"], "first_error": submitted["first_error"],
            "left_after_purge": remaining}


def left(client: redis.Redis) -> dict[str, int]:
    """The keys still there after every execution was purged, by kind (ids cut out)."""
    kinds: dict[str, int] = {}
    for raw in client.scan_iter(count=1000):
        kind = ":".join("<id>" if len(part) == 36 else part for part in raw.decode().split(":"))
        kinds[kind] = kinds.get(kind, 0) + 1
    return dict(sorted(kinds.items(), key=lambda kv: -kv[1])[:6])


def phase(procs: Processes, env: dict, client: redis.Redis, port: int, args) -> list[dict]:
    gateway = None
    if args.gateways > 1:
        gateway, port = serve(procs, "bench.tasks:gateway", env, workers=args.gateways)
    try:
        return [run(procs, env, client, port, workers, args) for workers in args.capacity]
    finally:
        if gateway:
            procs.stop(gateway)
