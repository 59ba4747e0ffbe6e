"""The README's support table is the one the installed dialects generate; each dialect
documents itself (OpenAPI and a docs page) truthfully, and the docs page renders offline."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
from openapi_spec_validator import validate

from jobgate.kit.blueprint import DialectBlueprint
from jobgate.tools.docs import END, START, table

METHODS = ("get", "put", "post", "delete", "patch")


def test_readme_table_matches_the_dialects():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    generated = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert generated == table(), "run `python -m jobgate.tools.docs` to regenerate the README table"


def _dialects(gateway):
    return gateway.app.extensions["jobgate.dialects"].values()


def _document(gateway, dialect) -> dict:
    response = requests.get(f"{gateway.url}{_prefix(dialect)}/openapi.json", timeout=10)
    assert response.status_code == 200, dialect.name
    return response.json()


def _prefix(dialect) -> str:
    return dialect.prefix.split("<", 1)[0].rstrip("/")


def _operations(document):
    return [(path, method, op) for path, item in document["paths"].items()
            for method, op in item.items() if method in METHODS]


def test_every_dialect_serves_its_own_valid_openapi_document_and_docs_page(gateway):
    for dialect in _dialects(gateway):
        document = _document(gateway, dialect)
        assert document["info"]["title"] == dialect.title and document["paths"], dialect.name
        validate(document)
        ids = [op["operationId"] for _, _, op in _operations(document)]
        assert len(ids) == len(set(ids)) and all(op.get("summary") for _, _, op in _operations(document))
        page = requests.get(f"{gateway.url}{_prefix(dialect)}/docs", timeout=10)
        assert page.status_code == 200, dialect.name
        assert not re.findall(r"(?:src|href)=\"(?:https?:)?//", page.text), "the docs page loads nothing from outside"
        for asset in re.findall(r"(?:src|href)=\"(/[^\"]+)\"", page.text):
            assert requests.get(gateway.url + asset, timeout=10).status_code == 200, asset


def test_security_schemes_are_the_dialects_credentials_on_the_routes_that_read_them(gateway):
    for dialect in _dialects(gateway):
        document = _document(gateway, dialect)
        schemes = document["components"]["securitySchemes"]
        assert schemes == {s.name: s.openapi for s in dialect.credentials}, dialect.name
        login = [m.static_prefix for m in dialect.mounts() if not isinstance(m.blueprint, DialectBlueprint)]
        for path, method, op in _operations(document):
            if any(path.startswith(prefix) for prefix in login):
                assert "security" not in op, f"{dialect.name} {method} {path}: a login endpoint needs no token"
            elif not path.endswith("/openapi.json"):
                assert op["security"] == [{s.name: []} for s in dialect.credentials], f"{method} {path}"
    header = _document(gateway, next(d for d in _dialects(gateway) if d.name == "sahara"))
    assert header["components"]["securitySchemes"] == {
        "X-Auth-Token": {"type": "apiKey", "in": "header", "name": "X-Auth-Token"}}


def test_error_responses_are_the_statuses_and_documents_really_answered(gateway):
    documents = {d.name: _document(gateway, d) for d in _dialects(gateway)}
    for name, document in documents.items():
        assert "Error" not in document["components"].get("schemas", {}) or name == "cdq", (
            f"{name}: flask-smorest's generic Error schema is not a fault any dialect sends")
        for path, method, op in _operations(document):
            assert "default" not in op["responses"], f"{name} {method} {path}"
            assert "401" in op["responses"] or "security" not in op, f"{name} {method} {path}"
    # OCAPI and Sahara refuse bad input with 400, never 422; the native API's parser answers 422
    for name in ("ocapi", "sahara"):
        assert all("422" not in op["responses"] for _, _, op in _operations(documents[name])), name
    submit = documents["ocapi"]["paths"]["/dw/data/{version}/jobs/{job_id}/executions"]["post"]["responses"]
    refusals = submit["400"]["content"]["application/json"]["examples"]     # OCAPI's "already running" is a 400
    assert refusals["already_running"]["value"]["fault"]["type"] == "JobAlreadyRunningException"
    assert {"401", "404", "413", "429", "503"} <= set(submit)
    # its one 409 on a submit: an Idempotency-Key sent again with another request
    assert set(submit["409"]["content"]["application/json"]["examples"]) == {"idempotency_key_reused"}
    native = documents["native"]["paths"]["/api/v1/executions/{ref}"]["get"]["responses"]["404"]
    example = native["content"]["application/json"]["examples"]["execution_not_found"]["value"]
    assert example["error"]["code"] == "execution_not_found"


def test_every_route_documents_its_success(gateway):
    for dialect in _dialects(gateway):
        for path, method, op in _operations(_document(gateway, dialect)):
            assert any(code[0] in "23" for code in op["responses"]), f"{dialect.name} {method} {path}"
    log = _document(gateway, next(d for d in _dialects(gateway) if d.name == "native"))
    assert "text/plain" in log["paths"]["/api/v1/executions/{ref}/log"]["get"]["responses"]["200"]["content"]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (`apt-get install chromium`; .ci/run does)")
def test_docs_page_renders_the_operations_in_a_browser_with_no_internet(gateway, tmp_path):
    native = next(d for d in _dialects(gateway) if d.name == "native")
    ids = [op["operationId"] for _, _, op in _operations(_document(gateway, native))]
    rendered = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path}",
         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",   # nothing but this machine
         "--virtual-time-budget=5000", "--dump-dom", f"{gateway.url}{_prefix(native)}/docs"],
        capture_output=True, text=True, timeout=90, check=True).stdout
    missing = [i for i in ids if i not in rendered]
    assert not missing, f"not rendered: {missing}"
