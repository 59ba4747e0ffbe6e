"""A DialectBlueprint registered under a name of its own.

OCAPI mounts the same routes twice (`/dw/data` and `/s/<site>/dw/data`) and
serves WebDAV with the same credentials; Flask keys each registration by
blueprint name, while DialectBlueprint names the blueprint after the dialect.
"""
from jobgate.web import DialectBlueprint

DIALECT = "ocapi"


def named(name: str, import_name: str, description: str) -> DialectBlueprint:
    blueprint = DialectBlueprint(DIALECT, import_name, description=description)
    blueprint.name = name
    return blueprint
