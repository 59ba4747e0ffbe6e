"""HTTP phase: every mounted dialect's submit, status read and list of 10 against the bare
app's (bench.baselines), both served by gunicorn with the gateway's settings.

Per operation the bare baseline and each dialect take turns for `rounds` rounds, and the best
round of each is kept: other load on the machine can only make a round slower. Submits come
first, so the lists then page over real (queued) executions."""
from __future__ import annotations

from bench.dialects import DIALECTS
from bench.load import drive
from bench.serving import Processes, call, serve
from bench.wrk import load

BARE_SUBMIT = ("POST", "/bare/submit", {"parameters": {}}, {})


def requests(gate_port: int, bare_port: int, dialects: list[str]) -> dict:
    """operation -> (bare request, {dialect: request}); a request is (method, path, body, headers).
    One run per dialect is submitted here, for its status read."""
    bare_id = call(bare_port, *BARE_SUBMIT[:3])["id"]
    submits, reads, lists = {}, {}, {}
    for name in dialects:
        dialect = DIALECTS[name]
        find = lambda path, auth=dialect.auth: call(gate_port, "GET", path, headers=auth)   # noqa: E731
        path, body, extra = dialect.submit(find)
        submits[name] = ("POST", path, body, {**dialect.auth, **extra})
        ref = dialect.ref(call(gate_port, "POST", path, body, submits[name][3]))
        reads[name] = ("GET", dialect.status.format(ref), None, dialect.auth)
        label, (method, path, body) = next(iter(dialect.lists(find).items()))
        lists[f"{name} {label}"] = (method, path, body, dialect.auth)
    return {"submit": (BARE_SUBMIT, submits),
            "status": (("GET", f"/bare/status/{bare_id}", None, {}), reads),
            "list": (("GET", "/bare/list", None, {}), lists)}


def phase(procs: Processes, env: dict, args) -> dict:
    (bare, bare_port), (gate, gate_port) = serve(procs, "bench.baselines:bare", env), serve(
        procs, "bench.tasks:gateway", env)
    out = {}
    try:
        for operation, (baseline, targets) in requests(gate_port, bare_port, args.dialects).items():
            sides = [("bare", bare_port, baseline)] + [(name, gate_port, request) for name, request in targets.items()]
            for _, port, (method, path, body, headers) in sides:    # warm-up
                drive(port, method, path, body, requests=3 * args.clients, clients=args.clients, headers=headers)
            runs = {}
            for _ in range(args.rounds):
                for label, port, (method, path, body, headers) in sides:
                    run = load(port, method, path, body, seconds=args.seconds, clients=args.clients,
                               headers=headers, fallback_requests=args.requests)
                    if label not in runs or run["rps"] > runs[label]["rps"]:
                        runs[label] = run
            b = runs.pop("bare")
            for name, j in runs.items():
                out[f"{name} {operation}"] = {
                    "bare": b, "jobgate": j, "x_of_bare": round(j["rps"] / b["rps"], 2),
                    "p50_ratio": round(j["p50_ms"] / b["p50_ms"], 2), "p95_ratio": round(j["p95_ms"] / b["p95_ms"], 2)}
    finally:
        procs.stop(bare, gate)
    return out
