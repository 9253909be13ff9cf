"""Same seed, injected clock, timer and run id -> byte-identical trails, metrics, models and reports.

skops alone does not write model files reproducibly; the registry canonicalises them
(`registry.canonical_skops`), so no file needs special treatment. Only `summary.json` is left out:
it is not attested and carries the wall-clock time each stage took.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pipeline.helpers import run_reproducibly, small_config

NOT_ATTESTED = {"summary.json"}


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).as_posix() not in NOT_ATTESTED
    }


@pytest.mark.slow
def test_two_runs_with_the_same_inputs_write_identical_files(tmp_path: Path) -> None:
    config = small_config()
    summary_a = run_reproducibly(config, tmp_path / "a")
    summary_b = run_reproducibly(config, tmp_path / "b")
    a, b = files(tmp_path / "a"), files(tmp_path / "b")

    assert sorted(a) == sorted(b)
    differing = sorted(path for path in a if a[path] != b[path])
    assert differing == []
    assert any(path.endswith(".skops") for path in a)  # models are among the identical files
    assert summary_a.head_hash == summary_b.head_hash
    assert summary_a.validation_head_hash == summary_b.validation_head_hash
    assert summary_a.monitoring == summary_b.monitoring
