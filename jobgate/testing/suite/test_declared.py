"""What a dialect declares is what the suite exercises: one capability vocabulary,
declared once on the Dialect object (the README's table is drawn from it), and
one state table on it that maps every canonical state both ways."""
from jobgate.kit.dialect import CAPABILITIES
from jobgate.model import State
from jobgate.testing.driver import OPERATIONS
from jobgate.testing.requirements import requires


def test_requirements_are_the_declared_capabilities(requirements):
    declared = requirements.dialect.capabilities
    assert declared <= CAPABILITIES, declared - CAPABILITIES
    assert {c for c in CAPABILITIES if getattr(requirements, c)} == set(declared)


def test_driver_speaks_exactly_the_declared_capabilities(plug):
    declared = plug.requirements.dialect.capabilities
    for operation in ("submit", "get", "page", "ref"):
        assert plug.driver.implements(operation), f"every driver implements {operation}"
    for capability, operations in OPERATIONS.items():
        for operation in operations:
            assert plug.driver.implements(operation) == (capability in declared), (
                f"{plug.name} {'declares' if capability in declared else 'does not declare'} {capability}, "
                f"its driver {'does not implement' if capability in declared else 'implements'} {operation}")


@requires.state_map
def test_state_table_maps_every_canonical_state_and_back(requirements):
    table = requirements.dialect.states
    for state in State:
        wire = table.wire(state)
        back = table.states(wire)
        assert state in back, f"{state.value} shows as {wire!r}, which reads back as {sorted(back)}"
        assert all(s.terminal == state.terminal for s in back), (
            f"{wire!r} stands for {sorted(s.value for s in back)}: ended and unfinished states share a word")


__all__ = [name for name in dir() if name.startswith("test_")]
