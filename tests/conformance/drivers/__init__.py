"""Wire drivers, one module per dialect; each defines `Driver`. Found by listing this package."""
import importlib
import pkgutil


def all_drivers() -> dict[str, type]:
    found = {}
    for module in pkgutil.iter_modules(__path__):
        driver = importlib.import_module(f"{__name__}.{module.name}").Driver
        found[driver.name] = driver
    return found
