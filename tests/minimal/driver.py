"""The minimal dialect's wire driver; its Requirements name the (uninstalled) Dialect object."""
from datetime import UTC, datetime, timedelta

from jobgate.testing import Requirements as Defaults
from jobgate.testing import Sample, Snapshot, WireDriver, WireError
from tests import minimal

#: phase -> canonical state, read test-side
STATES = {"waiting": "QUEUED", "working": "RUNNING", "done": "SUCCEEDED", "broken": "FAILED", "stopped": "CANCELED",
          "lost": "DIED"}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Requirements(Defaults):
    dialect = minimal.dialect


class Driver(WireDriver):
    name = "minimal"

    def credentials(self):
        return {"X-Mini-Key": self.token} if self.token else {}

    def fault(self, response):
        body = response.json()
        assert set(body) == {"oops", "why"}, body
        return WireError(response.status_code, body["oops"].removeprefix("execution_"), body)

    def samples(self):
        return [Sample("POST", "/mini/runs", {"job": "FuzzedJob", "args": {"text": "hi"}}),
                Sample("GET", "/mini/runs", params={"job": "FuzzedJob", "skip": 0, "take": 5})]

    def _call(self, method, path, **kwargs):
        return self.call(method, f"/mini{path}", **kwargs)

    def submit(self, job, parameters=None):
        return self._call("POST", "/runs", json={"job": job, "args": parameters or {}}).json()["run"]

    def get(self, ref):
        run = self._call("GET", f"/runs/{ref}").json()
        return Snapshot(run["run"], STATES[run["phase"]], run["note"], [], run["job"], run["args"],
                        *(None if ms is None else EPOCH + timedelta(milliseconds=ms) for ms in (run["start"], run["end"])))

    def page(self, job, offset, limit):
        data = self._call("GET", "/runs", params={"job": job, "skip": offset, "take": limit}).json()
        return [run["run"] for run in data["runs"]], data["count"]

    def ref(self, uuid, seq):
        return str(seq)

    def cancel(self, ref):
        self._call("POST", f"/runs/{ref}/stop")

    def delete(self, ref):
        self._call("DELETE", f"/runs/{ref}")

    def log(self, ref):
        return self._call("GET", f"/runs/{ref}/log").text

    def result(self, ref):
        return self._call("GET", f"/runs/{ref}/output").json()["output"]
