"""Each level proves its own claim (issue 17 point 4; DESIGN §4 rules 2-3; rubric/soundness.py).

Over every rubric that ships under rubrics/ (the bundled one and any added later): no level-4/5
criterion is proved by a route of a lower level of its practice unless the rubric says why in
`shared_routes`, and every criterion at level 3 or above has a route that can reach the strength
the evidence policy asks of it. A small synthetic rubric (tests/fixtures/rubric_routes.yaml)
shows that each rule catches what it should and lets through what it should.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlops_audit import paths
from mlops_audit.cli import cli
from mlops_audit.rubric.loader import RUBRIC_FILE, default_rubric, load_rubric
from mlops_audit.rubric.soundness import route_problems, shared_routes

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "rubric_routes.yaml"

# The level-4/5 criteria of the bundled rubric allowed to share a lower level's route, each with the
# reason the rubric gives. Empty: every level-4/5 criterion has routes of its own. Adding an
# exception means adding it here too, so that it is a reviewed decision and not a silent one.
BUNDLED_SHARED_ROUTE_EXCEPTIONS: dict[str, str] = {}


def _shipped_rubrics() -> list[Path]:
    return sorted(p.parent for p in paths.rubrics_dir().rglob(RUBRIC_FILE))


def test_the_bundled_rubric_is_among_the_shipped_rubrics() -> None:
    assert default_rubric().path.resolve() in [p.resolve() for p in _shipped_rubrics()]


@pytest.mark.parametrize("folder", _shipped_rubrics(), ids=lambda p: p.name)
def test_every_shipped_rubric_has_sound_routes(folder: Path) -> None:
    problems = [str(p) for p in route_problems(load_rubric(folder).rubric)]
    assert problems == []


def test_bundled_shared_route_exceptions_are_the_listed_ones_with_their_reasons() -> None:
    rubric = default_rubric().rubric
    declared = {c.id: c.shared_routes.en for _, _, c in rubric.criteria() if c.shared_routes is not None}
    assert declared == BUNDLED_SHARED_ROUTE_EXCEPTIONS
    # A reason with nothing to excuse is stale: it must go when the route is no longer shared.
    actually_shared = {c.id for c, _ in shared_routes(rubric)}
    assert set(declared) == actually_shared


def test_every_criterion_the_policy_accepts_documents_for_is_at_level_4_or_5_and_names_them() -> None:
    rubric = default_rubric().rubric
    index = rubric.criterion_index()
    for cid in rubric.evidence_policy.accept_reviewed:
        criterion = index[cid][2]
        assert criterion.level >= 4, cid
        assert criterion.documents, cid
        assert all(d.zh.strip() and d.en.strip() for d in criterion.documents), cid
    listed_but_not_accepted = [
        c.id for _, _, c in rubric.criteria() if c.documents and c.id not in rubric.evidence_policy.accept_reviewed
    ]
    assert listed_but_not_accepted == []


def _fixture_data() -> dict:
    return yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


def _criterion(data: dict, cid: str) -> dict:
    return next(c for d in data["domains"] for p in d["practices"] for c in p["criteria"] if c["id"] == cid)


def _problems(tmp_path: Path, data: dict) -> list[tuple[str, str]]:
    path = tmp_path / "rubric.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return [(p.criterion, p.rule) for p in route_problems(load_rubric(path).rubric)]


def test_the_fixture_breaks_both_rules(tmp_path: Path) -> None:
    assert _problems(tmp_path, _fixture_data()) == [("DE.quality.L4", "shared-route"), ("DE.quality.L5", "unreachable")]


def test_a_level_4_route_of_its_own_clears_the_shared_route(tmp_path: Path) -> None:
    data = _fixture_data()
    l4 = _criterion(data, "DE.quality.L4")
    l4["detectors"], l4["pipeline_steps"] = [], []
    l4["run_series"] = {"steps": ["PA.2.step2"], "min_runs": 3, "min_span_days": 30, "metric": "psi"}
    assert _problems(tmp_path, data) == [("DE.quality.L5", "unreachable")]


def test_sharing_one_route_of_several_is_still_caught(tmp_path: Path) -> None:
    data = _fixture_data()
    _criterion(data, "DE.quality.L4")["pipeline_steps"] = []  # the level-3 detector is still there
    assert ("DE.quality.L4", "shared-route") in _problems(tmp_path, data)


def _psi_event() -> dict:
    # A fresh object each time: yaml.safe_dump would write a shared one as an anchor, which input refuses.
    return {"clause": "PA.2.step2", "require": ["psi"]}


def test_a_shared_trail_event_is_caught_like_any_route(tmp_path: Path) -> None:
    data = _fixture_data()
    _criterion(data, "DE.quality.L3")["trail_events"] = [_psi_event()]
    l4 = _criterion(data, "DE.quality.L4")
    l4["detectors"], l4["pipeline_steps"], l4["trail_events"] = [], [], [_psi_event()]
    assert ("DE.quality.L4", "shared-route") in _problems(tmp_path, data)
    l4["trail_events"] = [{**_psi_event(), "check": "within_sla"}]  # a different check is a different route
    assert ("DE.quality.L4", "shared-route") not in _problems(tmp_path, data)


def test_a_written_reason_lets_a_shared_route_through(tmp_path: Path) -> None:
    data = _fixture_data()
    _criterion(data, "DE.quality.L4")["shared_routes"] = {
        "zh": "同一验证步骤同时写入按版本的质量结果。",
        "en": "The same validation step also writes the per-version quality results.",
    }
    assert _problems(tmp_path, data) == [("DE.quality.L5", "unreachable")]


def test_documents_reach_a_criterion_only_when_the_policy_accepts_them(tmp_path: Path) -> None:
    data = _fixture_data()
    _criterion(data, "DE.quality.L5")["documents"] = [
        {"zh": "数据质量事件处理时长报告", "en": "The data-quality incident handling-time report"}
    ]
    assert ("DE.quality.L5", "unreachable") in _problems(tmp_path, data)
    data["evidence_policy"]["accept_reviewed"] = ["DE.quality.L5"]
    assert _problems(tmp_path, data) == [("DE.quality.L4", "shared-route")]


def test_a_detector_cannot_reach_a_criterion_that_needs_a_verified_run(tmp_path: Path) -> None:
    data = _fixture_data()
    l5 = _criterion(data, "DE.quality.L5")
    l5["detectors"] = ["has_ci_pipeline"]
    assert ("DE.quality.L5", "unreachable") not in _problems(tmp_path, data)
    data["evidence_policy"]["min_strength"][5] = "verified"
    assert ("DE.quality.L5", "unreachable") in _problems(tmp_path, data)


def test_rubric_validate_reports_route_problems_and_exits_2() -> None:
    result = CliRunner().invoke(cli, ["rubric", "validate", str(FIXTURE)])
    assert result.exit_code == 2, result.output
    assert "DE.quality.L4: shared-route:" in result.output
    assert "DE.quality.L5: unreachable:" in result.output
    assert "ok: test-routes" not in result.output
    assert "Traceback" not in result.output


def test_rubric_validate_passes_the_bundled_rubric() -> None:
    result = CliRunner().invoke(cli, ["rubric", "validate"])
    assert result.exit_code == 0, result.output
    assert "ok: caict-mlops-2023 " in result.output
