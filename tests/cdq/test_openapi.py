"""The CDQ OpenAPI document lists every route with the statuses it answers, faults as CDQ's error document."""
import requests

ROUTES = {
    "/v2/jobs": {"get": {"200", "400", "401", "503"}, "post": {"200", "400", "401", "409", "503"}},
    "/v2/jobs/types": {"get": {"200", "401", "503"}},
    "/v2/jobs/{jobId}": {"get": {"200", "401", "404", "503"}, "put": {"200", "400", "401", "404", "503"},
                         "delete": {"204", "401", "404", "409", "503"}},
    "/v2/jobs/{jobId}/cancel": {"post": {"200", "401", "404", "409", "503"}},
    "/jobs/{jobId}/resultdata": {"put": {"200", "400", "401", "404", "503"}},
    "/jobs/{jobId}/results": {"get": {"200", "400", "401", "404", "503"}},
    "/jobs/results/fetchLast": {"post": {"200", "400", "401", "404", "503"}},
    "/v2/jobs/scheduled": {"get": {"200", "400", "401", "503"}, "post": {"200", "400", "401", "503"}},
    "/v2/jobs/scheduled/{scheduledJobId}": {"get": {"200", "401", "404", "503"},
                                            "delete": {"204", "401", "404", "503"}},
    "/v2/jobs/scheduled/{scheduledJobId}/pause": {"post": {"200", "401", "404", "503"}},
    "/v2/jobs/scheduled/{scheduledJobId}/resume": {"post": {"200", "401", "404", "503"}},
    "/jobs/processinglogs/{storageId}/{processingLogId}": {"get": {"200", "400", "401", "404", "503"}},
    "/oauth/token": {"post": {"200", "400", "401", "503"}},
}


def _spec(cdq_base):
    response = requests.get(f"{cdq_base}/cdq/openapi.json", timeout=10)
    assert response.status_code == 200
    return response.json()


def test_every_route_is_documented_with_its_statuses(cdq_base, cdq_gateway):
    spec = _spec(cdq_base)
    paths = {path.removeprefix("/cdq"): ops for path, ops in spec["paths"].items()}
    for path, methods in ROUTES.items():
        for method, statuses in methods.items():
            documented = set(paths[path][method]["responses"]) - {"default"}
            assert statuses <= documented, (path, method, documented)
    rules = {r.rule.removeprefix("/cdq").replace("<", "{").replace(">", "}")
             for r in cdq_gateway[1].url_map.iter_rules() if r.rule.startswith("/cdq/") and "openapi" not in r.rule
             and not r.rule.endswith("/docs")}
    assert rules == set(paths)


def test_faults_are_documented_as_the_cdq_error_document(cdq_base):
    spec = _spec(cdq_base)
    job = spec["paths"]["/cdq/v2/jobs/{jobId}"]["get"]["responses"]
    not_found = job["404"]["content"]["application/json"]["schema"]
    name = not_found["$ref"].rsplit("/", 1)[-1]
    assert set(spec["components"]["schemas"][name]["properties"]) == {"code", "technicalKey", "message"}
