"""Callables the test catalog's python steps run."""


def count(parameters, ctx):
    total = int(parameters.get("count", 3))
    for done in range(1, total + 1):
        ctx.progress(done, total)
    ctx.log(f"counted to {total}")
    return {"counted": total}


def explode(parameters, ctx):
    raise RuntimeError("the widget broke")


def busy(parameters, ctx):
    """Works for a minute without ever looking at ctx.cancelled()."""
    import time
    time.sleep(float(parameters.get("seconds", 60)))


def flaky(parameters, ctx):
    """Fails until its `marker` file has `succeed_on` lines: one line per attempt."""
    with open(parameters["marker"], "a+") as marker:
        marker.write("attempt\n")
        marker.seek(0)
        attempts = len(marker.readlines())
    if attempts < int(parameters.get("succeed_on", 3)):
        raise RuntimeError(f"attempt {attempts} failed")
    return {"attempts": attempts}
