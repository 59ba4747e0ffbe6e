"""The caller's jobs by OCAPI job id: exact ids only, never a seq or uuid alias."""
from jobgate.errors import DefinitionNotFound
from jobgate.kit.blueprint import principal, service
from jobgate.model import Definition


def job(job_id: str) -> Definition:
    definition = service().definition(principal(), job_id)
    if definition.id != job_id:
        raise DefinitionNotFound(f"no job {job_id!r}", id=job_id)
    return definition


def known(job_ids: set[str]) -> dict[str, Definition | None]:
    """Definitions for showing step types; None for an API-created job deleted since."""
    found = {}
    for job_id in job_ids:
        try:
            found[job_id] = job(job_id)
        except DefinitionNotFound:
            found[job_id] = None
    return found
