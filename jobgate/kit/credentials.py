"""Credential extractors the dialects compose: each reads one request style into a Credential.

A dialect declares the styles its clients use as `Scheme`s (`Dialect.credentials`): each reads
the request and says, once, what its OpenAPI security scheme is (kit.openapi).

Verifying a credential is the rules' (rules.auth); these only parse headers,
and a malformed header is no credential (a 401 in the dialect's words): tokens
are ASCII (RFC 6750's b64token, RFC 7235's token68), Basic's name and password
UTF-8 (RFC 7617), anything else is never looked up.
"""
from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Request

from jobgate.model import Credential


def bearer(request: Request) -> Credential | None:
    scheme, _, token = _header(request, "Authorization").partition(" ")
    return Credential(token=token.strip()) if scheme.lower() == "bearer" and token.strip() else None


def basic(request: Request) -> Credential | None:
    scheme, _, encoded = _header(request, "Authorization").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return Credential(username=user, password=password) if sep and user else None


def header_token(name: str) -> Callable[[Request], Credential | None]:
    def extract(request: Request) -> Credential | None:
        token = _header(request, name).strip()
        return Credential(token=token) if token else None
    return extract


@dataclass(frozen=True)
class Scheme:
    """One credential style: `name` of its OpenAPI security scheme, the scheme's object, its extractor."""
    name: str
    openapi: dict = field(hash=False)
    extract: Callable[[Request], Credential | None] = field(hash=False)


BEARER = Scheme("bearer", {"type": "http", "scheme": "bearer"}, bearer)
BASIC = Scheme("basic", {"type": "http", "scheme": "basic"}, basic)


def api_key(header: str) -> Scheme:
    """A token in a header of its own (Sahara's X-Auth-Token, CDQ's X-API-KEY)."""
    return Scheme(header, {"type": "apiKey", "in": "header", "name": header}, header_token(header))


def client_address(request: Request) -> str:
    """Where a request came from, for the login throttle: the peer's address, or the one the
    operator's trusted proxies name (JOBGATE_TRUSTED_PROXIES: the app is wrapped in ProxyFix)."""
    return request.remote_addr or ""


def _header(request: Request, name: str) -> str:
    """The header's value, or "" when it is not ASCII."""
    value = request.headers.get(name, "")
    return value if value.isascii() else ""
