"""Every environment variable jobgate reads, from the tables that read them: the `jobgate --help`
epilog and the README's configuration table (written by `python -m jobgate.tools.docs`)."""
from __future__ import annotations

import textwrap

from jobgate.settings import variables

#: read by the commands themselves, not by Settings
COMMAND_VARIABLES = (
    ("JOBGATE_URL", "the gateway the client commands (submit, ls, watch ...) talk to",
     "the URL `jobgate up` wrote to .jobgate/url, else http://127.0.0.1:8080"),
    ("JOBGATE_TOKEN", "the Bearer token the client commands send", "dev-token"),
    ("PORT", "the port `jobgate serve` listens on (Heroku sets it)", "8080"),
    ("PROMETHEUS_MULTIPROC_DIR", "where gunicorn's processes keep their request counters for /metrics (emptied at start)",
     "a fresh temporary folder per server"),
)
DIALECT_VARIABLES = "JOBGATE_<DIALECT>_* (e.g. JOBGATE_SAHARA_JOB_TYPES): each dialect's own settings, see README"


def rows() -> list[tuple[str, str, str]]:
    """(variable, meaning, default) of every variable but the dialects' own."""
    return [*((item.metadata["variable"], item.metadata["meaning"], item.metadata["shown"]) for item in variables()),
            *COMMAND_VARIABLES]


def epilog(width: int = 100) -> str:
    lines = ["environment variables (default in brackets):"]
    for name, meaning, shown in rows():
        lines += textwrap.wrap(f"{meaning} [{shown}]", width, initial_indent=f"  {name:<28}",
                               subsequent_indent=" " * 30)
    lines += textwrap.wrap(DIALECT_VARIABLES, width, initial_indent="  ", subsequent_indent="    ")
    lines.append("`jobgate COMMAND --help` lists each command's options.")
    return "\n".join(lines)


def markdown() -> str:
    lines = ["| variable | meaning | default |", "|---|---|---|"]
    lines += [f"| `{name}` | {meaning} | {shown} |" for name, meaning, shown in rows()]
    return "\n".join(lines)
