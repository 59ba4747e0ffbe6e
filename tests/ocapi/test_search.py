"""`POST /job_execution_search` with the queries, filters and sorts OCAPI clients send."""
import pytest

from jobgate.testing.parts import TOKENS
from tests.ocapi import samples
from tests.ocapi.check import fault_of, typed
from tests.ocapi.conftest import Ocapi


@pytest.fixture(scope="module")
def runs(base_url):
    """Two QuickJob successes and a FailingJob failure, finished: {id: document}."""
    client = Ocapi(base_url, TOKENS["alice"])
    posted = [client.run(job) for job in ("QuickJob", "FailingJob", "QuickJob")]
    return {p["id"]: client.wait(p["job_id"], p["id"]) for p in posted}


def search(client, query, **options):
    response = client.call("POST", "/job_execution_search", json={"query": query, **options})
    assert response.status_code == 200, response.text
    return response.json()


def ids_term(runs):
    return {"term_query": {"fields": ["id"], "operator": "one_of", "values": list(runs)}}


def term(field, operator, *values):
    return {"term_query": {"fields": [field], "operator": operator, "values": list(values)}}


def test_match_all_pages_with_totals(ocapi, runs):
    result = search(ocapi, {"match_all_query": {}}, count=1, start=1)
    typed(result, samples.SEARCH_RESULT_TYPES)
    assert (result["_v"], result["_type"], result["count"], result["start"]) == (
        "19.5", "job_execution_search_result", 1, 1)
    assert result["total"] >= 3 and result["next"] == {"count": 1, "start": 2}
    assert result["previous"] == {"count": 1, "start": 0}
    assert result["query"] == {"match_all_query": {}}


def test_bool_query_must_and_must_not(ocapi, runs):
    ok = search(ocapi, {"bool_query": {"must": [ids_term(runs), term("status", "is", "OK")]}})
    assert {h["id"] for h in ok["hits"]} == {i for i, d in runs.items() if d["job_id"] == "QuickJob"}
    failed = search(ocapi, {"bool_query": {"must": [ids_term(runs)], "must_not": [term("status", "is", "OK")]}})
    assert [(h["job_id"], h["status"]) for h in failed["hits"]] == [("FailingJob", "ERROR")]
    either = search(ocapi, {"bool_query": {"must": [ids_term(runs)], "should": [
        term("job_id", "is", "FailingJob"), term("job_id", "is", "NoSuchJob")]}})
    assert [h["job_id"] for h in either["hits"]] == ["FailingJob"]


def test_filtered_query_with_range_term_and_bool_filters(ocapi, runs):
    first = min(runs.values(), key=lambda d: d["start_time"])
    last = max(runs.values(), key=lambda d: d["start_time"])
    window = {"range_filter": {"field": "start_time", "from": first["start_time"], "to": last["start_time"],
                               "to_inclusive": False}}
    result = search(ocapi, {"filtered_query": {"query": ids_term(runs), "filter": window}})
    assert {h["id"] for h in result["hits"]} == {i for i, d in runs.items() if d["start_time"] < last["start_time"]}
    not_failing = {"bool_filter": {"operator": "not", "filters": [
        {"term_filter": {"field": "job_id", "operator": "is", "values": ["FailingJob"]}}]}}
    result = search(ocapi, {"filtered_query": {"query": ids_term(runs), "filter": not_failing}})
    assert {h["job_id"] for h in result["hits"]} == {"QuickJob"} and result["total"] == 2


def test_sorts_by_start_time_and_job_id(ocapi, runs):
    starts = sorted(d["start_time"] for d in runs.values())
    ascending = search(ocapi, ids_term(runs), sorts=[{"field": "start_time", "sort_order": "asc"}])
    assert [h["start_time"] for h in ascending["hits"]] == starts
    assert ascending["sorts"] == [{"field": "start_time", "sort_order": "asc"}]
    descending = search(ocapi, ids_term(runs), sorts=[{"field": "start_time", "sort_order": "desc"}])
    assert [h["start_time"] for h in descending["hits"]] == starts[::-1]
    by_job = search(ocapi, ids_term(runs), sorts=[{"field": "job_id"}, {"field": "start_time", "sort_order": "desc"}])
    assert [h["job_id"] for h in by_job["hits"]] == ["FailingJob", "QuickJob", "QuickJob"]
    assert by_job["hits"][1]["start_time"] >= by_job["hits"][2]["start_time"]


