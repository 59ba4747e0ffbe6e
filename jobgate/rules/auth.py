"""Principals, tenants and the credential check every dialect relies on.

Adapters only extract a credential in their own style (Bearer, X-Auth-Token,
Basic ...); verifying it happens here, once. Tokens issued by the gateway's
login endpoints (OCAPI's Account Manager, Keystone) are the store's.
"""
from __future__ import annotations

import hashlib
import hmac
import tomllib
from dataclasses import dataclass, field

from jobgate.errors import Unauthorized
from jobgate.model import SLUG, Credential, Principal
from jobgate.store.tokens import Tokens


@dataclass
class Account:
    principal: Principal
    password: str | None = None
    tokens: list[str] = field(default_factory=list)

    def password_matches(self, given: str) -> bool:
        if not self.password:
            return False
        if self.password.startswith("sha256:"):
            given_hash = hashlib.sha256(given.encode()).hexdigest()
            return hmac.compare_digest(given_hash, self.password[7:].lower())
        return hmac.compare_digest(given.encode(), self.password.encode())


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
        accounts.append(Account(Principal(name, tenant), entry.get("password"), list(entry.get("tokens", []))))
    return accounts


class Authenticator:
    def __init__(self, tokens: Tokens, accounts: list[Account] = ()):
        self.tokens = tokens
        self.by_name = {a.principal.name: a for a in accounts}
        self.by_token = {t: a.principal for a in accounts for t in a.tokens}

    def verify(self, credential: Credential | None) -> Principal:
        """The principal behind a credential, or Unauthorized (reason: missing | invalid)."""
        if credential is None or not (credential.token or credential.username):
            raise Unauthorized("a credential is required", reason="missing")
        if credential.token:
            principal = self.by_token.get(credential.token) or self.tokens.principal(credential.token)
            if principal is None:
                raise Unauthorized("the token is unknown or expired", reason="invalid")
            return principal
        return self.login(credential.username, credential.password or "")

    def login(self, username: str, password: str) -> Principal:
        account = self.by_name.get(username)
        if account is None or not account.password_matches(password):
            raise Unauthorized("the user name or password is wrong", reason="invalid")
        return account.principal

    def is_static(self, token: str | None) -> bool:
        """An operator-configured token (names no client), as opposed to an issued one."""
        return token in self.by_token

    def issue_token(self, principal: Principal, ttl: int) -> str:
        return self.tokens.issue(principal, ttl)
