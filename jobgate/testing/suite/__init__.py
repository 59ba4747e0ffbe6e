"""The conformance suite, star-imported by each dialect's test module (SQLAlchemy's pattern):

    from jobgate.testing.suite import *          # noqa: F401,F403
    from mydialect.testing import Driver, Requirements

Every test is gated by `@requires.<name>` marks that the dialect's Requirements
grant or refuse (jobgate.testing.requirements); none branches on a dialect.
"""
from jobgate.testing.suite import (
                                   test_control,
                                   test_cross,
                                   test_declared,
                                   test_definitions,
                                   test_executions,
                                   test_idempotency,
                                   test_inputs,
                                   test_openapi,
                                   test_paging,
                                   test_schedules,
)
from jobgate.testing.suite.test_control import *  # noqa: F401,F403
from jobgate.testing.suite.test_cross import *  # noqa: F401,F403
from jobgate.testing.suite.test_declared import *  # noqa: F401,F403
from jobgate.testing.suite.test_definitions import *  # noqa: F401,F403
from jobgate.testing.suite.test_executions import *  # noqa: F401,F403
from jobgate.testing.suite.test_idempotency import *  # noqa: F401,F403
from jobgate.testing.suite.test_inputs import *  # noqa: F401,F403
from jobgate.testing.suite.test_openapi import *  # noqa: F401,F403
from jobgate.testing.suite.test_paging import *  # noqa: F401,F403
from jobgate.testing.suite.test_schedules import *  # noqa: F401,F403

__all__ = [name for module in (test_control, test_cross, test_declared, test_definitions, test_executions,
                               test_idempotency, test_inputs, test_openapi, test_paging, test_schedules)
           for name in module.__all__]
