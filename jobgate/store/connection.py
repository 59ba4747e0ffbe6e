"""The Redis client every part shares, guarded once at the boundary.

Every command, pipeline and script goes through `GuardedRedis`, so a Redis
connection error or timeout anywhere becomes `StoreUnavailable` (a canonical
Unavailable: 503 in each dialect's format) without wrapping calls one by one.
It is also a redis ConnectionError, so RQ's own code (its worker loop retries
on those) behaves as it would with a plain client. The address of the server
never reaches a client; it is logged.

A request's calls share one budget of waiting (`set_budget`, which the HTTP kit
calls at each request's start and end): every wait on Redis is cut to what is left
of it and comes out of it, and once it is spent a call fails at once, so a hung
Redis costs a request one budget, not one timeout per call. Only waiting on Redis
counts: the request's own work between calls (a password hash) spends none of it.
"""
from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar

import redis
from redis.backoff import NoBackoff
from redis.client import Pipeline
from redis.connection import Connection, SSLConnection, UnixDomainSocketConnection
from redis.retry import Retry

from jobgate.errors import Unavailable

log = logging.getLogger("jobgate.store")
#: Seconds a connect or a reply may take: an outage answers within 2 s.
TIMEOUT = 0.9
#: Seconds of waiting on Redis one request may spend over all its calls, so that however
#: many calls it makes, a hung Redis is answered (503) within 2 s.
REQUEST_BUDGET = 1.5
_LOST = (redis.ConnectionError, redis.TimeoutError)
#: called each time Redis is found unreachable: what counts Redis errors (kit.metrics, workers.maintenance)
unreachable_listeners: list[Callable[[], None]] = []


class _Budget:
    """Seconds left of one context's waiting on the store."""

    def __init__(self, seconds: float):
        self.left = seconds


_budget: ContextVar[_Budget | None] = ContextVar("jobgate_store_budget", default=None)


def set_budget(seconds: float | None = REQUEST_BUDGET) -> None:
    """Store calls made from now on in this context may wait `seconds` on Redis in all
    (None: each call has its own timeout only, as in workers)."""
    _budget.set(None if seconds is None else _Budget(seconds))


class StoreUnavailable(Unavailable, redis.ConnectionError):
    """The job store is unreachable; try again shortly."""


@contextlib.contextmanager
def _guard():
    try:
        yield
    except StoreUnavailable:
        raise
    except _LOST as exc:
        _unreachable(exc)
        raise StoreUnavailable() from None


def _unreachable(exc: Exception) -> None:
    log.warning("Redis unreachable: %s", exc)
    for listener in unreachable_listeners:
        listener()


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
            _unreachable(exc)
            self._drop_connection()
            super().reset()          # no UNWATCH now: only gives the connection back

    def _drop_connection(self) -> None:
        """A connection an outage broke holds no WATCH any more: close it, so that
        reset() does not wait on Redis again to UNWATCH."""
        if self.connection is not None:
            self.connection.disconnect()
        self.watching = False


class _Budgeted:
    """A connection whose every wait on Redis (connect, send, reply) is cut to what is
    left of the context's budget and spends it, failing at once once it is spent."""

    @contextlib.contextmanager
    def _waiting(self, own: float | None):
        """One wait: the timeout to give it, and its time taken from the budget."""
        budget = _budget.get()
        if budget is None:
            yield own
            return
        if budget.left <= 0:
            self.disconnect()          # a reply may be on its way: this connection is out of step
            raise redis.TimeoutError("the request's time for the store has run out")
        started = time.monotonic()
        try:
            yield budget.left if own is None else min(own, budget.left)
        finally:
            budget.left -= time.monotonic() - started

    def _connect(self):
        own = self.socket_connect_timeout
        with self._waiting(own) as limit:
            self.socket_connect_timeout = limit
            try:
                return super()._connect()
            finally:
                self.socket_connect_timeout = own

    def send_packed_command(self, command, check_health=True):
        # connecting and the health check wait in calls of their own; here only the send
        if not self._sock:
            self.connect_check_health(check_health=False)
        if check_health:
            self.check_health()
        with self._waiting(self.socket_timeout) as limit:
            if self._sock:
                self._sock.settimeout(limit)
            super().send_packed_command(command, check_health=False)

    def read_response(self, *args, **kwargs):
        with self._waiting(self.socket_timeout) as limit:
            if self._sock:
                self._sock.settimeout(limit)
            return super().read_response(*args, **kwargs)


#: the client's connection classes (TCP, TLS, unix socket), each spending the budget
_BUDGETED = {cls: type(cls.__name__, (_Budgeted, cls), {})
              for cls in (Connection, SSLConnection, UnixDomainSocketConnection)}


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
    client = GuardedRedis.from_url(url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT,
                                   retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
                                   health_check_interval=10)
    pool = client.connection_pool
    pool.connection_class = _BUDGETED[pool.connection_class]
    return client


def unbudgeted(client: GuardedRedis, hold: float) -> GuardedRedis:
    """A client like `client` (guarded, same server) with a pool of its own, for commands that
    block up to `hold` seconds (XREAD BLOCK): its replies may take that long, and its waits
    spend no request's budget."""
    pool = client.connection_pool
    plain = next((base for base, budgeted in _BUDGETED.items() if budgeted is pool.connection_class),
                 pool.connection_class)
    kwargs = {**pool.connection_kwargs, "socket_timeout": hold + TIMEOUT}
    return GuardedRedis(connection_pool=redis.ConnectionPool(connection_class=plain, **kwargs))


def ping(url: str, timeout: float = 1.0) -> bool:
    """Whether a server answers at `url` (for the embedded server's start-up)."""
    with redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout) as client:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
