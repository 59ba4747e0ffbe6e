"""Workers phase: one worker process each, the same no-op job: RQ's forking Worker, RQ's
SimpleWorker, and `jobgate worker` (the runner of a Noop execution submitted over HTTP).

- drain rate: K jobs queued while no worker runs, then one worker starts; jobs/s from the
  server's timestamps (first start to last end), so neither submit nor start-up is timed;
- submit -> ended p50: with the worker idle, one job at a time; the job's own enqueue (RQ)
  or creation (jobgate) timestamp to its end timestamp;
- Redis memory per finished execution, while RQ still keeps its part (job hash, results
  stream, registry entries): the MEMORY USAGE of every key, by kind, over K (keys naming no
  one run, such as indexes and registries, are "shared"); and `used_memory` after the K runs
  ended less before they were submitted, over K, which also counts connections' buffers.
"""
from __future__ import annotations

import json
import statistics
import sys

import redis
from rq import Queue, Worker
from rq.job import Job

from bench.dialects import AUTH, SUBMIT, TENANT
from bench.load import drive
from bench.serving import Processes, call, serve, until
from jobgate.model import TERMINAL
from jobgate.store import keys
from jobgate.store.executions import Store

RQ_WORKERS = {"rq Worker": "rq.worker.Worker", "rq SimpleWorker": "rq.worker.SimpleWorker"}


def _memory(client: redis.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def breakdown(client: redis.Redis, ids: list[str]) -> dict:
    """Bytes per execution by kind of key: the keys naming one of `ids` (their kind with the id
    cut out), and every other key ("shared": indexes, registries, maps), over len(ids)."""
    wanted, kinds = set(ids), {}
    for raw in client.scan_iter(count=1000):
        key = raw.decode()
        own = next((i for i in _ids_in(key) if i in wanted), None)
        kind = key.replace(own, "<id>") if own else "shared (indexes, registries, maps)"
        kinds[kind] = kinds.get(kind, 0) + (client.memory_usage(raw, samples=0) or 0)
    return {kind: round(total / len(ids)) for kind, total in sorted(kinds.items(), key=lambda kv: -kv[1])}


def _ids_in(key: str) -> list[str]:
    return [part for part in key.replace(":", " ").split() if len(part) == 36]


def _worker(procs: Processes, env: dict, client: redis.Redis, argv: list[str]):
    worker = procs.spawn(argv, env)
    until(lambda: Worker.count(connection=client) >= 1, "a worker", 60, 0.05)
    return worker


def rq_worker(procs: Processes, env: dict, client: redis.Redis, args, name: str) -> dict:
    client.flushdb()
    queue = Queue("default", connection=client)
    before = _memory(client)
    jobs = [queue.enqueue("bench.jobs.noop") for _ in range(args.jobs)]
    worker = _worker(procs, env, client, [sys.executable, "-m", "rq.cli", "worker", "--url", env["REDIS_URL"],
                                          "-w", RQ_WORKERS[name]])
    try:
        ended = lambda: len(queue.finished_job_registry) + len(queue.failed_job_registry)   # noqa: E731
        until(lambda: ended() >= len(jobs), f"{name} to drain")
        memory = (_memory(client) - before) / len(jobs)
        fetched = Job.fetch_many([job.id for job in jobs], connection=client)
        span = max(j.ended_at for j in fetched) - min(j.started_at for j in fetched)
        by_key = breakdown(client, [job.id for job in jobs])
        succeeded = len(queue.finished_job_registry)
        latencies = []
        for _ in range(args.samples):
            job = queue.enqueue("bench.jobs.noop")
            until(lambda job=job: client.hget(job.key, "ended_at"), "a job to end", 30, 0.001)
            job.refresh()
            latencies.append((job.ended_at - job.enqueued_at).total_seconds() * 1000)
        return {"jobs_per_s": round(len(jobs) / span.total_seconds(), 1),
                "submit_to_end_p50_ms": round(statistics.median(latencies), 2),
                "succeeded": succeeded, "jobs": len(jobs),
                "memory_per_job_bytes": sum(by_key.values()), "used_memory_per_job_bytes": round(memory),
                "memory_by_key": by_key}
    finally:
        procs.stop(worker)


def jobgate_worker(procs: Processes, env: dict, client: redis.Redis, args) -> dict:
    client.flushdb()
    gate, port = serve(procs, "bench.tasks:gateway", env)
    store, done = Store(client), [keys.index(TENANT, state=state.value) for state in TERMINAL]
    ended = lambda: sum(client.zcard(key) for key in done)   # noqa: E731
    worker = None
    try:
        drive(port, "GET", "/healthz", requests=5, clients=1)
        before = _memory(client)
        submitted = drive(port, *SUBMIT, requests=args.jobs, clients=args.clients, headers=AUTH)
        count = submitted["requests"] - submitted["errors"]
        worker = _worker(procs, env, client, [sys.executable, "-m", "jobgate", "worker"])
        until(lambda: ended() >= count, "jobgate worker to drain")
        memory = (_memory(client) - before) / count
        runs, _ = store.page(TENANT, limit=count)
        span = max(r.ended for r in runs) - min(r.started for r in runs)
        by_key = breakdown(client, [r.id for r in runs])
        succeeded = client.zcard(keys.index(TENANT, state="SUCCEEDED"))
        latencies = []
        for _ in range(args.samples):
            created = call(port, *SUBMIT, headers=AUTH)["id"]
            until(lambda created=created: json.loads(client.get(keys.record(created)))["state"] in
                  {s.value for s in TERMINAL}, "an execution to end", 30, 0.001)
            run = store.get(created)
            latencies.append((run.ended - run.created).total_seconds() * 1000)
        return {"jobs_per_s": round(count / span.total_seconds(), 1),
                "submit_to_end_p50_ms": round(statistics.median(latencies), 2),
                "succeeded": succeeded, "jobs": count,
                "memory_per_job_bytes": sum(by_key.values()), "used_memory_per_job_bytes": round(memory),
                "memory_by_key": by_key}
    finally:
        procs.stop(*filter(None, [worker, gate]))


def phase(procs: Processes, env: dict, client: redis.Redis, args) -> dict:
    out = {name: rq_worker(procs, env, client, args, name) for name in RQ_WORKERS}
    out["jobgate worker"] = jobgate_worker(procs, env, client, args)
    return out
