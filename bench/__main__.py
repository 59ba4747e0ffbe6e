"""`python -m bench`: jobgate against what a user would write instead, in one process tree.

1. web: every dialect's submit, status read and list of 10 against a bare Flask app doing the
   minimum honest work (bench.baselines), both under the gateway's gunicorn settings, loaded by
   wrk (bench.wrk); A/B rounds alternating, best round kept.
2. workers: RQ's Worker and SimpleWorker against `jobgate worker`, one process each, on the same
   no-op: jobs/s, submit -> ended p50, Redis memory per finished execution (bench.workers).
3. capacity: end-to-end jobs/s with 1, 2 and 4 jobgate workers behind `--gateways` gunicorn
   processes; Redis commands and CPU per execution, submit to purge (bench.capacity).
4. lists: each dialect's lists and filters at 1k stored executions and at `--seed N` (bench.lists).
Everything runs against a private embedded Redis and is stopped by pid at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import redis

from bench import capacity, lists, web, workers
from bench.dialects import DIALECTS, PASSWORD, TENANT, TOKEN
from bench.report import report
from bench.serving import ROOT, Processes, serve
from jobgate.tools.embedded import EmbeddedRedis

#: allow_concurrent (the default, spelled out): every dialect submits Noop again and again
CATALOG = ('[[job]]\nid = "Noop"\nallow_concurrent = true\n'
           '[[job.step]]\nid = "Nothing"\ntype = "sleep"\nparams = { seconds = 0 }\n')
PRINCIPALS = (f'[[principal]]\nname = "bench"\ntenant = "{TENANT}"\npassword = "{PASSWORD}"\n'
              f'tokens = ["{TOKEN}"]\n')
#: the HTTP phase leaves tens of thousands of executions queued: the tenant's quota of unfinished
#: ones (100 by default) must not refuse the submits, though it is still checked on each
QUOTAS = "[default]\nexecutions = 100000000\n"
PHASES = ("web", "workers", "capacity", "lists")


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return {"cpus": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load": os.getloadavg()[0]}


def parse(argv: list[str] | None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3,
                        help="seconds of wrk load per side and round, and of submits per capacity run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating HTTP rounds; the best is kept")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--requests", type=int, default=600, help="requests per side and round without wrk")
    parser.add_argument("--jobs", type=int, default=300, help="jobs per worker run (and per capacity run without wrk)")
    parser.add_argument("--samples", type=int, default=30, help="one-at-a-time jobs for submit -> ended p50")
    parser.add_argument("--capacity", default="1,2,4", help="jobgate worker counts of the capacity phase")
    parser.add_argument("--gateways", type=int, default=1,
                        help="gunicorn processes of the capacity phase's gateway (its --workers)")
    parser.add_argument("--seed", type=int, default=0, metavar="N",
                        help="also measure the lists with N stored executions (seeded in bulk), e.g. 1000000")
    parser.add_argument("--list-repeats", type=int, default=5, help="requests per list and level (p50 of them)")
    parser.add_argument("--dialects", default=",".join(DIALECTS), help=f"of {','.join(DIALECTS)} (default: all)")
    parser.add_argument("--phases", default=",".join(PHASES), help=f"of {','.join(PHASES)} (default: all)")
    parser.add_argument("--quick", action="store_true",
                        help="under a minute on 2 cores: 1 s rounds, one round, 40 jobs, 5 samples, capacity of 1 worker")
    parser.add_argument("--out", help="also write the results as JSON here")
    args = parser.parse_args(argv)
    args.dialects = [name.strip() for name in args.dialects.split(",") if name.strip()]
    args.phases = [name.strip() for name in args.phases.split(",") if name.strip()]
    if set(args.dialects) - set(DIALECTS) or not args.dialects:
        parser.error(f"--dialects: choose from {','.join(DIALECTS)}")
    if args.gateways < 1:
        parser.error("--gateways: at least 1")
    if set(args.phases) - set(PHASES):
        parser.error(f"--phases: choose from {','.join(PHASES)}")
    args.capacity = [int(n) for n in args.capacity.split(",")]
    if args.quick:
        args.seconds, args.rounds, args.requests = 1, 1, min(args.requests, 300)
        args.jobs, args.samples, args.list_repeats = min(args.jobs, 40), min(args.samples, 5), 2
        args.capacity = args.capacity[:1]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # so the finally below runs
    folder = Path(tempfile.mkdtemp(prefix="jg-bench-"))
    server, procs = EmbeddedRedis(folder / "redis"), Processes()
    started = time.perf_counter()
    try:
        url = server.start()
        (folder / "catalog.toml").write_text(CATALOG)
        (folder / "principals.toml").write_text(PRINCIPALS)
        (folder / "quotas.toml").write_text(QUOTAS)
        env = {**os.environ, "REDIS_URL": url, "JOBGATE_CATALOG": str(folder / "catalog.toml"),
               "JOBGATE_PRINCIPALS": str(folder / "principals.toml"), "JOBGATE_QUOTAS": str(folder / "quotas.toml"),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        client = redis.Redis.from_url(url)
        results = {"machine": machine(), "args": {k: v for k, v in vars(args).items() if k != "out"}}
        # one gateway for every phase (it keeps nothing of a phase's Redis data that a flush would break)
        (_, bare_port), (_, port) = serve(procs, "bench.baselines:bare", env, "bench.tasks:gateway")
        phases = {"web": lambda: web.phase(bare_port, port, args),
                  "workers": lambda: workers.phase(procs, env, client, port, args),
                  "capacity": lambda: capacity.phase(procs, env, client, port, args),
                  "lists": lambda: lists.phase(client, port, args)}
        results["phase_seconds"] = {}
        for name in (name for name in PHASES if name in args.phases):
            clock = time.perf_counter()
            results[name] = phases[name]()
            results["phase_seconds"][name] = round(time.perf_counter() - clock, 1)
        results["seconds"] = round(time.perf_counter() - started, 1)
        report(results)
        if args.out:
            Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
        return 0
    finally:
        procs.stop(*procs)
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
