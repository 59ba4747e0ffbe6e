"""Native state names: the canonical ones, in one table both ways."""
from jobgate.model import State

STATES = {state: state.value for state in State}
FROM_WIRE = {wire: state for state, wire in STATES.items()}
