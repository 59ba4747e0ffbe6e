"""The Sahara EDP v1.1 wire driver: templates found through GET /jobs, run through execute."""
import json
from datetime import timedelta

from jobgate.testing import DefinitionSnapshot, Sample, Snapshot, WireDriver, WireError, utc
from jobgate.testing import Requirements as Defaults
from jobgate.testing.parts import tenants

CLUSTER = "811e1134-666f-4c48-bc92-afb5b10c9d8c"
#: Sahara's info.status -> the suite's canonical names
STATES = {"PENDING": "QUEUED", "RUNNING": "RUNNING", "TOBEKILLED": "RUNNING", "SUCCEEDED": "SUCCEEDED",
          "DONEWITHERROR": "FAILED", "FAILED": "FAILED", "KILLED": "CANCELED"}
#: Sahara error_name -> the suite's fault kinds
KINDS = {"NOT_FOUND": "not_found", "UNAUTHORIZED": "unauthorized", "ALREADY_RUNNING": "already_running",
         "VALIDATION_ERROR": "invalid", "INVALID_DATA": "invalid", "DELETION_FAILED": "not_finished",
         "SERVICE_UNAVAILABLE": "unavailable", "IDEMPOTENCY_KEY_REUSED": "idempotency_key_reused"}
#: the job type the driver's templates have, and the step an operator lets it run here
JOB_TYPE = "Shell"


class Requirements(Defaults):
    died_as = "FAILED"          # Sahara has no word for it: FAILED, the reason in info
    deletes_unfinished = True   # Sahara cancels what it deletes, and removes it once stopped
    time_precision = timedelta(seconds=1)
    #: templates need a job type the operator serves
    environment = {"JOBGATE_SAHARA_JOB_TYPES": json.dumps(
        {JOB_TYPE: {"type": "python", "params": {"callable": "jobgate.testing.jobs:count"}}})}


class Driver(WireDriver):
    name = "sahara"
    tenants = tenants()

    def __init__(self, base_url, token):
        super().__init__(base_url, token)
        self.names = {}          # template uuid -> name, as a client remembers them

    def credentials(self):
        return {"X-Auth-Token": self.token} if self.token else {}

    def fault(self, response):
        error = response.json()
        assert set(error) == {"error_code", "error_name", "error_message"}, error
        assert error["error_code"] == response.status_code, error
        return WireError(response.status_code, KINDS.get(error["error_name"], error["error_name"]), error)

    def samples(self):
        execute = {"cluster_id": CLUSTER, "job_configs": {"configs": {"mapred.reduce.tasks": "1"}, "args": ["a"],
                                                          "params": {"text": "hi"}}, "is_public": False}
        return [Sample("POST", self._path(f"/jobs/{self._job_uuid('FuzzedJob')}/execute"), execute),
                Sample("GET", self._path("/job-executions"), params={"limit": 5, "sort_by": "-created_at",
                                                                     "job.name": "Fuzz.*", "status": "pending"})]

    def _path(self, path):
        return f"/v1.1/{self.tenants.get(self.token, 'acme')}{path}"

    def _call(self, method, path, **kwargs):
        return self.call(method, self._path(path), **kwargs)

    def _job_uuid(self, job):
        jobs = self._call("GET", "/jobs", params={"name": job}).json()["jobs"]
        assert len(jobs) == 1, jobs
        return jobs[0]["id"]

    def _job_name(self, uuid):
        if uuid not in self.names:
            self.names[uuid] = self.definition(uuid).name
        return self.names[uuid]

    def submit(self, job, parameters=None):
        body = {"cluster_id": CLUSTER, "job_configs": {"params": parameters or {}}}
        response = self._call("POST", f"/jobs/{self._job_uuid(job)}/execute", json=body)
        assert response.status_code == 202
        return response.json()["job_execution"]["id"]

    def get(self, ref):
        data = self._call("GET", f"/job-executions/{ref}").json()["job_execution"]
        configs = data["job_configs"]
        return Snapshot(data["id"], STATES[data["info"]["status"]], data["info"].get("message", ""), [],
                        self._job_name(data["job_id"]), {**configs["configs"], **configs["params"]},
                        utc(data["start_time"]), utc(data["end_time"]))

    def page(self, job, offset, limit):
        """Sahara pages by marker: the marker of page `offset` is the id just before it."""
        query = {"job_id": self._job_uuid(job)}
        every = [item["id"] for item in self._call("GET", "/job-executions", params=query).json()["job_executions"]]
        if offset:
            query["marker"] = every[offset - 1]
        data = self._call("GET", "/job-executions", params={**query, "limit": limit}).json()
        return [item["id"] for item in data["job_executions"]], len(every)

    def cursor_page(self, job, limit, cursor=None):
        query = {"job_id": self._job_uuid(job), "limit": limit, **({"marker": cursor} if cursor else {})}
        data = self._call("GET", "/job-executions", params=query).json()
        return [item["id"] for item in data["job_executions"]], data.get("markers", {}).get("next")

    def cancel(self, ref):
        self._call("GET", f"/job-executions/{ref}/cancel")

    def delete(self, ref):
        assert self._call("DELETE", f"/job-executions/{ref}").status_code == 204

    def ref(self, uuid, seq):
        return uuid

    def definitions(self):
        return [self._definition(job) for job in self._call("GET", "/jobs").json()["jobs"]]

    def definition(self, ref):
        return self._definition(self._call("GET", f"/jobs/{ref}").json()["job"])

    def create_definition(self, name, description):
        body = {"name": name, "type": JOB_TYPE, "description": description, "mains": [], "libs": []}
        response = self._call("POST", "/jobs", json=body)
        assert response.status_code == 202
        return response.json()["job"]["id"]

    def update_definition(self, ref, description):
        assert self._call("PATCH", f"/jobs/{ref}", json={"description": description}).status_code == 202

    def delete_definition(self, ref):
        assert self._call("DELETE", f"/jobs/{ref}").status_code == 204

    @staticmethod
    def _definition(job):
        return DefinitionSnapshot(job["id"], job["name"], job["description"])
