"""What every adapter's blueprint needs, written once.

`DialectBlueprint` authenticates each request in its dialect's credential
style before the view runs (views marked `@public` excepted); the small
accessors give views the service and the caller without touching Redis, and
`etag` / `if_match` carry the canonical version for conditional requests.
"""
from __future__ import annotations

from flask import current_app, g, request
from flask_smorest import Blueprint

from jobgate.model import Principal
from jobgate.errors import Invalid
from jobgate.rules.service import Service

SERVICE = "jobgate.rules.service"
DIALECTS = "jobgate.dialects"


def public(view):
    """Mark a view that needs no credential (login endpoints, version documents)."""
    view.jobgate_public = True
    return view


def service() -> Service:
    return current_app.extensions[SERVICE]


def principal() -> Principal:
    return g.principal


def etag(version: int) -> dict[str, str]:
    """Response headers naming a resource's version, for conditional requests."""
    return {"ETag": f'"{version}"'}


def if_match() -> int | None:
    """The version a request's If-Match names, if it names one."""
    raw = (request.headers.get("If-Match") or "").strip()
    if raw in ("", "*"):
        return None
    value = raw.removeprefix("W/").strip('"')
    if not value.isdigit():
        raise Invalid("If-Match must be an ETag this API gave", details={"If-Match": ["not an ETag of this API"]})
    return int(value)


def dialect_of(name: str):
    return current_app.extensions[DIALECTS][name]


class DialectBlueprint(Blueprint):
    """Named after its dialect, or `name` when a dialect mounts several blueprints."""

    def __init__(self, dialect_name: str, import_name: str, *, name: str | None = None, **options):
        super().__init__(name or dialect_name, import_name, **options)
        self.dialect_name = dialect_name
        self.before_request(self._authenticate)

    def _authenticate(self) -> None:
        view = current_app.view_functions.get(request.endpoint)
        if getattr(view, "jobgate_public", False) or getattr(getattr(view, "view_class", None), "jobgate_public", False):
            return
        dialect = dialect_of(self.dialect_name)
        g.principal = service().authenticate(dialect.extract_credential(request))
