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

A failover is an outage too: a primary that is gone, no primary known to the Sentinels
yet, a write answered READONLY by a primary demoted meanwhile, each is `StoreUnavailable`.
Transactions committed inside `replicated()` (a submit) wait, on the connection that wrote
them, for the client's `replicas` to confirm them (WAIT); fewer in time is `NotReplicated`.
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
from redis.sentinel import SentinelManagedConnection, SentinelManagedSSLConnection

from jobgate.errors import Unavailable
from jobgate.settings import Settings
from jobgate.store.addresses import TlsOptions, client_for

log = logging.getLogger("jobgate.store")
#: Seconds a connect or a reply may take: an outage answers within 2 s.
TIMEOUT = 0.9
#: Seconds of waiting on Redis one request may spend over all its calls, so that however
#: many calls it makes, a hung Redis is answered (503) within 2 s.
REQUEST_BUDGET = 1.5
#: what a server that is away, or not the primary any more, answers (MasterNotFoundError is a ConnectionError)
_LOST = (redis.ConnectionError, redis.TimeoutError, redis.exceptions.ReadOnlyError, redis.exceptions.MasterDownError)
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


class NotReplicated(StoreUnavailable):
    """The job store could not confirm the write on its replicas in time: it may exist or not; retry shortly."""


_replicated: ContextVar[bool] = ContextVar("jobgate_store_replicated", default=False)


@contextlib.contextmanager
def replicated():
    """Transactions committed inside answer only once the client's replicas confirm them."""
    token = _replicated.set(True)
    try:
        yield
    finally:
        _replicated.reset(token)


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
    #: replicas a transaction in `replicated()` waits for, and for how long (ms); set by GuardedRedis
    replicas, replica_timeout = 0, 0

    def execute(self, raise_on_error: bool = True):
        self.confirmed = None
        with _guard():
            result = super().execute(raise_on_error)
        # raised here, not inside: the client's retry of a connection error would commit it twice
        if self.confirmed is not None and self.confirmed < self.replicas:
            log.warning("a write confirmed by %d of %d replicas in %d ms", self.confirmed, self.replicas,
                        self.replica_timeout)
            raise NotReplicated()
        return result

    def _execute_transaction(self, connection, commands, raise_on_error):
        result = super()._execute_transaction(connection, commands, raise_on_error)
        if self.replicas and _replicated.get():
            self.confirmed = _wait(connection, self.replicas, self.replica_timeout)
        return result

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


def _wait(connection, replicas: int, timeout_ms: int) -> int:
    """How many replicas confirm what `connection` wrote, within `timeout_ms` (0 when it cannot tell)."""
    own = connection.socket_timeout
    connection.socket_timeout = own + timeout_ms / 1000      # the budget of a request still bounds it
    try:
        connection.send_command("WAIT", replicas, timeout_ms)
        return int(connection.read_response())
    except _LOST as exc:
        _unreachable(exc)
        connection.disconnect()
        return 0
    finally:
        connection.socket_timeout = own


class _ClosedWhenInterrupted:
    """redis-py's Sentinel connections (6.4) keep a connection whose read was interrupted (a
    worker's SIGTERM in the middle of its blocking dequeue): the late reply would then answer
    the next command on it. Closed, as redis-py's other connections are."""

    def read_response(self, disable_decoding=False, *, disconnect_on_error=True, **kwargs):
        return super().read_response(disable_decoding, disconnect_on_error=disconnect_on_error, **kwargs)


#: the client's connection classes (TCP, TLS, unix socket, to a Sentinel's primary), each spending the budget
_BUDGETED = {cls: type(cls.__name__, (_Budgeted, *mixins, cls), {})
             for cls, mixins in ((Connection, ()), (SSLConnection, ()), (UnixDomainSocketConnection, ()),
                                 (SentinelManagedConnection, (_ClosedWhenInterrupted,)),
                                 (SentinelManagedSSLConnection, (_ClosedWhenInterrupted,)))}


class GuardedRedis(redis.Redis):
    #: see GuardedPipeline (class attributes: RQ's scheduler rebuilds a client of this class)
    replicas, replica_timeout = 0, 0

    def execute_command(self, *args, **options):
        with _guard():
            return super().execute_command(*args, **options)

    def pipeline(self, transaction: bool = True, shard_hint=None) -> GuardedPipeline:
        pipe = GuardedPipeline(self.connection_pool, self.response_callbacks, transaction, shard_hint)
        pipe.replicas, pipe.replica_timeout = self.replicas, self.replica_timeout
        return pipe


def connect(url: str, tls: TlsOptions | None = None, replicas: int = 0, replica_timeout: int = 0) -> GuardedRedis:
    """A client with short timeouts and one quick retry, so an outage answers in seconds;
    `url` as jobgate.store.addresses reads it, its writes in `replicated()` confirmed by
    `replicas` within `replica_timeout` ms.

    The retry is for a pooled connection that Redis dropped while it restarted: that
    fails at once, and reconnecting once is enough. A timeout is not retried (nor is
    a health-check PING that timed out): a hung server would make each wait twice.
    """
    client = client_for(url, GuardedRedis, tls, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT,
                        retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
                        health_check_interval=10)
    pool = client.connection_pool
    pool.connection_class = _BUDGETED[pool.connection_class]
    client.replicas, client.replica_timeout = replicas, replica_timeout
    return client


def connect_as(settings: Settings) -> GuardedRedis:
    """`connect` to the settings' REDIS_URL with their TLS options and replicas to wait for."""
    return connect(settings.redis_url, TlsOptions(settings.redis_ca, settings.redis_tls_verify),
                   settings.redis_wait_replicas, settings.redis_wait_timeout)


def ping(url: str, timeout: float = 1.0) -> bool:
    """Whether a server answers at `url` (for the embedded server's start-up)."""
    with client_for(url, redis.Redis, socket_connect_timeout=timeout, socket_timeout=timeout) as client:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
