"""Searches of job and status terms come from the indexes a page at a time, and give exactly the
documents the matching scan gives over the same executions."""
import uuid

import pytest
import redis as redis_lib

from adapters.ocapi import search as search_module
from jobgate.store.executions import Store
from tests.ocapi.test_search import search, term
from tests.seeding import seed

RUN = uuid.uuid4().hex[:8]
JOBS = (f"ScaleA-{RUN}", f"ScaleB-{RUN}")


@pytest.fixture(scope="module")
def seeded(redis_url):
    store = Store(redis_lib.Redis.from_url(redis_url))
    return seed(store, "acme", JOBS[0], 22, origin="ocapi") + seed(store, "acme", JOBS[1], 15, origin="ocapi")


def jobs(*ids, operator="one_of"):
    return term("job_id", operator, *ids)


QUERIES = [
    jobs(JOBS[0], operator="is"),
    jobs(*JOBS),
    {"bool_query": {"must": [jobs(*JOBS), term("status", "one_of", "ERROR", "OK", "PENDING")]}},
    {"bool_query": {"must": [jobs(JOBS[1]), {"bool_query": {"must": [term("status", "is", "RUNNING", "ABORTED")]}}]}},
    {"filtered_query": {"query": jobs(*JOBS), "filter": {"bool_filter": {"operator": "and", "filters": [
        {"term_filter": {"field": "status", "operator": "one_of", "values": ["WARN", "ERROR", "OK"]}},
        {"query_filter": {"query": {"match_all_query": {}}}}]}}}},
    {"filtered_query": {"query": {}, "filter": {"term_filter": {"field": "job_id", "operator": "is",
                                                                "values": [JOBS[0]]}}}},
    {"bool_query": {"must": [jobs(JOBS[0]), jobs(JOBS[1])]}},
]
SORTS = [[], [{"field": "status", "sort_order": "asc"}], [{"field": "status", "sort_order": "desc"}],
         [{"field": "job_id", "sort_order": "asc"}], [{"field": "job_id", "sort_order": "desc"}]]
WINDOWS = [(0, 25), (3, 4), (20, 7), (36, 5), (100, 5)]


def steady(found):
    """A search result without what a clock changes: the duration of running executions."""
    hits = [{k: v for k, v in hit.items() if not (k == "duration" and hit["status"] == "RUNNING")}
            for hit in found["hits"]]
    return {**found, "hits": hits}


def scanned(query):
    """The same query in a shape the indexes do not serve (a `should` that always holds)."""
    return {"bool_query": {"must": [query], "should": [{"match_all_query": {}}]}}


@pytest.mark.parametrize("query", QUERIES)
def test_index_pages_are_the_scans_pages(ocapi, seeded, monkeypatch, query):
    cases = [(sorts, start, count) for sorts in SORTS for start, count in WINDOWS]
    wanted = []
    for sorts, start, count in cases:
        found = search(ocapi, scanned(query), sorts=sorts, start=start, count=count)
        wanted.append(steady({**found, "query": query}))
    assert all(w["total"] == wanted[0]["total"] for w in wanted)

    def refuse(*args, **kwargs):
        raise AssertionError("scanned")
    monkeypatch.setattr(search_module, "_scan", refuse)
    for (sorts, start, count), expected in zip(cases, wanted, strict=True):
        assert steady(search(ocapi, query, sorts=sorts, start=start, count=count)) == expected, (sorts, start, count)


def test_the_seeded_executions_are_found(ocapi, seeded):
    assert search(ocapi, jobs(*JOBS))["total"] == len(seeded) == 37


def test_other_queries_still_scan(ocapi, seeded):
    ranged = {"bool_query": {"must": [jobs(*JOBS)], "must_not": [term("status", "is", "PENDING")]}}
    found = search(ocapi, ranged, sorts=[{"field": "start_time", "sort_order": "desc"}], count=50)
    assert found["total"] == len([e for e in seeded if e.state.value not in ("CREATED", "QUEUED")])
