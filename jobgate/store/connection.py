"""The Redis client every part shares, guarded once at the boundary.

Every command, pipeline and script goes through `GuardedRedis`, so a Redis
connection error or timeout anywhere becomes `StoreUnavailable` (a canonical
Unavailable: 503 in each dialect's format) without wrapping calls one by one.
It is also a redis ConnectionError, so RQ's own code (its worker loop retries
on those) behaves as it would with a plain client. The address of the server
never reaches a client; it is logged.
"""
from __future__ import annotations

import contextlib
import logging

import redis
from redis.backoff import NoBackoff
from redis.client import Pipeline
from redis.retry import Retry

from jobgate.errors import Unavailable

log = logging.getLogger("jobgate.store")
#: Seconds a connect or a reply may take: an outage answers within 2 s.
TIMEOUT = 0.9
_LOST = (redis.ConnectionError, redis.TimeoutError)


class StoreUnavailable(Unavailable, redis.ConnectionError):
    """The job store is unreachable; try again shortly."""


@contextlib.contextmanager
def _guard():
    try:
        yield
    except StoreUnavailable:
        raise
    except _LOST as exc:
        log.warning("Redis unreachable: %s", exc)
        raise StoreUnavailable() from None


class GuardedPipeline(Pipeline):
    def execute(self, raise_on_error: bool = True):
        with _guard():
            return super().execute(raise_on_error)

    def immediate_execute_command(self, *args, **options):   # WATCH and reads before MULTI
        try:
            with _guard():
                return super().immediate_execute_command(*args, **options)
        except StoreUnavailable:
            self._drop_connection()
            raise

    def reset(self) -> None:
        """Leaving a WATCH sends UNWATCH (also when `transaction()` unwinds from an error);
        if that finds Redis gone, dropping the connection ends the WATCH as well, and the
        error that is unwinding stays the one raised."""
        try:
            super().reset()
        except _LOST as exc:
            log.warning("Redis unreachable: %s", exc)
            self._drop_connection()
            super().reset()          # no UNWATCH now: only gives the connection back

    def _drop_connection(self) -> None:
        """A connection an outage broke holds no WATCH any more: close it, so that
        reset() does not wait on Redis again to UNWATCH."""
        if self.connection is not None:
            self.connection.disconnect()
        self.watching = False


class GuardedRedis(redis.Redis):
    def execute_command(self, *args, **options):
        with _guard():
            return super().execute_command(*args, **options)

    def pipeline(self, transaction: bool = True, shard_hint=None) -> GuardedPipeline:
        return GuardedPipeline(self.connection_pool, self.response_callbacks, transaction, shard_hint)


def connect(url: str) -> GuardedRedis:
    """A client with short timeouts and one quick retry, so an outage answers in seconds.

    The retry is for a pooled connection that Redis dropped while it restarted: that
    fails at once, and reconnecting once is enough. A timeout is not retried (nor is
    a health-check PING that timed out): a hung server would make each wait twice.
    """
    return GuardedRedis.from_url(url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT,
                                 retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
                                 health_check_interval=10)


def ping(url: str, timeout: float = 1.0) -> bool:
    """Whether a server answers at `url` (for the embedded server's start-up)."""
    with redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout) as client:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