def test_the_b2c_tooling_running_job_lookup(ocapi):
    parked = ocapi.run("ParkedJob")
    query = {"bool_query": {"must": [term("job_id", "is", "ParkedJob"), term("status", "one_of", "RUNNING", "PENDING")]}}
    try:
        result = search(ocapi, query, count=1, start=0, sorts=[{"field": "start_time", "sort_order": "asc"}])
        assert result["count"] == 1 and result["hits"][0]["status"] == "PENDING"
    finally:
        ocapi.native("POST", f"/executions/{parked['id']}/cancel")
    assert parked["id"] not in {h["id"] for h in search(ocapi, query)["hits"]}


def test_another_tenant_finds_nothing_of_alice(as_user, runs):
    assert search(as_user("carol"), ids_term(runs))["total"] == 0


@pytest.mark.parametrize("body, type_", [
    ({"query": {"text_query": {"fields": ["job_id"], "search_phrase": "x"}}}, "UnknownPropertyException"),
    ({"query": term("job_id", "contains", "x")}, "EnumConstraintViolationException"),
    ({"query": term("status", "greater", "OK")}, "EnumConstraintViolationException"),
    ({"query": term("client_id", "is", "x")}, "EnumConstraintViolationException"),
    ({"query": term("start_time", "greater", "yesterday")}, "InvalidSearchFieldTypeException"),
    ({"query": term("id", "is", "abc")}, "InvalidSearchFieldTypeException"),
    ({"query": {"match_all_query": {}}, "sorts": [{"field": "id"}]}, "FieldNotSortableException"),
    ({"query": {"match_all_query": {}}, "count": 0}, "BodyDecodingException"),
    ({"query": {"term_query": {"fields": [], "operator": "is", "values": ["x"]}}}, "BodyDecodingException"),
    ({"query": {}}, "BodyDecodingException"),
    ({}, "BodyDecodingException"),
    ({"query": {"match_all_query": {}}, "highlight": True}, "UnknownPropertyException"),
])
def test_bad_searches_are_faults(ocapi, body, type_):
    fault_of(ocapi.call("POST", "/job_execution_search", json=body), 400, type_)


@pytest.mark.parametrize("pinned, unpinned", [
    (term("job_id", "is", "QuickJob"), term("job_id", "one_of", "QuickJob")),
    ({"filtered_query": {"query": {"match_all_query": {}},
                         "filter": {"term_filter": {"field": "status", "operator": "is", "values": ["ERROR"]}}}},
     term("status", "one_of", "ERROR")),
    ({"bool_query": {"must": [term("job_id", "is", "QuickJob"), term("status", "is", "OK")]}},
     {"bool_query": {"must": [term("job_id", "one_of", "QuickJob"), term("status", "one_of", "OK")]}}),
])
def test_queries_served_from_an_index_find_what_a_full_scan_finds(ocapi, runs, pinned, unpinned):
    narrowed = search(ocapi, pinned, count=200)
    scanned = search(ocapi, unpinned, count=200)
    assert narrowed["total"] == scanned["total"] > 0
    assert [h["id"] for h in narrowed["hits"]] == [h["id"] for h in scanned["hits"]]


@pytest.mark.parametrize("query", [
    {"term_query": {"fields": [["x"]], "operator": "is", "values": ["1"]}},
    {"term_query": {"fields": ["id"], "operator": ["is"], "values": ["1"]}},
    {"filtered_query": {"query": {"match_all_query": {}},
                        "filter": {"bool_filter": {"operator": {}, "filters": [
                            {"term_filter": {"field": "job_id", "operator": "is", "values": ["QuickJob"]}}]}}}},
    {"filtered_query": {"query": {"match_all_query": {}},
                        "filter": {"term_filter": {"field": {}, "operator": "is", "values": ["x"]}}}},
])
def test_queries_with_values_of_the_wrong_type_are_faults_not_500s(ocapi, query):
    response = ocapi.call("POST", "/job_execution_search", json={"query": query})
    assert response.status_code == 400, response.text
    assert response.json()["fault"]["type"] in ("EnumConstraintViolationException", "BodyDecodingException")
