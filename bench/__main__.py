"""`python -m bench`: jobgate's overhead over raw baselines, in one process tree.

1. HTTP: the gateway and a bare Flask app under identical gunicorn settings, the same
   closed-loop load on each; ratios of throughput and latency. Every dialect's submit and
   status read (`--dialects`), and the native API's list.
2. End to end: K executions through the native API run by W `jobgate worker`s, versus
   K `Queue.enqueue(noop)` run by W plain `rq worker`s; ratio of jobs/s.
Everything runs against a private embedded Redis and is stopped by pid at the end.
"""
from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import redis
from rq import Queue, Worker

from bench.jobs import noop
from bench.load import drive
from jobgate.model import TERMINAL
from jobgate.store.keys import index as index_key
from jobgate.tools import processes
from jobgate.tools.embedded import EmbeddedRedis

ROOT = Path(__file__).resolve().parent.parent
#: the Procfile's web: line (jobgate's gunicorn settings), one process
GUNICORN = ["-c", "python:jobgate.tools.gunicorn_conf", "--workers", "1"]
TENANT, TOKEN, PASSWORD = "bench", "bench-token", "bench-password"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SUBMIT = ("POST", "/api/v1/executions", {"definition": "Noop"})
#: allow_concurrent (the default, spelled out): every dialect submits Noop again and again
CATALOG = ('[[job]]\nid = "Noop"\nallow_concurrent = true\n'
           '[[job.step]]\nid = "Nothing"\ntype = "sleep"\nparams = { seconds = 0 }\n')
PRINCIPALS = (f'[[principal]]\nname = "bench"\ntenant = "{TENANT}"\npassword = "{PASSWORD}"\n'
              f'tokens = ["{TOKEN}"]\n')


class Dialect(NamedTuple):
    """How a dialect submits Noop and reads a run's status (shapes from adapters/ and tests/dialects/)."""
    auth: dict
    submit: Callable    # find(path) -> that GET's JSON  =>  (path, body, extra headers)
    ref: Callable       # the submit's answer -> the id its status read takes
    status: str         # the status read's path, "{}" the id


OCAPI, SAHARA = "/s/-/dw/data/v19_5", f"/v1.1/{TENANT}"
SAS_REQUEST = {"Content-Type": "application/vnd.sas.job.execution.job.request+json"}
BASIC = {"Authorization": "Basic " + base64.b64encode(f"bench:{PASSWORD}".encode()).decode()}


def sahara_submit(find):
    job = find(f"{SAHARA}/jobs?name=Noop")["jobs"][0]["id"]
    return f"{SAHARA}/jobs/{job}/execute", {"cluster_id": "811e1134-666f-4c48-bc92-afb5b10c9d8c"}, {}


def sas_submit(find):
    found = find("/jobDefinitions/definitions?filter=eq(name,'Noop')")["items"][0]["id"]
    return "/jobExecution/jobs", {"jobDefinitionUri": f"/jobDefinitions/definitions/{found}"}, SAS_REQUEST


DIALECTS = {
    "native": Dialect(AUTH, lambda find: (SUBMIT[1], SUBMIT[2], {}), lambda doc: doc["id"], "/api/v1/executions/{}"),
    "ocapi": Dialect(AUTH, lambda find: (f"{OCAPI}/jobs/Noop/executions", {"parameters": []}, {}),
                     lambda doc: str(doc["id"]), OCAPI + "/jobs/Noop/executions/{}"),
    "sahara": Dialect({"X-Auth-Token": TOKEN}, sahara_submit, lambda doc: doc["job_execution"]["id"],
                      SAHARA + "/job-executions/{}"),
    "datameer": Dialect(BASIC, lambda find: ("/api/job-execution/%2FData%2FJobs%2FNoop/trigger", b"",
                                             {"Content-Type": "application/json"}),
                        lambda doc: str(doc["job-execution-id"]), "/rest/job-execution/job-details/{}"),
    "sas": Dialect(AUTH, sas_submit, lambda doc: doc["id"], "/jobExecution/jobs/{}"),
    "cdq": Dialect({"X-API-KEY": TOKEN}, lambda find: ("/cdq/v2/jobs", {"type": "Noop"}, {}),
                   lambda doc: doc["id"], "/cdq/v2/jobs/{}"),
}


class Processes(list):
    """Every child this run starts; stop() ends them by pid (SIGTERM, then SIGKILL)."""

    def spawn(self, argv: list[str], env: dict, **kwargs) -> subprocess.Popen:
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, **kwargs)
        self.append(proc)
        return proc

    @staticmethod
    def stop(*procs: subprocess.Popen) -> None:
        processes.stop(*procs, grace=15)


