"""OAuth 2 token endpoints (RFC 6749) the dialects' login services share.

A dialect mounts a plain flask_smorest Blueprint whose view calls `grant` and
answers `token_response`; `render_error` is that mount's fault format. Grants:
`client_credentials` (the client's HTTP Basic id and secret are a principal's
name and password) and `password` (the form's username and password; the
client must present HTTP Basic, but jobgate keeps no client registry, so its
id is not checked). Per RFC 6749 §2.3.1 the Basic parts are form-urlencoded,
so they are decoded. Tokens are the core's issued tokens (settings.token_ttl).
"""
from __future__ import annotations

from urllib.parse import unquote_plus

from flask import Request, Response, jsonify

from jobgate.errors import Invalid, Unauthorized
from jobgate.kit.blueprint import service
from jobgate.kit.credentials import basic
from jobgate.kit.faults import Fault
from jobgate.model import Credential, Principal

GRANTS = frozenset({"client_credentials", "password"})


def grant(request: Request, allowed: frozenset[str]) -> Principal:
    """The principal a token request authenticates, for one of the `allowed` grant types."""
    kind = request.form.get("grant_type")
    if kind is None:
        raise Invalid("grant_type is required", error="invalid_request")
    if kind not in allowed & GRANTS:
        raise Invalid(f"grant type {kind!r} is not supported", error="unsupported_grant_type")
    client = basic(request)
    if client is None:
        raise Unauthorized("client authentication with HTTP Basic is required")
    if kind == "client_credentials":
        return service().authenticate(Credential(username=unquote_plus(client.username),
                                                 password=unquote_plus(client.password or "")))
    username, password = request.form.get("username"), request.form.get("password")
    if not username or password is None:
        raise Invalid("the password grant needs username and password", error="invalid_request")
    return service().login(username, password)


def token_response(principal: Principal, *, token_type: str = "Bearer", **extra) -> Response:
    """The access token document (`extra` members after the standard ones), not to be cached."""
    token, ttl = service().issue_token(principal)
    response = jsonify({"access_token": token, "token_type": token_type, "expires_in": ttl, **extra})
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def render_error(fault: Fault, *, unauthorized: str = "invalid_client", bad_credentials: str | None = None) -> Response:
    """RFC 6749 §5.2 error document. `unauthorized` is the `error` a failed authentication
    shows; `bad_credentials` replaces its description (SAS Logon says "Bad credentials")."""
    if fault.is_(Unauthorized):
        response = jsonify({"error": unauthorized, "error_description": bad_credentials or fault.message})
        response.headers["WWW-Authenticate"] = 'Basic realm="jobgate"'
    else:
        error = "server_error" if fault.status >= 500 else fault.context.get("error", "invalid_request")
        response = jsonify({"error": error, "error_description": fault.message})
    response.status_code = fault.status
    return response
