"""The native API's wire driver."""
from tests.conformance.driver import Snapshot, WireDriver, WireError


class Driver(WireDriver):
    name = "native"
    capabilities = frozenset({"steps", "log", "result", "cancel", "delete", "paging", "restart"})

    def _call(self, method, path, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = self.http.request(method, f"{self.base_url}/api/v1{path}", headers=headers, timeout=10, **kwargs)
        if response.status_code >= 400:
            error = response.json()["error"]
            assert set(error) == {"code", "message", "details", "request_id"}, error
            raise WireError(response.status_code, error["code"].replace("execution_", "").replace("definition_", ""), error)
        return response

    def submit(self, job, parameters=None):
        body = {"definition": job, "parameters": parameters or {}}
        return self._call("POST", "/executions", json=body).json()["id"]

    def get(self, ref):
        data = self._call("GET", f"/executions/{ref}").json()
        return Snapshot(data["id"], data["state"], data["message"], [(s["id"], s["state"]) for s in data["steps"]])

    def page(self, job, offset, limit):
        data = self._call("GET", "/executions", params={"definition": job, "offset": offset, "limit": limit}).json()
        return [item["id"] for item in data["items"]], data["total"]

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
