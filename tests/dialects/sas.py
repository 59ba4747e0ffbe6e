"""The SAS Viya Job Execution wire driver: definitions found, made, replaced (If-Match) and
deleted through /jobDefinitions, jobs submitted by jobDefinitionUri, canceled through `state`,
logs read at `logLocation`."""
import json

from jobgate.testing import DefinitionSnapshot, Sample, Snapshot, WireDriver, WireError, utc
from jobgate.testing import Requirements as Defaults

ROOT = "/jobExecution"
DEFINITIONS = "/jobDefinitions/definitions"
DEFINITION = "application/vnd.sas.job.definition+json"
JOB = "application/vnd.sas.job.execution.job+json"
JOB_REQUEST = "application/vnd.sas.job.execution.job.request+json"
#: SAS job state -> the suite's canonical names
STATES = {"pending": "QUEUED", "running": "RUNNING", "completed": "SUCCEEDED", "failed": "FAILED",
          "timedOut": "FAILED", "canceled": "CANCELED"}
KINDS = {400: "invalid", 401: "unauthorized", 404: "not_found", 503: "unavailable"}
#: the SAS type of the driver's definitions, and the quick step an operator lets it run here
JOB_TYPE = "Compute"


class Requirements(Defaults):
    died_as = "FAILED"          # SAS has no word for it: failed, the reason in `error`
    deletes_unfinished = True   # DELETE cancels a job that has not ended and removes it once stopped
    start_times = False         # a job shows its creation and end, not when it started
    #: definitions need a type the operator serves
    environment = {"JOBGATE_SAS_JOB_TYPES": json.dumps({JOB_TYPE: {"type": "sleep", "params": {"seconds": 0}}})}


class Driver(WireDriver):
    name = "sas"

    def credentials(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def fault(self, response):
        """error2 as JSON, or as the text form SAS's text/plain endpoints (state, time stamps) answer."""
        if response.headers["Content-Type"].startswith("text/plain"):
            assert response.text.startswith(f"ErrorResponse[version=2,status={response.status_code},"), response.text
            return WireError(response.status_code, KINDS.get(response.status_code, "invalid"), response.text)
        error = response.json()
        assert response.headers["Content-Type"].startswith("application/vnd.sas.error+json"), response.headers
        assert error["httpStatusCode"] == response.status_code and error["version"] == 2, error
        kind = KINDS.get(response.status_code, "invalid")
        if response.status_code == 409 and "concurrent" in error["message"]:
            kind = "already_running"
        if response.status_code == 409 and "Idempotency-Key" in error["message"]:
            kind = "idempotency_key_reused"
        return WireError(response.status_code, kind, error)

    def samples(self):
        job = {"jobDefinitionUri": self._definition_uri("FuzzedJob"), "arguments": {"text": "hi"}, "name": "fuzzed",
               "expiresAfter": "PT1H"}
        listing = {"filter": "and(eq(state,'pending'),startsWith(name,'fuzz'))", "sortBy": "creationTimeStamp:descending",
                   "start": 0, "limit": 5}
        return [Sample("POST", f"{ROOT}/jobs", job, headers={"Content-Type": JOB_REQUEST}),
                Sample("GET", f"{ROOT}/jobs", params=listing)]

    def _definition_uri(self, job):
        found = self.call("GET", DEFINITIONS, params={"filter": f"eq(name,'{job}')"}).json()
        assert found["count"] == 1, found
        return f"{DEFINITIONS}/{found['items'][0]['id']}"

    def submit(self, job, parameters=None):
        body = {"jobDefinitionUri": self._definition_uri(job),
                "arguments": {k: str(v) for k, v in (parameters or {}).items()}}
        response = self.call("POST", f"{ROOT}/jobs", json=body, headers={"Content-Type": JOB_REQUEST, "Accept": JOB})
        assert response.status_code == 201 and response.headers["Location"].endswith(response.json()["id"])
        return response.json()["id"]

    def _job(self, ref):
        return self.call("GET", f"{ROOT}/jobs/{ref}").json()

    def get(self, ref):
        job = self._job(ref)
        message = job.get("error", {}).get("message", "") or job.get("stateDetails", "")
        request = job["jobRequest"]
        return Snapshot(job["id"], STATES[job["state"]], message, definition=request["jobDefinition"]["name"],
                        parameters=request.get("arguments", {}), ended=utc(job.get("endTimeStamp")))

    def page(self, job, offset, limit):
        query = {"filter": f"eq(jobDefinitionUri,'{self._definition_uri(job)}')", "start": offset, "limit": limit}
        data = self.call("GET", f"{ROOT}/jobs", params=query).json()
        return [item["id"] for item in data["items"]], data["count"]

    def cancel(self, ref):
        self.call("PUT", f"{ROOT}/jobs/{ref}/state", params={"value": "canceled"}, headers={"Accept": "text/plain"})

    def delete(self, ref):
        assert self.call("DELETE", f"{ROOT}/jobs/{ref}").status_code == 204

    def log(self, ref):
        return self.call("GET", f"{self._job(ref)['logLocation']}/content").text

    def result(self, ref):
        return json.loads(self._job(ref)["results"]["result.json"])

    def ref(self, uuid, seq):
        return uuid

    def definitions(self):
        every, start = [], 0
        while True:
            page = self.call("GET", DEFINITIONS, params={"start": start, "limit": 100}).json()
            every += [self._definition(item) for item in page["items"]]
            start += len(page["items"])
            if not page["items"] or start >= page["count"]:
                return every

    def definition(self, ref):
        return self._definition(self.call("GET", f"{DEFINITIONS}/{ref}").json())

    def create_definition(self, name, description):
        body = {"version": 2, "name": name, "description": description, "type": JOB_TYPE, "parameters": [],
                "code": "data _null_; run;"}
        response = self.call("POST", DEFINITIONS, json=body, headers={"Content-Type": DEFINITION, "Accept": DEFINITION})
        assert response.status_code == 201 and response.headers["Location"].endswith(response.json()["id"])
        return response.json()["id"]

    def update_definition(self, ref, description):
        """As SAS clients do: GET the document and its ETag, PUT it back changed, If-Match the ETag."""
        current = self.call("GET", f"{DEFINITIONS}/{ref}")
        headers = {"Content-Type": DEFINITION, "Accept": DEFINITION, "If-Match": current.headers["ETag"]}
        changed = self.call("PUT", f"{DEFINITIONS}/{ref}", json={**current.json(), "description": description},
                             headers=headers)
        assert changed.status_code == 200 and changed.headers["ETag"] != current.headers["ETag"], changed.headers

    def delete_definition(self, ref):
        assert self.call("DELETE", f"{DEFINITIONS}/{ref}").status_code == 204

    @staticmethod
    def _definition(doc):
        return DefinitionSnapshot(doc["id"], doc["name"], doc.get("description", ""))
