"""Every detector against its pass / fail (/ not_applicable) fixture trees: one parametrised test.

Fixture folders are `fixtures/<detector id>/<outcome>[-<variant>]/`. The tree is copied to a
temporary folder first (so the project's own git repository is never seen) and a
`git-history.yaml`, when present, is replayed into a real git history.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlops_audit.evidence.repo.collect import build_index, run_detector
from mlops_audit.evidence.repo.model import FindingOutcome
from mlops_audit.evidence.repo.registry import all_detectors, get_detector
from tests.repo.gitreplay import replay

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_cases() -> list[tuple[str, str, str]]:
    cases = []
    for detector_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for case in sorted(p for p in detector_dir.iterdir() if p.is_dir()):
            expected = case.name.split("-", 1)[0]
            cases.append((detector_dir.name, case.name, expected))
    return cases


CASES = fixture_cases()


def materialise(detector_id: str, case: str, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / detector_id / case, root)
    replay(root)
    return root


@pytest.mark.parametrize(("detector_id", "case", "expected"), CASES, ids=[f"{d}/{c}" for d, c, _ in CASES])
def test_detector_outcome_on_fixture(detector_id: str, case: str, expected: str, tmp_path: Path) -> None:
    root = materialise(detector_id, case, tmp_path)
    index = build_index(root)
    evidence = run_detector(get_detector(detector_id), index)
    assert evidence.outcome == FindingOutcome(expected), evidence.message
    assert evidence.message.strip()
    for location in evidence.locations:
        # Locations are real: the file is in the tree and the line exists in it.
        assert (root / location.path).is_file(), location
        if location.line is not None:
            assert 1 <= location.line <= len((root / location.path).read_text(encoding="utf-8").splitlines()), location
    if evidence.outcome is FindingOutcome.pass_ and not detector_id.endswith(("_in_git", "tags_releases")):
        assert evidence.locations, "a pass must point at its evidence"


@pytest.mark.parametrize(("detector_id", "case", "expected"), CASES, ids=[f"{d}/{c}" for d, c, _ in CASES])
def test_no_detector_crashes_on_any_fixture(detector_id: str, case: str, expected: str, tmp_path: Path) -> None:
    index = build_index(materialise(detector_id, case, tmp_path))
    errors = {d.id: run_detector(d, index).message for d in all_detectors() if run_detector(d, index).outcome is FindingOutcome.error}
    assert not errors


def test_every_detector_has_a_pass_and_a_fail_fixture() -> None:
    outcomes: dict[str, set[str]] = {}
    for detector_id, _, expected in CASES:
        outcomes.setdefault(detector_id, set()).add(expected)
    for det in all_detectors():
        assert {"pass", "fail"} <= outcomes.get(det.id, set()), f"{det.id} needs fixtures/{det.id}/pass and /fail"
    assert set(outcomes) <= {d.id for d in all_detectors()}, "fixture folder for an unknown detector"


def test_git_detectors_are_not_applicable_without_git_history(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# no history\n", encoding="utf-8")
    index = build_index(tmp_path)
    for detector_id in ("separates_duties_in_git", "tags_releases"):
        evidence = run_detector(get_detector(detector_id), index)
        assert evidence.outcome is FindingOutcome.not_applicable
        assert "no .git" in evidence.message
