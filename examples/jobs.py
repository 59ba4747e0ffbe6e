"""Functions that the example catalog's `python` steps call.

A python step gets the execution's parameters and a context with
progress(processed, total, failed=0), log(line) and set_result(data).
"""
import time


def import_customers(parameters, ctx):
    """Pretends to import `count` customers, reporting progress as it goes."""
    count = int(parameters.get("count", 20))
    for done in range(1, count + 1):
        time.sleep(float(parameters.get("delay", 0.05)))
        ctx.progress(done, count)
    ctx.log(f"imported {count} customers")
    return {"imported": count}


def rebuild_index(parameters, ctx):
    """A long job: `minutes` of work in one-second slices, each reported."""
    total = max(1, int(float(parameters.get("minutes", 1)) * 60))
    for second in range(1, total + 1):
        if ctx.cancelled():
            ctx.log("stopping early: canceled")
            return None
        time.sleep(1)
        ctx.progress(second, total)
    return {"seconds": total}


def validate_feed(parameters, ctx):
    """Always fails: shows how a raised exception becomes a FAILED execution."""
    ctx.log(f"checking feed {parameters.get('feed', 'catalog.xml')}")
    raise ValueError("feed has 3 invalid rows (line 12, 40, 41)")
