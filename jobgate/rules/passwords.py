"""Principal passwords: salted, slow Argon2id hashes (argon2-cffi), checked without
paying the slow hash on every Basic-auth request.

A principals file may still hold a plaintext password or the old unsalted
`sha256:<hex>` form; both are read, with a warning at load naming the principal
(`jobgate hash-password` makes a hash to put there instead). A password that
verified is remembered in memory for a short while under a keyed digest (never
the password itself), so a client sending Basic credentials with every request
costs one hash a minute, not one per request.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ARGON2 = "$argon2"
LEGACY_SHA256 = "sha256:"
#: Seconds a verified password is taken as verified again without hashing.
REMEMBER_FOR = 60.0
_hasher = PasswordHasher()


def _in_line(function, *args):
    return function(*args)


#: How the slow hash is run: in the caller's thread. A server whose requests share one
#: thread sets a runner on real threads here (Argon2 lets go of the GIL), so that the
#: others go on meanwhile: the gateway's gevent worker does (jobgate/tools/gunicorn_conf.py).
run_slow = _in_line


def hash_password(plain: str) -> str:
    return _hasher.hash(plain)


def weakness(stored: str) -> str | None:
    """Why a stored password is weak ("plaintext" / "unsalted sha256"), or None for a hash."""
    if stored.startswith(ARGON2):
        return None
    return "unsalted sha256" if stored.startswith(LEGACY_SHA256) else "plaintext"


def matches(stored: str, given: str) -> bool:
    """Constant-time for the legacy forms; Argon2's own verification for hashes."""
    if stored.startswith(ARGON2):
        try:
            return run_slow(_hasher.verify, stored, given)
        except (VerificationError, InvalidHashError):
            return False
    if stored.startswith(LEGACY_SHA256):
        return hmac.compare_digest(hashlib.sha256(given.encode()).hexdigest(), stored[len(LEGACY_SHA256):].lower())
    return hmac.compare_digest(given.encode(), stored.encode())


class Verified:
    """(user, stored, password) triples that verified lately, kept as HMACs under a key of this process
    (the stored form is part of it, so a changed password is checked afresh)."""

    def __init__(self, remember_for: float = REMEMBER_FOR):
        self._key = secrets.token_bytes(32)
        self._until: dict[bytes, float] = {}
        self._lock = threading.Lock()
        self.remember_for = remember_for
        #: how many times a password was really checked against its stored form
        self.hashed = 0

    def _digest(self, user: str, stored: str, given: str) -> bytes:
        text = f"{user}\0{stored}\0{given}".encode(errors="surrogatepass")
        return hmac.new(self._key, text, hashlib.sha256).digest()

    def check(self, user: str, stored: str, given: str) -> bool:
        digest, moment = self._digest(user, stored, given), time.monotonic()
        with self._lock:
            if self._until.get(digest, 0.0) > moment:
                return True
        self.hashed += 1
        if not matches(stored, given):
            return False
        with self._lock:
            self._until = {d: t for d, t in self._until.items() if t > moment}     # drop the stale ones
            self._until[digest] = moment + self.remember_for
        return True
