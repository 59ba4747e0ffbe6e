"""Commands a library writes to a pipeline, kept instead of sent, for a Lua script to run.

RQ enqueues a job by writing to a pipeline (its job hash, its queue, its registries). To
make that part of one script, so that a submit's checks and writes and its RQ job are one
atomic round trip (lua.CREATE), the pipeline's commands are taken as they are, flattened
into script arguments (`flat`), and run by the script after its checks: RQ stays the
author of its own keys, and nothing is rebuilt here.
"""
from __future__ import annotations

from collections.abc import Callable

import redis


def flat(client: redis.Redis, write: Callable[[redis.client.Pipeline], None] | None) -> list:
    """The commands `write` puts on a pipeline, as script arguments: their count, then for
    each its number of words and its words. Nothing is sent to Redis."""
    if write is None:
        return [0]
    pipe = client.pipeline(transaction=False)
    write(pipe)
    commands = [args for args, _options in pipe.command_stack]
    pipe.reset()
    out = [len(commands)]
    for args in commands:
        out.append(len(args))
        out.extend(args)
    return out
