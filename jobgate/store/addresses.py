"""How a REDIS_URL becomes a client: a plain, TLS or unix-socket URL (redis-py's own
`from_url`), or a Sentinel set naming the service whose primary to follow.

`redis+sentinel://[:password@]host1:26379,host2:26379,host3:26379/<service-name>/<db>`
asks the Sentinels for the primary of `<service-name>` (redis-py's Sentinel.master_for)
each time a connection is made, so a failover is followed without a restart; the
password is the data nodes' (Sentinels are asked without one). `rediss://` takes the
operator's TLS options (a CA file, verification off) unless its query sets them itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import redis
from redis.sentinel import Sentinel

SENTINEL_SCHEME = "redis+sentinel"
SENTINEL_PORT = 26379


@dataclass(frozen=True)
class TlsOptions:
    """What a `rediss://` URL gets when its query does not say (JOBGATE_REDIS_CA, JOBGATE_REDIS_TLS_VERIFY)."""
    ca_file: str | None = None
    verify: bool = True

    def of(self, url: str) -> dict:
        if not url.startswith("rediss://"):
            return {}
        options: dict = {} if self.verify else {"ssl_cert_reqs": "none"}
        if self.ca_file:
            options["ssl_ca_certs"] = self.ca_file
        return options


@dataclass(frozen=True)
class SentinelAddress:
    sentinels: list[tuple[str, int]]
    service: str
    db: int
    password: str | None


def parse_sentinel(url: str) -> SentinelAddress:
    """The parts of a `redis+sentinel://` URL; ValueError saying what is wrong with one that is not."""
    parts = urlsplit(url)
    auth, _, hosts = parts.netloc.rpartition("@")
    path = [unquote(p) for p in parts.path.split("/") if p]
    if not hosts or not path or len(path) > 2 or (len(path) == 2 and not path[1].isdigit()):
        raise ValueError(f"a Sentinel URL is {SENTINEL_SCHEME}://[:password@]host:port,host:port/<service-name>/<db>")
    sentinels = []
    for address in hosts.split(","):
        host, colon, port = address.rpartition(":")
        if not colon:
            host, port = address, str(SENTINEL_PORT)
        if not host or not port.isdigit():
            raise ValueError(f"{address!r} in a Sentinel URL is not host:port")
        sentinels.append((host, int(port)))
    password = unquote(auth.partition(":")[2]) or None
    return SentinelAddress(sentinels, path[0], int(path[1]) if len(path) == 2 else 0, password)


def client_for(url: str, redis_class: type[redis.Redis], tls: TlsOptions | None = None, **options) -> redis.Redis:
    """A `redis_class` client for `url`: `options` for the data connections (the Sentinels'
    own connections take its socket timeouts only)."""
    if not url.startswith(f"{SENTINEL_SCHEME}://"):
        return redis_class.from_url(url, **options, **(tls or TlsOptions()).of(url))
    address = parse_sentinel(url)
    timeouts = {k: v for k, v in options.items() if k.startswith("socket_")}
    sentinel = Sentinel(address.sentinels, sentinel_kwargs=timeouts)
    return sentinel.master_for(address.service, redis_class=redis_class, db=address.db,
                               password=address.password, **options)
