"""`python -m bench.memory_check [N]`: Redis memory per finished no-op execution (issue 16, point 4).

Runs N no-op executions (one `sleep 0` step) through one `jobgate worker` against a private
embedded Redis, and as soon as all have ended reports, per execution: MEMORY USAGE of every key
named after it (jobgate's record, plan, log, result; RQ's job hash and results stream), the
share of the keys they all share (indexes, the seq hash, RQ's registries) and used_memory's
growth over N. Beside it, the same for N `Queue.enqueue(noop)` run by a plain `rq worker`.
Not a test; a measurement.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from rq import Queue

from bench.jobs import noop
from jobgate.errors import TooManyActive
from jobgate.model import TERMINAL, Principal
from jobgate.rules.service import Service
from jobgate.settings import Settings
from jobgate.tools import processes
from jobgate.tools.embedded import EmbeddedRedis

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ('[[job]]\nid = "Noop"\nallow_concurrent = true\n'
           '[[job.step]]\nid = "Nothing"\ntype = "sleep"\nparams = { seconds = 0 }\n')
WHO = Principal("bench", "bench")


def usage(client: redis.Redis, names) -> int:
    return sum(client.memory_usage(name, samples=0) or 0 for name in names)


def split(client: redis.Redis, ids: list[str]) -> tuple[float, float]:
    """(bytes of keys named after one execution, averaged; bytes of the shared keys / len(ids))."""
    every = [k.decode() for k in client.scan_iter(count=10_000)]
    own = [k for k in every if any(i in k for i in ids[:20])]
    shared = [k for k in every if not any(i in k for i in ids) and not k.startswith(("rq:worker", "rq:workers"))]
    mine = [k for k in every if any(i in k for i in ids)]
    assert len(own) <= len(mine)
    return usage(client, own) / min(20, len(ids)), usage(client, shared) / len(ids)


def wait(done, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the runs did not end")
        time.sleep(0.2)


def submit(service: Service) -> str:
    """One Noop run, waiting while the tenant has as many unfinished as its quota allows."""
    while True:
        try:
            return service.submit(WHO, "Noop", origin="native").id
        except TooManyActive:
            time.sleep(0.1)


def jobgate_side(url: str, folder: Path, count: int) -> dict:
    (folder / "catalog.toml").write_text(CATALOG)
    env = {**os.environ, "REDIS_URL": url, "JOBGATE_CATALOG": str(folder / "catalog.toml"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    service = Service.from_settings(Settings.from_env(env))
    client = service.redis
    worker = subprocess.Popen([sys.executable, "-m", "jobgate", "worker"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(2)
        before = client.info("memory")["used_memory"]
        ids = [submit(service) for _ in range(count)]
        wait(lambda: all(service.store.get(i).state in TERMINAL for i in ids[-5:]))
        wait(lambda: all(service.store.get(i).state in TERMINAL for i in ids))
        grown = client.info("memory")["used_memory"] - before
        own, shared = split(client, ids)
        keys_of_one = sorted(k.decode() for k in client.scan_iter(match=f"*{ids[0]}*"))
        return {"own": own, "shared": shared, "grown": grown / count,
                "keys": {k: client.memory_usage(k, samples=0) for k in keys_of_one}}
    finally:
        processes.stop(worker)


def rq_side(url: str, count: int) -> dict:
    client = redis.Redis.from_url(url)
    client.flushdb()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    worker = subprocess.Popen([sys.executable, "-m", "rq.cli", "worker", "--url", url, "default"], env=env,
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(2)
        before = client.info("memory")["used_memory"]
        queue = Queue("default", connection=client)
        jobs = [queue.enqueue(noop) for _ in range(count)]
        wait(lambda: all(job.get_status(refresh=True) == "finished" for job in jobs))
        grown = client.info("memory")["used_memory"] - before
        own, shared = split(client, [job.id for job in jobs])
        return {"own": own, "shared": shared, "grown": grown / count, "keys": {}}
    finally:
        processes.stop(worker)


def main(count: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="jg-memory-"))
    server = EmbeddedRedis(folder / "redis")
    url = server.start()
    try:
        found = {"jobgate": jobgate_side(url, folder, count), "rq": rq_side(url, count)}
    finally:
        server.stop()
    print(f"bytes per finished no-op execution, N={count}: own keys + share of shared keys (used_memory growth)")
    for name, f in found.items():
        print(f"  {name:8} {f['own']:7.0f} + {f['shared']:6.0f} = {f['own'] + f['shared']:7.0f}   ({f['grown']:.0f})")
    for key, size in found["jobgate"]["keys"].items():
        print(f"    {size:6}  {key}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
