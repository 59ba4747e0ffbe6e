"""What the suite may expect of one dialect: the one place that decides what runs.

As in SQLAlchemy's testing suite, every shared test names what it needs with
`@requires.<requirement>`, and each requirement is a property of a
`Requirements` object the dialect's test module points at. By default every
capability of `jobgate.kit.dialect.CAPABILITIES` is required exactly when the
Dialect object declares it, so the declaration on the Dialect (which the
README table is drawn from) is the only one. A dialect's quirks are plain
attributes its subclass overrides; derived requirements (such as
`delete_unfinished_stops`) read them, so no shared test branches on a quirk.

    class Requirements(jobgate.testing.Requirements):
        died_as = "FAILED"          # no word for DIED: shown as FAILED
        deletes_unfinished = True   # DELETE of a running execution cancels it

The pytest plugin (`jobgate.testing.plugin`) reads the markers at collection
and skips what a dialect's requirements refuse, naming the requirement.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from jobgate.kit.dialect import CAPABILITIES

MARK = "jobgate_requires"


class Requires:
    """`@requires.cancel` marks a shared test as needing the `cancel` requirement."""

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(pytest.mark, MARK)(name)


requires = Requires()


class Requirements:
    """Defaults for every dialect; a dialect's subclass overrides its quirks."""

    #: The Dialect object under test. None: the installed dialect named like the driver.
    #: A dialect that is not installed (a test-only one) is mounted for its own module only.
    dialect = None
    #: The canonical state a run whose worker died shows as (a dialect without a word for DIED)
    died_as: str = "DIED"
    #: DELETE of an unfinished execution cancels it and removes it once it ends (Sahara),
    #: rather than being refused as not finished
    deletes_unfinished: bool = False
    #: Its clients send parameters with a submit and see them on an execution (Datameer's do not)
    parameters: bool = True
    #: Its executions show when they started (SAS's jobs show their creation and end only)
    start_times: bool = True
    #: How precisely the dialect shows times (what it shows is the canonical time, truncated)
    time_precision: timedelta = timedelta(milliseconds=1)
    #: Environment the gateway needs to serve this dialect for the suite (its operator settings);
    #: when not empty the module gets a gateway of its own
    environment: dict[str, str] = {}

    def __init__(self, dialect):
        self.dialect = dialect
        self.name: str = dialect.name

    # -- derived requirements: quirks read here, never in a shared test ----------------
    @property
    def delete_unfinished_refused(self) -> bool:
        """deletes executions and refuses to delete unfinished ones (not_finished)"""
        return self.delete and not self.deletes_unfinished

    @property
    def delete_unfinished_stops(self) -> bool:
        """deletes executions, and deleting an unfinished one stops it and removes it once ended"""
        return self.delete and self.deletes_unfinished

    @property
    def execution_parameters(self) -> bool:
        """sends parameters with a submit and shows them on an execution"""
        return self.parameters

    @property
    def shows_start_times(self) -> bool:
        """shows when an execution started"""
        return self.start_times

    @property
    def state_map(self) -> bool:
        """has a state table on its Dialect object (`states`, a jobgate.kit.states.StateMap)"""
        return getattr(self.dialect, "states", None) is not None

    # -- reading requirements ---------------------------------------------------------
    @classmethod
    def known(cls, requirement: str) -> bool:
        return isinstance(getattr(cls, requirement, None), property)

    def refusal(self, requirement: str) -> str | None:
        """Why a test needing `requirement` does not run for this dialect (None: it runs)."""
        if not type(self).known(requirement):
            raise LookupError(f"unknown requirement {requirement!r} (known: {', '.join(sorted(self.all()))})")
        if getattr(self, requirement):
            return None
        needs = (getattr(type(self), requirement).__doc__ or "").strip().splitlines()[0]
        return f"{self.name} does not meet `{requirement}`: it needs a dialect that {needs}"

    @classmethod
    def all(cls) -> list[str]:
        return [name for name in dir(cls) if cls.known(name)]


def _capability(name: str) -> property:
    def declared(self) -> bool:
        return name in self.dialect.capabilities
    declared.__doc__ = f"declares the `{name}` capability"
    return property(declared)


for _name in CAPABILITIES:
    setattr(Requirements, _name, _capability(_name))
