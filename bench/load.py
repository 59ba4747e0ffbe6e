"""A bounded closed-loop HTTP load: N client threads, one keep-alive connection each.

http.client rather than requests: the client shares 2 cores with the server, and a
cheaper client keeps the bare baseline from being client-bound sooner than it must.
"""
from __future__ import annotations

import http.client
import itertools
import json
import threading
import time


def drive(port: int, method: str, path: str, body=None, *, requests: int, clients: int,
          headers: dict | None = None) -> dict:
    """Send `requests` requests from `clients` threads; throughput, p50/p95 latency, errors.

    `body` is sent as given if bytes, else as JSON (Content-Type application/json unless
    `headers` names another)."""
    payload = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    headers = {**({"Content-Type": "application/json"} if payload else {}), **(headers or {})}
    tickets, latencies, errors = itertools.count(), [], []

    def client() -> None:
        conn, mine = http.client.HTTPConnection("127.0.0.1", port, timeout=30), []
        while next(tickets) < requests:
            started = time.perf_counter()
            try:
                conn.request(method, path, body=payload, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 300:
                    errors.append(response.status)
            except (OSError, http.client.HTTPException) as exc:
                errors.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - started)
        conn.close()
        latencies.extend(mine)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    pick = lambda q: round(1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))], 2)
    return {"requests": len(latencies), "seconds": round(elapsed, 3), "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": pick(0.50), "p95_ms": pick(0.95), "errors": len(errors), "first_error": errors[:1]}
