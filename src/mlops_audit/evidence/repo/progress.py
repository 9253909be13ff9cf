"""A one-line progress report for long collects, on a terminal only.

Shown on stderr when it is a terminal (never when it is piped or redirected, and never on stdout,
where JSON goes), only once the collect has taken more than `DELAY_SECONDS`, redrawn in place at
most every `REDRAW_SECONDS`, and erased at the end so the terminal is left as it was. No thread:
the collector reports between steps (forked background scanners must not inherit threads).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

DELAY_SECONDS = 3.0
REDRAW_SECONDS = 0.25
WIDTH = 100


class Progress:
    def __init__(self, stream: TextIO | None = None, *, clock: Callable[[], float] = time.monotonic, delay: float = DELAY_SECONDS) -> None:
        self.stream = stream if stream is not None else sys.stderr
        try:
            self.enabled = bool(self.stream.isatty())
        except (AttributeError, ValueError, OSError):
            self.enabled = False
        self.clock = clock
        self.delay = delay
        self.started = clock()
        self.drawn_at: float | None = None

    def update(self, text: str) -> None:
        """Show `text` (once the delay has passed and the last redraw is old enough)."""
        if not self.enabled:
            return
        now = self.clock()
        if now - self.started < self.delay or (self.drawn_at is not None and now - self.drawn_at < REDRAW_SECONDS):
            return
        line = f"{text} ({now - self.started:.0f} s)"
        self.stream.write("\r\x1b[K" + line[:WIDTH])
        self.stream.flush()
        self.drawn_at = now

    def done(self) -> None:
        """Erase the line, if one was drawn."""
        if self.drawn_at is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn_at = None
