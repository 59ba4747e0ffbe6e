"""The OAuth 2 client credentials grant (RFC 6749 §4.4) for dialects whose clients fetch a
Bearer token first (OCAPI's Account Manager, CDQ's API Key Management).

A principal's name and password serve as client id and secret. They come in HTTP Basic,
form-urlencoded inside it as §2.3.1 says (so they are decoded), or, where a dialect allows,
as `client_id` / `client_secret` form fields. Issued tokens are the store's, with the
operator's token TTL. Errors are RFC 6749 §5.2 documents: mount the token blueprint with
`render_fault=render_error`.

The resource owner password grant (RFC 6749 §4.3, SAS Logon's) is `password`: the form's
username and password name the principal; the client must present HTTP Basic, but jobgate
keeps no client registry, so its id and secret are not checked.

A login the throttle refuses is 429 `temporarily_unavailable` (oauthlib's TemporarilyUnavailableError)
with Retry-After: RFC 6749 names no error for it.
"""
from __future__ import annotations

from urllib.parse import unquote_plus

from flask import Request, Response, jsonify
from marshmallow import Schema, fields

from jobgate.errors import Invalid, Unauthorized
from jobgate.kit.blueprint import authenticate, login, service
from jobgate.kit.credentials import basic
from jobgate.kit.faults import Fault
from jobgate.model import Credential, Principal


def client_credentials(request: Request, *, form_secret: bool = False) -> Principal:
    """The principal a client credentials token request authenticates, or the OAuth error it deserves."""
    grant = request.form.get("grant_type")
    if grant is None:
        raise Invalid("grant_type is required", error="invalid_request")
    if grant != "client_credentials":
        raise Invalid(f"grant type {grant!r} is not supported", error="unsupported_grant_type")
    credential = basic(request)
    if credential is not None:
        credential = Credential(username=unquote_plus(credential.username),
                                password=unquote_plus(credential.password or ""))
    elif form_secret and request.form.get("client_id"):
        credential = Credential(username=request.form["client_id"], password=request.form.get("client_secret", ""))
    else:
        how = "HTTP Basic or client_id and client_secret" if form_secret else "HTTP Basic"
        raise Unauthorized(f"client authentication with {how} is required")
    return authenticate(credential)


def password(request: Request) -> Principal:
    """The principal a password grant token request names, or the OAuth error it deserves."""
    if request.form.get("grant_type") != "password":
        raise Invalid("this endpoint's grant type is password", error="unsupported_grant_type")
    if basic(request) is None:
        raise Unauthorized("client authentication with HTTP Basic is required")
    username, secret = request.form.get("username"), request.form.get("password")
    if not username or secret is None:
        raise Invalid("the password grant needs username and password", error="invalid_request")
    return login(username, secret)


class Token(Schema):
    """A token response (RFC 6749 §5.1), for the token endpoints' OpenAPI documents."""
    access_token = fields.String(required=True)
    scope = fields.String()
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True)


def token_response(principal: Principal, scope: str | None = None, *, token_type: str = "Bearer",
                   **extra) -> Response:
    """A token for `principal` as RFC 6749 §5.1 answers it (never cached); `token_type` as the
    dialect's clients spell it, `extra` members after the standard ones."""
    token, ttl = service().issue_token(principal)
    body = {"access_token": token, **({"scope": scope} if scope is not None else {}),
            "token_type": token_type, "expires_in": ttl, **extra}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def render_error(fault: Fault, *, unauthorized: str = "invalid_client",
                 bad_credentials: str | None = None) -> Response:
    """A fault under a token endpoint as an OAuth 2 error document. `unauthorized` is the `error`
    a failed authentication shows; `bad_credentials` replaces its description (SAS Logon
    answers "Bad credentials", which sasctl looks for)."""
    if fault.is_(Unauthorized):
        response = jsonify({"error": unauthorized, "error_description": bad_credentials or fault.message})
        response.headers["WWW-Authenticate"] = 'Basic realm="jobgate"'
    else:
        error = "server_error" if fault.status >= 500 else "temporarily_unavailable" if fault.status == 429 \
            else fault.context.get("error", "invalid_request")
        response = jsonify({"error": error, "error_description": fault.message})
    response.status_code = fault.status
    return response
