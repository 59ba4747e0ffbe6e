"""jobgate over HTTPS (`jobgate serve --certfile --keyfile`), as OCAPI clients only speak https.

The certificate is made here for 127.0.0.1 and verified by the client; the
gateway runs with a 3 s token TTL so the issued token's expiry is seen too.
"""
import shutil
import socket
import subprocess
import sys
import time

import pytest
import requests

from jobgate.tools import processes
from tests.conftest import ROOT
from tests.ocapi.check import fault_of
from tests.ocapi.cli_client import CommandLineClient
from tests.ocapi.conftest import Ocapi

TOKEN_TTL = 3


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return folder / "cert.pem", folder / "key.pem"


@pytest.fixture(scope="module")
def https_url(gateway_env, workers, certificate):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cert, key = certificate
    server = subprocess.Popen(
        [sys.executable, "-m", "jobgate", "serve", "--port", str(port), "--processes", "1",
         "--certfile", str(cert), "--keyfile", str(key)],
        cwd=ROOT, env={**gateway_env, "JOBGATE_TOKEN_TTL": str(TOKEN_TTL)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"https://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(f"{url}/healthz", verify=str(cert), timeout=1).raise_for_status()
            break
        except requests.RequestException:
            assert server.poll() is None and time.monotonic() < deadline, "the TLS gateway did not come up"
            time.sleep(0.1)
    yield url
    processes.stop(server)


def test_token_submit_and_poll_over_https(https_url, certificate):
    cli = CommandLineClient(https_url, verify=str(certificate[0]))
    issued = cli.auth("alice", "s3cret")
    assert issued["expires_in"] == TOKEN_TTL
    execution = cli.run_sync("QuickJob", greeting="over-tls")
    assert execution["status"] == "OK" and execution["exit_status"]["status"] == "ok"
    assert "greeting=over-tls" in cli.log(execution)
    time.sleep(TOKEN_TTL + 0.3)
    expired = Ocapi(https_url, cli.token).call("GET", f"/jobs/QuickJob/executions/{execution['id']}",
                                                verify=str(certificate[0]))
    fault_of(expired, 401, "InvalidAccessTokenException")


def test_plain_http_and_unverified_certificates_are_refused(https_url):
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{https_url}/healthz", timeout=5)
    with pytest.raises(requests.RequestException):
        requests.get(https_url.replace("https", "http") + "/healthz", timeout=5)