def until(predicate, what: str, timeout: float = 120.0, every: float = 0.01) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(every)


def serve(procs: Processes, app: str, env: dict) -> tuple[subprocess.Popen, int]:
    """gunicorn on a socket we bind (port 0, no race), ready once it answers."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port, fd = sock.getsockname()[1], sock.fileno()
        proc = procs.spawn([sys.executable, "-m", "gunicorn", *GUNICORN, "--bind", f"fd://{fd}",
                            f"bench.tasks:{app}()"], env, pass_fds=[fd])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)   # queues in the backlog
    conn.request("GET", "/healthz")       # any answer (the bare app's is 404) means it serves
    conn.getresponse().read()
    conn.close()
    return proc, port


def call(port: int, method: str, path: str, body=None, headers: dict | None = None) -> dict:
    """One request, its JSON answer; for finding ids before the clock starts."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    payload = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    conn.request(method, path, body=payload,
                 headers={**({"Content-Type": "application/json"} if payload is not None else {}), **(headers or {})})
    response = conn.getresponse()
    answer = response.read()
    conn.close()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: {response.status} {answer[:300]!r}")
    return json.loads(answer)


def http_phase(procs: Processes, env: dict, args) -> dict:
    """Per operation, the bare baseline and each chosen dialect's request take turns; submits
    first, so the list endpoint then pages over real executions. Other load on the machine
    only slows runs down, so the best of the alternating rounds is kept, per side."""
    (bare, bare_port), (gate, gate_port) = serve(procs, "bare", env), serve(procs, "gateway", env)
    out = {}
    try:
        submits, reads = {}, {}
        for name in args.dialects:     # every request's shape, and one run per dialect for its reads
            dialect = DIALECTS[name]
            find = lambda path, auth=dialect.auth: call(gate_port, "GET", path, headers=auth)   # noqa: E731
            path, body, extra = dialect.submit(find)
            submits[name] = ("POST", path, body, {**dialect.auth, **extra})
            ref = dialect.ref(call(gate_port, "POST", path, body, submits[name][3]))
            reads[name] = ("GET", dialect.status.format(ref), None, dialect.auth)
        listing = {"native": ("GET", "/api/v1/executions?limit=10", None, AUTH)}
        operations = {"submit": (("POST", "/bare", SUBMIT[2], {}), submits),
                      "status": (("GET", "/bare/status", None, {}), reads),
                      "list": (("GET", "/bare", None, {}), listing)}
        if "native" not in args.dialects:
            del operations["list"]
        for operation, (baseline, targets) in operations.items():
            sides = [("bare", bare_port, baseline)] + [(name, gate_port, request) for name, request in targets.items()]
            runs = {}
            for _, port, (method, path, body, headers) in sides:    # warm-up
                drive(port, method, path, body, requests=5 * args.clients, clients=args.clients, headers=headers)
            for _ in range(args.rounds):    # alternate sides, keep each one's best round
                for label, port, (method, path, body, headers) in sides:
                    run = drive(port, method, path, body, requests=args.requests, clients=args.clients, headers=headers)
                    if label not in runs or run["rps"] > runs[label]["rps"]:
                        runs[label] = run
            b = runs.pop("bare")
            for name, j in runs.items():
                out[f"{name} {operation}"] = {"bare": b, "jobgate": j, "rps_ratio": round(b["rps"] / j["rps"], 2),
                                              "p50_ratio": round(j["p50_ms"] / b["p50_ms"], 2),
                                              "p95_ratio": round(j["p95_ms"] / b["p95_ms"], 2)}
    finally:
        procs.stop(bare, gate)
    return out


def e2e(procs: Processes, env: dict, client: redis.Redis, args, worker: list[str], submit, ended) -> dict:
    """W workers up (not timed); then time submitting the jobs until `ended()` counts them all."""
    workers = [procs.spawn(worker, env) for _ in range(args.workers)]
    try:
        until(lambda: Worker.count(connection=client) >= args.workers, "workers", 60, 0.1)
        started = time.perf_counter()
        submitted = submit()
        until(lambda: ended() >= submitted, f"{submitted} jobs to end")
        elapsed = time.perf_counter() - started
        return {"jobs": submitted, "seconds": round(elapsed, 3), "jobs_per_s": round(submitted / elapsed, 1)}
    finally:
        procs.stop(*workers)


