"""The Job document of an execution as the routes answer it (with its step's result data)."""
from adapters.cdq import wire
from jobgate.kit.blueprint import service
from jobgate.model import Execution


def document(execution: Execution) -> dict:
    result = service().result_of(execution)
    return wire.job(execution, result)
