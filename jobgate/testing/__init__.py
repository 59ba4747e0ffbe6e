"""jobgate's conformance suite and its driver base, installed with the package so a
dialect shipped outside this repository can run it too.

A dialect plugs in with a wire driver and a test module:

    # conftest.py (the project's top one)
    pytest_plugins = ["jobgate.testing.plugin"]

    # test_mydialect.py
    from jobgate.testing.suite import *               # noqa: F401,F403  the shared tests
    from mydialect.testing import Driver, Requirements   # its WireDriver and Requirements

`Driver` speaks the dialect's wire (jobgate.testing.driver); `Requirements`
(jobgate.testing.requirements) grants each capability the Dialect declares and
holds the dialect's quirks; the plugin (jobgate.testing.plugin) starts the real
parts (Redis, RQ workers, the gateway over HTTP) and decides the skips.
`jobgate.testing.layers` checks jobgate's own import layers.
"""
from jobgate.testing.driver import (
                                    OPERATIONS,
                                    TERMINAL,
                                    DefinitionSnapshot,
                                    Sample,
                                    ScheduleSnapshot,
                                    Snapshot,
                                    WireDriver,
                                    WireError,
                                    utc,
)
from jobgate.testing.requirements import Requirements, requires

__all__ = ["OPERATIONS", "TERMINAL", "DefinitionSnapshot", "Requirements", "Sample", "ScheduleSnapshot", "Snapshot",
           "WireDriver", "WireError", "requires", "utc"]
