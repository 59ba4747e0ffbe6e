"""The SAS filter language and sortBy: parsing (every form real clients send), errors, evaluation."""
import pytest

from adapters.sas import filters
from adapters.sas.faults import SasError
from adapters.sas.listing import JOB_ALIASES, JOB_MEMBERS

JOB = {"id": "6efcf389-7d63-4929-b532-13be28460eea", "state": "running", "createdBy": "sasdemo",
       "creationTimeStamp": "2018-03-12T18:48:29.471Z", "elapsedTime": 13282, "expirationTimeStamp": None,
       "results": {"COMPUTE_JOB": "D4363A55"}, "jobRequest": {"name": "proc print", "id": "ec02"}}


def read(member):
    value = JOB
    for part in member.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def matches(text):
    return filters.matches(filters.parse(text, JOB_MEMBERS, JOB_ALIASES), read)


@pytest.mark.parametrize("text, expected", [
    ("eq(state,'running')", True),
    ("eq(state, \"running\")", True),                    # sasctl: double quotes after a space
    ("eq(createdBy,sasdemo)", True),                     # pyviyatools: unquoted value
    ("eq('createdBy','sasdemo')", True),                 # pyviyatools: quoted member name
    ("ne(state,'running')", False),
    ("in(state,'pending','running')", True),
    ("in(state,'pending','completed')", False),
    ("isNull(expirationTimeStamp)", True),
    ("not(isNull(creationTimeStamp))", True),
    ("gt(creationTimeStamp,'2018-03-12T00:00:00.000Z')", True),
    ("lt(creationTimeStamp,'2018-03-12T00:00:00.000Z')", False),
    ("ge(elapsedTime,13282)", True),
    ("lt(elapsedTime,9999)", False),                      # numeric, not string, order
    ("le(elapsedTime,13282)", True),
    ("startsWith(id,'6efc')", True),
    ("endsWith(id,'0eea')", True),
    ("contains(results,'D4363')", True),                 # map values, as the reference advises
    ("eq(name,'proc print')", True),                     # a job's name is its request's
    ("eq(jobRequest.id,'ec02')", True),
    ("and(eq(createdBy,'sasdemo'),isNull(expirationTimeStamp))", True),
    ("or(eq(state,'failed'),and(eq(state,'running'),not(eq(createdBy,'x'))))", True),
    ("eq(jobRequest.name,'it''s')", False),
])
def test_filters_evaluate(text, expected):
    assert matches(text) is expected


def test_a_doubled_quote_escapes_itself():
    call = filters.parse("eq(name,'it''s')", JOB_MEMBERS, JOB_ALIASES)
    assert call.values == ("it's",) and call.member == "jobRequest.name"


@pytest.mark.parametrize("text, message, position", [
    ("nojakj(state,'x')", "Unsupported function in filter request: nojakj", 1),
    ("eq(state,'x'", "Expected ')'", 13),
    ("eq(state 'x')", "Expected ')'", 10),
    ("eq(nosuch,'x')", "Unsupported member in filter request: nosuch", 4),
    ("eq(state,'x)", "Unterminated quoted string", 10),
    ("eq(state)", "Wrong number of values for eq()", 1),
    ("eq(state,'a') trailing", "Unexpected text after the filter", 15),
    ("and()", "Expected a filter function", 5),
])
def test_malformed_filters_say_where(text, message, position):
    with pytest.raises(SasError) as caught:
        filters.parse(text, JOB_MEMBERS, JOB_ALIASES)
    assert (caught.value.status, caught.value.error_code) == (400, 1100)
    assert caught.value.message.startswith(message) and f"(at character {position})" in caught.value.message


def test_sort_by_several_keys():
    keys = filters.parse_sort("state:descending,creationTimeStamp", JOB_MEMBERS, JOB_ALIASES)
    assert keys == [filters.SortKey("state", True), filters.SortKey("creationTimeStamp", False)]
    items = [{"state": "a", "creationTimeStamp": "2"}, {"state": "b", "creationTimeStamp": "3"},
             {"state": "b", "creationTimeStamp": "1"}]
    ordered = filters.sort(items, keys, lambda item, member: item.get(member))
    assert [(i["state"], i["creationTimeStamp"]) for i in ordered] == [("b", "1"), ("b", "3"), ("a", "2")]


@pytest.mark.parametrize("text", ["nosuch:ascending", "state:sideways", "state:ascending:primary:x"])
def test_bad_sort_is_refused(text):
    with pytest.raises(SasError) as caught:
        filters.parse_sort(text, JOB_MEMBERS, JOB_ALIASES)
    assert caught.value.status == 400
