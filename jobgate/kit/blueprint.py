"""What every adapter's blueprint needs, written once.

`DialectBlueprint` is flask-smorest's Blueprint, made at module level in an
adapter's routes.py, that authenticates each request in its dialect's
credential style before the view runs (login endpoints use a plain Blueprint).
The accessors give views the service, the caller and their dialect's own
settings; `authenticate` / `login` check a credential as coming from the request's
client address (the login throttle counts failures per address); `etag` /
`if_match` carry the canonical version for conditional requests.
"""
from __future__ import annotations

from flask import current_app, g, request
from flask_smorest import Blueprint

from jobgate.errors import Invalid
from jobgate.kit import context, idempotency
from jobgate.kit.credentials import client_address
from jobgate.model import Credential, Principal
from jobgate.rules.service import Service

SERVICE = "jobgate.service"
DIALECTS = "jobgate.dialects"
DIALECT_SETTINGS = "jobgate.dialect_settings"


def service() -> Service:
    return current_app.extensions[SERVICE]


def principal() -> Principal:
    return g.principal


def authenticate(credential: Credential | None) -> Principal:
    """The principal behind a credential this request presented."""
    return _noted(service().authenticate(credential, address=client_address(request)))


def login(username: str, password: str) -> Principal:
    """The principal a user name and password in this request name (a login endpoint's)."""
    return _noted(service().login(username, password, address=client_address(request)))


def _noted(caller: Principal) -> Principal:
    """The request's log lines name its tenant from here on."""
    context.note(request.environ, tenant=caller.tenant)
    return caller


def dialect_settings(name: str):
    """What `Dialect.configure` made of the operator's settings for dialect `name`."""
    return current_app.extensions[DIALECT_SETTINGS][name]


def etag(version: int) -> dict[str, str]:
    """Response headers naming a resource's version, for conditional requests."""
    return {"ETag": f'"{version}"'}


def if_match() -> int | None:
    """The version a request's If-Match names, if it names one."""
    raw = (request.headers.get("If-Match") or "").strip()
    if raw in ("", "*"):
        return None
    value = raw.removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        raise Invalid("If-Match must be an ETag this API gave", details={"If-Match": ["not an ETag of this API"]})
    return int(value)


class DialectBlueprint(Blueprint):
    """Named after its dialect (or `name`, for a dialect's further blueprints); a second
    mount of one is `register_blueprint(..., name=...)`."""

    #: `@blp.creates` marks a view that creates executions: it honours Idempotency-Key (kit.idempotency)
    creates = staticmethod(idempotency.creates)

    def __init__(self, dialect_name: str, import_name: str, *, name: str | None = None, **options):
        super().__init__(name or dialect_name, import_name, **options)
        self.dialect_name = dialect_name
        self.before_request(self._authenticate)

    @property
    def dialect(self):
        """The mounted Dialect object this blueprint serves (its tables, ids, hooks)."""
        return current_app.extensions[DIALECTS][self.dialect_name]

    @property
    def settings(self):
        return dialect_settings(self.dialect_name)

    def arguments(self, schema, *args, **kwargs):
        """As flask-smorest's, with a schema class made once here: webargs would make one on every
        request (marshmallow copies every declared field for each)."""
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)

    def _authenticate(self) -> None:
        g.principal = authenticate(self.dialect.extract_credential(request))
