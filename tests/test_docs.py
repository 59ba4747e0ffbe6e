"""The README's support table is the one the installed dialects generate; each dialect
documents itself (OpenAPI and a docs page)."""
from pathlib import Path

import requests

from jobgate.tools.docs import END, START, table


def test_readme_table_matches_the_dialects():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    generated = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert generated == table(), "run `python -m jobgate.tools.docs` to regenerate the README table"


def test_every_dialect_serves_its_own_openapi_document_and_docs_page(gateway):
    for mounted in gateway.app.extensions["jobgate.dialects"].values():
        prefix = mounted.prefix.split("<", 1)[0].rstrip("/")
        spec = requests.get(f"{gateway.url}{prefix}/openapi.json", timeout=10)
        assert spec.status_code == 200, mounted.name
        assert spec.json()["info"]["title"] == mounted.title and spec.json()["paths"], mounted.name
        assert requests.get(f"{gateway.url}{prefix}/docs", timeout=10).status_code == 200, mounted.name
