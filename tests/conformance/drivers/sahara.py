"""The Sahara EDP v1.1 wire driver: templates found through GET /jobs, run through execute."""
import tomllib
from pathlib import Path

from tests.conformance.driver import Snapshot, WireDriver, WireError

PRINCIPALS = Path(__file__).resolve().parents[2] / "fixtures" / "principals.toml"
CLUSTER = "811e1134-666f-4c48-bc92-afb5b10c9d8c"
#: Sahara's info.status -> the suite's canonical names
STATES = {"PENDING": "QUEUED", "RUNNING": "RUNNING", "TOBEKILLED": "RUNNING", "SUCCEEDED": "SUCCEEDED",
          "DONEWITHERROR": "FAILED", "FAILED": "FAILED", "KILLED": "CANCELED"}
#: Sahara error_name -> the suite's fault kinds
KINDS = {"NOT_FOUND": "not_found", "UNAUTHORIZED": "unauthorized", "ALREADY_RUNNING": "already_running",
         "VALIDATION_ERROR": "invalid", "INVALID_DATA": "invalid", "DELETION_FAILED": "not_finished",
         "SERVICE_UNAVAILABLE": "unavailable"}


def _tenants() -> dict[str, str]:
    document = tomllib.loads(PRINCIPALS.read_text())
    return {token: p["tenant"] for p in document["principal"] for token in p.get("tokens", [])}


class Driver(WireDriver):
    name = "sahara"
    capabilities = frozenset({"cancel", "delete", "paging"})
    died_as = "FAILED"          # Sahara has no word for it: FAILED, the reason in info
    deletes_unfinished = True   # Sahara cancels what it deletes, and removes it once stopped
    tenants = _tenants()

    def _call(self, method, path, **kwargs):
        headers = {"X-Auth-Token": self.token} if self.token else {}
        url = f"{self.base_url}/v1.1/{self.tenants.get(self.token, 'acme')}{path}"
        response = self.http.request(method, url, headers=headers, timeout=10, **kwargs)
        if response.status_code >= 400:
            error = response.json()
            assert set(error) == {"error_code", "error_name", "error_message"}, error
            assert error["error_code"] == response.status_code, error
            raise WireError(response.status_code, KINDS.get(error["error_name"], error["error_name"]), error)
        return response

    def _job_uuid(self, job):
        jobs = self._call("GET", "/jobs", params={"name": job}).json()["jobs"]
        assert len(jobs) == 1, jobs
        return jobs[0]["id"]

    def submit(self, job, parameters=None):
        body = {"cluster_id": CLUSTER, "job_configs": {"params": parameters or {}}}
        response = self._call("POST", f"/jobs/{self._job_uuid(job)}/execute", json=body)
        assert response.status_code == 202
        return response.json()["job_execution"]["id"]

    def get(self, ref):
        data = self._call("GET", f"/job-executions/{ref}").json()["job_execution"]
        return Snapshot(data["id"], STATES[data["info"]["status"]], data["info"].get("message", ""))

    def page(self, job, offset, limit):
        """Sahara pages by marker: the marker of page `offset` is the id just before it."""
        query = {"job_id": self._job_uuid(job)}
        every = [item["id"] for item in self._call("GET", "/job-executions", params=query).json()["job_executions"]]
        if offset:
            query["marker"] = every[offset - 1]
        data = self._call("GET", "/job-executions", params={**query, "limit": limit}).json()
        return [item["id"] for item in data["job_executions"]], len(every)

    def cancel(self, ref):
        self._call("GET", f"/job-executions/{ref}/cancel")

    def delete(self, ref):
        assert self._call("DELETE", f"/job-executions/{ref}").status_code == 204

    def ref(self, uuid, seq):
        return uuid
