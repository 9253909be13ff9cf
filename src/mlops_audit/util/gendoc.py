"""Generated reference documents (rubric, tool catalogue): check one against a fresh render, or
write it. One place for the --check/--write behaviour their commands share."""

from __future__ import annotations

import sys
from pathlib import Path

from mlops_audit.util.jsonio import atomic_write_text


def check_or_write(output: Path, text: str, *, check: bool, regenerate: str) -> int:
    """Exit code: with `check`, 0 when `output` equals `text` and 1 when stale; else write it (0)."""
    if check:
        current = output.read_text(encoding="utf-8") if output.is_file() else None
        if current != text:
            print(f"{output} is stale: run `{regenerate}`", file=sys.stderr)
            return 1
        print(f"{output} is up to date")
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(output, text)
    print(f"wrote {output}")
    return 0
