"""With Redis unreachable every SAS route answers 503 in its own fault format."""
from adapters.sas import dialect
from jobgate.kit.app import create_app
from jobgate.settings import Settings

BEARER = {"Authorization": "Bearer tok-alice"}
JOB_ID = "6efcf389-7d63-4929-b532-13be28460eea"


def test_store_outage_is_503_in_sas_formats(gateway_env, tmp_path):
    settings = Settings.from_env({**gateway_env, "REDIS_URL": f"unix://{tmp_path}/absent.sock"})
    client = create_app(settings, dialects=[dialect]).test_client()
    listed = client.get("/jobExecution/jobs", headers=BEARER)
    assert listed.status_code == 503 and listed.content_type == "application/vnd.sas.error+json"
    assert (listed.get_json()["httpStatusCode"], listed.get_json()["version"]) == (503, 2)
    state = client.get(f"/jobExecution/jobs/{JOB_ID}/state", headers=BEARER)
    assert state.status_code == 503 and state.text.startswith("ErrorResponse[version=2,status=503,")
    token = client.post("/SASLogon/oauth/token", data={"grant_type": "password", "username": "alice",
                                                       "password": "s3cret"}, auth=("sas.ec", ""))
    assert token.status_code == 503 and token.get_json()["error"] == "server_error"
