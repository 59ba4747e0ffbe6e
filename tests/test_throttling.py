"""Failed logins slow a guesser down, then refuse it (429 in each login's own format, with
Retry-After), counted in Redis per (user, address), per address and per user, while the real user
still logs in from another address.

A gateway of this module's own: its own principals (so no other test's user is throttled) and
low thresholds with a long first wait, so nothing here depends on timing. Client addresses are
real: the gateway listens on 127.0.0.1, and each client binds a source address of its own in
127.0.0.0/8 (one set per test, so the per-address counts of one test never reach another).
"""
from __future__ import annotations

import base64
import itertools
import time
import uuid

import pytest
import requests
from requests.adapters import HTTPAdapter

from jobgate.settings import Settings
from jobgate.store.attempts import LoginAttempts
from jobgate.store.connection import connect
from jobgate.testing.parts import Gateway

#: per (user, address), per address, per user
FAILURES = (3, 8, 6)
BACKOFF = 30
WINDOW = 120
USERS = ["keystone-u", "ocapi-u", "sas-u", "cdq-u", "datameer-u", "datameer2-u", "spray-u", "spread-u", "proxy-u"]
PRINCIPALS = "".join(f'[[principal]]\nname = "{name}"\ntenant = "throttle-t"\npassword = "right-{name}"\n\n'
                     for name in USERS)
_networks = itertools.count(1)


class SourceAddress(HTTPAdapter):
    """Connections made from one local address (any of 127.0.0.0/8 reaches the gateway)."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, source_address=(self.address, 0), **kwargs)


def client(address: str) -> requests.Session:
    session = requests.Session()
    session.mount("http://", SourceAddress(address))
    return session


@pytest.fixture
def addresses():
    """Fresh source addresses for one test: addresses(3) -> three of its own network."""
    network = next(_networks)
    return lambda count: [f"127.0.{network}.{host}" for host in range(1, count + 1)]


@pytest.fixture(scope="module")
def base(gateway_env, tmp_path_factory):
    principals = tmp_path_factory.mktemp("throttling") / "principals.toml"
    principals.write_text(PRINCIPALS)
    settings = Settings.from_env({**gateway_env, "JOBGATE_PRINCIPALS": str(principals),
                                  "JOBGATE_LOGIN_FAILURES": ",".join(map(str, FAILURES)),
                                  "JOBGATE_LOGIN_BACKOFF": str(BACKOFF), "JOBGATE_LOGIN_WINDOW": str(WINDOW)})
    server = Gateway(settings)
    yield server.url
    server.close()


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


# -- each login, and what its clients read -------------------------------------------------

def keystone(http, base, user, password):
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": user, "password": password}}}}}
    return http.post(f"{base}/identity/v3/auth/tokens", json=body, timeout=10)


def ocapi(http, base, user, password):
    return http.post(f"{base}/dwsso/oauth2/access_token", data={"grant_type": "client_credentials"},
                     headers=basic(user, password), timeout=10)


def sas(http, base, user, password):
    return http.post(f"{base}/SASLogon/oauth/token", headers=basic("sas.cli", ""), timeout=10,
                     data={"grant_type": "password", "username": user, "password": password})


def cdq(http, base, user, password):
    return http.post(f"{base}/cdq/oauth/token", timeout=10,
                     data={"grant_type": "client_credentials", "client_id": user, "client_secret": password})


def datameer(http, base, user, password):
    return http.get(f"{base}/rest/jobs/list-running", headers=basic(user, password), timeout=10)


def datameer_v2(http, base, user, password):
    return http.get(f"{base}/api/job-execution/list-running", headers=basic(user, password), timeout=10)


def keystone_throttled(body):
    return body["error"]["code"] == 429 and body["error"]["title"] == "Too Many Requests" \
        and "try again in" in body["error"]["message"]


def oauth_throttled(body):
    return body["error"] == "temporarily_unavailable" and "try again in" in body["error_description"]


#: login, its success status, its user, and what its 429 looks like to its clients
LOGINS = {
    "keystone": (keystone, 201, "keystone-u", keystone_throttled),
    "ocapi": (ocapi, 200, "ocapi-u", oauth_throttled),
    "sas": (sas, 200, "sas-u", oauth_throttled),
    "cdq": (cdq, 200, "cdq-u", oauth_throttled),
    "datameer": (datameer, 200, "datameer-u", lambda body: set(body) == {"error"} and "try again in" in body["error"]),
    "datameer_v2": (datameer_v2, 200, "datameer2-u",
                    lambda body: body["status"] == "failure" and "try again in" in body["reason"]),
}


@pytest.mark.parametrize("name", LOGINS)
def test_failures_then_429_with_retry_after_and_the_right_password_from_elsewhere_works(base, addresses, name):
    login, ok, user, throttled = LOGINS[name]
    guesser, elsewhere = (client(a) for a in addresses(2))
    for _ in range(FAILURES[0]):
        assert login(guesser, base, user, "wrong").status_code == 401
    refused = login(guesser, base, user, f"right-{user}")       # right, but from where it kept failing
    assert refused.status_code == 429, refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= BACKOFF
    assert throttled(refused.json()), refused.text
    assert login(guesser, base, user, "wrong").status_code == 429          # not even looked at
    assert login(elsewhere, base, user, f"right-{user}").status_code == ok
    assert login(elsewhere, base, user, "wrong").status_code == 401        # its own count starts at one


def test_a_forged_x_forwarded_for_is_not_believed(base, addresses):
    """Without JOBGATE_TRUSTED_PROXIES the peer's address is the client's, whatever a header says."""
    (guesser,) = (client(a) for a in addresses(1))
    user = "proxy-u"
    for _ in range(FAILURES[0]):
        assert datameer(guesser, base, user, "wrong").status_code == 401
    forged = guesser.get(f"{base}/rest/jobs/list-running", timeout=10,
                         headers={**basic(user, f"right-{user}"), "X-Forwarded-For": "203.0.113.7"})
    assert forged.status_code == 429


def test_one_address_trying_many_names_waits(base, addresses):
    sprayer, other = (client(a) for a in addresses(2))
    for number in range(FAILURES[1]):
        assert datameer(sprayer, base, f"nobody-{number}", "guess").status_code == 401
    assert datameer(sprayer, base, "spray-u", "right-spray-u").status_code == 429
    assert datameer(other, base, "spray-u", "right-spray-u").status_code == 200


def test_one_user_tried_from_many_addresses_waits_only_where_it_failed(base, addresses):
    """Each address fails once (below its own threshold); together they pass the user's."""
    *guessers, fresh = (client(a) for a in addresses(FAILURES[2] + 1))
    for guesser in guessers:
        assert ocapi(guesser, base, "spread-u", "guess").status_code == 401
    refused = ocapi(guessers[0], base, "spread-u", "right-spread-u")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert ocapi(fresh, base, "spread-u", "right-spread-u").status_code == 200


