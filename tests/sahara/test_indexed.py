"""Sahara lists the indexes answer (status filter, sort_by status, limit, marker) give exactly the
documents the in-memory listing gives over the same executions, without reading the tenant."""
import itertools
import uuid

import pytest
import redis as redis_lib

from adapters.sahara import routes
from adapters.sahara.listing import select
from jobgate.store.definitions import Definitions
from jobgate.store.executions import Store
from tests.sahara.test_wire import Api, assert_fault
from tests.seeding import seed

SPECIAL = {"status": lambda o, wanted: o["info"]["status"] == wanted.upper()}


@pytest.fixture(scope="module")
def seeded(sahara_base, redis_url):
    """A Shell template of its own with 33 executions in every state, and the plain list of them."""
    api = Api(sahara_base)
    job = api("POST", "/jobs", json={"name": f"scale-{uuid.uuid4().hex[:8]}", "type": "Shell"}).json()["job"]
    client = redis_lib.Redis.from_url(redis_url)
    made = seed(Store(client), "acme", Definitions(client, []).get("acme", job["id"]).id, 33)
    listed = api("GET", "/job-executions", params={"job_id": job["id"]}).json()["job_executions"]
    assert [e["id"] for e in listed] == [e.id for e in made], "creation order, oldest first"
    return api, job["id"], listed


@pytest.fixture
def no_scan(monkeypatch):
    """The in-memory listing, made to fail: what passes was served from the indexes."""
    def refuse(*args, **kwargs):
        raise AssertionError("listed in memory")
    monkeypatch.setattr(routes, "select", refuse)


def pages(api, query):
    """Every page of a list, following `next` markers."""
    found = [api("GET", "/job-executions", params=query).json()]
    while found[-1].get("markers", {}).get("next"):
        found.append(api("GET", "/job-executions", params={**query, "marker": found[-1]["markers"]["next"]}).json())
    return found


def expected(listed, query):
    page = select(listed, query, sort_keys=routes.EXECUTION_SORT, special=SPECIAL)
    return {"job_executions": page["items"], **({"markers": page["markers"]} if "markers" in page else {})}


@pytest.mark.parametrize("sort_by,status", itertools.product(
    [None, "status", "-status"], [None, "FAILED", "DONEWITHERROR", "tobekilled", "PENDING", "KILLED", "NOSUCH"]))
def test_filters_and_sorts_page_as_the_listing_does(seeded, no_scan, sort_by, status):
    api, job_id, listed = seeded
    for limit in (None, 1, 4):
        query = {k: v for k, v in {"job_id": job_id, "sort_by": sort_by, "status": status, "limit": limit}.items()
                 if v is not None}
        got = pages(api, query)
        for page in got:
            marker = {"marker": page["markers"]["prev"]} if page.get("markers", {}).get("prev") else {}
            assert expected(listed, {**query, **marker}) == api(
                "GET", "/job-executions", params={**query, **marker}).json()
        markers = [None] + [p["markers"]["next"] for p in got[:-1]]
        assert got == [expected(listed, {**query, **({"marker": m} if m else {})}) for m in markers]


def test_a_marker_outside_the_filter_is_not_found(seeded, no_scan):
    api, job_id, listed = seeded
    pending = next(e["id"] for e in listed if e["info"]["status"] == "PENDING")
    response = api("GET", "/job-executions", params={"job_id": job_id, "sort_by": "status", "status": "KILLED",
                                                     "marker": pending, "limit": 2})
    assert_fault(response, 404, "NOT_FOUND")


def test_a_sort_the_indexes_do_not_hold_still_lists(seeded):
    api, job_id, listed = seeded
    query = {"job_id": job_id, "sort_by": "-id", "limit": 5}
    assert api("GET", "/job-executions", params=query).json() == expected(listed, query)


def test_a_deleted_execution_leaves_the_indexed_lists(sahara_base, redis_url, no_scan):
    api = Api(sahara_base)
    job = api("POST", "/jobs", json={"name": f"gone-{uuid.uuid4().hex[:8]}", "type": "Shell"}).json()["job"]
    client = redis_lib.Redis.from_url(redis_url)
    definition = Definitions(client, []).get("acme", job["id"]).id
    made = seed(Store(client), "acme", definition, 11)
    query = {"job_id": job["id"], "status": "DONEWITHERROR", "limit": 5}
    (exited,) = [e["id"] for e in api("GET", "/job-executions", params=query).json()["job_executions"]]
    assert api("DELETE", f"/job-executions/{exited}").status_code == 204
    assert api("GET", "/job-executions", params=query).json() == {"job_executions": []}
    rest = api("GET", "/job-executions", params={"job_id": job["id"], "sort_by": "status"}).json()
    assert sorted(e["id"] for e in rest["job_executions"]) == sorted(e.id for e in made if e.id != exited)
    left = {m.decode() for key in client.scan_iter(match="jg:ix:acme:*") for m in client.zrange(key, 0, -1)}
    assert exited not in left and {e.id for e in made} - {exited} <= left
