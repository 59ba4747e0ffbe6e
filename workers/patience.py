"""Riding out a Redis outage on the worker side: wait for the store rather than fail.

The gateway answers 503 at once while Redis is away; a worker has work in hand
and nobody to answer, so what it must write waits until Redis is back (stopped
or hung alike), and what the next round writes again (liveness, statistics) is
skipped. The store's client raises StoreUnavailable for every connection
error or timeout (jobgate.store.connection); RQ's pubsub, which keeps a
connection of its own, raises redis's errors as they are.
"""
from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis

from jobgate.store.connection import StoreUnavailable

log = logging.getLogger("jobgate.worker")
T = TypeVar("T")
#: Seconds between attempts: soon at first, then at most this far apart.
FIRST_WAIT, LONGEST_WAIT = 0.2, 2.0
#: Redis is away (StoreUnavailable is a redis ConnectionError too)
UNREACHABLE = (StoreUnavailable, redis.ConnectionError, redis.TimeoutError)


def until_reachable(action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`action(*args, **kwargs)`, tried again and again while the job store is unreachable."""
    wait, warned = FIRST_WAIT, False
    while True:
        try:
            return action(*args, **kwargs)
        except UNREACHABLE:
            if not warned:
                log.warning("job store unreachable: %s waits for it", _name(action))
                warned = True
            time.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT)


def unless_unreachable(action: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """`action(*args, **kwargs)`, or None, skipped, while the job store is unreachable:
    for writes that the next round makes again."""
    try:
        return action(*args, **kwargs)
    except UNREACHABLE:
        log.warning("job store unreachable: %s skipped", _name(action))
        return None


class Patient:
    """The object it wraps (a store), whose every method waits for the job store."""

    def __init__(self, target: Any):
        self._target = target

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        return functools.partial(until_reachable, value) if callable(value) else value


def _name(action: Callable) -> str:
    return getattr(action, "__qualname__", None) or repr(action)
