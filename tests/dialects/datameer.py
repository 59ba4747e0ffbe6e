"""The Datameer wire driver: v2 trigger by file path (URL-encoded, as the official Ruby client
sends it), v1 job details, job history, job-kill and data delete, HTTP Basic on every call.

Datameer's faults say what they are by status code, so a 409 is read by the
command that got it: a refused trigger is already_running, a refused delete not_finished.
"""
import tomllib
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

from jobgate.testing import Requirements as Defaults
from jobgate.testing import Sample, Snapshot, WireDriver, WireError
from jobgate.testing.parts import CATALOG

#: the suite's tokens -> the principals' names and passwords (tests/fixtures/principals.toml)
ACCOUNTS = {"tok-alice": ("alice", "s3cret"), "tok-bob": ("bob", "test"), "tok-carol": ("carol", "carol-pw")}
#: v1 jobStatus -> the suite's canonical names
STATES = {"WAITING_FOR_OTHER_JOB": "QUEUED", "QUEUED": "QUEUED", "RUNNING": "RUNNING", "COMPLETED": "SUCCEEDED",
          "COMPLETED_WITH_Warnings": "SUCCEEDED_WITH_WARNINGS", "ERROR": "FAILED", "CANCELED": "CANCELED"}
KINDS = {400: "invalid", 401: "unauthorized", 404: "not_found", 422: "idempotency_key_reused", 503: "unavailable"}
PAGE = 200


def file_path(job: str) -> str:
    return quote(f"/Data/Jobs/{job}", safe="")


class Requirements(Defaults):
    died_as = "FAILED"          # Datameer has one word for a run that did not end well: ERROR
    parameters = False          # its trigger takes none, its documents show none


def _time(text: str | None) -> datetime | None:
    """v1 job details' `2012-07-06 18:19:09.12` (java.sql.Timestamp: the fraction's digits as given;
    the gateway's zone, UTC here)."""
    if not text:
        return None
    whole, _, fraction = text.partition(".")
    moment = datetime.strptime(whole, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    return moment + timedelta(seconds=float(f"0.{fraction or 0}"))


class Driver(WireDriver):
    name = "datameer"
    #: job -> configuration id, learned from v2 status documents like a client's memory
    file_ids: dict[str, int] = {}

    def __init__(self, base_url, token):
        super().__init__(base_url, token)
        if token:
            self.http.auth = ACCOUNTS.get(token, ("nobody", token))

    def fault(self, response):
        body = response.json()
        if urlsplit(response.url).path.startswith("/api/"):
            assert set(body) == {"status", "reason"} and body["status"] == "failure", body
        else:
            assert set(body) == {"error"}, body
        if response.status_code == 401:
            assert response.headers["WWW-Authenticate"].startswith("Basic realm="), response.headers
        return WireError(response.status_code, "conflict" if response.status_code == 409
                         else KINDS.get(response.status_code, "invalid"), body)

    def samples(self):
        self.submit("FuzzedJob")                        # its configuration id shows once it has run
        file_id = self._file_id("FuzzedJob")
        return [Sample("POST", "/api/job-execution/sequential-trigger", {"files": [file_id]}),
                Sample("POST", "/rest/job-execution", params={"configuration": file_id}),
                Sample("GET", f"/rest/job-configuration/job-history/{file_id}", params={"start": 0, "length": 5})]

    def _call(self, method, path, conflict="conflict", **kwargs):
        """A 409 means what the command says it means (an already running trigger, an unfinished delete)."""
        try:
            return self.call(method, path, **kwargs)
        except WireError as error:
            error.kind = conflict if error.status == 409 else error.kind
            raise

    def submit(self, job, parameters=None):
        """Datameer's trigger takes no parameters: `parameters` are not sent."""
        triggered = self._call("POST", f"/api/job-execution/{file_path(job)}/trigger", conflict="already_running",
                               headers={"Content-Type": "application/json"}).json()
        assert triggered["status"] == "success" and triggered["job-execution-trigger"] == "RESTAPI", triggered
        self._file_id(job)
        return str(triggered["job-execution-id"])

    def get(self, ref):
        details = self._call("GET", f"/rest/job-execution/job-details/{ref}").json()
        return Snapshot(str(details["id"]), STATES[details["jobStatus"]], details.get("message", ""),
                        definition=self._job_of(details), started=_time(details.get("startTime")),
                        ended=_time(details.get("stopTime")))

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

    def _job_of(self, details: dict) -> str | None:
        """The job a run belongs to, by the configuration id the details name. Like a monitoring
        client configured with its jobs, the driver knows the suite's jobs and learns their ids."""
        wanted = details.get("jobConfigurationId")
        if wanted not in self.file_ids.values():
            for job in tomllib.loads(CATALOG.read_text())["job"]:
                self._file_id(job["id"])
        return next((job for job, file_id in self.file_ids.items() if file_id == wanted), None)

    def _file_id(self, job):
        """The job's configuration id, from its v2 status (which names none until it first ran)."""
        if job not in self.file_ids:
            found = self._call("GET", f"/api/job-execution/{file_path(job)}/status").json().get("file-id")
            if found is None:
                return None
            self.file_ids[job] = found
        return self.file_ids[job]
