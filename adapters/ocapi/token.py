"""An Account Manager-style token endpoint: `POST /dwsso/oauth2/access_token`.

OCAPI clients get their Bearer token here with the client credentials grant
(form `grant_type=client_credentials`, HTTP Basic client id and secret); a
principal's name and password serve as those. Per RFC 6749 §2.3.1 both are
form-urlencoded inside Basic (sfcc-ci encodes the secret), so they are
decoded. Issued tokens live in Redis with the operator's token TTL. Errors
are OAuth 2 error documents, as the Account Manager sends them.
"""
from urllib.parse import unquote_plus

from flask import Response, jsonify, request
from flask_smorest import Blueprint

from jobgate.model import Credential
from jobgate.kit.credentials import basic
from jobgate.errors import Invalid, Unauthorized
from jobgate.kit.faults import Fault
from jobgate.kit.blueprint import service

PREFIX = "/dwsso/oauth2"
SCOPE = "tenantFilter profile roles"


blp = Blueprint("ocapi_token", __name__, description="Account Manager-style OAuth 2 token endpoint")


@blp.route("/access_token", methods=["POST"])
def access_token():
    grant = request.form.get("grant_type")
    if grant is None:
        raise Invalid("grant_type is required", error="invalid_request")
    if grant != "client_credentials":
        raise Invalid(f"grant type {grant!r} is not supported", error="unsupported_grant_type")
    credential = basic(request)
    if credential is None:
        raise Unauthorized("client authentication with HTTP Basic is required")
    caller = service().authenticate(Credential(username=unquote_plus(credential.username),
                                               password=unquote_plus(credential.password or "")))
    token, ttl = service().issue_token(caller)
    response = jsonify({"access_token": token, "scope": SCOPE,
                        "token_type": "Bearer", "expires_in": ttl})
    response.headers["Cache-Control"] = "no-store"
    return response


def render_error(fault: Fault) -> Response:
    if fault.is_(Unauthorized):
        response = jsonify({"error": "invalid_client", "error_description": fault.message})
        response.headers["WWW-Authenticate"] = 'Basic realm="jobgate"'
    else:
        error = "server_error" if fault.status >= 500 else fault.context.get("error", "invalid_request")
        response = jsonify({"error": error, "error_description": fault.message})
    response.status_code = fault.status
    return response
