"""Levels per domain across the estate: each repository scored by `assess`'s own functions from its
evidence alone, rolled up per domain, and shown in the page, workbook, CSV and Parquet."""

from __future__ import annotations

import io
import json
from html import escape
import math
import re
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from mlops_audit.cli import cli
from mlops_audit.portfolio import exports, render
from mlops_audit.portfolio.levels import OVERALL, domain_levels, summarise
from mlops_audit.portfolio.rollup import build_rollup
from mlops_audit.portfolio.store import load_portfolio


def first_services(out, count=4):
    portfolio = load_portfolio(out)
    return portfolio.model_copy(update={"repos": [e for e in portfolio.repos if e.repo.startswith("svc-")][:count]})


def test_summary_statistics_of_known_levels():
    per_repo = pd.DataFrame(
        [
            {"repo": "a", "domain": "d1", "level": 0, "score": 10.0, "coverage": 0.5},
            {"repo": "b", "domain": "d1", "level": 2, "score": 30.0, "coverage": 0.7},
            {"repo": "c", "domain": "d1", "level": 3, "score": 50.0, "coverage": None},
            {"repo": "d", "domain": "d1", "level": 3, "score": 70.0, "coverage": 0.9},
            {"repo": "a", "domain": "d2", "level": 1, "score": 5.0, "coverage": 0.1},
        ]
    )
    summary = summarise(per_repo, ["d1", "d2", "d3"])
    d1 = summary.loc["d1"]
    assert (d1["repos"], d1["median"], d1["min"], d1["max"]) == (4, 2.5, 0, 3)
    assert (d1["at_least_1"], d1["at_least_2"], d1["at_least_3"]) == (0.75, 0.75, 0.5)
    assert (d1["median_score"], d1["median_coverage"]) == (40.0, 0.7)  # the missing coverage is left out
    assert summary.loc["d2", "at_least_1"] == 1.0 and summary.loc["d2", "at_least_2"] == 0.0
    assert summary.loc["d3", "repos"] == 0 and pd.isna(summary.loc["d3", "median"]) and pd.isna(summary.loc["d3", "at_least_1"])
    assert list(summary.index) == ["d1", "d2", "d3"]


def test_each_repository_is_scored_exactly_as_assess_scores_its_evidence(collected, tmp_path, monkeypatch):
    out, _ = collected
    portfolio = first_services(out)
    levels = domain_levels(out, portfolio)
    assert levels.unavailable is None
    assert sorted(set(levels.per_repo["repo"])) == [e.repo for e in portfolio.repos]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764504000")
    for entry in portfolio.repos[:2]:
        done = CliRunner().invoke(cli, ["assess", "--evidence", str(out / entry.result), "--out", str(tmp_path / entry.repo)])
        assert done.exit_code == 0, done.output
        assessment = json.loads((tmp_path / entry.repo / "assessment.json").read_text())
        expected = {d["id"]: (d["level"], d["score"], d["coverage"]) for d in assessment["domains"] if d["applicable"]}
        expected[OVERALL] = (assessment["overall"]["level"], assessment["overall"]["score"], assessment["overall"]["coverage"])
        mine = levels.per_repo[levels.per_repo["repo"] == entry.repo]
        assert {r.domain: (r.level, r.score, r.coverage) for r in mine.itertuples()} == expected
    # The summary is over those repositories: the overall row counts every one of them.
    assert levels.summary.loc[OVERALL, "repos"] == len(portfolio.repos)
    assert list(levels.summary.index)[-1] == OVERALL and len(levels.summary) == len(levels.names)


def test_a_repository_with_more_practices_earns_more_credit(collected):
    out, _ = collected
    levels = domain_levels(out, first_services(out, 13))
    overall = levels.per_repo[levels.per_repo["domain"] == OVERALL].set_index("repo")["score"]
    # svc-00 has every practice of the estate (Dockerfile, tests, CI, tracking); svc-01 none of them.
    assert overall["svc-00"] > overall["svc-01"]


