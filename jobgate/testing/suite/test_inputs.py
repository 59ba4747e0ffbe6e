"""Malformed input through one dialect's wire: whatever a client sends, the answer is never a
5xx, and one of 400 or more is the dialect's own fault document (read by its driver's `fault`).

Random requests go to every route of the dialect's mounts (from the gateway's url_map; login
endpoints, whose documents are OAuth's or Keystone's, are left to their own tests); the driver's
`samples` are varied one field at a time: another type, a nest too deep, a number too long, text
that is not Unicode, a query that is not UTF-8. Bounded (property-based, a few dozen examples
per test, no deadline, no example database) so the whole suite stays quick.
"""
from __future__ import annotations

import json
import re
from urllib.parse import quote, quote_from_bytes

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = 40
BOUNDED = settings(max_examples=EXAMPLES, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: JSON texts no valid request holds: nests past any limit, numbers Python will not read, lone surrogates,
#: non-finite numbers, a huge string and a huge list
ODD_JSON = ["[" * 65 + "]" * 65, "[" * 1000 + "]" * 1000, '{"a": ' * 700 + "1" + "}" * 700, "9" * 101,
            "9" * 4301, "-" + "9" * 5000 + ".5", "1e400", "-1e400", "NaN", "Infinity", '"\\ud800"', '"x\\udc00"',
            '"' + "x" * 100_000 + '"', "[" + ",".join(["1"] * 50_000) + "]"]
ODD_QUERY = ["9" * 101, "-1", "1e400", "nan", "%FF", "%ED%A0%80", "and(" * 40 + ")" * 40, "eq(" * 400, "x" * 2000]
_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
json_texts = st.one_of(json_values.map(json.dumps), st.sampled_from(ODD_JSON))
query_values = st.one_of(st.text(max_size=30).map(lambda t: quote(t, safe="")),
                         st.binary(max_size=12).map(quote_from_bytes), st.sampled_from(ODD_QUERY))
#: path arguments that name nothing real (never a small number: a random DELETE must not hit a run;
#: never a bare ".." either, which the client folds away with the segment before it)
path_values = st.one_of(st.text(min_size=1, max_size=16).map(lambda t: "fz" + t),
                        st.integers(min_value=10**12).map(str),
                        st.sampled_from(["-1", "0x1", "%FF", "...", " ", "9" * 5000]))


def answered(driver, response) -> None:
    """No 5xx; a fault in the dialect's format. `response` was sent with stream=True: an event
    stream that opened is an answer (it would never end), anything else is read whole."""
    if response.ok and response.headers.get("Content-Type", "").startswith("text/event-stream"):
        response.close()
        return
    assert response.status_code < 500, (response.request.method, response.url[:300], response.status_code,
                                        response.text[:500])
    if response.status_code >= 400:
        driver.fault(response)


def routes(app, dialect) -> list[tuple[str, str]]:
    """(rule, method) of every route of the dialect's own-format mounts."""
    names = {mount.name or mount.blueprint.name for mount in dialect.mounts() if mount.render_fault is None}
    return sorted((rule.rule, method) for rule in app.url_map.iter_rules()
                  if rule.endpoint.partition(".")[0] in names for method in rule.methods - {"HEAD", "OPTIONS"})


def query_string(pairs: dict[str, str]) -> str:
    return "&".join(f"{quote(name, safe='')}={value}" for name, value in pairs.items())


def nodes(document, where=()):
    """Every place in a JSON document, the whole of it first."""
    yield where
    children = document.items() if isinstance(document, dict) else enumerate(document) \
        if isinstance(document, list) else ()
    for key, inner in children:
        yield from nodes(inner, (*where, key))


def replaced(document, where: tuple, text: str) -> str:
    """The document's JSON text with the value at `where` replaced by `text` (any JSON text, or none)."""
    if not where:
        return text
    marker = "\0replaced\0"
    copy = json.loads(json.dumps(document))
    node = copy
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = marker
    return json.dumps(copy).replace(json.dumps(marker), text)


def test_random_requests_to_every_route_get_faults_in_the_dialect_format(driver, suite_gateway, requirements):
    planned = routes(suite_gateway.app, requirements.dialect)
    assert planned, "the dialect's mounts hold no routes"

    @BOUNDED
    @given(route=st.sampled_from(planned), data=st.data(), body=st.none() | json_texts,
           query=st.dictionaries(st.text(max_size=8), query_values, max_size=3))
    def request(route, data, body, query):
        rule, method = route
        path = _ARGUMENT.sub(lambda _: quote(data.draw(path_values), safe=""), rule)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        answered(driver, driver.send(method, f"{path}?{query_string(query)}", data=body, headers=headers, stream=True))

    request()


def test_varied_samples_get_faults_in_the_dialect_format(driver):
    samples = driver.samples()
    assert samples, "the driver gives no samples of its clients' requests"

    @BOUNDED
    @given(sample=st.sampled_from(samples), data=st.data())
    def request(sample, data):
        query = {name: quote(str(value), safe="") for name, value in (sample.params or {}).items()}
        body = None if sample.json is None else json.dumps(sample.json)
        if body is not None and data.draw(st.booleans()):
            body = replaced(sample.json, data.draw(st.sampled_from(list(nodes(sample.json)))), data.draw(json_texts))
        else:
            names = st.sampled_from(sorted(query)) if query else st.nothing()
            query[data.draw(names | st.text(max_size=8))] = data.draw(query_values)
        headers = {"Content-Type": "application/json", **(sample.headers or {})} if body is not None else {}
        answered(driver, driver.send(sample.method, f"{sample.path}?{query_string(query)}", data=body,
                                     headers=headers, stream=True))

    request()


__all__ = [name for name in dir() if name.startswith("test_")]
