"""Password login through the gateway's Keystone v3, as the OpenStack tools do it."""
import hashlib

import pytest
import requests
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from saharaclient import client as sahara_client

from jobgate.store import keys
from tests.dialects.sahara import Driver
from tests.sahara.conftest import CLUSTER


def login(base, username="alice", password="s3cret", project="acme"):
    auth = v3.Password(auth_url=f"{base}/identity/v3", username=username, password=password, project_id=project,
                       user_domain_name="Default", project_domain_name="Default")
    return ks_session.Session(auth=auth)


def test_password_login_then_the_catalog_endpoint_and_token_drive_saharaclient(sahara_base, service):
    session = login(sahara_base)
    assert session.get_endpoint(service_type="data-processing", interface="public") == f"{sahara_base}/v1.1/acme"
    sahara = sahara_client.Client("1.1", session=session)        # endpoint found in the token's catalog
    job = sahara.jobs.find_unique(name="SlowJob")
    execution = sahara.job_executions.create(job.id, CLUSTER)
    assert sahara.job_executions.get(execution.id).tenant_id == "acme"
    assert execution.id in {e.id for e in sahara.job_executions.list(search_opts={"job_id": job.id})}
    token = session.get_token()
    assert token not in ("tok-alice", "tok-bob")
    ttl = service.redis.ttl(keys.token(hashlib.sha256(token.encode()).hexdigest()))
    assert 0 < ttl <= service.settings.token_ttl                 # issued tokens expire
    canceled = sahara.job_executions._get(f"/job-executions/{execution.id}/cancel", "job_execution")
    assert canceled.info["status"] in {"KILLED", "TOBEKILLED"}          # PENDING -> KILLED, RUNNING -> TOBEKILLED
    assert Driver(sahara_base, token).wait(execution.id).state == "CANCELED"


def test_token_response_is_keystone_shaped(sahara_base):
    body = {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": "carol", "password": "carol-pw", "domain": {"name": "Default"}}}},
        "scope": {"project": {"id": "globex"}}}}
    response = requests.post(f"{sahara_base}/identity/v3/auth/tokens", json=body, timeout=10)
    assert response.status_code == 201 and response.headers["X-Subject-Token"]
    token = response.json()["token"]
    assert token["project"]["id"] == "globex" and token["user"]["name"] == "carol"
    assert token["expires_at"].endswith("Z") and token["expires_at"] > token["issued_at"]
    [data_processing] = [s for s in token["catalog"] if s["type"] == "data-processing"]
    assert data_processing["endpoints"][0]["url"] == f"{sahara_base}/v1.1/globex"
    listed = requests.get(f"{sahara_base}/v1.1/globex/job-executions", timeout=10,
                          headers={"X-Auth-Token": response.headers["X-Subject-Token"]})
    assert listed.status_code == 200 and "job_executions" in listed.json()


@pytest.mark.parametrize("username, password, project", [
    ("alice", "wrong", "acme"), ("nobody", "s3cret", "acme"), ("alice", "s3cret", "globex")])
def test_bad_login_is_401(sahara_base, username, password, project):
    with pytest.raises(ks_exceptions.Unauthorized):
        login(sahara_base, username, password, project).get_token()
