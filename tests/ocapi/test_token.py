"""The Account Manager-style token endpoint: client credentials in, an expiring Bearer token out."""
import pytest
import redis
import requests

from jobgate.store.keys import token as token_key
from tests.ocapi.conftest import Ocapi

TOKEN_PATH = "/dwsso/oauth2/access_token"


def grant(base_url, auth=("alice", "s3cret"), form=None):
    return requests.post(base_url + TOKEN_PATH, auth=auth, timeout=10,
                         data=form if form is not None else {"grant_type": "client_credentials"})


def test_client_credentials_grant_issues_an_expiring_token_kept_in_redis(base_url, service):
    store = redis.Redis.from_url(service.settings.redis_url)
    before = set(store.scan_iter(token_key("*")))
    response = grant(base_url)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == service.settings.token_ttl
    assert response.headers["Cache-Control"] == "no-store"
    (issued,) = set(store.scan_iter(token_key("*"))) - before
    assert 0 < store.ttl(issued) <= service.settings.token_ttl
    assert body["access_token"].encode() not in issued, "stored under a hash, not the token itself"
    client = Ocapi(base_url, body["access_token"])
    posted = client.call("POST", "/jobs/QuickJob/executions", params={"client_id": "ignored"},
                         headers={"x-dw-client-id": "ignored-too"}).json()
    assert posted["client_id"] == "alice", "an issued token names its client, which wins"
    assert client.wait("QuickJob", posted["id"])["status"] == "OK"


def test_secret_may_be_form_urlencoded_as_sfcc_ci_sends_it(base_url):
    assert grant(base_url, auth=("alice", "s3cret".replace("c", "%63"))).status_code == 200


@pytest.mark.parametrize("auth, form, status, error", [
    (("alice", "wrong"), None, 401, "invalid_client"),
    (("nobody", "s3cret"), None, 401, "invalid_client"),
    (None, None, 401, "invalid_client"),
    (("alice", "s3cret"), {"grant_type": "password", "username": "u", "password": "p"}, 400, "unsupported_grant_type"),
    (("alice", "s3cret"), {}, 400, "invalid_request"),
])
def test_refusals_are_oauth_errors(base_url, auth, form, status, error):
    response = grant(base_url, auth=auth, form=form)
    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["error_description"]
