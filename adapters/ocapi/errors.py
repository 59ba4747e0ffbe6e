"""Faults only OCAPI has a name for (a bad version, an unknown property ...).

Canonical errors are mapped by `faults.FAULTS`; these carry their OCAPI type
themselves because no other dialect would ever raise them.
"""
from jobgate.errors import Invalid


class OcapiFault(Invalid):
    """A request OCAPI refuses with a fault type of its own."""

    def __init__(self, type_: str, message: str, status: int = 400, **arguments):
        super().__init__(message, **arguments)
        self.type, self.status = type_, status
