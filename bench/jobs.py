"""The raw RQ baseline's job, in a module importing nothing: each forked work horse
imports it afresh, so a heavy import here (Flask, say) would be timed as RQ's cost."""


def noop() -> None:
    """Nothing, so only RQ's own cost (enqueue, fork, bookkeeping) is timed."""
