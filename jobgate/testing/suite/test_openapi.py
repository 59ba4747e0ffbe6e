"""The dialect's OpenAPI document tells the truth: it is a valid document, and what the dialect
answers to its clients' requests (a submit, a status, a list, its samples, a 404, a 401, a 400)
is documented there: each request matches an operation, the status is one that operation
documents, and the body meets the schema documented for that status and media type."""
from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

import pytest
import requests
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from openapi_spec_validator import validate

from jobgate.testing.driver import WireError


def _document(requirements, suite_gateway) -> dict:
    prefix = requirements.dialect.prefix.split("<", 1)[0].rstrip("/")
    response = requests.get(f"{suite_gateway.url}{prefix}/openapi.json", timeout=10)
    assert response.status_code == 200
    return response.json()


def test_openapi_document_is_valid(requirements, suite_gateway):
    document = _document(requirements, suite_gateway)
    validate(document)
    for path, item in document["paths"].items():
        for method, operation in _operations(item):
            assert operation.get("operationId") and operation.get("summary"), f"{method} {path}"
            assert any(code[0] in "23" for code in operation["responses"]), f"{method} {path}: no success response"


def test_answers_are_the_documented_ones(requirements, suite_gateway, driver, as_user):
    document = _document(requirements, suite_gateway)
    seen: list[requests.Response] = []
    stranger = as_user("nobody", "not-a-real-token")
    for who in (driver, stranger):
        who.http.hooks["response"].append(lambda response, *args, **kwargs: seen.append(response))
    driver.wait(driver.submit("QuickJob"))
    driver.page("QuickJob", 0, 2)
    with pytest.raises(WireError):
        driver.get(driver.ref("00000000-0000-4000-8000-000000000000", 987654321))
    with pytest.raises(WireError):
        stranger.submit("QuickJob")
    samples = driver.samples()
    for sample in samples:
        driver.send(sample.method, sample.path, json=sample.json, params=sample.params, headers=sample.headers)
    malformed = next(s for s in samples if s.json is not None)
    refused = driver.send(malformed.method, malformed.path, json=12345, params=malformed.params)
    assert 400 <= refused.status_code < 500, refused.text
    assert {r.status_code for r in seen} >= {401, 404}
    problems = [problem for response in seen for problem in _undocumented(document, response)]
    assert not problems, "\n".join(problems)


def _operations(item: dict):
    return [(m, op) for m, op in item.items() if m in ("get", "put", "post", "delete", "patch", "head")]


def _undocumented(document: dict, response: requests.Response) -> list[str]:
    """What about this answer its document does not say."""
    method, path = response.request.method.lower(), unquote(urlsplit(response.request.url).path)
    said = f"{method.upper()} {path} -> {response.status_code}"
    operation = _operation(document, method, path)
    if operation is None:
        return [f"{said}: no operation documents it"]
    documented = operation["responses"].get(str(response.status_code)) or operation["responses"].get("default")
    if documented is None:
        return [f"{said}: status not documented (only {sorted(operation['responses'])})"]
    content = documented.get("content") or {}
    if not response.content or not content:
        return []
    mimetype = response.headers.get("Content-Type", "").split(";")[0].strip()
    media = content.get(mimetype) or content.get("*/*")
    if media is None:
        return [f"{said}: {mimetype} not documented (only {sorted(content)})"]
    if not mimetype.endswith("json"):
        return []
    validator = OAS30Validator({**media.get("schema", {}), "components": document.get("components", {})},
                               format_checker=oas30_format_checker)
    return [f"{said}: {error.message} at {list(error.absolute_path)}" for error in validator.iter_errors(response.json())]


def _operation(document: dict, method: str, path: str) -> dict | None:
    """The operation a request path matches: a literal path before a templated one, a parameter
    within a segment before one spanning segments (a `path` converter's)."""
    candidates = sorted(document["paths"].items(), key=lambda entry: entry[0].count("{"))
    for parameter in ("[^/]+", ".+"):
        for template, item in candidates:
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", parameter, re.escape(template)) + "$"
            if re.match(pattern, path) and method in item:
                return item[method]
    return None


__all__ = [name for name in dir() if name.startswith("test_")]