def jobgate_phase(procs: Processes, env: dict, client: redis.Redis, args) -> dict:
    """Through the native API over HTTP, run by `jobgate worker`s; 'ended' is the store's view."""
    client.flushdb()     # the HTTP phase's executions are still queued
    gate, port = serve(procs, "gateway", env)
    keys = [index_key(TENANT, "Noop", state.value) for state in TERMINAL]

    def submit() -> int:
        run = drive(port, *SUBMIT, requests=args.jobs, clients=args.clients, headers=AUTH)
        return run["requests"] - run["errors"]
    try:
        result = e2e(procs, env, client, args, [sys.executable, "-m", "jobgate", "worker"],
                     submit, lambda: sum(client.zcard(key) for key in keys))
        return {**result, "succeeded": client.zcard(index_key(TENANT, "Noop", "SUCCEEDED"))}
    finally:
        procs.stop(gate)


def rq_phase(procs: Processes, env: dict, client: redis.Redis, args) -> dict:
    """The floor: Queue.enqueue of a no-op, run by plain `rq worker`s (forking, like jobgate's)."""
    client.flushdb()
    queue = Queue("default", connection=client)
    submit = lambda: len([queue.enqueue(noop) for _ in range(args.jobs)])
    result = e2e(procs, env, client, args, [sys.executable, "-m", "rq.cli", "worker", "--url", env["REDIS_URL"]],
                 submit, lambda: len(queue.finished_job_registry) + len(queue.failed_job_registry))
    return {**result, "succeeded": len(queue.finished_job_registry)}


def report(results: dict) -> None:
    m, h, e = results["machine"], results["http"], results["e2e"]
    print(f"\njobgate overhead  ({m['cpus']} cpus, python {m['python']}, {results['args']})")
    print(f"{'HTTP':16}{'bare rps':>10}{'jobgate rps':>13}{'x slower':>10}{'p50 ms bare/jg':>18}"
          f"{'p95 ms bare/jg':>18}{'p50 x':>7}{'p95 x':>7}")
    for name, r in h.items():
        b, j = r["bare"], r["jobgate"]
        print(f"{name:16}{b['rps']:>10}{j['rps']:>13}{r['rps_ratio']:>10}{b['p50_ms']:>9}/{j['p50_ms']:<8}"
              f"{b['p95_ms']:>9}/{j['p95_ms']:<8}{r['p50_ratio']:>7}{r['p95_ratio']:>7}"
              + (f"  errors {j['errors']} {j['first_error']}" if j["errors"] else ""))
    print(f"{'E2E':16}{'rq jobs/s':>10}{'jg jobs/s':>13}{'x slower':>10}")
    print(f"{'noop':16}{e['rq']['jobs_per_s']:>10}{e['jobgate']['jobs_per_s']:>13}{e['ratio']:>10}"
          f"   (succeeded {e['rq']['succeeded']}/{e['jobgate']['succeeded']} of {e['jobgate']['jobs']})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=600, help="timed requests per endpoint, app and round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating HTTP rounds; the best is kept")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--jobs", type=int, default=300, help="jobs per end-to-end phase")
    parser.add_argument("--workers", type=int, default=2, help="worker processes per end-to-end phase")
    parser.add_argument("--dialects", default=",".join(DIALECTS),
                        help=f"comma-separated, of {','.join(DIALECTS)} (default: all)")
    parser.add_argument("--quick", action="store_true",
                        help="a short run, under a minute on 2 cores: at most --requests 300 --jobs 100, one round")
    parser.add_argument("--out", help="also write the results as JSON here")
    args = parser.parse_args(argv)
    args.dialects = [name.strip() for name in args.dialects.split(",") if name.strip()]
    unknown = set(args.dialects) - set(DIALECTS)
    if unknown or not args.dialects:
        parser.error(f"--dialects: unknown {sorted(unknown)}; choose from {','.join(DIALECTS)}")
    if args.quick:
        args.requests, args.rounds, args.jobs = min(args.requests, 300), 1, min(args.jobs, 100)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # so the finally below runs
    folder = Path(tempfile.mkdtemp(prefix="jg-bench-"))
    server, procs = EmbeddedRedis(folder / "redis"), Processes()
    try:
        url = server.start()
        (folder / "catalog.toml").write_text(CATALOG)
        (folder / "principals.toml").write_text(PRINCIPALS)
        env = {**os.environ, "REDIS_URL": url, "JOBGATE_CATALOG": str(folder / "catalog.toml"),
               "JOBGATE_PRINCIPALS": str(folder / "principals.toml"),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        client = redis.Redis.from_url(url)
        results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                   "args": {k: v for k, v in vars(args).items() if k != "out"},
                   "http": http_phase(procs, env, args),
                   "e2e": {"jobgate": jobgate_phase(procs, env, client, args),
                           "rq": rq_phase(procs, env, client, args)}}
        results["e2e"]["ratio"] = round(results["e2e"]["rq"]["jobs_per_s"] / results["e2e"]["jobgate"]["jobs_per_s"], 2)
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
