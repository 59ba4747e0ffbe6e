"""Which URLs the gateway may call back (webhooks, callback URLs): the operator's allow-list.

Clients choose these URLs, so unchecked they would make the workers a way into the
gateway's own network: its Redis, the cloud's metadata address, private services.
Unset, only public addresses are reachable. Set (JOBGATE_WEBHOOK_ALLOW), only what it
lists: a host pattern (``hooks.example.com``, ``*.example.com``, ``*``) admits names that
resolve to public addresses (a name can be pointed anywhere), a CIDR admits its addresses,
private or not. The Redis server's own address and port are never reachable.

A URL is checked twice: at registration (its host resolved, every address checked; a name
no pattern admits is refused before any lookup) and at delivery, on the address the
connection really reached (so a name re-pointed since is caught too).
"""
from __future__ import annotations

import fnmatch
import ipaddress
import socket
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from jobgate.errors import Invalid
from jobgate.settings import Settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = ("http", "https")
URL_MAX = 2048


class Refused(Invalid):
    """The URL is not one the gateway may call."""
    status, code = 422, "url_refused"


@dataclass(frozen=True)
class Policy:
    patterns: tuple[str, ...] = ()
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    #: the Redis server's (address, port) pairs; any port when the allow-list is unset
    redis: tuple[tuple[Address, int], ...] = ()
    listed: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        patterns, networks = [], []
        for entry in settings.webhook_allow:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                patterns.append(entry.lower())
        return cls(tuple(patterns), tuple(networks), _redis_addresses(settings.redis_url),
                   bool(settings.webhook_allow))

    def check_url(self, url: str, field: str = "url") -> str:
        """The URL, if it is one a client may register; else Refused saying why."""
        host, port = _parts(url, field)
        if self.listed and not _literal(host) and not self._named(host):     # refused before any DNS lookup
            raise Refused(f"{url} is refused: {host} matches no entry of the allow-list",
                          details={field: [f"{host} matches no entry of the allow-list"]})
        try:
            found = {to_address(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
        except (socket.gaierror, UnicodeError):
            raise Refused(f"{host} does not resolve", details={field: ["host does not resolve"]}) from None
        for each in sorted(found, key=str):
            why = self.refusal(host, each, port)
            if why:
                raise Refused(f"{url} is refused: {why}", details={field: [why]})
        return url

    def refusal(self, host: str, address: Address, port: int) -> str:
        """Why `host` at `address`:`port` may not be called ("" when it may)."""
        if any(address == a and (port == p or not self.listed) for a, p in self.redis):
            return f"{address} is the gateway's Redis"
        if any(address in network for network in self.networks):
            return ""
        if not address.is_global:
            return f"{address} is not a public address" + (" and no CIDR of the allow-list holds it"
                                                          if self.listed else "")
        if self.listed and not self._named(host):
            return f"{host} matches no entry of the allow-list"
        return ""

    def _named(self, host: str) -> bool:
        return any(fnmatch.fnmatchcase(host.lower(), pattern) for pattern in self.patterns)


def _literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _parts(url: str, field: str) -> tuple[str, int]:
    """Host and port of an absolute http(s) URL (no credentials in it)."""
    try:
        split = urlsplit(url)
        port = split.port
    except ValueError:
        raise Refused(f"{url!r} is not a URL", details={field: ["not a URL"]}) from None
    if len(url) > URL_MAX or split.scheme not in SCHEMES or not split.hostname:
        raise Refused(f"{url!r} is not an http(s) URL", details={field: ["must be an absolute http or https URL"]})
    if split.username or split.password:
        raise Refused("a URL may not carry credentials", details={field: ["no user:password@ in the URL"]})
    return split.hostname, port or (443 if split.scheme == "https" else 80)


@lru_cache(maxsize=8)
def _redis_addresses(redis_url: str | None) -> tuple[tuple[Address, int], ...]:
    split = urlsplit(redis_url or "")
    if split.scheme not in ("redis", "rediss") or not split.hostname:
        return ()                      # a unix socket: no address to reach it by
    port = split.port or 6379
    try:
        infos = socket.getaddrinfo(split.hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return ()
    return tuple({(to_address(info[4][0]), port) for info in infos})


def to_address(text: str) -> Address:
    """An address as a socket gives it (an IPv6 zone dropped, IPv4-mapped IPv6 as IPv4)."""
    found = ipaddress.ip_address(text.split("%")[0])
    return getattr(found, "ipv4_mapped", None) or found
