"""What SAS's pyviyatools scripts do (jobmodule.py, deletejobhistory.py), call for call:
lowercase `bearer`, `Accept`/`Content-type: application/json`, a `{}` body on every call."""
import time
from urllib.parse import quote

import requests

from jobgate.testing.parts import TOKENS


class CallRestApi:
    """pyviyatools' callrestapi: one JSON-speaking request per call."""

    def __init__(self, base: str, token: str):
        self.base, self.token = base, token

    def __call__(self, path: str, method: str, accept="application/json", content="application/json", data=None):
        headers = {"Authorization": f"bearer {self.token}", "Accept": accept, "Content-type": content}
        body = data if data is not None else "{}"
        response = requests.request(method.upper(), self.base + path, headers=headers, data=body, timeout=10)
        assert response.status_code < 300, (path, response.status_code, response.text)
        return response.json() if response.text and "json" in response.headers.get("Content-Type", "") else response


def links(doc):
    return {link["rel"]: link for link in doc["links"]}


def test_create_submit_poll_cancel_log_and_delete_history(base_url):
    call = CallRestApi(base_url, TOKENS["bob"])
    definitions = call("/jobDefinitions/definitions?filter=eq(name,'SlowJob')", "get")
    definition_uri = f"/jobDefinitions/definitions/{definitions['items'][0]['id']}"
    name = f"admin-{time.monotonic_ns()}"
    import json
    created = call("/jobExecution/jobRequests", "post", data=json.dumps({
        "name": name, "description": "pyviyatools jobmodule", "jobDefinitionUri": definition_uri,
        "arguments": {"_contextName": "SAS Job Execution compute context", "_omitJsonLog": "true"}}))
    # jobmodule finds the request again by its definition, newest first
    found = call(f"/jobExecution/jobRequests?filter=in('jobDefinitionUri','{definition_uri}')"
                 "&sortBy=modifiedTimeStamp:descending", "get")
    assert found["count"] >= 1 and found["items"][0]["id"] == created["id"]
    job = call(links(found["items"][0])["submitJob"]["uri"], "post")
    assert job["state"] in ("pending", "running")
    self_uri, update_state = links(job)["self"]["uri"], links(job)["updateState"]["uri"]
    while job["state"] == "pending":                    # jobmodule's loop would end here; wait for it to run
        time.sleep(0.1)
        job = call(self_uri, "get")
    polls = 0
    while job["state"] == "running":
        if polls == 0:
            canceled = call(f"{update_state}?value=canceled", "put", accept="text/plain", content="text/plain")
            assert canceled.status_code == 200
        polls += 1
        time.sleep(0.1)
        job = call(self_uri, "get")
    assert job["state"] == "canceled"
    assert job["results"]["COMPUTE_JOB"] == job["id"] and "error" not in job
    log = call(f"{job['logLocation']}/content", "get", accept="text/plain")
    assert "spinning" in log.text

    # deletejobhistory: more jobs of the request, then every page of history, following `next`
    for _ in range(3):
        call(links(found["items"][0])["submitJob"]["uri"], "post")
    history_filter = quote(f"and(isNull(expirationTimeStamp),eq(jobRequest.name,'{name}'))", safe="(),'")
    page = call(f"/jobExecution/jobs?&filter={history_filter}&limit=2", "get")
    total, seen = page["count"], []
    while True:
        seen += [(item["id"], item["creationTimeStamp"], item.get("expirationTimeStamp"), item["jobRequest"]["name"])
                 for item in page["items"]]
        following = links(page).get("next")
        if following is None:
            break
        page = call(following["href"], "get")
    assert total == 4 and len(seen) == 4 and {entry[3] for entry in seen} == {name}
    for job_id, *_ in seen:
        assert call(f"/jobExecution/jobs/{job_id}", "delete").status_code == 204
    deadline = time.monotonic() + 20
    while call(f"/jobExecution/jobs?filter={history_filter}", "get")["count"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert call(f"/jobExecution/jobs?filter={history_filter}", "get")["count"] == 0
