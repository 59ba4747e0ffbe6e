"""Credentials are checked once, in the core; issued tokens expire."""
import subprocess
import sys
import time

import pytest
import redis

from jobgate.errors import Unauthorized
from jobgate.kit import dialect
from jobgate.kit.app import create_app
from jobgate.model import Credential
from jobgate.rules.auth import Authenticator, load_principals
from jobgate.rules.passwords import Verified, hash_password, matches
from jobgate.settings import Settings
from jobgate.store.tokens import Tokens
from jobgate.testing.parts import PRINCIPALS


@pytest.fixture
def auth(redis_url):
    return Authenticator(Tokens(redis.Redis.from_url(redis_url)), load_principals(str(PRINCIPALS)))


def test_static_tokens_and_passwords(auth):
    assert auth.verify(Credential(token="tok-carol")).tenant == "globex"
    assert auth.verify(Credential(username="alice", password="s3cret")).name == "alice"
    assert auth.verify(Credential(username="bob", password="test")).tenant == "acme"     # sha256:<hex>
    for wrong in (Credential(username="bob", password="sha256:9f86"), Credential(username="alice", password=""),
                  Credential(token="tok-nobody")):
        with pytest.raises(Unauthorized) as caught:
            auth.verify(wrong)
        assert caught.value.context["reason"] == "invalid"
    with pytest.raises(Unauthorized) as caught:
        auth.verify(None)
    assert caught.value.context["reason"] == "missing"


def test_issued_tokens_map_to_the_principal_and_expire(auth):
    principal = auth.login("alice", "s3cret")
    token = auth.issue_token(principal, ttl=1)
    assert auth.verify(Credential(token=token)) == principal
    assert token.encode() not in b"".join(auth.tokens.redis.keys("jg:token:*"))     # stored hashed
    time.sleep(1.3)
    with pytest.raises(Unauthorized):
        auth.verify(Credential(token=token))


def test_principals_file_mistakes_are_named(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[[principal]]\nname = "a b"\ntenant = "t"\n')
    with pytest.raises(ValueError, match="principal #1: name"):
        load_principals(str(path))


def test_jobgate_dialects_picks_what_is_mounted(gateway_env):
    app = create_app(Settings.from_env({**gateway_env, "JOBGATE_DIALECTS": "native"}))
    assert set(app.extensions["jobgate.dialects"]) == {"native"}
    with pytest.raises(dialect.UnknownDialect, match="installed: .*native"):
        create_app(Settings.from_env({**gateway_env, "JOBGATE_DIALECTS": "native,klingon"}))


def test_passwords_are_salted_slow_hashes_and_legacy_forms_still_read_with_a_warning(tmp_path, caplog):
    first, second = hash_password("s3cret"), hash_password("s3cret")
    assert first != second and first.startswith("$argon2id$")       # salted
    assert matches(first, "s3cret") and not matches(first, "s3cret ") and not matches("$argon2id$broken", "x")
    path = tmp_path / "p.toml"
    path.write_text(f'[[principal]]\nname = "new"\ntenant = "t"\npassword = "{first}"\n'
                    '[[principal]]\nname = "old"\ntenant = "t"\n'
                    'password = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"\n'
                    '[[principal]]\nname = "plain"\ntenant = "t"\npassword = "test"\n')
    with caplog.at_level("WARNING", logger="jobgate.auth"):
        auth = Authenticator(None, load_principals(str(path)))
    warned = [r.getMessage() for r in caplog.records]
    assert any("old has a unsalted sha256 password" in m for m in warned)
    assert any("plain has a plaintext password" in m for m in warned)
    assert not any("new has" in m for m in warned)
    assert [auth.login(name, pw).name for name, pw in (("new", "s3cret"), ("old", "test"), ("plain", "test"))] \
        == ["new", "old", "plain"]
    with pytest.raises(Unauthorized):
        auth.login("new", "test")


def test_a_verified_password_is_not_hashed_again_for_a_while():
    stored, remembering, forgetting = hash_password("pw"), Verified(), Verified(remember_for=0)
    for verified in (remembering, forgetting):
        assert verified.check("u", stored, "pw") and verified.check("u", stored, "pw")
        assert not verified.check("u", stored, "wrong") and not verified.check("v", hash_password("x"), "pw")
    assert remembering.hashed == 3 and forgetting.hashed == 4


def test_hash_password_prints_a_hash_that_verifies():
    made = subprocess.run([sys.executable, "-m", "jobgate", "hash-password"], input="correct horse\n",
                          capture_output=True, text=True, check=True).stdout.strip()
    assert matches(made, "correct horse") and not matches(made, "correct horse\n")
