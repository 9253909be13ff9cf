"""Progress on stderr: repositories done / total, rate, ETA, failures.

On a terminal the line is redrawn in place (at most a few times a second); otherwise (CI logs,
pipes) only the final line is printed, so logs are not flooded.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Progress:
    def __init__(self, total: int, *, stream: TextIO | None = None, live: bool | None = None) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.started = time.monotonic()
        self.done = 0
        self.failed = 0
        self.skipped = 0
        self._drawn = 0.0

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        return (
            f"portfolio: {self.done}/{self.total} repos, {rate:.1f}/s, ETA {_clock(eta)}, "
            f"{self.skipped} unchanged, {self.failed} failed, elapsed {_clock(elapsed)}"
        )

    def advance(self, *, failed: bool = False, skipped: bool = False) -> None:
        self.done += 1
        self.failed += failed
        self.skipped += skipped
        now = time.monotonic()
        if self.live and (now - self._drawn > 0.2 or self.done == self.total):
            self._drawn = now
            self.stream.write("\r\x1b[K" + self.line())
            self.stream.flush()

    def finish(self) -> None:
        self.stream.write(("\r\x1b[K" if self.live else "") + self.line() + "\n")
        self.stream.flush()
