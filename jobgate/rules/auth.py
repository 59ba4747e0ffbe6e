"""Principals, tenants and the credential check every dialect relies on.

Adapters only extract a credential in their own style (Bearer, X-Auth-Token,
Basic ...); verifying it happens here, once. Tokens issued by the gateway's
login endpoints (OCAPI's Account Manager, Keystone) are the store's. Passwords
checked for a client address go through the login throttle (rules.throttle).
"""
from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, field

from jobgate.errors import Unauthorized
from jobgate.model import SLUG, Credential, Principal
from jobgate.rules.passwords import Verified, weakness
from jobgate.rules.throttle import LoginThrottle
from jobgate.store.tokens import Tokens

log = logging.getLogger("jobgate.auth")
_verified = Verified()


@dataclass
class Account:
    principal: Principal
    password: str | None = None
    tokens: list[str] = field(default_factory=list)

    def password_matches(self, given: str) -> bool:
        return bool(self.password) and _verified.check(self.principal.name, self.password, given)


def load_principals(path: str) -> list[Account]:
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: {exc}") from None
    accounts = []
    for index, entry in enumerate(document.get("principal", [])):
        name, tenant = entry.get("name"), entry.get("tenant")
        for key, value in (("name", name), ("tenant", tenant)):
            if not isinstance(value, str) or not SLUG.match(value):
                raise ValueError(f"{path}: principal #{index + 1}: {key}: must be a slug")
        password = entry.get("password")
        if password is not None and not isinstance(password, str):
            raise ValueError(f"{path}: principal #{index + 1}: password: must be a string")
        if password and (weak := weakness(password)):
            log.warning("%s: principal %s has a %s password; put `jobgate hash-password`'s hash there instead",
                        path, name, weak)
        accounts.append(Account(Principal(name, tenant), password, list(entry.get("tokens", []))))
    return accounts


class Authenticator:
    def __init__(self, tokens: Tokens, accounts: list[Account] = (), throttle: LoginThrottle | None = None):
        self.tokens = tokens
        self.throttle = throttle
        self.by_name = {a.principal.name: a for a in accounts}
        self.by_token = {t: a.principal for a in accounts for t in a.tokens}

    def tenants(self) -> set[str]:
        """The tenants of the configured principals."""
        return {a.principal.tenant for a in self.by_name.values()}

    def verify(self, credential: Credential | None, address: str | None = None) -> Principal:
        """The principal behind a credential, or Unauthorized (reason: missing | invalid); a password
        from a client `address` may be LoginThrottled."""
        if credential is None or not (credential.token or credential.username):
            raise Unauthorized("a credential is required", reason="missing")
        if credential.token:
            principal = self.by_token.get(credential.token) or self.tokens.principal(credential.token)
            if principal is None:
                raise Unauthorized("the token is unknown or expired", reason="invalid")
            return principal
        return self.login(credential.username, credential.password or "", address)

    def login(self, username: str, password: str, address: str | None = None) -> Principal:
        """By name and password; `address` None is a caller in this process, never throttled."""
        throttle = self.throttle if address is not None else None
        failed_here = throttle.admit(username, address) if throttle else False
        account = self.by_name.get(username)
        if account is None or not account.password_matches(password):
            if throttle:
                throttle.failed(username, address)
            raise Unauthorized("the user name or password is wrong", reason="invalid")
        if failed_here:
            throttle.succeeded(username, address)
        return account.principal

    def is_static(self, token: str | None) -> bool:
        """An operator-configured token (names no client), as opposed to an issued one."""
        return token in self.by_token

    def issue_token(self, principal: Principal, ttl: int) -> str:
        return self.tokens.issue(principal, ttl)
