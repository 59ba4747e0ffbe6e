"""The CDQ blueprint: bad input is a 400 (webargs' default is 422), and every route's
OpenAPI entry lists the faults it answers in CDQ's error document."""
from __future__ import annotations

from http import HTTPStatus

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
                # flask-smorest registers a response component per status, named as HTTPStatus names it
                view = self.alt_response(status, response=HTTPStatus(status).name)(view)
            return view
        return decorate
