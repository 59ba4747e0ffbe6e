"""Checks a document against a property-type table, recursively for the nested documents."""
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
