"""The CDQ blueprint: bad input is a 400 (webargs' default is 422), and every route's
OpenAPI entry lists the faults it answers in CDQ's error document."""
from __future__ import annotations

from webargs.flaskparser import FlaskParser

from jobgate.kit.blueprint import DialectBlueprint

NAME = "cdq"
#: answered by every authenticated route: no or a wrong credential, the store unreachable
ALWAYS = (401, 503)


class Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400


class CdqBlueprint(DialectBlueprint):
    ARGUMENTS_PARSER = Parser()

    def faults(self, *statuses: int):
        """Document these fault statuses (and 401, 503) with CDQ's error document."""
        def decorate(view):
            for status in sorted({*statuses, *ALWAYS}):
                view = self.alt_response(status, response=_component(status))(view)
            return view
        return decorate


def _component(status: int) -> str:
    """flask-smorest registers one response component per HTTP status, named as HTTPStatus names it."""
    from http import HTTPStatus
    return HTTPStatus(status).name
