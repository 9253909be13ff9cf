"""verify_run names each kind of tampering precisely: what happened, the first bad seq, the line or path."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mlops_audit.errors import InputError
from mlops_audit.evidence.trail import verify_run
from mlops_audit.evidence.trail import verify as verify_module


def kinds(result) -> list[str]:  # noqa: ANN001
    return [finding.kind for finding in result.findings]


def finding(result, kind: str):  # noqa: ANN001, ANN201
    matches = [f for f in result.findings if f.kind == kind]
    assert matches, f"no {kind!r} finding in {result.problems}"
    return matches[0]


def test_intact_run_verifies_with_its_summary(run_dir: Path) -> None:
    result = verify_run(run_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert result.ok, result.problems
    assert result.problems == [] and result.findings == []
    assert result.first_bad_seq is None
    assert result.event_count == 6 == result.manifest_event_count
    assert result.head_hash == manifest["head_hash"]
    assert result.merkle_root == manifest["merkle_root"]
    assert result.artifacts_checked == 6
    assert result.signature == "absent"
    assert result.run_id == "run-test-0001"
    assert [event.seq for event in result.events] == list(range(6))
    assert result.clauses_executed == sorted(
        ["PA.1.step1", "PA.2.step1", "PA.2.step3", "PA.3.step2", "PA.4.step2", "PA.5.step3"]
    )


def test_accepts_the_path_of_audit_jsonl(run_dir: Path) -> None:
    assert verify_run(run_dir / "audit.jsonl").ok


def test_edited_event_names_its_seq(run_dir: Path, files) -> None:  # noqa: ANN001
    lines = files.read_lines(run_dir)
    lines[3] = lines[3].replace(b'"step":3', b'"step":30')
    files.write_lines(run_dir, lines)
    result = verify_run(run_dir)
    assert not result.ok
    edited = finding(result, "edited")
    assert (edited.seq, edited.line) == (3, 4)
    assert result.first_bad_seq == 3
    assert "merkle_mismatch" in kinds(result)
    assert result.clauses_executed == []  # a broken run contributes nothing


def test_edit_with_recomputed_hash_breaks_the_link_to_the_next_event(run_dir: Path, files) -> None:  # noqa: ANN001
    lines = files.read_lines(run_dir)
    event = files.event(lines[2])
    event["metrics"] = {"score": 0.99}
    lines[2] = files.rehashed(event)
    files.write_lines(run_dir, lines)
    result = verify_run(run_dir)
    assert "edited" not in kinds(result)  # the forger recomputed the event's own hash ...
    link = finding(result, "broken_link")  # ... but the next event still points at the old one
    assert link.seq == 2 and link.line == 4
    assert result.first_bad_seq == 2


def test_fully_rechained_forgery_is_caught_by_the_manifest(run_dir: Path, files) -> None:  # noqa: ANN001
    lines = files.read_lines(run_dir)
    prev = "0" * 64
    forged = []
    for index, line in enumerate(lines):
        event = files.event(line)
        if index == 4:
            event["decision"] = "forged"
        event["prev_hash"] = prev
        forged.append(files.rehashed(event))
        prev = files.event(forged[-1])["hash"]
    files.write_lines(run_dir, forged)
    result = verify_run(run_dir)
    assert {"edited", "broken_link"}.isdisjoint(kinds(result))
    assert {"head_mismatch", "merkle_mismatch"} <= set(kinds(result))
    assert result.first_bad_seq == 5  # the head (last event) no longer matches the manifest


def test_deleted_event_names_the_missing_seq(run_dir: Path, files) -> None:  # noqa: ANN001
    lines = files.read_lines(run_dir)
    del lines[2]
    files.write_lines(run_dir, lines)
    result = verify_run(run_dir)
    deleted = finding(result, "deleted")
    assert deleted.seq == 2
    assert "seq 2 are missing" in deleted.message
    assert result.first_bad_seq == 2
    assert "truncated" not in kinds(result)


def test_reordered_events_are_named(run_dir: Path, files) -> None:  # noqa: ANN001
    lines = files.read_lines(run_dir)
    lines[1], lines[2] = lines[2], lines[1]
    files.write_lines(run_dir, lines)
    result = verify_run(run_dir)
    reordered = finding(result, "reordered")
    assert (reordered.seq, reordered.line) == (1, 3)
    assert result.first_bad_seq == 1
    assert "deleted" not in kinds(result)


def test_event_moved_to_the_end_is_reordered_not_deleted(run_dir: Path, files) -> None:  # noqa: ANN001
    lines = files.read_lines(run_dir)
    lines.append(lines.pop(1))
    files.write_lines(run_dir, lines)
    result = verify_run(run_dir)
    assert finding(result, "reordered").seq == 1
    assert "deleted" not in kinds(result)
    assert result.first_bad_seq == 1


def test_truncated_tail_says_how_many_events_are_missing(run_dir: Path, files) -> None:  # noqa: ANN001
    lines = files.read_lines(run_dir)
    files.write_lines(run_dir, lines[:4])  # the chain of what is left is perfectly intact
    result = verify_run(run_dir)
    truncated = finding(result, "truncated")
    assert truncated.seq == 4
    assert "the last 2 event(s) (seq 4..5) are missing" in truncated.message
    assert result.first_bad_seq == 4
    assert {"edited", "broken_link", "deleted"}.isdisjoint(kinds(result))


def test_appended_event_is_named(run_dir: Path, files) -> None:  # noqa: ANN001
    lines = files.read_lines(run_dir)
    last = files.event(lines[-1])
    extra = dict(last, seq=6, prev_hash=last["hash"], action="backdated_approval", ts="2026-11-30T10:00:00Z")
    lines.append(files.rehashed(extra))  # a well-formed, correctly chained event
    files.write_lines(run_dir, lines)
    result = verify_run(run_dir)
    appended = finding(result, "appended")
    assert appended.seq == 6
    assert "the first 6 events still match the manifest" in appended.message
    assert result.first_bad_seq == 6
    assert {"edited", "broken_link"}.isdisjoint(kinds(result))


def test_duplicated_event_is_named(run_dir: Path, files) -> None:  # noqa: ANN001
    lines = files.read_lines(run_dir)
    lines.insert(3, lines[2])
    files.write_lines(run_dir, lines)
    result = verify_run(run_dir)
    duplicated = finding(result, "duplicated")
    assert (duplicated.seq, duplicated.line) == (2, 4)
    assert result.first_bad_seq == 2


def test_non_json_line_names_the_line(run_dir: Path, files) -> None:  # noqa: ANN001
    lines = files.read_lines(run_dir)
    lines[4] = b"{this is not json"
    files.write_lines(run_dir, lines)
    result = verify_run(run_dir)
    bad = finding(result, "not_json")
    assert bad.line == 5 and "line 5" in bad.message
    assert result.first_bad_seq == 4
    assert "deleted" not in kinds(result)  # the garbled line stands where seq 4 was


def test_non_canonical_but_equivalent_line_is_detected(run_dir: Path, files) -> None:  # noqa: ANN001
    lines = files.read_lines(run_dir)
    lines[1] = json.dumps(files.event(lines[1]), sort_keys=True).encode()  # same values, spaces added
    files.write_lines(run_dir, lines)
    result = verify_run(run_dir)
    assert finding(result, "not_canonical").seq == 1
    assert "edited" not in kinds(result)  # the content is the same, the bytes are not


def test_missing_final_newline_is_detected(run_dir: Path) -> None:
    path = run_dir / "audit.jsonl"
    path.write_bytes(path.read_bytes()[:-1])
    result = verify_run(run_dir)
    assert finding(result, "unterminated_line").line == 6


def test_event_with_a_different_run_id_is_named(run_dir: Path, files) -> None:  # noqa: ANN001
    lines = files.read_lines(run_dir)
    lines[3] = files.rehashed(dict(files.event(lines[3]), run_id="other-run"))
    files.write_lines(run_dir, lines)
    result = verify_run(run_dir)
    assert finding(result, "run_id_mismatch").seq == 3


def test_changed_artefact_is_named(run_dir: Path) -> None:
    (run_dir / "data" / "clean.csv").write_text("poisoned\n")
    result = verify_run(run_dir)
    changed = finding(result, "artifact_changed")
    assert changed.path == "data/clean.csv"
    assert result.first_bad_seq is None  # the trail itself is intact
    assert result.artifacts_checked == 6
    assert not result.ok


def test_missing_artefact_is_named(run_dir: Path) -> None:
    (run_dir / "experiments" / "model.bin").unlink()
    result = verify_run(run_dir)
    assert finding(result, "artifact_missing").path == "experiments/model.bin"
    assert result.artifacts_checked == 5


def test_artefact_replaced_by_a_symlink_out_of_the_run_is_not_followed(run_dir: Path, tmp_path: Path) -> None:
    target = run_dir / "data" / "raw.csv"
    outside = tmp_path / "outside.csv"
    outside.write_bytes(target.read_bytes())  # same bytes: following the link would "verify"
    target.unlink()
    os.symlink(outside, target)
    result = verify_run(run_dir)
    unsafe = finding(result, "artifact_unsafe")
    assert unsafe.path == "data/raw.csv" and "symbolic link" in unsafe.message


def test_symlinked_artefact_folder_is_not_followed(run_dir: Path, tmp_path: Path) -> None:
    moved = tmp_path / "moved-reports"
    (run_dir / "reports").rename(moved)
    os.symlink(moved, run_dir / "reports")
    result = verify_run(run_dir)
    assert {f.path for f in result.findings if f.kind == "artifact_unsafe"} == {
        "reports/ci.json",
        "reports/requirements.json",
    }


def test_manifest_naming_a_path_outside_the_run_is_refused(run_dir: Path) -> None:
    manifest_path = run_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["artifacts"].append({"path": "../../etc/passwd", "sha256": "0" * 64})
    manifest_path.write_text(json.dumps(manifest))
    result = verify_run(run_dir)
    assert finding(result, "artifact_unsafe").path == "../../etc/passwd"
    assert "statement_mismatch" in kinds(result)  # the statement no longer agrees either


def test_missing_manifest_is_a_problem_not_a_pass(run_dir: Path) -> None:
    (run_dir / "manifest.json").unlink()
    result = verify_run(run_dir)
    assert kinds(result) == ["manifest_missing"]
    assert "truncated trail cannot be ruled out" in result.problems[0]
    assert result.manifest_event_count is None


def test_unclosed_run_does_not_verify(make_run) -> None:  # noqa: ANN001
    assert kinds(verify_run(make_run(close=False))) == ["manifest_missing"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid UTF-8"),
        (b'{"schema": "mlops-audit/run-manifest/v1"}', "not a valid run manifest"),
        (b'{"a": 1, "a": 2}', "duplicate key"),
    ],
)
def test_garbled_manifest_is_named(run_dir: Path, content: bytes, expected: str) -> None:
    (run_dir / "manifest.json").write_bytes(content)
    result = verify_run(run_dir)
    invalid = finding(result, "manifest_invalid")
    assert expected in invalid.message and invalid.path == "manifest.json"


def test_edited_manifest_count_is_caught_by_the_head_hash(run_dir: Path) -> None:
    manifest_path = run_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["event_count"] = 5
    manifest_path.write_text(json.dumps(manifest))
    result = verify_run(run_dir)
    assert {"appended", "head_mismatch", "statement_mismatch"} <= set(kinds(result))
    assert "still match the manifest" not in finding(result, "appended").message


def test_edited_statement_is_named(run_dir: Path) -> None:
    path = run_dir / "statement.json"
    path.write_text(path.read_text().replace('"treeSize": 6', '"treeSize": 7'))
    result = verify_run(run_dir)
    assert finding(result, "statement_mismatch").path == "statement.json"


def test_missing_statement_is_named(run_dir: Path) -> None:
    (run_dir / "statement.json").unlink()
    assert kinds(verify_run(run_dir)) == ["statement_missing"]


def test_missing_run_folder_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        verify_run(tmp_path / "nowhere")


def test_folder_without_a_trail_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no audit.jsonl"):
        verify_run(tmp_path)


def test_oversized_trail_is_refused_before_reading(run_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify_module, "MAX_TRAIL_BYTES", 100)
    with pytest.raises(InputError, match="exceeds the 100-byte limit"):
        verify_run(run_dir)


def test_overlong_line_is_named(run_dir: Path, files, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(verify_module, "MAX_EVENT_LINE_BYTES", 100)
    result = verify_run(run_dir)
    assert finding(result, "line_too_long").line == 1


def test_symlinked_trail_is_refused(run_dir: Path, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere.jsonl"
    (run_dir / "audit.jsonl").rename(moved)
    os.symlink(moved, run_dir / "audit.jsonl")
    with pytest.raises(InputError, match="symbolic link"):
        verify_run(run_dir)


def test_deeply_nested_line_is_reported_not_a_crash(run_dir: Path, files) -> None:  # noqa: ANN001
    lines = files.read_lines(run_dir)
    lines[2] = b"[" * 100_000 + b"]" * 100_000
    files.write_lines(run_dir, lines)
    result = verify_run(run_dir)
    assert finding(result, "not_json").line == 3


def test_emptied_trail_is_a_truncation_of_every_event(run_dir: Path) -> None:
    (run_dir / "audit.jsonl").write_bytes(b"")
    result = verify_run(run_dir)
    truncated = finding(result, "truncated")
    assert truncated.seq == 0 and "has no events" in truncated.message and "the last 6 event(s)" in truncated.message
    assert result.event_count == 0


def test_escaped_lone_surrogate_in_a_line_is_reported_not_a_crash(run_dir: Path, files) -> None:  # noqa: ANN001
    lines = files.read_lines(run_dir)
    lines[1] = lines[1].replace(b'"action":"ingest_batch"', b'"action":"\\ud800"')
    files.write_lines(run_dir, lines)
    assert finding(verify_run(run_dir), "not_json").line == 2


def test_escaped_lone_surrogate_in_the_manifest_is_reported_not_a_crash(run_dir: Path) -> None:
    path = run_dir / "manifest.json"
    path.write_text(path.read_text().replace('"run_id": "run-test-0001"', '"run_id": "\\ud800"'))
    assert "lone surrogate" in finding(verify_run(run_dir), "manifest_invalid").message
