"""CDQ auth: X-API-KEY, or a Bearer token (static, or from the client credentials token endpoint)."""
import requests

from jobgate.testing.parts import TOKENS
from tests.cdq.conftest import Cdq, fault


def test_api_key_and_static_bearer_both_authenticate(cdq_base):
    for client in (Cdq(cdq_base, TOKENS["bob"]), Cdq(cdq_base, TOKENS["bob"], header="Authorization")):
        assert client.start()["user"] == "bob"


def test_missing_or_wrong_credential_is_401(cdq_base):
    fault(Cdq(cdq_base).call("GET", "/v2/jobs"), 401, "UNAUTHORIZED")
    fault(Cdq(cdq_base, "nope").call("GET", "/v2/jobs"), 401, "UNAUTHORIZED")
    fault(Cdq(cdq_base, "nope", header="Authorization").call("GET", "/v2/jobs/types"), 401, "UNAUTHORIZED")


def _token(cdq_base, **kwargs):
    return requests.post(f"{cdq_base}/cdq/oauth/token", timeout=10, **kwargs)


def test_client_credentials_token_in_basic_or_form_is_a_bearer_token(cdq_base):
    for kwargs in ({"auth": ("carol", "carol-pw"), "data": {"grant_type": "client_credentials"}},
                   {"data": {"grant_type": "client_credentials", "client_id": "carol", "client_secret": "carol-pw"}}):
        response = _token(cdq_base, **kwargs)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
        issued = response.json()
        assert issued["token_type"] == "Bearer" and issued["expires_in"] > 0
        job = Cdq(cdq_base, issued["access_token"], header="Authorization").start()
        assert (job["organizationId"], job["user"]) == ("globex", "carol")


def test_token_endpoint_answers_oauth_errors(cdq_base):
    wrong = _token(cdq_base, auth=("carol", "wrong"), data={"grant_type": "client_credentials"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    grant = _token(cdq_base, auth=("carol", "carol-pw"), data={"grant_type": "password"})
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    nobody = _token(cdq_base, data={"grant_type": "client_credentials"})
    assert nobody.status_code == 401 and nobody.json()["error"] == "invalid_client"
    missing = _token(cdq_base, data={})
    assert missing.status_code == 400 and set(missing.json()) == {"error", "error_description"}
