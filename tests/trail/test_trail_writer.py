"""AuditTrail: what it writes, and what it refuses."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from mlops_audit.evidence.trail import ArtifactRef, AuditTrail, Event, TrailError, event_hash, external_ref
from mlops_audit.evidence.trail import writer as writer_module
from mlops_audit.util.jsonio import canonical_json, sha256_bytes


def new_trail(run_dir: Path, **kwargs) -> AuditTrail:  # noqa: ANN003
    from datetime import UTC, datetime, timedelta

    ticks = iter(range(10_000))
    start = datetime(2026, 11, 30, tzinfo=UTC)
    return AuditTrail.create(run_dir, run_id="run-w", clock=lambda: start + timedelta(seconds=next(ticks)), **kwargs)


def record(trail: AuditTrail, **overrides) -> Event:  # noqa: ANN003
    fields = {"clause": "PA.2.step1", "action": "ingest", "actor": "pipeline:data", "role": "data_engineer"}
    fields.update(overrides)
    return trail.record(**fields)


def test_each_event_is_one_canonical_line_with_hash_and_chain(tmp_path: Path) -> None:
    trail = new_trail(tmp_path / "run")
    (tmp_path / "run" / "out.txt").write_text("hello")
    first = record(trail, outputs=["out.txt"], params={"b": 1, "a": [1, 2]}, metrics={"auc": 0.75})
    second = record(trail, clause="PA.3.step2", inputs=[trail.ref("out.txt")], decision={"verdict": "promote"})
    lines = (tmp_path / "run" / "audit.jsonl").read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) == 3
    for line, event in zip(lines[:2], (first, second), strict=True):
        raw = json.loads(line)
        assert line.decode() == canonical_json(raw)
        assert raw["hash"] == event.hash == event_hash({k: v for k, v in raw.items() if k != "hash"})
    assert (first.seq, second.seq) == (0, 1)
    assert first.prev_hash == "0" * 64 and second.prev_hash == first.hash
    assert first.ts == "2026-11-30T00:00:01Z"  # tick 0 went to create()
    assert first.outputs[0].model_dump() == {"name": "out.txt", "path": "out.txt", "sha256": sha256_bytes(b"hello")}
    assert second.inputs == [ArtifactRef(name="out.txt", sha256=sha256_bytes(b"hello"))]
    assert trail.event_count == 2 and trail.head_hash == second.hash


def test_output_written_twice_keeps_its_final_digest_in_the_manifest(tmp_path: Path) -> None:
    trail = new_trail(tmp_path / "run")
    target = tmp_path / "run" / "model.bin"
    target.write_bytes(b"v1")
    record(trail, outputs=["model.bin"])
    target.write_bytes(b"v2")
    record(trail, clause="PA.6.step3", outputs=[{"name": "model", "path": "./model.bin"}])
    manifest = trail.close()
    assert [(a.path, a.sha256) for a in manifest.artifacts] == [("model.bin", sha256_bytes(b"v2"))]
    from mlops_audit.evidence.trail import verify_run

    assert verify_run(tmp_path / "run").ok


def test_create_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "leftover.txt").write_text("x")
    with pytest.raises(TrailError, match="must be empty or absent"):
        new_trail(tmp_path / "run")


def test_a_closed_run_is_never_reopened_or_appended(tmp_path: Path) -> None:
    trail = new_trail(tmp_path / "run")
    record(trail)
    trail.close()
    with pytest.raises(TrailError, match="closed"):
        record(trail)
    with pytest.raises(TrailError, match="closed"):
        trail.close()
    with pytest.raises(TrailError, match="closed run cannot be reopened"):
        new_trail(tmp_path / "run")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("../escape.txt", "inside the run folder"),
        ("data/../../escape.txt", "inside the run folder"),
        ("/etc/passwd", "outside the run folder"),
        ("", "non-empty"),
        ("audit.jsonl", "reserved"),
        ("manifest.json", "reserved"),
        ("missing.txt", "does not exist"),
    ],
)
def test_unsafe_or_missing_outputs_are_refused(tmp_path: Path, path: str, message: str) -> None:
    trail = new_trail(tmp_path / "run")
    with pytest.raises(TrailError, match=message):
        record(trail, outputs=[path])
    assert trail.event_count == 0
    assert (tmp_path / "run" / "audit.jsonl").read_bytes() == b""  # nothing half-written


def test_symlinked_outputs_are_refused(tmp_path: Path) -> None:
    trail = new_trail(tmp_path / "run")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    os.symlink(outside, tmp_path / "run" / "link.txt")
    os.symlink(tmp_path, tmp_path / "run" / "linkdir")
    with pytest.raises(TrailError, match="symbolic link"):
        record(trail, outputs=["link.txt"])
    with pytest.raises(TrailError, match="symbolic link"):
        record(trail, outputs=["linkdir/secret.txt"])


def test_output_listed_twice_in_one_event_is_refused(tmp_path: Path) -> None:
    trail = new_trail(tmp_path / "run")
    (tmp_path / "run" / "a.txt").write_text("a")
    with pytest.raises(TrailError, match="listed twice"):
        record(trail, outputs=["a.txt", "./a.txt"])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"metrics": {"auc": math.nan}}, "metrics must be JSON"),
        ({"metrics": {"auc": math.inf}}, "metrics must be JSON"),
        ({"params": {"when": object()}}, "params must be JSON"),
        ({"params": {"pair": (1, 2)}}, "does not read back unchanged"),
        ({"clause": "PA.9.step1"}, "clause"),
        ({"clause": "not a clause"}, "clause"),
        ({"role": ""}, "role"),
        ({"action": ""}, "action"),
        ({"inputs": [{"name": "x", "sha256": "short"}]}, r"inputs\[0\]"),
    ],
)
def test_invalid_events_are_refused_with_the_field_named(tmp_path: Path, overrides: dict, message: str) -> None:
    trail = new_trail(tmp_path / "run")
    with pytest.raises(TrailError, match=message):
        record(trail, **overrides)
    assert trail.event_count == 0


@pytest.mark.parametrize("run_id", ["", "has space", "../x", "-leading", "x" * 200])
def test_invalid_run_ids_are_refused(tmp_path: Path, run_id: str) -> None:
    with pytest.raises(TrailError, match="run_id"):
        AuditTrail.create(tmp_path / "run", run_id=run_id)


def test_an_event_over_the_line_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer_module, "MAX_EVENT_LINE_BYTES", 600)
    trail = new_trail(tmp_path / "run")
    with pytest.raises(TrailError, match="exceeds the 600-byte limit"):
        record(trail, params={"blob": "x" * 1000})
    assert trail.event_count == 0


def test_close_refuses_to_attest_an_output_changed_after_recording(tmp_path: Path) -> None:
    trail = new_trail(tmp_path / "run")
    (tmp_path / "run" / "model.bin").write_bytes(b"v1")
    record(trail, outputs=["model.bin"])
    (tmp_path / "run" / "model.bin").write_bytes(b"silently changed")
    with pytest.raises(TrailError, match="changed after event 0 recorded it"):
        trail.close()
    assert not (tmp_path / "run" / "manifest.json").exists()
    (tmp_path / "run" / "model.bin").unlink()
    with pytest.raises(TrailError, match="no longer exists"):
        trail.close()


def test_context_manager_closes_on_success_and_leaves_run_unclosed_on_error(tmp_path: Path) -> None:
    with new_trail(tmp_path / "ok") as trail:
        record(trail)
    assert trail.closed and (tmp_path / "ok" / "manifest.json").exists()
    with pytest.raises(RuntimeError), new_trail(tmp_path / "failed") as failing:
        record(failing)
        raise RuntimeError("stage crashed")
    assert not (tmp_path / "failed" / "manifest.json").exists()


def test_external_ref_hashes_a_file_outside_the_run(tmp_path: Path) -> None:
    source = tmp_path / "applications.csv"
    source.write_bytes(b"a,b\n")
    assert external_ref(source) == ArtifactRef(name="applications.csv", sha256=sha256_bytes(b"a,b\n"))
    with pytest.raises(TrailError, match="cannot be read"):
        external_ref(tmp_path / "absent.csv")


def test_empty_run_closes_and_verifies(tmp_path: Path) -> None:
    from mlops_audit.evidence.trail import verify_run

    manifest = new_trail(tmp_path / "run").close()
    assert manifest.event_count == 0 and manifest.head_hash == "0" * 64
    assert verify_run(tmp_path / "run").ok


def test_absolute_output_paths_inside_the_run_are_stored_relative(tmp_path: Path) -> None:
    trail = new_trail(tmp_path / "run")
    (tmp_path / "run" / "data").mkdir()
    (tmp_path / "run" / "data" / "x.csv").write_text("x")
    event = record(trail, outputs=[tmp_path / "run" / "data" / "x.csv"])
    assert event.outputs[0].path == "data/x.csv"
    (tmp_path / "elsewhere.csv").write_text("x")
    with pytest.raises(TrailError, match="outside the run folder"):
        record(trail, outputs=[tmp_path / "elsewhere.csv"])


def test_a_single_path_instead_of_a_list_is_refused(tmp_path: Path) -> None:
    trail = new_trail(tmp_path / "run")
    (tmp_path / "run" / "a.txt").write_text("a")
    with pytest.raises(TrailError, match="outputs must be a list"):
        record(trail, outputs="a.txt")
    with pytest.raises(TrailError, match="inputs must be a list"):
        record(trail, inputs=ArtifactRef(name="a", sha256="0" * 64))


@pytest.mark.parametrize("overrides", [{"params": {"name": "bad \ud800"}}, {"action": "bad \udc00"}])
def test_text_that_is_not_valid_unicode_is_refused(tmp_path: Path, overrides: dict) -> None:
    trail = new_trail(tmp_path / "run")
    with pytest.raises(TrailError, match="not valid Unicode"):
        record(trail, **overrides)
    assert (tmp_path / "run" / "audit.jsonl").read_bytes() == b""


def test_a_run_that_fails_inside_its_with_block_is_moved_aside_so_a_retry_can_start(tmp_path):
    from mlops_audit.evidence.trail import AuditTrail, verify_run

    run_dir = tmp_path / "run"
    try:
        with AuditTrail.create(run_dir, run_id="r1") as trail:
            trail.record(clause="PA.2.step1", action="ingest", actor="job", role="data_engineer")
            raise RuntimeError("the job crashed")
    except RuntimeError:
        pass
    assert not run_dir.exists()
    assert trail.failed_dir == tmp_path / "run.failed-1"
    assert not verify_run(trail.failed_dir).ok  # kept, and visibly unfinished
    with AuditTrail.create(run_dir, run_id="r1") as retry:  # the retry starts in the same place
        retry.record(clause="PA.2.step1", action="ingest", actor="job", role="data_engineer")
    assert verify_run(run_dir).ok


def test_an_unfinished_run_left_in_place_is_named_when_starting_again(tmp_path):
    import pytest

    from mlops_audit.evidence.trail import AuditTrail, TrailError

    run_dir = tmp_path / "run"
    trail = AuditTrail.create(run_dir, run_id="r1")
    trail.record(clause="PA.2.step1", action="ingest", actor="job", role="data_engineer")
    with pytest.raises(TrailError, match="unfinished run"):
        AuditTrail.create(run_dir, run_id="r1")
