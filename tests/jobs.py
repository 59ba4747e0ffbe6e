"""Callables this project's own catalog jobs run (the suite's are in jobgate.testing.jobs)."""


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
