"""The README's Python examples run as pasted (each in a fresh folder), and what they write verifies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_the_readme_has_python_examples():
    assert BLOCKS


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_readme_python_block_runs_as_pasted(number, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(BLOCKS[number], f"README.md python block {number + 1}", "exec"), {"__name__": "__readme__"})  # noqa: S102 - our own README


def test_the_sdk_example_writes_a_trail_that_verifies(tmp_path, monkeypatch):
    from mlops_audit.evidence.trail import verify_run

    block = next(b for b in BLOCKS if "AuditTrail" in b)
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md SDK example", "exec"), {"__name__": "__readme__"})  # noqa: S102
    run = next(p.parent for p in tmp_path.rglob("manifest.json"))
    assert verify_run(run).ok


def test_shell_completion_as_documented_completes_commands():
    import os
    import subprocess
    import sys

    doc = (README.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    assert 'eval "$(_MLOPS_AUDIT_COMPLETE=bash_source mlops-audit)"' in doc
    script = [sys.executable, "-c", "from mlops_audit.cli import main; main()"]
    env = {**os.environ, "_MLOPS_AUDIT_COMPLETE": "bash_complete", "COMP_WORDS": "mlops-audit rub", "COMP_CWORD": "1"}
    done = subprocess.run(script, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert "rubric" in done.stdout, done.stderr
    source = subprocess.run(script, env={**os.environ, "_MLOPS_AUDIT_COMPLETE": "bash_source"}, capture_output=True, text=True, timeout=60, check=False)
    assert "complete -o nosort -F" in source.stdout or "complete " in source.stdout
