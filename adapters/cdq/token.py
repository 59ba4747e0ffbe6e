"""The token endpoint of CDQ's OAuth 2 client credentials flow: `POST {prefix}/oauth/token`
(form `grant_type=client_credentials`; client id and secret in HTTP Basic or the form)."""
from flask import request
from flask_smorest import Blueprint

from adapters.cdq import schemas
from jobgate.kit import oauth

PREFIX = "/cdq/oauth"

blp = Blueprint("cdq_token", __name__, description="OAuth 2 client credentials token endpoint")


@blp.route("/token", methods=["POST"])
@blp.arguments(schemas.TokenRequest, location="form", error_status_code=400)
@blp.response(200, schemas.Token)
@blp.alt_response(400, schema=schemas.OAuthError, description="invalid_request, unsupported_grant_type")
@blp.alt_response(401, schema=schemas.OAuthError, description="invalid_client")
@blp.alt_response(503, schema=schemas.OAuthError, description="server_error: the store is unreachable")
def token(form):
    """A Bearer token for the principal whose name and password are the client id and secret."""
    return oauth.token_response(oauth.client_credentials(request, form_secret=True))
