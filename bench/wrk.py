"""Closed-loop HTTP load from wrk (Debian's `wrk`, written in C), so the load generator takes
little of the CPU the servers share with it; the Python load (bench.load) when wrk is missing.

A generated Lua script sets each request's method, body and headers, and its `done` hook
prints the summary as one JSON line.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile

from bench.load import drive

#: `done` runs once, after the run: requests, time and latency percentiles (microseconds)
SCRIPT = """
wrk.method = {method}
wrk.body = {body}
{headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH {{"requests": %d, "us": %d, "p50": %d, "p95": %d, "status": %d, "other": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""
_warned = []


def lua(text: str | bytes) -> str:
    """A Lua string literal of any bytes (decimal escapes: no quoting rules to get wrong)."""
    raw = text.encode() if isinstance(text, str) else text
    return '"' + "".join(f"\\{byte}" for byte in raw) + '"'


def available() -> bool:
    return shutil.which("wrk") is not None


def load(port: int, method: str, path: str, body=None, *, seconds: float, clients: int,
         headers: dict | None = None, fallback_requests: int = 300) -> dict:
    """`clients` keep-alive connections sending the request for `seconds`; throughput,
    p50/p95 latency and errors, in the shape bench.load.drive returns."""
    if not available():
        if not _warned:
            print("warning: wrk not found (apt-get install -y wrk): using the Python load, which takes "
                  "CPU from the servers", file=sys.stderr)
            _warned.append(True)
        return drive(port, method, path, body, requests=fallback_requests, clients=clients, headers=headers)
    payload = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {**({"Content-Type": "application/json"} if payload else {}), **(headers or {})}
    script = SCRIPT.format(method=lua(method), body=lua(payload), headers="\n".join(
        f"wrk.headers[{lua(name)}] = {lua(value)}" for name, value in headers.items()))
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as file:
        file.write(script)
        file.flush()
        out = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
                              "-s", file.name, f"http://127.0.0.1:{port}{path}"],
                             capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    found = json.loads(line.removeprefix("BENCH "))
    errors = found["status"] + found["other"]
    return {"requests": found["requests"], "seconds": round(found["us"] / 1e6, 3),
            "rps": round(found["requests"] / (found["us"] / 1e6), 1), "p50_ms": round(found["p50"] / 1000, 2),
            "p95_ms": round(found["p95"] / 1000, 2), "errors": errors,
            "first_error": [f"{found['status']} non-2xx/3xx, {found['other']} socket errors"] if errors else []}
