"""The malformed requests issue 12 measured as 500s (or HTML, or the wrong status), each kept:
sent over real HTTP to the gateway under gunicorn (`served_gateway`, as `jobgate serve` runs
it), as raw bytes where an HTTP library would refuse to send them. Each answers a 4xx in its
dialect's fault format (read by that dialect's suite driver); what gunicorn refuses before the
app answers in the dialect's format when gunicorn read the path, else in jobgate's own JSON.
"""
import base64
import json
import socket
import uuid

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from jobgate import limits
from jobgate.rules.checks import finite
from tests.dialects import cdq, datameer, native, ocapi, sahara, sas

DEEP = "[" * 1000 + "]" * 1000
HUGE = "9" * 5000
#: per dialect: its driver, and a route taking a JSON body
BODIES = {
    "native": (native.Driver, "POST", "/api/v1/executions"),
    "ocapi": (ocapi.Driver, "POST", f"{ocapi.DATA}/job_execution_search"),
    "sahara": (sahara.Driver, "POST", "/v1.1/acme/jobs"),
    "datameer": (datameer.Driver, "POST", "/api/job-execution/sequential-trigger"),
    "sas": (sas.Driver, "POST", "/jobExecution/jobs"),
    "cdq": (cdq.Driver, "POST", "/cdq/v2/jobs"),
}
#: per dialect: a list route reading its query string
LISTS = {
    "native": (native.Driver, "/api/v1/executions", "state"),
    "ocapi": (ocapi.Driver, f"{ocapi.DATA}/jobs/QuickJob/executions", "start"),
    "sahara": (sahara.Driver, "/v1.1/acme/job-executions", "limit"),
    "datameer": (datameer.Driver, "/rest/job-configuration/job-history/1", "start"),
    "sas": (sas.Driver, "/jobExecution/jobs", "filter"),
    "cdq": (cdq.Driver, "/cdq/v2/jobs", "limit"),
}


def as_alice(driver_class, gateway):
    return driver_class(gateway.url, "tok-alice")


def exchange(gateway, request: bytes, path: str) -> requests.Response:
    """`request`'s bytes as they are, on a connection of their own; the answer as requests reads one."""
    received = b""
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=30) as connection:
        try:
            connection.sendall(request)
            while chunk := connection.recv(65536):
                received += chunk
        except ConnectionResetError:        # it answered before reading all we sent, then closed
            pass
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *fields = head.decode("latin-1").split("\r\n")
    response = requests.Response()
    response.status_code = int(status_line.split()[1])
    response.headers = CaseInsensitiveDict(field.split(": ", 1) for field in fields)
    response._content = body[:int(response.headers.get("Content-Length", len(body)))]
    response.url, response.encoding = gateway.url + path, "utf-8"
    return response


def head(method: str, target: bytes, *fields: bytes) -> bytes:
    return b"\r\n".join([method.encode() + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1",
                         b"Connection: close", *fields, b"", b""])


def refused(driver, response, status: int):
    assert response.status_code == status, (response.status_code, response.text)
    return driver.fault(response)


def jobgate_fault(response, status: int, code: str) -> dict:
    """jobgate's own fault document, for what gunicorn refuses before it knows the path."""
    assert (response.status_code, response.headers["Content-Type"]) == (status, "application/json"), response.text
    error = response.json()["error"]
    assert error["code"] == code and error["request_id"], error
    return error


# -- bodies --------------------------------------------------------------------------------

@pytest.mark.parametrize("dialect", sorted(BODIES))
def test_json_nested_a_thousand_deep_is_a_malformed_body(served_gateway, dialect):
    driver_class, method, path = BODIES[dialect]
    driver = as_alice(driver_class, served_gateway)
    refused(driver, driver.send(method, path, data=DEEP, headers={"Content-Type": "application/json"}), 400)


