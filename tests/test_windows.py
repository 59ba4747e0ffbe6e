"""Pages over index slices (store.windows) and the marks that refine states, against a real Redis."""
import random
import uuid

import pytest
import redis as redis_lib

from jobgate.model import Mark, Slice, State, to_ms
from jobgate.store import keys
from jobgate.store.executions import Store
from tests.seeding import seed

RUN = uuid.uuid4().hex[:8]


@pytest.fixture
def store(redis_url):
    return Store(redis_lib.Redis.from_url(redis_url))


def marked(store, tenant, mark, definition="*"):
    return {m.decode() for m in store.redis.zrange(keys.mark(tenant, mark.value, definition), 0, -1)}


def test_marks_follow_the_record_through_transitions(store):
    tenant = f"marks-{RUN}"
    made = seed(store, tenant, "Def", 11)
    for mark in Mark:
        expected = {e.id for e in made if mark(e)}
        assert expected and marked(store, tenant, mark) == expected == marked(store, tenant, mark, "Def")
    stopping = next(e for e in made if Mark.STOPPING(e))
    store.transition(stopping.id, State.CANCELED, {"ended": to_ms(stopping.started)})
    assert stopping.id not in marked(store, tenant, Mark.STOPPING)


def test_a_purged_execution_leaves_every_index_and_mark(store):
    tenant = f"purge-{RUN}"
    made = seed(store, tenant, "Def", 11)
    for execution in made:
        if execution.state.terminal:
            assert store.purge(execution.id)
    kept = {e.id for e in made if not e.state.terminal}
    for key in store.redis.scan_iter(match=f"{keys.INDEX_PREFIX}{tenant}:*"):
        assert {m.decode() for m in store.redis.zrange(key, 0, -1)} <= kept, key


def test_marks_are_built_for_executions_stored_before_them(store):
    tenant = f"old-{RUN}"
    made = seed(store, tenant, "Def", 11)
    for mark in Mark:
        store.redis.delete(keys.mark(tenant, mark.value), keys.mark(tenant, mark.value, "Def"))
    store.redis.delete(keys.SCHEMA)
    assert store.windows.build_marks() >= len([e for e in made if e.state in (State.RUNNING, State.FAILED)])
    for mark in Mark:
        assert marked(store, tenant, mark, "Def") == {e.id for e in made if mark(e)}
    assert store.windows.build_marks() == 0, "once per Redis"


@pytest.mark.parametrize("newest_first", [True, False])
def test_every_window_of_a_slice_union_is_the_sorted_union_cut(store, newest_first):
    tenant = f"win-{RUN}-{newest_first}"
    made = seed(store, tenant, "A", 40) + seed(store, tenant, "B", 30)
    segments = [
        [Slice(State.FAILED, "A", without=Mark.EXITED), Slice(State.DIED), Slice(State.FAILED, "B", only=Mark.EXITED)],
        [Slice(State.RUNNING, without=Mark.STOPPING), Slice(State.QUEUED, "B")],
        [Slice(State.SUCCEEDED, "A"), Slice(State.CANCELED)],
    ]

    def member(e, part):
        return ((part.state is None or e.state is part.state) and part.definition in (None, e.definition_id)
                and (part.only is None or part.only(e)) and (part.without is None or not part.without(e)))
    order = [e.id for segment in segments
             for e in sorted((e for e in made if any(member(e, p) for p in segment)),
                             key=lambda e: e.seq, reverse=newest_first)]
    ids, total = store.windows.page(tenant, segments, 0, 1000, newest_first)
    assert (ids, total) == (order, len(order))
    rng = random.Random(7)
    for offset, limit in [(0, 1), (len(order) - 1, 5), (len(order), 3)] + [
            (rng.randrange(len(order)), rng.randrange(1, 12)) for _ in range(25)]:
        assert store.windows.page(tenant, segments, offset, limit, newest_first) == (
            order[offset:offset + limit], len(order)), (offset, limit)
    by_id = {e.id: e for e in made}
    for at in rng.sample(range(len(order)), 10):
        execution = by_id[order[at]]
        assert store.windows.position(tenant, segments, execution.id, execution.seq, newest_first) == at
    outside = next(e for e in made if e.id not in order)
    assert store.windows.position(tenant, segments, outside.id, outside.seq, newest_first) is None
