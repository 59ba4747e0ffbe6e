"""Callables used as `python` steps by tests/test_steps.py."""


def count(parameters, ctx):
    """Reports progress per item and returns a summary as the result."""
    items = parameters.get("items", [])
    for done, _ in enumerate(items, start=1):
        ctx.progress(done, len(items))
    ctx.log(f"counted {len(items)} items for {ctx.execution_id}")
    return {"count": len(items)}


def sets_own_result(parameters, ctx):
    """Sets the result itself; its return value must not overwrite it."""
    ctx.set_result({"from": "ctx"})
    return {"from": "return"}


def returns_nothing(parameters, ctx):
    return None


def fails(parameters, ctx):
    raise RuntimeError("boom")