def test_json_deep_enough_for_the_finite_check_is_refused_before_it(served_gateway):
    """~600 levels passed the decoder and broke checks.finite; the body limit refuses far sooner."""
    driver = as_alice(native.Driver, served_gateway)
    nested = "[" * 600 + "1.5" + "]" * 600
    body = f'{{"definition": "QuickJob", "parameters": {{"deep": {nested}}}}}'
    error = refused(driver, driver.send("POST", "/api/v1/executions", data=body,
                                        headers={"Content-Type": "application/json"}), 400)
    assert error.kind == "malformed_body" and f"deeper than {limits.JSON_DEPTH_MAX}" in error.body["message"]
    deep = [float("inf")]
    for _ in range(5000):
        deep = {"inner": [deep]}
    assert not finite(deep)              # walked without recursion: a step's records may nest this deep


@pytest.mark.parametrize("dialect", sorted(BODIES))
def test_an_integer_of_5000_digits_is_a_malformed_body(served_gateway, dialect):
    driver_class, method, path = BODIES[dialect]
    driver = as_alice(driver_class, served_gateway)
    refused(driver, driver.send(method, path, data=f'{{"count": {HUGE}}}', headers={"Content-Type": "application/json"}),
            400)


def test_a_lone_surrogate_in_a_body_is_a_malformed_body(served_gateway):
    driver = as_alice(cdq.Driver, served_gateway)
    body = '{"jobType": "\\ud800", "storageId": "s"}'
    error = refused(driver, driver.send("POST", "/cdq/jobs/results/fetchLast", data=body,
                                        headers={"Content-Type": "application/json"}), 400)
    assert "surrogate" in error.body["message"]


@pytest.mark.parametrize("driver_class, method, path", [
    (native.Driver, "PATCH", "/api/v1/definitions/QuickJob"),
    (sas.Driver, "PUT", f"/jobExecution/jobs/{uuid.uuid4()}"),
])
def test_an_if_match_of_5000_digits_is_refused(served_gateway, driver_class, method, path):
    driver = as_alice(driver_class, served_gateway)
    response = driver.send(method, path, json={"description": "x"}, headers={"If-Match": f'"{HUGE}"'})
    assert 400 <= response.status_code < 500, response.text
    driver.fault(response)


@pytest.mark.parametrize("query", [
    {"bool_query": {"must": 5}},
    {"bool_query": {"should": "x"}},
    {"filtered_query": {"query": 7, "filter": {"term_filter": {"field": "job_id", "operator": "is", "values": ["A"]}}}},
    {"filtered_query": {"filter": {"range_filter": {"field": "start_time", "from_inclusive": "yes"}}}},
    {"term_query": {"fields": ["id"], "operator": "is", "values": [{"nested": 1}]}},
])
def test_a_search_node_of_the_wrong_type_is_a_fault_naming_it(served_gateway, query):
    driver = as_alice(ocapi.Driver, served_gateway)
    error = refused(driver, driver.send("POST", f"{ocapi.DATA}/job_execution_search", json={"query": query}), 400)
    assert error.body["fault"]["type"] in ("BodyDecodingException", "InvalidSearchFieldTypeException"), error.body


def test_an_after_list_over_the_limit_is_refused(served_gateway):
    driver = as_alice(native.Driver, served_gateway)
    body = {"definition": "QuickJob", "after": [str(uuid.uuid4()) for _ in range(20_000)]}
    error = refused(driver, driver.send("POST", "/api/v1/executions", json=body), 400)
    assert error.body["details"] == {"after": ["too many"]} and str(limits.AFTER_MAX) in error.body["message"]


@pytest.mark.parametrize("driver_class, path", [(native.Driver, "/api/v1/executions"), (sahara.Driver, "/v1.1/acme/jobs")])
def test_a_chunked_body_over_the_limit_is_413(served_gateway, settings, driver_class, path):
    driver = as_alice(driver_class, served_gateway)
    body = json.dumps({"definition": "QuickJob", "parameters": {"blob": "x" * settings.max_body}}).encode()
    chunks = (body[i:i + 65536] for i in range(0, len(body), 65536))
    refused(driver, driver.send("POST", path, data=chunks, headers={"Content-Type": "application/json"}), 413)


# -- query strings and credentials -----------------------------------------------------------

