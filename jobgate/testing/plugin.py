"""The pytest plugin of the conformance suite: real parts, dialect modules, skips.

Load it from the project's top conftest.py: ``pytest_plugins = ["jobgate.testing.plugin"]``.

Real parts (session-wide, shared by every test of the project):
  ``redis_url``    $REDIS_URL when set (the suite owns that database and flushes it),
                   otherwise an embedded server (jobgate.tools.embedded) in a temporary folder;
  ``workers``      RQ worker processes, ``python -m jobgate worker``;
  ``gateway``      create_app over real HTTP on a loopback port (``base_url``, ``service``);
  ``served_gateway``  the same gateway as operators serve it, ``jobgate serve`` (gunicorn).
The gateway serves the suite's catalog, principals and quotas (jobgate/testing/*.toml). A project adds
jobs of its own by overriding ``jobgate_catalogs`` (a list of catalog files, merged) and
settings by overriding ``jobgate_environment`` (environment variables).

Dialect modules: a test module that star-imports ``jobgate.testing.suite`` and defines
``Driver`` (a WireDriver subclass) and optionally ``Requirements`` (a Requirements subclass)
runs the whole suite for that dialect. Its fixtures: ``driver`` (alice's), ``as_user``,
``requirements``, ``plug`` (driver class and requirements), ``suite_gateway``, ``drivers``
(the registry) and ``doomed_worker`` (a worker for a test to kill).

Registry: after collection every dialect module collected in the session is registered
by its dialect's name; the cross-dialect read (fixture ``reader``, parametrized over
the installed dialects and the module's own) reads through each registered driver.
A reader whose module was not collected in this session is skipped, saying so.

Skips: decided here only, at collection, from ``@requires.<name>`` marks and the
module's Requirements; the skip reason names the requirement.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from jobgate.kit import dialect as dialects
from jobgate.rules.service import Service
from jobgate.settings import Settings
from jobgate.store.connection import connect
from jobgate.testing import parts
from jobgate.testing.driver import WireDriver
from jobgate.testing.requirements import MARK, Requirements
from jobgate.tools import processes
from jobgate.tools.embedded import EmbeddedRedis

pytest.register_assert_rewrite("jobgate.testing.layers")   # its test functions run in a project's modules

WORKERS = 2
SUITE_PACKAGE = "jobgate.testing.suite"
REGISTRY = pytest.StashKey[dict]()


@dataclass
class Plugged:
    """A dialect module: its driver and its requirements."""
    driver: type[WireDriver]
    requirements: Requirements

    @property
    def name(self) -> str:
        return self.requirements.name


_plugged: dict[str, Plugged | None] = {}


def plugged(module) -> Plugged | None:
    """The dialect a test module plugs into the suite, or None for any other module."""
    if module is None:
        return None
    if module.__name__ not in _plugged:
        driver = getattr(module, "Driver", None)
        holds_suite = any(name.startswith("test_") and getattr(obj, "__module__", "").startswith(SUITE_PACKAGE)
                          for name, obj in vars(module).items())
        if not (holds_suite and isinstance(driver, type) and issubclass(driver, WireDriver)):
            _plugged[module.__name__] = None
        else:
            kind = getattr(module, "Requirements", Requirements)
            dialect = kind.dialect or dialects.load((driver.name,))[0]
            _plugged[module.__name__] = Plugged(driver, kind(dialect))
    return _plugged[module.__name__]


def pytest_configure(config):
    config.addinivalue_line("markers", f"{MARK}(name): run only for dialects whose Requirements grant `name`")


def pytest_generate_tests(metafunc):
    if "reader" in metafunc.fixturenames:
        plug = plugged(metafunc.module)
        if plug is not None:
            metafunc.parametrize("reader", sorted(set(dialects.available()) | {plug.name}))


def pytest_collection_modifyitems(session, config, items):
    registry: dict[str, Plugged] = {}
    for item in items:
        plug = plugged(getattr(item, "module", None))
        if plug is not None:
            registry.setdefault(plug.name, plug)
    config.stash[REGISTRY] = registry
    for item in items:
        marks = [mark.args[0] for mark in item.iter_markers(MARK)]
        plug = plugged(getattr(item, "module", None))
        if plug is None:
            if marks:
                raise pytest.UsageError(f"{item.nodeid}: a suite test outside a dialect module (no Driver)")
            continue
        try:
            reasons = [plug.requirements.refusal(name) for name in marks]
        except LookupError as unknown:
            raise pytest.UsageError(f"{item.nodeid}: {unknown}") from None
        reader = getattr(item, "callspec", None) and item.callspec.params.get("reader")
        if reader and reader not in registry:
            reasons.append(f"no driver for {reader} collected in this session (its dialect module holds it)")
        if any(reasons):
            item.add_marker(pytest.mark.skip(reason=next(r for r in reasons if r)))


# -- real parts ----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def redis_url():
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    folder = tempfile.mkdtemp(prefix="jg-test-")
    server = EmbeddedRedis(Path(folder) / "redis")
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def jobgate_catalogs() -> list[Path]:
    """Catalog files the gateway serves, merged; override to add a project's own jobs."""
    return [parts.CATALOG]