def test_another_rubric_leaves_the_section_out_with_its_reason(collected, tmp_path):
    out, _ = collected
    portfolio = first_services(out)
    other = portfolio.model_copy(update={"rubric": {**portfolio.rubric, "digest": "0" * 64}})
    levels = domain_levels(out, other)
    assert levels.per_repo.empty and "pass the same rubric (--rubric)" in (levels.unavailable or "")
    html = render.render_html(build_rollup(other), "en", levels=levels)
    assert "Levels per domain were not scored" in html and "pass the same rubric" in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_shows_levels_labelled_as_a_floor(collected, lang):
    out, _ = collected
    portfolio = first_services(out)
    levels = domain_levels(out, portfolio)
    html = render.render_html(build_rollup(portfolio), lang, levels=levels)
    t = render.messages(lang)
    assert t("sections.levels") in html and t("note.levels_floor").split("'")[0] in html
    for domain, names in levels.names.items():
        assert escape(names[lang]) in html, domain
    assert html.count(f"<td class=\"num\">{len(portfolio.repos)}</td>") >= len(levels.names)
    assert 'id="levels"' in html and 'id="levels"' not in render.render_html(build_rollup(portfolio), lang)  # not computed: left out


def test_workbook_csv_and_parquet_carry_the_levels(collected):
    from openpyxl import load_workbook

    out, _ = collected
    portfolio = first_services(out)
    rollup = build_rollup(portfolio)
    levels = domain_levels(out, portfolio)
    table = exports.levels_table(levels, rollup)
    assert list(table.columns) == ["repo", "team", "domain", "level", "score", "coverage"]
    assert len(table) == len(portfolio.repos) * len(levels.names)
    back = pd.read_parquet(io.BytesIO(exports.to_parquet(table)))
    pd.testing.assert_frame_equal(back, table)
    assert str(back["level"].dtype) == "int64"
    assert exports.to_csv(table).decode().startswith("repo,team,domain,level,score,coverage\r\n")
    from mlops_audit.portfolio.rollup import findings_table

    book = exports.to_xlsx(rollup, findings_table(out, rollup), render.messages("en"), levels)
    assert book == exports.to_xlsx(rollup, findings_table(out, rollup), render.messages("en"), levels)
    wb = load_workbook(io.BytesIO(book))
    assert wb.sheetnames == ["shares", "matrix", "teams", "repos", "levels", "repo levels", "findings"]
    rows = list(wb["levels"].iter_rows(values_only=True))
    assert rows[1][0] == levels.names[next(iter(levels.names))]["en"] and rows[1][1] == len(portfolio.repos)
    per_repo = list(wb["repo levels"].iter_rows(values_only=True))
    assert [r[0] for r in per_repo[1:]] == sorted(e.repo for e in portfolio.repos)
    assert all(isinstance(v, int) for r in per_repo[1:] for v in r[1:])


def test_cli_report_writes_levels_files_and_refuses_a_tampered_result(collected, tmp_path):
    out, _ = collected
    small = tmp_path / "small"
    shutil.copytree(out, small)
    portfolio = first_services(small, 3)
    (small / "portfolio.json").write_text(json.dumps(portfolio.model_dump(mode="json")))
    done = CliRunner().invoke(cli, ["portfolio", "report", str(small), "--format", "csv,parquet", "--out", str(tmp_path / "r")])
    assert done.exit_code == 0, done.output
    levels = pd.read_csv(tmp_path / "r" / "levels.csv")
    assert sorted(set(levels["repo"])) == [e.repo for e in portfolio.repos]
    assert not any(math.isnan(v) for v in levels["level"])
    name = portfolio.repos[0].result
    (small / name).write_text((small / name).read_text().replace('"pass"', '"fail"'))
    refused = CliRunner().invoke(cli, ["portfolio", "report", str(small), "--format", "html", "--out", str(tmp_path / "r2")])
    assert refused.exit_code == 2 and "does not match the digest" in refused.output


def test_cli_report_with_another_rubric_warns_and_says_why_on_the_page(collected, tmp_path):
    from mlops_audit.paths import default_rubric_path

    out, _ = collected
    small = tmp_path / "small"
    shutil.copytree(out, small)
    (small / "portfolio.json").write_text(json.dumps(first_services(small, 2).model_dump(mode="json")))
    rubric = tmp_path / "rubric"
    shutil.copytree(default_rubric_path(), rubric)
    text = (rubric / "rubric.yaml").read_text(encoding="utf-8")
    changed, count = re.subn(r"\nversion: ([^\n]+)\n", r"\nversion: \1-other\n", text, count=1)
    assert count == 1
    (rubric / "rubric.yaml").write_text(changed, encoding="utf-8")
    done = CliRunner().invoke(cli, ["portfolio", "report", str(small), "--format", "html", "--lang", "en", "--rubric", str(rubric), "--out", str(tmp_path / "r")])
    assert done.exit_code == 0, done.output
    assert "warning: levels per domain not scored" in done.output and "pass the same rubric" in done.output
    assert "Levels per domain were not scored" in (tmp_path / "r" / "portfolio.en.html").read_text()
