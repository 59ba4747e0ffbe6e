"""Checks of documents against the reference: property types (recursively) and fault documents."""
import re

from tests.ocapi import samples

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
NESTED = {"exit_status": samples.STATUS_TYPES, "step_executions": samples.STEP_TYPES,
          "parameters": samples.PARAMETER_TYPES, "data": samples.EXECUTION_TYPES, "hits": samples.EXECUTION_TYPES}


def typed(document: dict, types: dict) -> None:
    unknown = set(document) - set(types)
    assert not unknown, f"properties the reference does not have: {unknown}"
    for key, value in document.items():
        expected = types[key]
        if expected == samples.DATETIME:
            assert isinstance(value, str) and TIMESTAMP.match(value), (key, value)
        else:
            assert type(value) is expected, (key, value)
        if key in NESTED:
            for item in value if isinstance(value, list) else [value]:
                typed(item, NESTED[key])


VERSION = "19.5"


def fault_of(response, status: int, type_: str, version: str | None = VERSION) -> dict:
    """The fault of an OCAPI fault document, checked; `version` None: a fault outside the Data API."""
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == ({"_v", "fault"} if version is not None else {"fault"}), body
    assert body.get("_v") == version
    typed(body["fault"], samples.FAULT_TYPES)
    assert body["fault"]["type"] == type_, body
    assert response.headers["Content-Type"] == "application/json;charset=UTF-8"
    return body["fault"]
