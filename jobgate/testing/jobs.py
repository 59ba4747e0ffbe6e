"""Callables the suite's catalog runs as python steps."""


def count(parameters, ctx):
    total = int(parameters.get("count", 3))
    for done in range(1, total + 1):
        ctx.progress(done, total)
    ctx.log(f"counted to {total}")
    return {"counted": total}


def explode(parameters, ctx):
    raise RuntimeError("the widget broke")
