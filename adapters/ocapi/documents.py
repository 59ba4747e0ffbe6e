"""What OCAPI shows of an execution: every derived value, computed once.

Schemas only declare the wire shape; this module decides the values, e.g.
that ids are the canonical `seq`, that `_resource_state` is a hash of the
canonical version, and that step records come from the definition's steps.
"""
import hashlib
import json
from datetime import datetime

from adapters.ocapi import logfile, mapping
from jobgate.kit.blueprint import service
from jobgate.kit.paging import neighbours
from jobgate.model import Definition, Execution, State, StepExecution, StepSpec, now, to_ms

#: jobgate has no sites: every step runs at organization scope
SCOPE = "Organization"
PENDING = (State.CREATED, State.QUEUED)


def resource_state(execution: Execution) -> str:
    return hashlib.sha256(f"{execution.id}:{execution.version}".encode()).hexdigest()


def execution(ex: Execution, definition: Definition | None) -> dict:
    execution_status, code, outcome = mapping.STATES.wire(ex)
    specs = {spec.id: spec for spec in definition.steps} if definition else {}
    steps = None if ex.state in PENDING else [step(ex, n, s, specs.get(s.id)) for n, s in enumerate(ex.steps, 1)]
    return {
        "resource_state": resource_state(ex),
        "client_id": ex.client_id or ex.principal,     # started elsewhere: who started it
        "duration": ex.duration_ms or 0,
        "end_time": ex.ended,
        "execution_scopes": [SCOPE] if steps else None,
        "execution_status": execution_status,
        "exit_status": _status(code, outcome, ex.exit_message or None),
        "id": str(ex.seq),
        "is_log_file_existing": ex.log_size > 0,
        "is_restart": ex.restart_of is not None,
        "job_id": ex.definition_id,
        "log_file_name": logfile.name(ex),
        "log_file_path": logfile.path(ex),
        "modification_time": ex.modified,
        "parameters": ex.attrs("ocapi").get("parameters") or _parameters(ex.parameters),
        "start_time": ex.started,
        "status": mapping.status_word(ex.state),
        "step_executions": steps or None,
    }


def _parameters(values: dict) -> list[dict] | None:
    """Parameters of an execution started through another dialect, as OCAPI's name/value list."""
    return [{"name": name, "value": value if isinstance(value, str) else json.dumps(value)}
            for name, value in values.items()] or None


def step(ex: Execution, number: int, record: StepExecution, spec: StepSpec | None) -> dict:
    execution_status, code, outcome = mapping.STATES.wire(record.state)
    return {
        "duration": _span(record.started, record.ended),
        "end_time": record.ended,
        "execution_scope": SCOPE,
        "execution_status": execution_status,
        "exit_status": _status(code, outcome, record.message),
        "id": f"{ex.seq}-{number}",
        "modification_time": record.ended or record.started,
        "start_time": record.started,
        "status": mapping.status_word(record.state),
        "step_description": record.description,
        "step_id": record.id,
        "step_type_id": record.type,
        "step_type_info": service().describe_step(spec) if spec else "",
    }


def _status(code: str | None, outcome: str | None, message: str | None) -> dict | None:
    return None if code is None else {"code": code, "message": message, "status": outcome}


def _span(started: datetime | None, ended: datetime | None) -> int:
    return 0 if started is None else to_ms(ended or now()) - to_ms(started)


def paging(start: int, count: int, total: int) -> dict:
    """`next` / `previous` result pages around the window start..start+count."""
    following, previous = neighbours(start, count, total)
    return {
        "next": None if following is None else {"count": count, "start": following},
        "previous": None if previous is None else {"count": count, "start": previous},
    }
