"""PUT /jobDefinitions/definitions/{id}: a whole definition replaced, as SAS's Job Definitions
API documents it (If-Match on the ETag, or If-Unmodified-Since; 428 without, 412 when stale)."""
import uuid

import pytest

from jobgate.testing.parts import TOKENS
from tests.sas.conftest import Sas

DEFINITION = "application/vnd.sas.job.definition+json"
HEADERS = {"Content-Type": DEFINITION, "Accept": DEFINITION}


@pytest.fixture
def made(typed_base):
    """A Compute definition of alice's (its step counts to `count`), and her client."""
    sas = Sas(typed_base, TOKENS["alice"])
    body = {"version": 2, "name": f"Print{uuid.uuid4().hex[:8]}", "description": "first", "type": "Compute",
            "code": "proc print data=sashelp.class; run;",
            "parameters": [{"version": 1, "name": "count", "defaultValue": "2", "type": "NUMERIC", "label": "Count",
                            "required": False}]}
    created = sas.post("/jobDefinitions/definitions", json=body, headers=HEADERS)
    assert created.status_code == 201, created.text
    yield sas, created.headers["Location"]
    sas.delete(created.headers["Location"])


def error(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/vnd.sas.error+json")
    doc = response.json()
    assert (doc["httpStatusCode"], doc["errorCode"], doc["version"]) == (status, code, 2), doc
    return doc


def test_put_replaces_the_definition_and_its_runs_use_the_new_one(made):
    sas, uri = made
    current = sas.get(uri)
    doc = current.json()
    assert {link["rel"]: link["method"] for link in doc["links"]}["update"] == "PUT"
    replacement = {**doc, "name": "Proc print with AGE filter", "description": "second",
                   "code": "proc print data=sashelp.class; where age > &AGE; run;",
                   "parameters": [*doc["parameters"], {"version": 1, "name": "AGE", "defaultValue": "10",
                                                       "type": "NUMERIC", "label": "Lowest age", "required": False}]}
    replacement["parameters"][0] = {**replacement["parameters"][0], "defaultValue": "4"}
    changed = sas.put(uri, json=replacement, headers={**HEADERS, "If-Match": current.headers["ETag"]})
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] != current.headers["ETag"]
    shown = sas.get(uri).json()
    assert shown == changed.json()
    assert (shown["id"], shown["name"], shown["description"], shown["code"]) == (
        doc["id"], "Proc print with AGE filter", "second", replacement["code"])
    assert [(p["name"], p["defaultValue"]) for p in shown["parameters"]] == [("count", "4"), ("AGE", "10")]
    assert (shown["createdBy"], shown["modifiedBy"]) == ("alice", "alice")
    found = sas.get("/jobDefinitions/definitions", params={"filter": "eq(name,'Proc print with AGE filter')"})
    assert [item["id"] for item in found.json()["items"]] == [doc["id"]]
    job = sas.post("/jobExecution/jobs", json={"jobDefinitionUri": uri}).json()
    done = sas.wait(job["id"])
    assert done["state"] == "completed" and '"counted": 4' in done["results"]["result.json"], done


def test_put_without_a_precondition_is_428_and_with_a_stale_one_412(made):
    sas, uri = made
    first = sas.get(uri)
    doc = first.json()
    missing = sas.put(uri, json={**doc, "description": "no precondition"}, headers=HEADERS)
    assert "If-Match" in error(missing, 428, 1010)["message"]
    assert sas.put(uri, json={**doc, "description": "fresh"},
                   headers={**HEADERS, "If-Match": first.headers["ETag"]}).status_code == 200
    stale = sas.put(uri, json={**doc, "description": "stale"}, headers={**HEADERS, "If-Match": first.headers["ETag"]})
    error(stale, 412, 1013)
    old = sas.put(uri, json={**doc, "description": "old"},
                  headers={**HEADERS, "If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    error(old, 412, 1013)
    assert sas.get(uri).json()["description"] == "fresh"
    since = sas.put(uri, json={**doc, "description": "unmodified since"},
                    headers={**HEADERS, "If-Unmodified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"})
    assert since.status_code == 200 and since.json()["description"] == "unmodified since"


def test_put_refuses_bodies_that_do_not_fit(made):
    sas, uri = made
    current = sas.get(uri)
    doc, headers = current.json(), {**HEADERS, "If-Match": current.headers["ETag"]}
    other_id = error(sas.put(uri, json={**doc, "id": str(uuid.uuid4())}, headers=headers), 400, 0)
    assert "does not match" in other_id["message"]
    unserved = error(sas.put(uri, json={**doc, "type": "casl"}, headers=headers), 400, 0)
    assert "Compute" in unserved["remediation"]
    error(sas.put(uri, data="description=x", headers={**headers, "Content-Type": "text/plain"}), 415, 0)
    error(sas.put(uri, json={**doc, "name": "x" * 256}, headers=headers), 400, 0)
    assert sas.get(uri).headers["ETag"] == current.headers["ETag"]


def test_catalog_definitions_and_other_tenants_ones_cannot_be_replaced(made, typed_base):
    sas, uri = made
    catalog = sas.get(sas.definition_uri("QuickJob"))
    refused = sas.put(catalog.url.removeprefix(typed_base), json={**catalog.json(), "description": "not allowed"},
                      headers={**HEADERS, "If-Match": catalog.headers["ETag"]})
    assert "catalog job" in error(refused, 400, 0)["message"]
    assert sas.get(sas.definition_uri("QuickJob")).json() == catalog.json()
    mine = sas.get(uri)
    carol = Sas(typed_base, TOKENS["carol"])
    error(carol.put(uri, json={**mine.json(), "description": "carol's"},
                    headers={**HEADERS, "If-Match": mine.headers["ETag"]}), 404, 0)
    error(sas.put(f"/jobDefinitions/definitions/{uuid.uuid4()}", json=mine.json(),
                  headers={**HEADERS, "If-Match": '"1"'}), 404, 0)
    assert sas.get(uri).json() == mine.json()
