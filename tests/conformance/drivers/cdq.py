"""The CDQ Jobs Management wire driver: jobs started by `type` (the catalog job), read through /v2/jobs."""
import json

from tests.conformance.driver import Snapshot, WireDriver, WireError

#: JobStatus -> the suite's canonical names
STATES = {"WAITING": "QUEUED", "SCHEDULED": "QUEUED", "RUNNING": "RUNNING", "FINISHED": "SUCCEEDED",
          "FAILED": "FAILED", "CANCELED": "CANCELED", "DIED": "DIED"}
#: technicalKey -> the suite's fault kinds
KINDS = {"NOT_FOUND": "not_found", "UNAUTHORIZED": "unauthorized", "BAD_REQUEST": "invalid",
         "JOB_ALREADY_RUNNING": "already_running", "JOB_NOT_FINISHED": "not_finished",
         "SERVICE_UNAVAILABLE": "unavailable", "CONFLICT": "conflict"}


class Driver(WireDriver):
    name = "cdq"
    capabilities = frozenset({"cancel", "delete", "result", "paging"})

    def _call(self, method, path, **kwargs):
        headers = {"X-API-KEY": self.token} if self.token else {}
        response = self.http.request(method, f"{self.base_url}/cdq{path}", headers=headers, timeout=10, **kwargs)
        if response.status_code >= 400:
            error = response.json()
            assert set(error) == {"code", "technicalKey", "message"}, error
            assert str(error["code"]).startswith(str(response.status_code)), error
            raise WireError(response.status_code, KINDS.get(error["technicalKey"], error["technicalKey"]), error)
        return response

    def submit(self, job, parameters=None):
        return self._call("POST", "/v2/jobs", json={"type": job, "input": parameters or {}}).json()["id"]

    def get(self, ref):
        data = self._call("GET", f"/v2/jobs/{ref}").json()
        return Snapshot(data["id"], STATES[data["jobStatus"]], data.get("message", ""))

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

    def cancel(self, ref):
        self._call("POST", f"/v2/jobs/{ref}/cancel")

    def delete(self, ref):
        assert self._call("DELETE", f"/v2/jobs/{ref}").status_code == 204

    def result(self, ref):
        return json.loads(self._call("GET", f"/v2/jobs/{ref}").json()["resultData"])

    def ref(self, uuid, seq):
        return uuid
