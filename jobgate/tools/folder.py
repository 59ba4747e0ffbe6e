"""The folder `jobgate up` runs in: what it leaves under .jobgate/ for the commands run there after it.

`up` writes the gateway's URL to .jobgate/url, so `jobgate submit` and the other
client commands find a gateway on any port without JOBGATE_URL; `jobgate status`
finds the embedded Redis's socket under .jobgate/redis.
"""
from __future__ import annotations

import os
from pathlib import Path

STATE_DIR = Path(".jobgate")
URL_FILE = STATE_DIR / "url"
REDIS_DIR = STATE_DIR / "redis"
LOCK_FILE = STATE_DIR / "up.lock"
DEFAULT_PORT = 8080
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"


def gateway_url() -> tuple[str, str]:
    """The gateway's URL and where it came from: $JOBGATE_URL, else the one `up` wrote here, else the default."""
    if url := os.environ.get("JOBGATE_URL", "").strip():
        return url, "JOBGATE_URL"
    try:
        if url := URL_FILE.read_text().strip():
            return url, str(URL_FILE)
    except OSError:
        pass
    return DEFAULT_URL, "the default"
