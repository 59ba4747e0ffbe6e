"""A SAS Logon-style token endpoint, `POST /SASLogon/oauth/token`, as sasctl's Session uses it.

Grants `password` (form username and password, client in HTTP Basic) and
`client_credentials` (HTTP Basic = a principal's name and password), both kit.oauth's. Failed logins answer SAS Logon's
`{"error": "unauthorized", "error_description": "Bad credentials"}`, which sasctl
turns into its AuthenticationError.
"""
from __future__ import annotations

import uuid

from flask import request
from flask_smorest import Blueprint

from adapters.sas import schemas
from jobgate.kit import oauth
from jobgate.kit.faults import Fault

PREFIX = "/SASLogon"
SCOPE = "openid"

blp = Blueprint("sas-logon", __name__, description="SAS Logon-style OAuth 2 token endpoint")


@blp.route("/oauth/token", methods=["POST"])
@blp.doc(requestBody={"content": {"application/x-www-form-urlencoded": {"schema": {
    "type": "object", "properties": {k: {"type": "string"} for k in ("grant_type", "username", "password")}}}}})
@blp.response(200, schemas.Token, description="An access token (Bearer) for the SAS APIs")
@blp.alt_response(400, schema=schemas.OAuthError, description="invalid_request / unsupported_grant_type")
@blp.alt_response(401, schema=schemas.OAuthError, description="Bad credentials, or no HTTP Basic client")
@blp.alt_response(503, schema=schemas.OAuthError, description="The token store is unavailable")
def token():
    if request.form.get("grant_type") == "password":
        principal = oauth.password(request)
    else:
        principal = oauth.client_credentials(request)
    return oauth.token_response(principal, SCOPE, token_type="bearer", jti=uuid.uuid4().hex)


def render_fault(fault: Fault):
    return oauth.render_error(fault, unauthorized="unauthorized", bad_credentials="Bad credentials")
