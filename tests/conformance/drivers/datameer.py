"""The Datameer wire driver: v2 trigger by file path (URL-encoded, as the official Ruby client
sends it), v1 job details, job history, job-kill and data delete, HTTP Basic on every call.

Datameer's faults say what they are by status code, so a 409 is read by the
command that got it: a refused trigger is already_running, a refused delete not_finished.
"""
from urllib.parse import quote

from tests.conformance.driver import Snapshot, WireDriver, WireError

#: the suite's tokens -> the principals' names and passwords (tests/fixtures/principals.toml)
ACCOUNTS = {"tok-alice": ("alice", "s3cret"), "tok-bob": ("bob", "test"), "tok-carol": ("carol", "carol-pw")}
#: v1 jobStatus -> the suite's canonical names
STATES = {"WAITING_FOR_OTHER_JOB": "QUEUED", "QUEUED": "QUEUED", "RUNNING": "RUNNING", "COMPLETED": "SUCCEEDED",
          "COMPLETED_WITH_Warnings": "SUCCEEDED_WITH_WARNINGS", "ERROR": "FAILED", "CANCELED": "CANCELED"}
KINDS = {400: "invalid", 401: "unauthorized", 404: "not_found", 503: "unavailable"}
PAGE = 200


def file_path(job: str) -> str:
    return quote(f"/Data/Jobs/{job}", safe="")


class Driver(WireDriver):
    name = "datameer"
    capabilities = frozenset({"cancel", "delete", "paging"})
    died_as = "FAILED"          # Datameer has one word for a run that did not end well: ERROR
    #: job -> configuration id, learned from v2 status documents like a client's memory
    file_ids: dict[str, int] = {}

    def __init__(self, base_url, token):
        super().__init__(base_url, token)
        if token:
            self.http.auth = ACCOUNTS.get(token, ("nobody", token))

    def _call(self, method, path, conflict="conflict", **kwargs):
        response = self.http.request(method, self.base_url + path, timeout=10, **kwargs)
        if response.status_code >= 400:
            body = response.json()
            if path.startswith("/api/"):
                assert set(body) == {"status", "reason"} and body["status"] == "failure", body
            else:
                assert set(body) == {"error"}, body
            if response.status_code == 401:
                assert response.headers["WWW-Authenticate"].startswith("Basic realm="), response.headers
            kind = conflict if response.status_code == 409 else KINDS.get(response.status_code, "invalid")
            raise WireError(response.status_code, kind, body)
        return response

    def submit(self, job, parameters=None):
        """Datameer's trigger takes no parameters: `parameters` are not sent."""
        triggered = self._call("POST", f"/api/job-execution/{file_path(job)}/trigger", conflict="already_running",
                               headers={"Content-Type": "application/json"}).json()
        assert triggered["status"] == "success" and triggered["job-execution-trigger"] == "RESTAPI", triggered
        self._file_id(job)
        return str(triggered["job-execution-id"])

    def get(self, ref):
        details = self._call("GET", f"/rest/job-execution/job-details/{ref}").json()
        return Snapshot(str(details["id"]), STATES[details["jobStatus"]], details.get("message", ""))

    def page(self, job, offset, limit):
        """History has no total: the driver counts the runs by reading every page."""
        history = f"/rest/job-configuration/job-history/{self._file_id(job)}"
        items = self._call("GET", history, params={"start": offset, "length": limit}).json()
        total, start = 0, 0
        while True:
            chunk = self._call("GET", history, params={"start": start, "length": PAGE}).json()
            total, start = total + len(chunk), start + PAGE
            if len(chunk) < PAGE:
                return [str(item["id"]) for item in items], total

    def cancel(self, ref):
        self._call("POST", f"/rest/job-execution/job-kill/{ref}")

    def delete(self, ref):
        assert self._call("DELETE", f"/rest/data/{ref}", conflict="not_finished").status_code == 200

    def ref(self, uuid, seq):
        return str(seq)

    def _file_id(self, job):
        if job not in self.file_ids:
            self.file_ids[job] = self._call("GET", f"/api/job-execution/{file_path(job)}/status").json()["file-id"]
        return self.file_ids[job]
