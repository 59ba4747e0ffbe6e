"""pytest plugin (`-p tests.datameer.unreleased`): serve the Datameer dialect before it is installed.

The installed entry points come from the main checkout; until setup.cfg's
`datameer` line is installed there, this adds it to what `jobgate.kit.dialect`
finds, for this test run only. Once installed it changes nothing.
"""
from importlib.metadata import EntryPoint

from jobgate.kit import dialect

ENTRY = EntryPoint(name="datameer", value="adapters.datameer:dialect", group=dialect.GROUP)


def pytest_configure(config):
    installed = dialect.available
    if "datameer" not in installed():
        dialect.available = lambda: {**installed(), ENTRY.name: ENTRY}
