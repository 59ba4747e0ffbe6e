"""Every SAS route is in the dialect's OpenAPI document with the status codes it answers."""
import requests

#: path -> method -> the status codes it answers
EXPECTED = {
    "/jobExecution/jobs/{job_id}": {"put": {"200", "400", "401", "404", "405", "406", "412", "415", "428", "503"},
                                    "delete": {"204", "401", "404", "503"}},
    "/jobExecution/jobs/{job_id}/state": {"put": {"200", "400", "401", "404", "405", "503"}},
    "/jobExecution/jobs/{job_id}/expirationTimeStamp": {"put": {"200", "204", "400", "401", "404", "409", "503"}},
    "/jobExecution/jobs": {"post": {"200", "201", "400", "401", "404", "406", "409", "415", "503"}},
    "/SASLogon/oauth/token": {"post": {"200", "400", "401", "503"}},
}


def test_every_route_is_documented(base_url, gateway):
    document = requests.get(f"{base_url}/jobExecution/openapi.json", timeout=10).json()
    prefixes = ("/jobExecution", "/jobDefinitions", "/files", "/SASLogon")
    served = {}
    for rule in gateway.app.url_map.iter_rules():
        if rule.rule.startswith(prefixes) and not rule.rule.endswith(("openapi.json", "/docs")):
            path = rule.rule.replace("<", "{").replace(">", "}")
            served.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    document["paths"] = {path: {m: op for m, op in ops.items() if m != "parameters"}
                         for path, ops in document["paths"].items()}
    documented = {path: set(ops) for path, ops in document["paths"].items()}
    assert served == documented


def test_status_codes_and_fault_documents(base_url):
    paths = requests.get(f"{base_url}/jobExecution/openapi.json", timeout=10).json()["paths"]
    for path, methods in EXPECTED.items():
        for method, codes in methods.items():
            # at least these: kit.openapi adds what every route may meet (429, 500 ...; tests/test_docs.py)
            assert codes <= set(paths[path][method]["responses"]), (path, method)
    job_404 = paths["/jobExecution/jobs/{job_id}"]["get"]["responses"]["404"]["content"]
    assert list(job_404) == ["application/vnd.sas.error+json"]
    state_404 = paths["/jobExecution/jobs/{job_id}/state"]["get"]["responses"]["404"]["content"]
    assert list(state_404) == ["text/plain"]
