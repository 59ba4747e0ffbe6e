"""Each installed dialect plugs into jobgate's conformance suite here: a wire driver
(`<name>.py`: Driver, and Requirements where the dialect has quirks) and a test
module (`test_<name>.py`) that star-imports jobgate.testing.suite."""
import importlib
import pkgutil


def all_drivers() -> dict[str, type]:
    """name -> Driver of every driver module in this package."""
    found = {}
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("test_"):
            driver = importlib.import_module(f"{__name__}.{module.name}").Driver
            found[driver.name] = driver
    return found
