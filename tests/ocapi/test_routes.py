"""Both mounts, the version range, paging, client ids, submit bodies and deletion over the wire."""
import pytest
import requests

from jobgate.testing.parts import TOKENS
from tests.ocapi.conftest import Ocapi


@pytest.mark.parametrize("data", ["/dw/data/v17_2", "/s/-/dw/data/v19_5", "/s/RefArch/dw/data/v25_6",
                                  "/dw/data/v20_10", "/s/-/dw/data/v25_10"])
def test_every_mount_and_supported_version_runs_a_job(base_url, data):
    client = Ocapi(base_url, TOKENS["alice"], data=data)
    done = client.wait("QuickJob", client.run("QuickJob")["id"])
    assert done["status"] == "OK"
    assert done["_v"] == data.rsplit("/v", 1)[1].replace("_", ".")


def test_an_execution_is_the_same_under_both_mounts(base_url):
    plain = Ocapi(base_url, TOKENS["alice"], data="/dw/data/v19_5")
    site = Ocapi(base_url, TOKENS["alice"], data="/s/-/dw/data/v19_5")
    done = site.wait("QuickJob", plain.run("QuickJob")["id"])
    assert plain.call("GET", f"/jobs/QuickJob/executions/{done['id']}").json() == done


@pytest.mark.parametrize("options", [
    {}, {"data": "null", "headers": {"Content-Type": "application/json"}}, {"json": {}}, {"json": {"parameters": []}}])
def test_post_without_parameters(ocapi, options):
    response = ocapi.call("POST", "/jobs/QuickJob/executions", **options)
    assert response.status_code == 200, response.text
    assert ocapi.wait("QuickJob", response.json()["id"])["status"] == "OK"


def test_parameters_reach_the_job_and_a_null_value_is_empty(ocapi):
    sent = [{"name": "greeting", "value": "salut"}, {"name": "flag", "value": None}]
    done = ocapi.wait("QuickJob", ocapi.run("QuickJob", sent)["id"])
    log = ocapi.call("GET", f"//on/demandware.servlet/webdav/Sites/Impex/log/{done['log_file_name']}").text
    assert "greeting=salut" in log
    v25 = ocapi.call("GET", f"//dw/data/v25_6/jobs/QuickJob/executions/{done['id']}").json()
    assert [(p["name"], p["value"]) for p in v25["parameters"]] == [("greeting", "salut"), ("flag", "")]


def test_system_jobs_answer_202(ocapi):
    definition = {"id": "sfcc-site-archive-export", "steps": [{"type": "sleep", "params": {"seconds": 0}}]}
    ocapi.http.post(f"{ocapi.base_url}/api/v1/definitions", json=definition, timeout=10).raise_for_status()
    response = ocapi.call("POST", "/jobs/sfcc-site-archive-export/executions")
    assert response.status_code == 202 and response.json()["job_id"] == "sfcc-site-archive-export"


def test_paging_windows_with_next_and_previous(ocapi):
    ids = [ocapi.run("FailingJob")["id"] for _ in range(3)]
    first = ocapi.call("GET", "/jobs/FailingJob/executions", params={"start": 0, "count": 2}).json()
    total = first["total"]
    assert total >= 3 and first["count"] == 2 and first["start"] == 0
    assert first["next"] == {"count": 2, "start": 2} and "previous" not in first
    last = ocapi.call("GET", "/jobs/FailingJob/executions", params={"start": total - 1, "count": 2}).json()
    assert last["count"] == 1 and "next" not in last and last["previous"] == {"count": 2, "start": total - 3}
    assert [d["id"] for d in first["data"]] == ids[::-1][:2], "newest first"
    for execution_id in ids:
        ocapi.wait("FailingJob", execution_id)


def test_default_count_is_25(ocapi):
    parked = [ocapi.run("ParkedJob")["id"] for _ in range(26)]
    result = ocapi.call("GET", "/jobs/ParkedJob/executions").json()
    assert result["count"] == 25 and result["total"] >= 26
    for seq in parked:
        ocapi.native("POST", f"/executions/{seq}/cancel")


@pytest.mark.parametrize("options, expected", [
    ({}, "alice"),
    ({"params": {"client_id": "from-query"}}, "from-query"),
    ({"headers": {"x-dw-client-id": "from-header"}}, "from-header"),
    ({"params": {"client_id": "from-query"}, "headers": {"x-dw-client-id": "from-header"}}, "from-query"),
])
def test_client_id_with_a_static_token_comes_from_query_then_header(ocapi, options, expected):
    posted = ocapi.call("POST", "/jobs/QuickJob/executions", **options).json()
    assert posted["client_id"] == expected
    assert ocapi.wait("QuickJob", posted["id"])["client_id"] == expected


def test_delete_of_a_finished_execution(ocapi):
    done = ocapi.wait("QuickJob", ocapi.run("QuickJob")["id"])
    path = f"/jobs/QuickJob/executions/{done['id']}"
    response = ocapi.call("DELETE", path)
    assert response.status_code == 204 and response.content == b""
    assert ocapi.call("GET", path).status_code == 404
    assert ocapi.call("DELETE", path).status_code == 404


def test_an_execution_started_elsewhere_shows_who_started_it_and_its_parameters(base_url):
    started = requests.post(f"{base_url}/api/v1/executions", headers={"Authorization": "Bearer tok-alice"},
                        json={"definition": "QuickJob", "parameters": {"greeting": "hej", "count": 2}}, timeout=10).json()
    shown = Ocapi(base_url, TOKENS["alice"], data="/dw/data/v23_2").call(
        "GET", f"/jobs/QuickJob/executions/{started['seq']}").json()
    assert shown["client_id"] == "alice"
    assert {(p["name"], p["value"]) for p in shown["parameters"]} == {("greeting", "hej"), ("count", "2")}
