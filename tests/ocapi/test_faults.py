"""Every failure is an OCAPI fault document with the documented type and status, never a 500."""
import pytest

from tests.ocapi import samples
from tests.ocapi.check import fault_of


def test_unknown_execution_fault_is_the_17_2_sample(ocapi):
    response = ocapi.call("GET", "//dw/data/v17_2/jobs/QuickJob/executions/987654321")
    fault = fault_of(response, 404, "JobExecutionNotFoundException", "17.2")
    expected = samples.NOT_FOUND_17_2["fault"]
    assert fault["arguments"] == {"executionId": "987654321"}
    assert fault["message"] == expected["message"].replace("'90'", "'987654321'")


@pytest.mark.parametrize("path", ["/jobs/QuickJob/executions/nope", "/jobs/NoSuchJob/executions/1",
                                  "/jobs/QuickJob/executions/00000000-0000-4000-8000-000000000000"])
def test_unknown_job_or_execution_id_is_execution_not_found(ocapi, path):
    fault_of(ocapi.call("GET", path), 404, "JobExecutionNotFoundException")


def test_execution_under_another_job_or_tenant_is_not_found(ocapi, as_user):
    execution = ocapi.run("QuickJob")
    fault_of(ocapi.call("GET", f"/jobs/FailingJob/executions/{execution['id']}"), 404, "JobExecutionNotFoundException")
    carol = as_user("carol")
    for method in ("GET", "DELETE"):
        fault_of(carol.call(method, f"/jobs/QuickJob/executions/{execution['id']}"), 404,
                 "JobExecutionNotFoundException")
    ocapi.wait("QuickJob", execution["id"])


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unknown_job_is_job_not_found(ocapi, method):
    fault = fault_of(ocapi.call(method, "/jobs/CustomerImportJob/executions"), 404, "JobNotFoundException")
    assert fault == {"arguments": {"jobId": "CustomerImportJob"}, "type": "JobNotFoundException",
                     "message": "No job with ID 'CustomerImportJob' found."}


def test_a_job_seq_is_no_job_id(ocapi, service):
    seq = service.catalog.get("acme", "QuickJob").seq
    fault_of(ocapi.call("POST", f"/jobs/{seq}/executions"), 404, "JobNotFoundException")


def test_second_execution_of_a_non_concurrent_job_is_already_running(ocapi):
    first = ocapi.run("ExclusiveJob")
    fault = fault_of(ocapi.call("POST", "/jobs/ExclusiveJob/executions"), 400, "JobAlreadyRunningException")
    assert fault["arguments"] == {"jobId": "ExclusiveJob"}
    ocapi.native("POST", f"/executions/{first['id']}/cancel")


def test_delete_before_the_end_is_not_finished_and_resource_state_is_checked(ocapi):
    parked = ocapi.run("ParkedJob")
    path = f"/jobs/ParkedJob/executions/{parked['id']}"
    fault = fault_of(ocapi.call("DELETE", path), 403, "JobExecutionNotFinishedException")
    assert fault["arguments"] == {"executionId": parked["id"]}
    ocapi.native("POST", f"/executions/{parked['id']}/cancel")
    stale = parked["_resource_state"]
    fault_of(ocapi.call("DELETE", path, headers={"x-dw-resource-state": stale}), 409, "ResourceStateConflictException")
    current = ocapi.call("GET", path).json()["_resource_state"]
    response = ocapi.call("DELETE", path, headers={"x-dw-resource-state": current})
    assert response.status_code == 204 and response.content == b""
    fault_of(ocapi.call("GET", path), 404, "JobExecutionNotFoundException")


@pytest.mark.parametrize("query", ["count=0", "count=201", "count=abc", "count=2.5", "start=-1", "start=x", "start=",
                                   "start=2147483648", "start=99999999999999999999"])
def test_out_of_range_paging_is_malformed_parameter(ocapi, query):
    fault = fault_of(ocapi.call("GET", f"/jobs/QuickJob/executions?{query}"), 400, "MalformedParameterException")
    name, value = query.split("=")
    assert fault["arguments"] == {"parameter": name, "value": value}


