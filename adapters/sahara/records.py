"""Canonical records as Sahara objects: job executions and jobs (templates), field for field.

Sahara-only fields live in the execution's and the definition's "sahara"
attributes; records made through other dialects get Sahara's defaults.
"""
from __future__ import annotations

from adapters.sahara import mapping
from jobgate.model import Definition, Execution, State

NAMESPACE = "sahara"
#: the job type shown for catalog jobs that do not name one in their sahara attributes
CATALOG_JOB_TYPE = "Shell"
DIED_REASON = "the worker running this job execution stopped without ending it"


def job_uuid(definition_id: str, tenant: str, jobs: dict[str, Definition]) -> str:
    """The template's uuid; a deleted tenant job keeps the stable uuid it had."""
    found = jobs.get(definition_id)
    return found.uuid if found else Definition(id=definition_id, tenant=tenant).stable_uuid()


def job_execution(execution: Execution, jobs: dict[str, Definition]) -> dict:
    attrs = execution.attrs(NAMESPACE)
    configs = attrs.get("job_configs") or {"params": execution.parameters}
    return {
        "id": execution.id,
        "tenant_id": execution.tenant,
        "job_id": job_uuid(execution.definition_id, execution.tenant, jobs),
        "cluster_id": attrs.get("cluster_id"),
        "input_id": attrs.get("input_id"),
        "output_id": attrs.get("output_id"),
        "job_configs": {"configs": {}, "params": {}, "args": [], **configs},
        "interface": attrs.get("interface", {}),
        "info": _info(execution),
        "start_time": execution.started,
        "end_time": execution.ended,
        "created_at": execution.created,
        "updated_at": execution.modified,
        "return_code": None if execution.exit_code is None else str(execution.exit_code),
        "oozie_job_id": execution.id,       # the RQ job carries the execution's id
        "engine_job_id": execution.id,
        "data_source_urls": {},
        "is_public": attrs.get("is_public", False),
        "is_protected": attrs.get("is_protected", False),
    }


def _info(execution: Execution) -> dict:
    message = execution.message or (DIED_REASON if execution.state is State.DIED else "")
    return {"status": mapping.STATES.wire(execution), **({"message": message} if message else {})}


def job(definition: Definition) -> dict:
    attrs = definition.attributes.get(NAMESPACE, {})
    catalog = definition.source == "catalog"
    return {
        "id": definition.uuid,
        "tenant_id": definition.tenant,
        # Sahara names are identifiers; a catalog job's id is, its title may not be
        "name": definition.id if catalog else definition.name,
        "description": definition.description,
        "type": attrs.get("type", CATALOG_JOB_TYPE),
        "mains": [{"id": b, "name": b} for b in attrs.get("mains", [])],
        "libs": [{"id": b, "name": b} for b in attrs.get("libs", [])],
        "interface": attrs.get("interface", []),
        # the operator's catalog is shared by every tenant and read-only
        "is_public": True if catalog else attrs.get("is_public", False),
        "is_protected": True if catalog else attrs.get("is_protected", False),
        "created_at": definition.created,
        "updated_at": definition.modified,
    }