@pytest.fixture(scope="session")
def jobgate_environment() -> dict[str, str]:
    """Environment variables for every gateway and worker; override to change settings."""
    return {}


@pytest.fixture(scope="session")
def gateway_env(redis_url, jobgate_catalogs, jobgate_environment, tmp_path_factory, pytestconfig):
    """The environment every gateway and worker process of the suite shares."""
    connect(redis_url).flushdb()
    catalog = parts.merge_catalogs(jobgate_catalogs, tmp_path_factory.mktemp("jobgate") / "catalog.toml")
    root = str(pytestconfig.rootpath)
    return {
        **os.environ,
        "REDIS_URL": redis_url,
        "JOBGATE_CATALOG": str(catalog),
        "JOBGATE_PRINCIPALS": str(parts.PRINCIPALS),
        "JOBGATE_QUOTAS": str(parts.QUOTAS),
        # the suite sends wrong passwords on purpose, all from one address: throttled far later
        "JOBGATE_LOGIN_FAILURES": "100,1000,10000",
        "JOBGATE_PYTHON_ALLOW": parts.PYTHON_ALLOW,
        "JOBGATE_HEARTBEAT_INTERVAL": "1",
        "JOBGATE_KILL_GRACE": "1",
        "JOBGATE_STALE_AFTER": "4",
        # the project's own modules (and its checkout of jobgate) first, in workers too
        "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        **jobgate_environment,
    }


@pytest.fixture(scope="session")
def settings(gateway_env):
    return Settings.from_env(gateway_env)


@pytest.fixture(scope="session")
def workers(gateway_env, pytestconfig):
    started = [parts.start_worker(gateway_env, pytestconfig.rootpath) for _ in range(WORKERS)]
    parts.wait_for_workers(gateway_env["REDIS_URL"], WORKERS)
    yield started
    processes.stop(*started)


@pytest.fixture(scope="session")
def service(settings):
    return Service.from_settings(settings)


@pytest.fixture(scope="session")
def gateway(settings, service, workers):
    server = parts.Gateway(settings, service)
    yield server
    server.close()


@pytest.fixture(scope="session")
def base_url(gateway) -> str:
    return gateway.url


@pytest.fixture(scope="session")
def served_gateway(gateway_env, pytestconfig):
    server = parts.ServedGateway(gateway_env, pytestconfig.rootpath, workers=1)
    server.start()
    yield server
    server.stop()


# -- dialect modules -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def plug(request) -> Plugged:
    found = plugged(request.module)
    if found is None:
        raise pytest.UsageError(f"{request.module.__name__} does not plug a dialect into the suite")
    return found


@pytest.fixture(scope="module")
def requirements(plug) -> Requirements:
    return plug.requirements


@pytest.fixture(scope="module")
def suite_gateway(plug, gateway, gateway_env, workers):
    """The session's gateway; a gateway of the module's own when its dialect needs settings
    of its own (Requirements.environment) or is not installed (then mounted beside the others)."""
    wanted = plug.requirements
    installed = wanted.name in dialects.available()
    if installed and not wanted.environment:
        yield gateway
        return
    server = parts.Gateway(Settings.from_env({**gateway_env, **wanted.environment}),
                           extra_dialects=() if installed else [wanted.dialect])
    yield server
    server.close()


@pytest.fixture
def as_user(plug, suite_gateway):
    """as_user("alice") -> the module's driver holding alice's credential; token="" for none."""
    return lambda who, token=None: plug.driver(suite_gateway.url, parts.TOKENS.get(who) if token is None else token)


@pytest.fixture
def driver(as_user) -> WireDriver:
    return as_user("alice")


@pytest.fixture
def drivers(request) -> dict[str, Plugged]:
    """Every dialect module collected in this session, by dialect name."""
    return request.config.stash[REGISTRY]


@pytest.fixture
def doomed_worker(gateway_env, pytestconfig):
    """A worker of its own on the `doomed` queue, for a test to kill."""
    process = parts.start_worker({**gateway_env, "JOBGATE_QUEUES": "doomed"}, pytestconfig.rootpath)
    yield process
    processes.stop(process)
