"""An Account Manager-style token endpoint: `POST /dwsso/oauth2/access_token`.

OCAPI clients get their Bearer token here with the client credentials grant
(form `grant_type=client_credentials`, HTTP Basic client id and secret); a
principal's name and password serve as those (the kit's OAuth module: secrets
form-decoded inside Basic, as sfcc-ci sends them). Errors are OAuth 2 error
documents, as the Account Manager sends them.
"""
from flask import request
from flask_smorest import Blueprint

from jobgate.kit import oauth

PREFIX = "/dwsso/oauth2"
SCOPE = "tenantFilter profile roles"

blp = Blueprint("ocapi_token", __name__, description="Account Manager-style OAuth 2 token endpoint")


@blp.route("/access_token", methods=["POST"])
@blp.alt_response(200, schema=oauth.Token, success=True, description="An access token (client credentials grant)")
def access_token():
    return oauth.token_response(oauth.client_credentials(request), scope=SCOPE)
