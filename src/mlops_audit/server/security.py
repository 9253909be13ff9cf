"""Passwords, bearer tokens, CSRF tokens and the login rate limiter.

- Assessor passwords: argon2id (argon2-cffi's defaults, RFC 9106's second recommended option).
- Session and invitation tokens: 32 random bytes (secrets), only their SHA-256 is stored, so a copy
  of the database opens no door.
- CSRF: the signed double-submit cookie pattern (OWASP): every visitor carries a random `csrf`
  cookie; forms and scripts send HMAC(server secret, cookie). A cross-site page can neither read
  the cookie nor forge the HMAC, and cookie-authenticated unsafe requests without it are refused.
- Login: at most MAX_FAILURES failed attempts per user name and per client address in WINDOW
  seconds (counted in the database, shared by every server process), then 429 until the window passes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import defaultdict
from datetime import UTC, datetime, timedelta

MIN_PASSWORD = 10
MAX_FAILURES = 5
WINDOW = 15 * 60.0


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# argon2-cffi's defaults (RFC 9106 low-memory profile: 3 passes over 64 MiB). Tests lower the cost
# through this mapping; a hash records its own parameters, so verification never depends on it.
ARGON2_PARAMETERS: dict[str, int] = {}


def _hasher():  # noqa: ANN202
    from argon2 import PasswordHasher

    return PasswordHasher(**ARGON2_PARAMETERS)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password: at least {MIN_PASSWORD} characters")
    return _hasher().hash(password)


# Verifying against this hash when the user does not exist keeps the time of a failed login the
# same whether or not the name exists.
_DUMMY: dict[str, str] = {}


def check_password(stored: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    hasher = _hasher()
    if stored is None:
        key = repr(sorted(ARGON2_PARAMETERS.items()))
        stored = _DUMMY.setdefault(key, hasher.hash(secrets.token_hex(16)))
        try:
            hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            pass
        return False
    try:
        return hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def csrf_token(secret: str, seed: str) -> str:
    return hmac.new(secret.encode("utf-8"), b"csrf|" + seed.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_ok(secret: str, seed: str | None, presented: str | None) -> bool:
    if not seed or not presented:
        return False
    return hmac.compare_digest(csrf_token(secret, seed), presented)


class LoginLimiter:
    """Counts failed sign-ins per key (user name, client address) in a sliding window, in the
    database: every server process sharing it sees the same counts, and a restart forgets nothing.
    Keys are stored as their SHA-256 (a password typed into the name field is not kept readable)."""

    def __init__(self, sessions, max_failures: int = MAX_FAILURES, window: float = WINDOW, clock=None) -> None:  # noqa: ANN001
        self.sessions = sessions
        self.max_failures = max_failures
        self.window = timedelta(seconds=window)
        self._clock = clock or (lambda: datetime.now(tz=UTC))

    @staticmethod
    def _hashed(keys: tuple[str, ...]) -> list[str]:
        return [hashlib.sha256(key.encode("utf-8")).hexdigest() for key in keys]

    def retry_after(self, *keys: str) -> int:
        """Seconds to wait before another attempt is allowed; 0 when allowed now."""
        from sqlalchemy import select

        from mlops_audit.server.db import LoginFailure

        now = self._clock()
        with self.sessions.begin() as session:
            rows = session.execute(
                select(LoginFailure.key_sha256, LoginFailure.at).where(LoginFailure.key_sha256.in_(self._hashed(keys)), LoginFailure.at >= now - self.window)
            ).all()
        by_key: dict[str, list[datetime]] = defaultdict(list)
        for key, at in rows:
            by_key[key].append(at if at.tzinfo else at.replace(tzinfo=UTC))  # SQLite hands back naive UTC
        waits = [
            int((min(times) + self.window - now).total_seconds()) + 1 for times in by_key.values() if len(times) >= self.max_failures
        ]
        return max(waits, default=0)

    def failed(self, *keys: str) -> None:
        from sqlalchemy import delete

        from mlops_audit.server.db import LoginFailure

        now = self._clock()
        with self.sessions.begin() as session:
            session.execute(delete(LoginFailure).where(LoginFailure.at < now - self.window))  # forget what the window has passed
            session.add_all([LoginFailure(key_sha256=key, at=now) for key in self._hashed(keys)])

    def succeeded(self, *keys: str) -> None:
        from sqlalchemy import delete

        from mlops_audit.server.db import LoginFailure

        with self.sessions.begin() as session:
            session.execute(delete(LoginFailure).where(LoginFailure.key_sha256.in_(self._hashed(keys))))


