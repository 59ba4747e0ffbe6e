"""Pages over runs of slices of the indexes: lists sorted by a state word, or filtered on one.

A dialect that sorts by its status word sees the tenant as segments (one per
word, in word order), each the union of a few slices (model.Slice) in seq
order. Segment sizes come from ZCARD; a page inside a segment from lua.WINDOW,
which finds its first member by a binary search on seq rather than by walking
the set, so a page costs the same at 1k executions as at 1M.
"""
from __future__ import annotations

from collections.abc import Sequence

import redis

from jobgate.model import Slice
from jobgate.store import keys, lua
from jobgate.store.keys import ANY

Segment = Sequence[Slice]


def _keys(tenant: str, segment: Segment) -> tuple[list[str], list[str]]:
    """The sets a segment counts in, and those it takes out (each inside one counted in)."""
    counted, taken = [], []
    for part in segment:
        definition = part.definition or ANY
        if part.only is not None:
            counted.append(keys.mark(tenant, part.only.value, definition))
            continue
        counted.append(keys.index(tenant, definition, part.state.value if part.state else ANY))
        if part.without is not None:
            taken.append(keys.mark(tenant, part.without.value, definition))
    return counted, taken


class Windows:
    def __init__(self, client: redis.Redis):
        self.redis = client
        self._window = client.register_script(lua.WINDOW)
        self._mark_existing = client.register_script(lua.MARK_EXISTING)

    def build_marks(self, batch: int = 500) -> int:
        """Once per Redis (keys.SCHEMA says it is done): mark the executions stored before marks
        were kept; only RUNNING and FAILED ones can have one. Workers call it as they start."""
        if self.redis.get(keys.SCHEMA) == keys.SCHEMA_MARKS.encode():
            return 0
        read = 0
        for state in ("RUNNING", "FAILED"):
            for index in self.redis.scan_iter(match=keys.index(ANY, ANY, state, ANY), count=1000):
                if index.decode().split(":")[3::2] != [ANY, ANY]:    # a tenant's own, not of a definition
                    continue
                for start in range(0, self.redis.zcard(index), batch):
                    ids = self.redis.zrange(index, start, start + batch - 1)
                    read += self._mark_existing(keys=[keys.record(i.decode()) for i in ids], args=[keys.INDEX_PREFIX])
        self.redis.set(keys.SCHEMA, keys.SCHEMA_MARKS)
        return read

    def sizes(self, tenant: str, segments: Sequence[Segment]) -> list[int]:
        shapes = [_keys(tenant, segment) for segment in segments]
        pipe = self.redis.pipeline(transaction=False)
        for counted, taken in shapes:
            for key in counted + taken:
                pipe.zcard(key)
        replies = iter(pipe.execute())
        return [sum(next(replies) for _ in counted) - sum(next(replies) for _ in taken) for counted, taken in shapes]

    def page(self, tenant: str, segments: Sequence[Segment], offset: int, limit: int,
             newest_first: bool, after_seq: int | None = None) -> tuple[list[str], int]:
        """Ids at positions [offset, offset + limit) of the segments laid end to end, and their total;
        with `after_seq` (a cursor: keyset paging over one segment), from the first member past it."""
        if after_seq is not None:
            (segment,) = segments
            offset = self._ahead(tenant, segment, after_seq + (-1 if newest_first else 1), newest_first)
        sizes = self.sizes(tenant, segments)
        ids, start = [], 0
        for segment, size in zip(segments, sizes, strict=True):
            if len(ids) < limit and offset < start + size:
                skip = max(0, offset - start)
                ids += self._segment(tenant, segment, skip, limit - len(ids), newest_first)
            start += size
        return ids, start

    def position(self, tenant: str, segments: Sequence[Segment], execution_id: str, seq: int,
                 newest_first: bool) -> int | None:
        """Where an execution stands in the segments laid end to end; None when in none of them."""
        sizes = self.sizes(tenant, segments)
        shapes = [_keys(tenant, segment) for segment in segments]
        pipe = self.redis.pipeline(transaction=False)
        for counted, taken in shapes:
            for key in counted + taken:
                pipe.zscore(key, execution_id)
        scores = iter(pipe.execute())
        for at, (counted, taken) in enumerate(shapes):
            inside = [next(scores) is not None for _ in counted]
            outside = [next(scores) is not None for _ in taken]
            if any(inside) and not any(outside):
                return sum(sizes[:at]) + self._ahead(tenant, segments[at], seq, newest_first)
        return None

    def _ahead(self, tenant: str, segment: Segment, seq: int, newest_first: bool) -> int:
        """How many members of a segment come before seq `seq` in its order."""
        counted, taken = _keys(tenant, segment)
        ahead = (f"({seq}", "+inf") if newest_first else ("-inf", f"({seq}")
        pipe = self.redis.pipeline(transaction=False)
        for key in counted + taken:
            pipe.zcount(key, *ahead)
        counts = pipe.execute()
        return sum(counts[:len(counted)]) - sum(counts[len(counted):])

    def _segment(self, tenant: str, segment: Segment, offset: int, limit: int, newest_first: bool) -> list[str]:
        counted, taken = _keys(tenant, segment)
        if len(counted) == 1 and not taken:        # one plain set: its ranks are the positions
            found = self.redis.zrange(counted[0], offset, offset + limit - 1, desc=newest_first)
        else:
            found = self._window(keys=counted + taken, args=[len(counted), offset, limit, int(newest_first)])
        return [member.decode() for member in found]