@pytest.mark.parametrize("dialect", sorted(LISTS))
def test_a_raw_0xff_byte_in_an_authenticated_query_string_is_a_400(served_gateway, dialect):
    driver_class, path, name = LISTS[dialect]
    driver = as_alice(driver_class, served_gateway)
    credentials = driver.credentials() or {"Authorization": "Basic " + base64.b64encode(b"alice:s3cret").decode()}
    fields = [f"{k}: {v}".encode() for k, v in credentials.items()]
    response = exchange(served_gateway, head("GET", f"{path}?{name}=".encode() + b"\xff", *fields), path)
    refused(driver, response, 400)


NOT_ASCII = [b"Bearer tok-\xff", b"Bearer tok-\xc3\xa9"]


@pytest.mark.parametrize("driver_class, header, value", [
    (native.Driver, "Authorization", NOT_ASCII[0]), (ocapi.Driver, "Authorization", NOT_ASCII[1]),
    (sas.Driver, "Authorization", NOT_ASCII[0]), (cdq.Driver, "Authorization", NOT_ASCII[1]),
    (cdq.Driver, "X-API-KEY", b"tok-\xff"), (sahara.Driver, "X-Auth-Token", b"tok-\xc3\xa9"),
    (datameer.Driver, "Authorization", b"Basic \xff\xfe"),
    (datameer.Driver, "Authorization", b"Basic " + base64.b64encode(b"al\xffce:s3cret")),
])
def test_a_credential_that_is_not_ascii_or_utf8_is_a_401(served_gateway, driver_class, header, value):
    driver = driver_class(served_gateway.url, None)
    path = LISTS[driver.name][1]
    error = refused(driver, driver.send("GET", path, headers={header: value}), 401)
    assert error.kind == "unauthorized"


@pytest.mark.parametrize("path, form", [
    ("/dwsso/oauth2/access_token", {"grant_type": "client_credentials"}),
    ("/cdq/oauth/token", {"grant_type": "client_credentials"}),
    ("/SASLogon/oauth/token", {"grant_type": "password", "username": "alice", "password": "s3cret"}),
])
@pytest.mark.parametrize("value", [b"Basic \xff\xfe", b"Basic " + base64.b64encode(b"\xffalice:s3cret")])
def test_a_login_with_basic_credentials_that_are_not_text_is_an_oauth_401(served_gateway, path, form, value):
    response = requests.post(served_gateway.url + path, data=form, headers={"Authorization": value}, timeout=10)
    assert response.status_code == 401 and response.json()["error"] in ("invalid_client", "unauthorized"), response.text


@pytest.mark.parametrize("body", [
    '{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "alice", "password": "\\ud800"}}}}}',
    b'{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "al\xffce", "password": "x"}}}}}',
])
def test_a_keystone_login_that_is_not_unicode_is_a_400(served_gateway, body):
    response = requests.post(f"{served_gateway.url}/identity/v3/auth/tokens", data=body, timeout=10,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["code"] == 400, response.text


# -- what gunicorn refuses before the app ----------------------------------------------------

def test_a_request_line_over_gunicorns_limit_is_jobgates_json(served_gateway):
    target = b"/api/v1/executions?state=" + b"x" * 9000
    error = jobgate_fault(exchange(served_gateway, head("GET", target), "/"), 400, "invalid")
    assert "Request Line is too large" in error["message"]


def test_headers_over_gunicorns_limit_are_jobgates_json(served_gateway):
    response = exchange(served_gateway, head("GET", b"/v1.1/acme/jobs", b"X-Big: " + b"a" * 9000), "/")
    jobgate_fault(response, 431, "headers_too_large")


@pytest.mark.parametrize("driver_class, path", [(sahara.Driver, "/v1.1/acme/jobs"), (ocapi.Driver, "/dw/data/v23_2/jobs")])
def test_a_bad_content_length_answers_in_the_dialect_format(served_gateway, driver_class, path):
    driver = as_alice(driver_class, served_gateway)
    response = exchange(served_gateway, head("POST", path.encode(), b"Content-Length: abc"), path)
    error = refused(driver, response, 400)
    assert "CONTENT-LENGTH" in json.dumps(error.body)
