"""Login throttling: failed passwords slow a guesser down, then stop it, without locking the
real user out.

Failures are counted per (user, address), per address and per user (store.attempts,
so every gateway process agrees). From a subject's threshold on, each further failure
makes it wait: the backoff, doubling with every failure, at most the window; failures
are remembered for a window after the last wait ends. While waiting, a login is refused with
LoginThrottled (429, Retry-After) before its password is looked at, so a right guess
teaches nothing. The per-user wait has a much higher threshold and holds only
addresses that have already failed for that user: a guesser spread over many addresses
gets one try per address and then waits, while the user, from an address that never
failed, still logs in. A success forgets that (user, address)'s failures, not the
address's or the user's (a guesser's own account must not wipe its record).
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from jobgate.errors import LoginThrottled
from jobgate.settings import Settings
from jobgate.store.attempts import LoginAttempts

log = logging.getLogger("jobgate.auth")
PAIR, ADDRESS, USER = "user-address", "address", "user"


@dataclass(frozen=True)
class LoginPolicy:
    pair: int           # failures per (user, address) before it waits
    address: int        # ... per address, over every user name tried from it
    user: int           # ... per user, over every address (only addresses that failed wait)
    window: float       # the longest wait (s), and how long failures are remembered after it
    backoff: float      # the first wait (s), doubled with every further failure

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginPolicy:
        return cls(*settings.login_failures, settings.login_window, settings.login_backoff)


class LoginThrottle:
    def __init__(self, attempts: LoginAttempts, policy: LoginPolicy):
        self.attempts, self.policy = attempts, policy

    @staticmethod
    def _subjects(user: str, address: str) -> dict[str, str]:
        return {PAIR: f"{user}\n{address}", ADDRESS: address, USER: user}

    def admit(self, user: str, address: str) -> bool:
        """Let a login be checked, or raise LoginThrottled; True when this (user, address) has failed lately."""
        standing = self.attempts.standing(self._subjects(user, address))
        failed_here = standing[PAIR].failures > 0
        wait = max(standing[PAIR].wait, standing[ADDRESS].wait, standing[USER].wait if failed_here else 0)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise LoginThrottled(f"too many failed logins; try again in {seconds} s", retry_after=seconds)
        return failed_here

    def failed(self, user: str, address: str) -> None:
        policy = self.policy
        thresholds = {PAIR: policy.pair, ADDRESS: policy.address, USER: policy.user}
        subjects = {scope: (subject, thresholds[scope]) for scope, subject in self._subjects(user, address).items()}
        counts = self.attempts.failed(subjects, policy.window, policy.backoff)
        for scope, count in counts.items():
            if count == thresholds[scope]:
                log.warning("failed logins: %s of %r from %s reached %d; it now waits before each try",
                            scope, user, address, count)

    def succeeded(self, user: str, address: str) -> None:
        self.attempts.forget(PAIR, self._subjects(user, address)[PAIR])
