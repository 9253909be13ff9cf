"""Organisation-wide shares from a portfolio (`assess --portfolio DIR`) for criteria that state
"every project": the estate route."""

from __future__ import annotations

import json

from mlops_audit.cli import cli
from mlops_audit.evidence.estate import detector_counts, evidence_from_portfolio
from mlops_audit.portfolio.model import Portfolio, RepoEntry, Totals
from mlops_audit.rubric.loader import default_rubric
from mlops_audit.util.jsonio import pretty_json

RUBRIC = default_rubric().rubric


def portfolio(outcomes: list[str], detector: str = "registers_models", extra: list[RepoEntry] = ()) -> Portfolio:
    repos = [
        RepoEntry(repo=f"r{i}", path=f"r{i}", status="ok", collected_at="2026-11-30T00:00:00Z", detectors={detector: o})
        for i, o in enumerate(outcomes)
    ] + list(extra)
    return Portfolio(tool_version="t", rubric={"id": RUBRIC.id}, collector_digest="c", generated_at="2026-11-30T00:00:00Z",
                     totals=Totals(repos=len(repos), ok=len(repos), error=0), repos=repos)


def says(p: Portfolio, cid: str = "OP.model_registry.L2"):
    found = [e for e in evidence_from_portfolio(RUBRIC, p, "estate") if cid in e.criteria]
    return found[0].says if found else None


def test_every_project_met_when_the_share_reaches_the_route_and_partial_below():
    assert says(portfolio(["pass"] * 9 + ["fail"])) == "met"  # 90 %
    assert says(portfolio(["pass"] * 8 + ["fail"] * 2)) == "partial"
    assert says(portfolio(["fail"] * 6)) == "unmet"


def test_repositories_that_could_not_be_looked_at_are_not_counted_and_a_small_estate_says_nothing():
    crashed = RepoEntry(repo="x", path="x", status="error", error_kind="crashed", collected_at="2026-11-30T00:00:00Z",
                        detectors={"registers_models": "fail"})
    p = portfolio(["pass"] * 5 + ["not_applicable", "error"], extra=[crashed])
    assert detector_counts(p)["registers_models"] == (5, 5)
    assert says(p) == "met"
    assert says(portfolio(["pass"] * 4)) is None  # fewer than min_repositories observed


def test_a_portfolio_corroborates_an_every_project_claim_and_contradicts_a_false_one(runner, tmp_path):
    folder = tmp_path / "estate"
    folder.mkdir()
    (folder / "portfolio.json").write_text(pretty_json(portfolio(["fail"] * 6).model_dump(mode="json")), encoding="utf-8")
    answers = tmp_path / "a.yaml"
    answers.write_text(json.dumps({
        "rubric": {"id": RUBRIC.id, "version": RUBRIC.version}, "organisation": {"name": "Example Bank"},
        "respondent": {"id": "r1", "roles": ["mlops_engineer"]}, "answers": [{"criterion": "OP.model_registry.L2", "value": "yes"}],
    }), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(cli, ["assess", "--answers", str(answers), "--portfolio", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    c = next(c for c in data["criteria"] if c["id"] == "OP.model_registry.L2")
    assert (c["outcome"], c["basis"], c["conflict"]) == ("met", "yes+unmet", True)  # a level-2 claim stands; the conflict is shown
    assert "portfolio" in {i["kind"] for i in data["inputs"]}


def test_a_folder_that_is_not_a_portfolio_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(cli, ["assess", "--portfolio", str(tmp_path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "portfolio.json" in result.output and "Traceback" not in result.output