@pytest.mark.parametrize("body, type_", [
    ('{"parameters": [', "BodyDecodingException"),
    ('{"parameters": {"a": "b"}}', "BodyDecodingException"),
    ('{"parameters": [{"name": "a"}]}', "BodyDecodingException"),
    ('{"parameters": [{"name": " a", "value": "b"}]}', "BodyDecodingException"),
    ('{"parameters": [{"name": "a", "value": ""}]}', "BodyDecodingException"),
    ('{"parameters": [{"name": "a", "value": "%s"}]}' % ("x" * 1001), "BodyDecodingException"),
    ('{"parameters": [{"name": "%s", "value": "b"}]}' % ("n" * 257), "BodyDecodingException"),
    ('{"parameters": [{"name": "a\\u0000b", "value": "b"}]}', "BodyDecodingException"),
    ('{"parameters": [{"name": "a", "value": "b"}, {"name": "a", "value": "c"}]}', "BodyDecodingException"),
    ('[]', "BodyDecodingException"),
    ('{"parameters": null}', "BodyDecodingException"),
    ('{"parameters": [{"name": "a", "value": 5}]}', "BodyDecodingException"),
    ('{"file_name": "site.zip", "mode": "merge"}', "UnknownPropertyException"),
    ('{"parameters": [{"name": "a", "value": "b", "kind": "x"}]}', "UnknownPropertyException"),
])
def test_bad_execution_requests(ocapi, body, type_):
    response = ocapi.call("POST", "/jobs/QuickJob/executions", data=body, headers={"Content-Type": "application/json"})
    fault = fault_of(response, 400, type_)
    if type_ == "UnknownPropertyException":
        assert fault["arguments"]["property"] in ("file_name", "mode", "parameters.0.kind")


@pytest.mark.parametrize("headers, type_", [
    ({}, "InvalidAuthorizationHeaderException"),
    ({"Authorization": "Basic YWxpY2U6czNjcmV0"}, "InvalidAuthorizationHeaderException"),
    ({"Authorization": "Bearer"}, "InvalidAuthorizationHeaderException"),
    ({"Authorization": "Bearer not-a-token"}, "InvalidAccessTokenException"),
])
def test_missing_malformed_or_unknown_credentials_are_401(as_user, headers, type_):
    client = as_user("nobody")
    client.http.headers.pop("Authorization", None)
    fault_of(client.call("GET", "/jobs/QuickJob/executions", headers=headers), 401, type_)


@pytest.mark.parametrize("segment", ["v17_1", "v26_1", "v16_8", "v19_05", "v19_11", "v19", "latest", "V19_5"])
def test_unknown_or_malformed_version_is_invalid_version(ocapi, segment):
    response = ocapi.call("GET", f"//s/-/dw/data/{segment}/jobs/QuickJob/executions")
    fault_of(response, 400, "InvalidVersionException", segment.removeprefix("v").replace("_", "."))


def test_missing_version_is_invalid_version(ocapi):
    fault_of(ocapi.call("GET", "//dw/data//jobs/QuickJob/executions"), 400, "InvalidVersionException", "")


def test_unknown_path_and_method(ocapi):
    fault = fault_of(ocapi.call("GET", "/jobs/QuickJob"), 404, "ResourcePathNotFoundException")
    assert fault["arguments"] == {"resourcePath": "/s/-/dw/data/v19_5/jobs/QuickJob"}
    fault_of(ocapi.call("PUT", "/jobs/QuickJob/executions"), 405, "MethodNotAllowedException")


@pytest.mark.parametrize("options", [
    {"params": {"format": "xml"}},
    {"headers": {"Accept": "application/xml"}},
    {"headers": {"Accept": "text/xml, application/xml;q=0.9"}},
])
def test_xml_is_refused_with_415_and_a_json_fault(ocapi, options):
    fault = fault_of(ocapi.call("GET", "/jobs/QuickJob/executions", **options), 415, "UnsupportedMediaTypeException")
    assert "mediaType" in fault["arguments"]


@pytest.mark.parametrize("body, media_type", [("<job_execution_request/>", "application/xml"),
                                              ("<job_execution_request/>", "text/xml"),
                                              ("a=b", "application/x-www-form-urlencoded")])
def test_non_json_bodies_are_refused_with_415(ocapi, body, media_type):
    response = ocapi.call("POST", "/jobs/QuickJob/executions", data=body, headers={"Content-Type": media_type})
    assert fault_of(response, 415, "UnsupportedMediaTypeException")["arguments"] == {"mediaType": media_type}


@pytest.mark.parametrize("accept", ["application/json", "*/*", "application/xml, application/json;q=0.5"])
def test_json_acceptors_get_json(ocapi, accept):
    response = ocapi.call("GET", "/jobs/QuickJob/executions", headers={"Accept": accept}, params={"format": "json"})
    assert response.status_code == 200 and response.json()["_type"] == "job_execution_result"


def test_oversized_body_is_a_fault_not_a_crash(ocapi):
    body = '{"parameters": [{"name": "a", "value": "%s"}]}' % ("x" * (2 << 20))
    response = ocapi.call("POST", "/jobs/QuickJob/executions", data=body, headers={"Content-Type": "application/json"})
    fault_of(response, 413, "RequestEntityTooLargeException")
