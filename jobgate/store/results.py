"""Result records at rest: the per-item outcomes running steps report, indexed for keyset paging.

A record is one JSON value in its execution's hash, under its `seq` (one counter for all).
Every indexed term (a `keys` field and value, the status, the definition) has a sorted set
scored by seq, per execution and per tenant, with members "{execution id}/{seq}". A page is
read from the most selective group of index sets after a cursor, in batches, merged by
seq, and filtered by the other conditions on the records read: never the whole set.
"""
from __future__ import annotations

import hashlib
import heapq
import json
from collections.abc import Callable, Iterator

import redis

from jobgate.model import ResultRecord, dump, load
from jobgate.store import keys
from jobgate.store.keys import ANY

#: Index sets read per round trip while a filtered page is collected.
BATCH = 500
#: (field, value) terms: a group matches when any of its terms does; a page when every group does.
Groups = list[list[tuple[str, str]]]


def term(field: str, value: str) -> str:
    """An index term's key part: a digest, so no client text reaches a key name."""
    return hashlib.sha1(f"{field}\0{value}".encode()).hexdigest()[:24]


class Results:
    def __init__(self, client: redis.Redis):
        self.redis = client

    def add(self, record: ResultRecord, terms: list[tuple[str, str]]) -> ResultRecord:
        record.seq = int(self.redis.incr(keys.RESULT_SEQ))
        member = f"{record.execution_id}/{record.seq}"
        indexes = [keys.results_of_execution(record.execution_id), keys.results_of_tenant(record.tenant)]
        for field, value in terms:
            indexes += [keys.results_of_execution(record.execution_id, term(field, value)),
                        keys.results_of_tenant(record.tenant, term(field, value))]
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(keys.results_data(record.execution_id), str(record.seq), json.dumps(dump(record)))
        for index in indexes:
            pipe.zadd(index, {member: record.seq})
        pipe.sadd(keys.results_indexes(record.execution_id), *indexes)
        pipe.execute()
        return record

    def page(self, *, tenant: str, execution_id: str | None, groups: Groups, after: int | None, limit: int,
             newest_first: bool = False, accept: Callable[[ResultRecord], bool] | None = None,
             ) -> tuple[list[ResultRecord], bool, int | None]:
        """(records, whether more follow, total when the index answers it) after seq `after`."""
        def key(t: str = ANY) -> str:
            return keys.results_of_execution(execution_id, t) if execution_id else keys.results_of_tenant(tenant, t)

        groups = [list(dict.fromkeys(group)) for group in groups]
        keyed = [[key(term(*t)) for t in group] for group in groups] or [[key()]]
        sizes = [self._sizes(group) for group in keyed]
        driver = min(range(len(keyed)), key=lambda i: sum(sizes[i]))
        others = [set(group) for i, group in enumerate(groups) if i != driver]
        found: list[ResultRecord] = []
        for record in self._merged(keyed[driver], after, newest_first):
            if all(any(_has(record, t) for t in group) for group in others) and (accept is None or accept(record)):
                if len(found) == limit:
                    return found, True, self._total(groups, sizes, driver, accept)
                found.append(record)
        return found, False, self._total(groups, sizes, driver, accept)

    @staticmethod
    def _total(groups: Groups, sizes: list[list[int]], driver: int, accept) -> int | None:
        return sum(sizes[driver]) if len(groups) <= 1 and accept is None else None

    def _sizes(self, index_keys: list[str]) -> list[int]:
        pipe = self.redis.pipeline(transaction=False)
        for index in index_keys:
            pipe.zcard(index)
        return pipe.execute()

    def _merged(self, index_keys: list[str], after: int | None, newest_first: bool) -> Iterator[ResultRecord]:
        streams = [self._members(k, after, newest_first) for k in index_keys]
        order = (lambda item: -item[0]) if newest_first else (lambda item: item[0])
        batch: list[tuple[int, str]] = []
        for item in heapq.merge(*streams, key=order):
            batch.append(item)
            if len(batch) == BATCH:
                yield from self._load(batch)
                batch = []
        yield from self._load(batch)

    def _members(self, index: str, after: int | None, newest_first: bool) -> Iterator[tuple[int, str]]:
        bound = after
        while True:
            if newest_first:
                rows = self.redis.zrevrangebyscore(index, f"({bound}" if bound is not None else "+inf", "-inf",
                                                   0, BATCH, withscores=True)
            else:
                rows = self.redis.zrangebyscore(index, f"({bound}" if bound is not None else "-inf", "+inf",
                                                0, BATCH, withscores=True)
            for member, score in rows:
                yield int(score), member.decode()
            if len(rows) < BATCH:
                return
            bound = int(rows[-1][1])

    def _load(self, batch: list[tuple[int, str]]) -> list[ResultRecord]:
        if not batch:
            return []
        pipe = self.redis.pipeline(transaction=False)
        for seq, member in batch:
            pipe.hget(keys.results_data(member.partition("/")[0]), str(seq))
        return [load(ResultRecord, json.loads(raw)) for raw in pipe.execute() if raw]

    def drop(self, execution_id: str) -> None:
        """Remove an execution's records and their index entries (when the execution is purged)."""
        indexes = [k.decode() for k in self.redis.smembers(keys.results_indexes(execution_id))]
        members = self.redis.zrange(keys.results_of_execution(execution_id), 0, -1)
        own = keys.results_of_execution(execution_id, "")
        pipe = self.redis.pipeline(transaction=True)
        for index in indexes:
            if not index.startswith(own):        # a tenant's index: other executions' records stay
                for start in range(0, len(members), BATCH):
                    pipe.zrem(index, *members[start:start + BATCH])
        pipe.delete(keys.results_data(execution_id), keys.results_indexes(execution_id),
                    *[index for index in indexes if index.startswith(own)])
        pipe.execute()


def _has(record: ResultRecord, wanted: tuple[str, str]) -> bool:
    field, value = wanted
    return term_value(record, field) == value


def term_value(record: ResultRecord, field: str) -> str | None:
    """The value a record has for an indexed field (its keys, or the reserved status / definition)."""
    if field == STATUS:
        return "failed" if record.failed else "ok"
    if field == DEFINITION:
        return record.definition_id
    return record.keys.get(field)


#: reserved term fields (step keys are identifiers, so never start with "~")
STATUS, DEFINITION = "~status", "~definition"


def terms_of(record: ResultRecord) -> list[tuple[str, str]]:
    return [(STATUS, term_value(record, STATUS)), (DEFINITION, record.definition_id), *record.keys.items()]
