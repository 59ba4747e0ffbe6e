"""The SAS Logon-style token endpoint: grants, errors in OAuth 2's words, tokens that expire."""
import time

import pytest
import requests

from jobgate.settings import Settings
from jobgate.testing.parts import Gateway

TOKEN = "/SASLogon/oauth/token"


def login(base, data, auth=("sas.ec", "")):
    return requests.post(base + TOKEN, data=data, auth=auth, timeout=10)


def test_password_grant_gives_a_bearer_token_for_the_principal(base_url):
    response = login(base_url, {"grant_type": "password", "username": "carol", "password": "carol-pw"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    token = response.json()
    assert token["token_type"] == "bearer" and token["expires_in"] == 3600 and token["access_token"]
    jobs = requests.get(f"{base_url}/jobExecution/jobs", headers={"Authorization": f"Bearer {token['access_token']}"},
                        timeout=10)
    assert jobs.status_code == 200
    alice = requests.get(f"{base_url}/jobExecution/jobs", headers={"Authorization": "Bearer tok-alice"}, timeout=10)
    assert {i["id"] for i in jobs.json()["items"]}.isdisjoint({i["id"] for i in alice.json()["items"]})


def test_client_credentials_grant(base_url):
    response = login(base_url, {"grant_type": "client_credentials"}, auth=("alice", "s3cret"))
    assert response.status_code == 200 and response.json()["token_type"] == "bearer"


@pytest.mark.parametrize("data, auth, status, error", [
    ({"grant_type": "password", "username": "alice", "password": "nope"}, ("sas.ec", ""), 401, "unauthorized"),
    ({"grant_type": "client_credentials"}, ("alice", "nope"), 401, "unauthorized"),
    ({"grant_type": "password", "username": "alice", "password": "s3cret"}, None, 401, "unauthorized"),
    ({"grant_type": "authorization_code", "code": "x"}, ("sas.ec", ""), 400, "unsupported_grant_type"),
    ({}, ("sas.ec", ""), 400, "invalid_request"),
    ({"grant_type": "password", "username": "alice"}, ("sas.ec", ""), 400, "invalid_request"),
])
def test_refusals_are_oauth_errors(base_url, data, auth, status, error):
    response = login(base_url, data, auth)
    assert response.status_code == status and response.json()["error"] == error
    if status == 401:
        assert response.json()["error_description"] == "Bad credentials"     # what sasctl looks for


@pytest.fixture
def short_lived(gateway_env, workers):
    server = Gateway(Settings.from_env({**gateway_env, "JOBGATE_TOKEN_TTL": "1"}))
    yield server.url
    server.close()


def test_issued_tokens_expire(short_lived):
    token = login(short_lived, {"grant_type": "password", "username": "alice", "password": "s3cret"}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert token["expires_in"] == 1
    assert requests.get(f"{short_lived}/jobExecution/jobs", headers=headers, timeout=10).status_code == 200
    time.sleep(1.5)
    expired = requests.get(f"{short_lived}/jobExecution/jobs", headers=headers, timeout=10)
    assert expired.status_code == 401 and expired.json()["httpStatusCode"] == 401