def test_each_failure_past_the_threshold_doubles_the_wait_up_to_the_window(redis_url):
    """The store's counting alone (no HTTP, so no wait is sat out): backoff 10 s, window 60 s."""
    attempts = LoginAttempts(connect(redis_url))
    subject = {"user-address": (f"doubling-{uuid.uuid4()}\n127.9.9.9", 2)}
    waits = []
    for _ in range(6):
        attempts.failed(subject, window=60, backoff=10)
        waits.append(attempts.standing({"user-address": subject["user-address"][0]})["user-address"].wait)
    assert waits[0] == 0                                         # one failure: below the threshold
    assert [round(w / 10) for w in waits[1:4]] == [1, 2, 4]      # 10 s, 20 s, 40 s (less the ms since)
    assert 40 < waits[4] <= 60 and 50 < waits[5] <= 60           # then at most the window
    assert attempts.standing({"user-address": subject["user-address"][0]})["user-address"].failures == 6


def test_sitting_out_the_longest_wait_does_not_forgive_the_failures(redis_url):
    """Backoff 1 s, window 2 s: after the 2 s wait, the next failure waits 2 s again, not 1 s."""
    attempts = LoginAttempts(connect(redis_url))
    subject = f"patient-{uuid.uuid4()}"
    for _ in range(2):
        attempts.failed({"user": (subject, 1)}, window=2, backoff=1)
    time.sleep(2.2)
    after = attempts.standing({"user": subject})["user"]
    assert after.wait == 0 and after.failures == 2
    attempts.failed({"user": (subject, 1)}, window=2, backoff=1)
    assert attempts.standing({"user": subject})["user"].wait > 1
