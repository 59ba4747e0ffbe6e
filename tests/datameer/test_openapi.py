"""Every Datameer route is in the dialect's OpenAPI document with the statuses it answers, each
fault status with the body of its generation (v1 `{"error"}`, v2 `{"status", "reason"}`)."""
import re

import requests

V1, V2 = "#/components/schemas/ErrorRecord", "#/components/schemas/Failure"
EXPECTED = {
    ("get", "/rest/job-configuration/job-status/{ref}"): {200, 401, 404, 503},
    ("get", "/rest/job-configuration/job-history/{ref}"): {200, 400, 401, 404, 503},
    ("get", "/rest/job-execution/job-details/{ref}"): {200, 401, 404, 503},
    ("get", "/rest/jobs/list-running"): {200, 401, 503},
    ("post", "/rest/job-execution"): {200, 400, 401, 404, 409, 503},
    ("post", "/rest/job-execution/job-kill/{ref}"): {200, 401, 404, 409, 503},
    ("delete", "/rest/data/{ref}"): {200, 401, 404, 409, 503},
    ("get", "/api/job-execution/list-running"): {200, 401, 503},
    ("post", "/api/job-execution/sequential-trigger"): {200, 400, 401, 404, 409, 503},
    ("get", "/api/job-execution/{ref}/status"): {200, 401, 404, 503},
    ("post", "/api/job-execution/{ref}/trigger"): {200, 401, 404, 409, 503},
    ("post", "/api/job-execution/{ref}/stop"): {200, 401, 404, 409, 503},
}


def test_every_route_is_documented_with_its_statuses_and_fault_bodies(gateway):
    spec = requests.get(f"{gateway.url}/rest/openapi.json", timeout=10).json()
    served = {(method.lower(), re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
              for rule in gateway.app.url_map.iter_rules() if rule.endpoint.split(".")[0] in ("datameer", "datameer_v2")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(method, path) for path, operations in spec["paths"].items() for method in operations
                  if method != "parameters"}
    assert served == documented == set(EXPECTED)
    for (method, path), statuses in EXPECTED.items():
        responses = spec["paths"][path][method]["responses"]
        # at least these: kit.openapi adds what every route may meet (429, 500 ...; tests/test_docs.py)
        assert statuses <= {int(code) for code in responses}, (method, path)
        for code, response in responses.items():
            if int(code) >= 400:
                schema = response["content"]["application/json"]["schema"]["$ref"]
                assert schema == (V1 if path.startswith("/rest/") else V2), (method, path, code)
