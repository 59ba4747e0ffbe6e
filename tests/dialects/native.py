"""The native API's wire driver: jobgate's own API, the reference the others map onto."""
from jobgate.testing import DefinitionSnapshot, Sample, ScheduleSnapshot, Snapshot, WireDriver, WireError, utc


class Driver(WireDriver):
    name = "native"

    def credentials(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def fault(self, response):
        error = response.json()["error"]
        assert set(error) == {"code", "message", "details", "request_id"}, error
        return WireError(response.status_code, error["code"].replace("execution_", "").replace("definition_", ""), error)

    def samples(self):
        return [Sample("POST", "/api/v1/executions", {"definition": "FuzzedJob", "parameters": {
                    "text": "hi", "count": 3, "nested": {"list": [1, "two", None]}}, "expire_after": 60}),
                Sample("GET", "/api/v1/executions", params={"definition": "FuzzedJob", "state": "QUEUED",
                                                            "limit": 5, "offset": 0, "newest_first": "true"})]

    def _call(self, method, path, **kwargs):
        return self.call(method, f"/api/v1{path}", **kwargs)

    def submit(self, job, parameters=None):
        body = {"definition": job, "parameters": parameters or {}}
        return self._call("POST", "/executions", json=body).json()["id"]

    def get(self, ref):
        data = self._call("GET", f"/executions/{ref}").json()
        return Snapshot(data["id"], data["state"], data["message"], [(s["id"], s["state"]) for s in data["steps"]],
                        data["definition"], data["parameters"], utc(data["started"]), utc(data["ended"]))

    def page(self, job, offset, limit):
        data = self._call("GET", "/executions", params={"definition": job, "offset": offset, "limit": limit}).json()
        return [item["id"] for item in data["items"]], data["total"]

    def cursor_page(self, job, limit, cursor=None):
        query = {"definition": job, "limit": limit, **({"cursor": cursor} if cursor is not None else {})}
        data = self._call("GET", "/executions", params=query).json()
        return [item["id"] for item in data["items"]], data["next_cursor"]

    def cancel(self, ref):
        self._call("POST", f"/executions/{ref}/cancel")

    def delete(self, ref):
        self._call("DELETE", f"/executions/{ref}")

    def log(self, ref):
        return self._call("GET", f"/executions/{ref}/log").text

    def result(self, ref):
        return self._call("GET", f"/executions/{ref}/result").json()["result"]

    def restart(self, ref):
        return self._call("POST", f"/executions/{ref}/restart").json()["id"]

    def ref(self, uuid, seq):
        return uuid

    def definitions(self):
        return [self._definition(d) for d in self._call("GET", "/definitions").json()["items"]]

    def definition(self, ref):
        return self._definition(self._call("GET", f"/definitions/{ref}").json())

    def create_definition(self, name, description):
        body = {"id": name, "name": name, "description": description,
                "steps": [{"id": "Nap", "type": "sleep", "params": {"seconds": 0}}]}
        return self._call("POST", "/definitions", json=body).json()["id"]

    def update_definition(self, ref, description):
        self._call("PATCH", f"/definitions/{ref}", json={"description": description})

    def delete_definition(self, ref):
        self._call("DELETE", f"/definitions/{ref}")

    @staticmethod
    def _definition(data):
        return DefinitionSnapshot(data["id"], data["id"], data["description"])

    def create_schedule(self, job, cron, parameters):
        body = {"definition": job, "cron": cron, "parameters": parameters}
        return self._call("POST", "/schedules", json=body).json()["id"]

    def schedule(self, ref):
        data = self._call("GET", f"/schedules/{ref}").json()
        return ScheduleSnapshot(data["id"], data["definition"], data["cron"], data["paused"])

    def pause_schedule(self, ref):
        self._call("POST", f"/schedules/{ref}/pause")

    def delete_schedule(self, ref):
        self._call("DELETE", f"/schedules/{ref}")


