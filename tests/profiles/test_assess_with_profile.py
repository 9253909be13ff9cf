"""assess --profile: a regulator profile is scored beside the rubric, its obligations come out as
regulatory coverage, and the CAICT overall level and score stay the guide's."""

from __future__ import annotations

import json

import yaml

from mlops_audit.cli import cli
from mlops_audit.rubric.loader import default_rubric
from tests.conftest import extreme_answer

RUBRIC = default_rubric().rubric


def answers(tmp_path, ids_values):
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump({
        "rubric": {"id": RUBRIC.id, "version": RUBRIC.version}, "organisation": {"name": "Example Bank"},
        "respondent": {"id": "r1", "roles": RUBRIC.role_ids()},
        "answers": [{"criterion": cid, "value": value} for cid, value in ids_values],
    }, allow_unicode=True), encoding="utf-8")
    return path


def assess(runner, tmp_path, *extra):
    out = tmp_path / ("out" + "-".join(extra).replace("/", "_"))
    result = runner.invoke(cli, ["assess", "--answers", str(tmp_path / "a.yaml"), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return json.loads((out / "assessment.json").read_text(encoding="utf-8"))


def test_a_profile_adds_regulatory_coverage_and_leaves_the_overall_unchanged(runner, tmp_path):
    base_answers = [(c.id, extreme_answer(c, best=c.level <= 2)) for _, _, c in RUBRIC.criteria()]
    answers(tmp_path, base_answers)
    plain = assess(runner, tmp_path)
    profiled = assess(runner, tmp_path, "--profile", "cn-finance")
    assert plain["regulatory"] is None
    assert profiled["overall"] == plain["overall"]
    assert profiled["rubric"]["version"].endswith("+cn-finance-1.1.0")
    profile_domains = [d for d in profiled["domains"] if d["id"] not in {d["id"] for d in plain["domains"]}]
    assert profile_domains and all(d["id"] not in profiled["overall"]["weakest"] for d in profile_domains)
    assert sum(c["contribution"] for c in profiled["criteria"]) == sum(c["contribution"] for c in plain["criteria"])
    coverage = profiled["regulatory"]
    assert [p["id"] for p in coverage["profiles"]] == ["cn-finance"]
    assert {r["identifier"] for r in coverage["regulations"]} >= {"JR/T 0221-2021"}
    for regulation in coverage["regulations"]:
        assert sum(regulation["counts"].values()) == len(regulation["obligations"]) > 0


def test_answering_a_profiles_questions_changes_its_obligations_not_the_overall(runner, tmp_path):
    from mlops_audit.rubric.profiles import with_profiles

    combined = with_profiles(default_rubric(), ["cn-finance"]).rubric
    own = [c for d, _, c in combined.criteria() if d.profile == "cn-finance"]
    answers(tmp_path, [(c.id, extreme_answer(c, best=False)) for c in own])
    worst = assess(runner, tmp_path, "--profile", "cn-finance")
    answers(tmp_path, [(c.id, extreme_answer(c, best=c.level <= 2)) for c in own])
    better = assess(runner, tmp_path, "--profile", "cn-finance")
    assert worst["overall"] == better["overall"]
    count = lambda a, s: sum(r["counts"][s] for r in a["regulatory"]["regulations"])  # noqa: E731
    assert count(better, "unmet") < count(worst, "unmet")


def test_an_unknown_profile_is_a_clear_error(runner, tmp_path):
    answers(tmp_path, [])
    result = runner.invoke(cli, ["assess", "--answers", str(tmp_path / "a.yaml"), "--out", str(tmp_path / "o"), "--profile", "cn-financ"])
    assert result.exit_code == 2 and "cn-finance" in result.output and "Traceback" not in result.output
