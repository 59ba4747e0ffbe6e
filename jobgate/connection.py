"""The Redis connection every part shares, and the one place outages map to 503."""
from __future__ import annotations

import redis

from jobgate.errors import Unavailable

#: Every key jobgate writes starts with this (RQ's own keys start with "rq:").
PREFIX = "jg:"


def connect(url: str) -> redis.Redis:
    """A client with short timeouts, so a Redis outage answers in seconds, never hangs."""
    return redis.Redis.from_url(url, socket_connect_timeout=1.5, socket_timeout=1.5,
                                health_check_interval=10)


def guarded(call):
    """Run a Redis call; an unreachable server becomes a canonical Unavailable."""
    try:
        return call()
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise Unavailable(details=str(exc)) from None
