"""Redis over TLS (issue 15): a `rediss://` REDIS_URL serves the gateway, a `jobgate worker` and
RQ's calls, against a redis-server of the test's own that speaks TLS only. Its certificate is
either signed by a CA of the test's own (given as JOBGATE_REDIS_CA, or `?ssl_ca_certs=` in the
URL) or self-signed, as Heroku Redis's are (JOBGATE_REDIS_TLS_VERIFY=0 turns checking off)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from jobgate.settings import Settings
from jobgate.store.addresses import TlsOptions
from jobgate.store.connection import StoreUnavailable, connect
from jobgate.testing import WireError
from jobgate.testing.parts import TOKENS, Gateway, start_worker
from jobgate.tools import processes
from tests.dialects import native
from tests.redis_servers import TlsRedis, binary

pytestmark = pytest.mark.skipif(not (binary("redis-server") and binary("openssl")),
                                reason="redis-server and openssl are needed")


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def certificates(folder: Path, signed: bool) -> dict[str, Path]:
    """A key and certificate for 127.0.0.1, signed by a CA made here (signed) or by itself; the CA
    file is the one a client checks the server's certificate against."""
    folder.mkdir()
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1")
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    if not signed:
        openssl("req", "-x509", *ec, "-keyout", "server.key", "-out", "server.crt", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", cwd=folder)
        return {"cert": folder / "server.crt", "key": folder / "server.key", "ca": folder / "server.crt"}
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=jobgate test CA", cwd=folder)
    openssl("req", *ec[:-2], "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1", cwd=folder)
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.crt", "-days", "1", "-extfile", "san.ext", cwd=folder)
    return {"cert": folder / "server.crt", "key": folder / "server.key", "ca": folder / "ca.crt"}


@pytest.fixture
def tls_redis(tmp_path, request):
    """A TLS-only redis-server; `request.param`: whether its certificate is CA-signed."""
    made = certificates(tmp_path / "certs", signed=request.param)
    server = TlsRedis(tmp_path / "redis", **made)
    server.start()
    server.certs = made
    yield server
    server.stop()


def runs_a_job(gateway_env: dict, **env: str) -> str:
    """Serve the gateway and a worker with `env`; the state a QuickJob submitted to them ends in."""
    env = {**gateway_env, **env}
    gateway = Gateway(Settings.from_env(env))
    worker = start_worker(env)
    try:
        driver = native.Driver(gateway.url, TOKENS["alice"])
        return driver.wait(driver.submit("QuickJob"), timeout=30).state
    finally:
        gateway.close()
        processes.stop(worker)


@pytest.mark.parametrize("tls_redis", [True], indirect=True)
def test_a_ca_file_setting_checks_the_servers_certificate(tls_redis, gateway_env):
    assert runs_a_job(gateway_env, REDIS_URL=tls_redis.url, JOBGATE_REDIS_CA=str(tls_redis.certs["ca"])) == "SUCCEEDED"


@pytest.mark.parametrize("tls_redis", [False], indirect=True)
def test_verification_off_takes_a_self_signed_certificate(tls_redis, gateway_env):
    assert runs_a_job(gateway_env, REDIS_URL=tls_redis.url, JOBGATE_REDIS_TLS_VERIFY="0") == "SUCCEEDED"


@pytest.mark.parametrize("tls_redis", [False], indirect=True)
def test_a_certificate_that_cannot_be_checked_is_refused(tls_redis, gateway_env):
    """Checking is on by default: without the CA, the self-signed server is unavailable (503)."""
    gateway = Gateway(Settings.from_env({**gateway_env, "REDIS_URL": tls_redis.url}))
    try:
        with pytest.raises(WireError) as refused:
            native.Driver(gateway.url, TOKENS["alice"]).submit("QuickJob")
        assert refused.value.status == 503
    finally:
        gateway.close()


@pytest.mark.parametrize("tls_redis", [True], indirect=True)
def test_the_urls_own_tls_options_win_over_the_settings(tls_redis):
    wrong = TlsOptions(ca_file=str(tls_redis.certs["cert"]))      # not the CA that signed it
    with pytest.raises(StoreUnavailable):
        connect(tls_redis.url, wrong).ping()
    assert connect(f"{tls_redis.url}?ssl_ca_certs={tls_redis.certs['ca']}", wrong).ping()
    assert connect(f"{tls_redis.url}?ssl_cert_reqs=none", wrong).ping()
