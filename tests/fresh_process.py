"""Run the CLI in a fresh interpreter, to prove output does not depend on one process's state.

A second process has its own hash seed (set iteration order of strings), its own caches and its
own clock reading; a file that comes out byte-identical there and in the test process depends on
its inputs only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def other_hash_seed() -> str:
    """A hash seed the test process does not run with (it has a random one unless PYTHONHASHSEED is set)."""
    return "1" if os.environ.get("PYTHONHASHSEED") == "0" else "0"


def run_cli(args: list[str], *, cwd: Path, source_date_epoch: int | None = None) -> subprocess.CompletedProcess:
    """`mlops-audit ARGS` in a new interpreter with another hash seed; SOURCE_DATE_EPOCH only if given."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONHASHSEED"] = other_hash_seed()
    if source_date_epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(source_date_epoch)
    done = subprocess.run([sys.executable, "-m", "mlops_audit", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done
