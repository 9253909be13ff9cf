"""Passwords, bearer tokens, CSRF tokens and the login rate limiter.

- Assessor passwords: argon2id (argon2-cffi's defaults, RFC 9106's second recommended option).
- Session and invitation tokens: 32 random bytes (secrets), only their SHA-256 is stored, so a copy
  of the database opens no door.
- CSRF: the signed double-submit cookie pattern (OWASP): every visitor carries a random `csrf`
  cookie; forms and scripts send HMAC(server secret, cookie). A cross-site page can neither read
  the cookie nor forge the HMAC, and cookie-authenticated unsafe requests without it are refused.
- Login: at most MAX_FAILURES failed attempts per user name and per client address in WINDOW
  seconds (in memory, per server process), then 429 until the window passes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque

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
    """Counts failed logins per key (user name, client address) in a sliding window."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW, clock=time.monotonic) -> None:  # noqa: ANN001
        self.max_failures = max_failures
        self.window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque[float]:
        q = self._failures[key]
        cutoff = self._clock() - self.window
        while q and q[0] < cutoff:
            q.popleft()
        return q

    def retry_after(self, *keys: str) -> int:
        """Seconds to wait before another attempt is allowed; 0 when allowed now."""
        with self._lock:
            waits = []
            for key in keys:
                q = self._recent(key)
                if len(q) >= self.max_failures:
                    waits.append(int(q[0] + self.window - self._clock()) + 1)
            return max(waits, default=0)

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._recent(key).append(self._clock())

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
