"""Fewer cyclic garbage collections while detectors run.

Parsing a file builds its syntax tree: a hundred thousand small objects for a large module, none
of them in a reference cycle, freed by reference counting when the tree is dropped. CPython's
cyclic collector counts them anyway: with its default first threshold (700 net allocations) a
big tree of library code set off 11,600 young collections and 88 full ones in one `collect`,
each full one walking the index's caches (summaries, cached trees): 14 s of 40 s CPU on the
sp-nodist tree (docs/benchmarks.md, "Big trees, session 7"). While a detector runs, the first
threshold is raised to PARSING_THRESHOLD (`collect` pauses once around the whole collection, until
the index is freed, `collect_with_index` around all its detectors, and `run_detector` around each), so a tree parsed, summarised and dropped between two collections is
never walked by one, and full collections become rare: there, 2 young collections and no full one
while the detectors ran (0.4 s; a threshold of 100,000 left about 2 s). The collector stays on:
reference cycles (there are few: about 1,600 objects in that whole run) are still found, after
at most PARSING_THRESHOLD net allocations (objects created and not yet freed) instead of 700,
which bounds the garbage they can hold. `collect` restores the threshold only after dropping the
index: freed by reference counting, its caches (syntax trees, summaries, documents: up to 400,000
objects) are no longer counted, so the young collection that follows does not walk them (it did:
about 6 % of `collect`'s CPU over the labelled checkouts; docs/benchmarks.md, "Collect time, session 12").

Nestable and thread-safe: the thresholds in force when the outermost pause began are restored
when the last pause ends. A first threshold of 0 (the collector disabled) or above
PARSING_THRESHOLD is left as it is.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

PARSING_THRESHOLD = 400_000

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, ...] | None = None


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the collector's first threshold to PARSING_THRESHOLD for the duration (see the module text)."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            current = gc.get_threshold()
            if 0 < current[0] < PARSING_THRESHOLD:
                _saved = current
                gc.set_threshold(PARSING_THRESHOLD, *current[1:])
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
