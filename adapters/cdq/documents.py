"""The Job document of an execution as the routes answer it (with its step's result data)."""
from adapters.cdq import wire
from jobgate.kit.blueprint import principal, service
from jobgate.model import Execution


def document(execution: Execution) -> dict:
    result = service().result(principal(), execution.id) if execution.has_result else None
    return wire.job(execution, result)
