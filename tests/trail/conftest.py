"""Fixtures for audit-trail tests: a fake clock and a small, realistic run built in tmp_path."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mlops_audit.evidence.trail import ArtifactRef, AuditTrail, RunManifest, event_hash
from mlops_audit.util.jsonio import canonical_json

T0 = datetime(2026, 11, 30, 9, 0, 0, tzinfo=UTC)


class FakeClock:
    """Ticks one second per call, from a fixed start: deterministic timestamps."""

    def __init__(self, start: datetime = T0) -> None:
        self.start = start
        self.calls = 0

    def __call__(self) -> datetime:
        self.calls += 1
        return self.start + timedelta(seconds=self.calls)


# (clause, action, role, output path) of the default six-step run.
STEPS = [
    ("PA.1.step1", "validate_requirements", "business", "reports/requirements.json"),
    ("PA.2.step1", "ingest_batch", "data_engineer", "data/raw.csv"),
    ("PA.2.step3", "clean", "data_engineer", "data/clean.csv"),
    ("PA.3.step2", "train", "data_scientist", "experiments/model.bin"),
    ("PA.4.step2", "integration_test", "test_engineer", "reports/ci.json"),
    ("PA.5.step3", "promote", "ops_engineer", "deploy/production.json"),
]


def build_run(
    run_dir: Path,
    *,
    run_id: str = "run-test-0001",
    steps: int = len(STEPS),
    signing_key=None,  # noqa: ANN001 - an Ed25519PrivateKey or None
    close: bool = True,
) -> tuple[AuditTrail, RunManifest | None]:
    trail = AuditTrail.create(run_dir, run_id=run_id, clock=FakeClock())
    source = ArtifactRef(name="source/applications.csv", sha256="ab" * 32)
    for index in range(steps):
        clause, action, role, output = STEPS[index % len(STEPS)]
        if index >= len(STEPS):
            output = f"extra/step{index}.txt"
        target = run_dir / output
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"{action} output {index}\n", encoding="utf-8")
        trail.record(
            clause=clause,
            action=action,
            actor=f"pipeline:{action}",
            role=role,
            inputs=[source],
            outputs=[output],
            params={"step": index, "rule": "declared"},
            metrics={"score": index / 8},
            decision={"verdict": "pass"} if action == "promote" else None,
        )
    manifest = trail.close(signing_key=signing_key) if close else None
    return trail, manifest


@pytest.fixture
def make_run(tmp_path: Path) -> Callable[..., Path]:
    """Build a closed run under tmp_path and return its folder."""
    counter = {"n": 0}

    def _make(**kwargs) -> Path:  # noqa: ANN003
        counter["n"] += 1
        run_dir = tmp_path / f"run{counter['n']}"
        build_run(run_dir, **kwargs)
        return run_dir

    return _make


@pytest.fixture
def run_dir(make_run: Callable[..., Path]) -> Path:
    return make_run()


class TrailFiles:
    """Read and rewrite a run's audit.jsonl the way an attacker (or a broken disk) would."""

    @staticmethod
    def read_lines(run_dir: Path) -> list[bytes]:
        """The event lines of audit.jsonl, without newlines."""
        data = (run_dir / "audit.jsonl").read_bytes()
        assert data.endswith(b"\n")
        return data[:-1].split(b"\n")

    @staticmethod
    def write_lines(run_dir: Path, lines: list[bytes]) -> None:
        (run_dir / "audit.jsonl").write_bytes(b"".join(line + b"\n" for line in lines))

    @staticmethod
    def event(line: bytes) -> dict:
        return json.loads(line)

    @staticmethod
    def rehashed(event: dict) -> bytes:
        """A line for `event` with a correctly recomputed hash (a careful forger)."""
        body = {key: value for key, value in event.items() if key != "hash"}
        body["hash"] = event_hash(body)
        return canonical_json(body).encode("utf-8")


@pytest.fixture
def files() -> TrailFiles:
    return TrailFiles()
