"""Result records (core): what a step reports per item is kept with its execution, found by its keys
with keyset paging, per execution or across a tenant's, and removed with the execution."""
from jobgate.model import Principal

ALICE, CAROL = Principal("alice", "acme"), Principal("carol", "globex")


def test_records_page_by_keys_and_go_with_their_execution(service):
    execution = service.submit(ALICE, "ParkedJob", origin="native")
    for i in range(7):
        service.add_record(execution, {"item": f"i{i}", "group": f"g{i % 3}"}, failed=i == 4, data={"n": i})
    first = service.records(ALICE, execution.id, limit=3)
    assert [r.data["n"] for r in first.items] == [0, 1, 2] and first.total == 7 and first.next == first.items[-1].seq
    rest = service.records(ALICE, execution.id, after=first.next, limit=10)
    assert [r.data["n"] for r in rest.items] == [3, 4, 5, 6] and rest.next is None
    grouped = service.records(ALICE, execution.id, where={"group": ["g0", "g2"]}, failed=False)
    assert [r.keys["item"] for r in grouped.items] == ["i0", "i2", "i3", "i5", "i6"] and grouped.total is None
    newest = service.records(ALICE, where={"item": ["i4"]}, definitions=["ParkedJob"], newest_first=True, limit=1)
    assert newest.items[0].execution_id == execution.id and newest.items[0].failed
    assert service.records(CAROL, where={"item": ["i4"]}).items == []
    service.cancel(ALICE, execution.id)
    service.delete(ALICE, execution.id)
    assert service.records(ALICE, where={"item": ["i4"]}, definitions=["ParkedJob"]).items == []
    assert not [k for k in service.redis.scan_iter(f"jg:r*:{execution.id}*")]
