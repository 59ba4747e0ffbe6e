"""The CDQ Jobs Management wire driver: jobs started by `type` (the catalog job), read through /v2/jobs."""
import json
from datetime import timedelta

from jobgate.testing import Requirements as Defaults
from jobgate.testing import Sample, ScheduleSnapshot, Snapshot, WireDriver, WireError, utc

#: JobStatus -> the suite's canonical names
STATES = {"WAITING": "QUEUED", "SCHEDULED": "QUEUED", "RUNNING": "RUNNING", "FINISHED": "SUCCEEDED",
          "FAILED": "FAILED", "CANCELED": "CANCELED", "DIED": "DIED"}
#: technicalKey -> the suite's fault kinds
KINDS = {"NOT_FOUND": "not_found", "UNAUTHORIZED": "unauthorized", "BAD_REQUEST": "invalid",
         "JOB_ALREADY_RUNNING": "already_running", "JOB_NOT_FINISHED": "not_finished",
         "SERVICE_UNAVAILABLE": "unavailable", "CONFLICT": "conflict", "IDEMPOTENCY_KEY_REUSED": "idempotency_key_reused"}


class Requirements(Defaults):
    parameters = False          # a job's `input` is sent, the Job document does not show it
    time_precision = timedelta(seconds=1)


class Driver(WireDriver):
    name = "cdq"

    def credentials(self):
        return {"X-API-KEY": self.token} if self.token else {}

    def fault(self, response):
        error = response.json()
        assert set(error) == {"code", "technicalKey", "message"}, error
        assert str(error["code"]).startswith(str(response.status_code)), error
        return WireError(response.status_code, KINDS.get(error["technicalKey"], error["technicalKey"]), error)

    def samples(self):
        job = {"type": "FuzzedJob", "input": {"text": "hi", "rows": [1, 2]}, "storageId": "fuzzed", "name": "n",
               "tags": ["a"], "labels": {"team": "x"}, "environmentVariables": {"A": "b"}}
        return [Sample("POST", "/cdq/v2/jobs", job),
                Sample("POST", "/cdq/jobs/results/fetchLast", {"jobType": "FuzzedJob", "storageId": "fuzzed"}),
                Sample("GET", "/cdq/v2/jobs", params={"jobType": "FuzzedJob", "status": "WAITING", "limit": 5,
                                                      "features": "NUMBER_OF_TOTAL"})]

    def _call(self, method, path, **kwargs):
        return self.call(method, f"/cdq{path}", **kwargs)

    def submit(self, job, parameters=None):
        return self._call("POST", "/v2/jobs", json={"type": job, "input": parameters or {}}).json()["id"]

    def get(self, ref):
        data = self._call("GET", f"/v2/jobs/{ref}").json()
        return Snapshot(data["id"], STATES[data["jobStatus"]], data.get("message", ""), definition=data["type"],
                        started=utc(data.get("startedAt")), ended=utc(data.get("finishedAt")))

    def page(self, job, offset, limit):
        """CDQ pages by `startAfter`: walk the pages before `offset`, a page of `limit` at a time."""
        query = {"jobType": job, "limit": limit, "features": "NUMBER_OF_TOTAL"}
        data = self._call("GET", "/v2/jobs", params=query).json()
        skipped = 0
        while skipped < offset and "nextStartAfter" in data:
            skipped += len(data["values"])
            data = self._call("GET", "/v2/jobs", params={**query, "startAfter": data["nextStartAfter"]}).json()
        values = data["values"] if skipped == offset else []
        return [item["id"] for item in values], data["total"]

    def cursor_page(self, job, limit, cursor=None):
        query = {"jobType": job, "limit": limit, **({"startAfter": cursor} if cursor else {})}
        data = self._call("GET", "/v2/jobs", params=query).json()
        return [item["id"] for item in data["values"]], data.get("nextStartAfter")

    def create_schedule(self, job, cron, parameters):
        body = {"scheduledJob": {"name": f"every {cron}", "cronExpression": cron, "type": job, "input": parameters}}
        return self._call("POST", "/v2/jobs/scheduled", json=body).json()["id"]

    def schedule(self, ref):
        data = self._call("GET", f"/v2/jobs/scheduled/{ref}").json()
        return ScheduleSnapshot(data["id"], data["type"], data["cronExpression"], data["status"] == "PAUSED")

    def pause_schedule(self, ref):
        self._call("POST", f"/v2/jobs/scheduled/{ref}/pause")

    def delete_schedule(self, ref):
        self._call("DELETE", f"/v2/jobs/scheduled/{ref}")

    def cancel(self, ref):
        self._call("POST", f"/v2/jobs/{ref}/cancel")

    def delete(self, ref):
        assert self._call("DELETE", f"/v2/jobs/{ref}").status_code == 204

    def result(self, ref):
        return json.loads(self._call("GET", f"/v2/jobs/{ref}").json()["resultData"])

    def ref(self, uuid, seq):
        return uuid
