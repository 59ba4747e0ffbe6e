"""Credentials are checked once, in the core; issued tokens expire."""
import time

import pytest
import redis

from jobgate.errors import Unauthorized
from jobgate.kit import dialect
from jobgate.kit.app import create_app
from jobgate.model import Credential
from jobgate.rules.auth import Authenticator, load_principals
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
