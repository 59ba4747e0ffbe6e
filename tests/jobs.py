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


def curate(parameters, ctx):
    """One result record per item of `records` (each {"businessPartnerId", "externalId", ...}, plus the
    `storageId` parameter; one with "fail" is a FAILED record), with progress after each. With `gate`
    (a folder), item n waits for the file `gate/n` and 0.3 s more, so a test sees every step and each
    progress write lands (the runner coalesces progress writes closer than 0.25 s)."""
    import os
    import time
    records = parameters.get("records", [])
    failed = 0
    for done, record in enumerate(records, start=1):
        if parameters.get("gate"):
            while not os.path.exists(os.path.join(parameters["gate"], str(done))):
                if ctx.cancelled():
                    return None
                time.sleep(0.05)
            time.sleep(0.3)
        failed += bool(record.get("fail"))
        keys = {**({"storageId": parameters["storageId"]} if "storageId" in parameters else {}),
                **{k: v for k, v in record.items() if k not in ("fail", "data")}}
        ctx.record(keys, failed=bool(record.get("fail")), message=record.get("fail", ""), data=record.get("data"))
        ctx.progress(done, len(records), failed)
    return {"curated": len(records)}


def trail(parameters, ctx):
    """Appends "<execution id> <attempt>" to the file `trail` as the step starts (one write: O_APPEND
    keeps lines whole), then works `seconds`; a run started twice leaves two lines (tests/test_faults.py)."""
    import time
    attempt = ctx.durable.get(ctx.execution_id).attempt      # the record's, waiting out an outage
    with open(parameters["trail"], "a") as trail:
        trail.write(f"{ctx.execution_id} {attempt}\n")
    time.sleep(float(parameters.get("seconds", 0.1)))


def crash(parameters, ctx):
    """Takes its work horse down as `how` says ("exit": os._exit, "segfault": a read of address 0
    through ctypes), or fails to allocate ("memory": a MemoryError), on attempts up to `upto` (all
    by default); a later attempt succeeds after `seconds`."""
    import ctypes
    import os
    import time
    if ctx.durable.get(ctx.execution_id).attempt > int(parameters.get("upto", 1 << 30)):
        time.sleep(float(parameters.get("seconds", 0)))
        return {"survived": True}
    how = parameters["how"]
    if how == "exit":
        os._exit(3)
    if how == "segfault":
        ctypes.string_at(0)
    return bytearray(1 << 60)       # MemoryError: no machine has it


_kept = []


def leak(parameters, ctx):
    """Keeps `megabytes` of memory for good, as a leaking step does."""
    _kept.append(b"\1" * (int(parameters["megabytes"]) << 20))
