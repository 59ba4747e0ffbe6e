"""`jobgate status`: the operator's view of a deployment, read from Redis directly.

Queues (depth, oldest age), workers (name, state, current execution, last
heartbeat) and executions by state, from REDIS_URL or else the embedded Redis
of the `jobgate up` running in this folder; `--json` for scripts.
"""
from __future__ import annotations

import json
import logging
import os

from jobgate.model import State
from jobgate.settings import Settings
from jobgate.store import census
from jobgate.store.connection import StoreUnavailable, connect_as
from jobgate.tools import folder
from jobgate.tools.embedded import EmbeddedRedis


def redis_url() -> str:
    """REDIS_URL, else the socket of `up`'s embedded Redis here; one line and exit when neither is."""
    if url := os.environ.get("REDIS_URL", "").strip():
        return url
    embedded = EmbeddedRedis(folder.REDIS_DIR)
    if embedded.socket_path.exists():
        return embedded.url
    raise SystemExit("jobgate: no Redis to read: set REDIS_URL, or run this in the folder of a running `jobgate up`")


def report(url: str) -> dict:
    client = connect_as(Settings.from_env(redis_url=url))     # with the TLS settings
    try:
        return {"queues": census.queues(client), "workers": census.workers(client),
                "executions": census.executions_by_state(client)}
    except StoreUnavailable:
        raise SystemExit(f"jobgate: cannot reach Redis at {url}: is it running?") from None


def render(found: dict) -> str:
    lines = ["queues:"]
    lines += [f"  {q['name']:<20} depth {q['depth']:<6} oldest {_ago(q['oldest_age'])}" for q in found["queues"]]
    lines.append(f"workers: {len(found['workers'])}")
    lines += [f"  {w['name']:<40} {w['state']:<10} {w['current'] or '-':<38} heartbeat {_ago(w['heartbeat_age'])}"
              for w in found["workers"]]
    lines.append("executions:")
    order = [state.value for state in State]
    counts = found["executions"]
    lines += [f"  {state:<24} {counts[state]}"
              for state in sorted(counts, key=lambda s: order.index(s) if s in order else len(order))]
    return "\n".join(lines)


def _ago(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.1f}s ago"


def run(as_json: bool) -> int:
    # an unreachable Redis is this command's one line, not also the store's logged warning
    logging.getLogger("jobgate.store").addHandler(logging.NullHandler())
    found = report(redis_url())
    print(json.dumps(found, indent=2) if as_json else render(found))
    return 0
