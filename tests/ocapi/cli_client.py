"""What the common OCAPI command-line clients do (sfcc-ci `client:auth`, `job:run -s`, `job:status -l`).

Headers and bodies as sfcc-ci's HTTP library sends them; the poll interval is
the CLI's 5 s shortened for tests.
"""
import time
from urllib.parse import quote

import requests

DATA = "/s/-/dw/data/v19_5"


class JobFault(Exception):
    def __init__(self, status: int, fault: dict):
        super().__init__(f"{status} {fault['type']}: {fault['message']}")
        self.status, self.type, self.message = status, fault["type"], fault["message"]


class CommandLineClient:
    def __init__(self, instance: str, verify=True, poll: float = 0.2):
        self.instance, self.poll = instance, poll
        self.verify = verify            # per request: a session's verify loses to REQUESTS_CA_BUNDLE
        self.http = requests.Session()
        self.http.headers["accept"] = "application/json"
        self.token = None

    def auth(self, client_id: str, secret: str) -> dict:
        response = self.http.post(f"{self.instance}/dwsso/oauth2/access_token", timeout=10, verify=self.verify,
                                  auth=(client_id, quote(secret, safe="")),
                                  data={"grant_type": "client_credentials"})
        assert response.status_code == 200, response.text
        self.token = response.json()["access_token"]
        return response.json()

    def run(self, job: str, **parameters) -> dict:
        body = {"parameters": [{"name": k, "value": v} for k, v in parameters.items()]}
        response = self._call("POST", f"{DATA}/jobs/{job}/executions", json=body)
        if response.status_code not in (200, 202):
            raise JobFault(response.status_code, response.json()["fault"])
        return response.json()

    def status(self, job: str, execution_id: str) -> dict:
        response = self._call("GET", f"{DATA}/jobs/{job}/executions/{execution_id}")
        if response.status_code != 200:
            raise JobFault(response.status_code, response.json()["fault"])
        return response.json()

    def run_sync(self, job: str, timeout: float = 30, **parameters) -> dict:
        execution = self.run(job, **parameters)
        deadline = time.monotonic() + timeout
        while execution["status"] in ("RUNNING", "PENDING") and time.monotonic() < deadline:
            time.sleep(self.poll)
            execution = self.status(job, execution["id"])
        return execution

    def log(self, execution: dict) -> str:
        response = self._call("GET", f"/on/demandware.servlet/webdav/Sites/Impex/log/{execution['log_file_name']}")
        assert response.status_code == 200, response.text
        return response.text

    def _call(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, self.instance + path, timeout=10, verify=self.verify,
                                 headers={"authorization": f"Bearer {self.token}"}, **kwargs)
