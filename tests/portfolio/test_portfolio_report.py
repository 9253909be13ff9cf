"""`portfolio report`: shares, teams, change and the heat map from a generated estate, in HTML,
xlsx, CSV and Parquet; untrusted names escaped everywhere; a tampered result refused."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pandas as pd
import pytest
from click.testing import CliRunner

from mlops_audit.cli import cli
from mlops_audit.errors import InputError
from mlops_audit.portfolio import exports, render
from mlops_audit.portfolio.model import RepoEntry
from mlops_audit.portfolio.rollup import build_rollup, findings_table
from mlops_audit.portfolio.shares import portfolio_shares, shares_of
from mlops_audit.portfolio.store import load_portfolio
from mlops_audit.portfolio.teams import load_teams
from tests.portfolio.estate import practices


def services_only(portfolio):
    return portfolio.model_copy(update={"repos": [e for e in portfolio.repos if e.repo.startswith("svc-")]})


def test_shares_match_the_practices_the_estate_was_built_with(collected):
    out, _ = collected
    services = services_only(load_portfolio(out))
    rollup = build_rollup(services)
    for kind in ("containerization", "unit_tests", "ci_pipeline", "experiment_tracking"):
        expected = sum(practices(n)[kind] for n in range(50)) / 50
        assert rollup.shares.loc[kind, "share"] == pytest.approx(expected), kind
        assert rollup.shares.loc[kind, "observed"] == 50
    assert rollup.shares.loc["code_ownership", "share"] == 1.0
    assert rollup.weakest[0] not in ("containerization", "code_ownership")
    assert set(rollup.weakest).isdisjoint({"containerization", "code_ownership", "unit_tests"})
    shares = shares_of(services)
    assert shares["has_container"] == 0.5 and shares["has_code_owners"] == 1.0
    assert portfolio_shares(out)["has_code_owners"] < 1.0  # the hostile repositories have no CODEOWNERS


def test_errors_are_left_out_of_the_shares_not_counted_absent(collected):
    out, _ = collected
    rollup = build_rollup(load_portfolio(out))
    assert (rollup.matrix.loc["trouble-hang"] == "").all()
    assert rollup.shares["observed"].max() <= load_portfolio(out).totals.ok


def test_teams_from_codeowners_and_from_teams_yaml(collected, tmp_path):
    out, _ = collected
    services = services_only(load_portfolio(out))
    by_owner = build_rollup(services).teams
    assert by_owner.loc["@org/team-a", "repos"] == 25 and by_owner.loc["@org/team-b", "repos"] == 25
    assert by_owner.loc["@org/team-b", "containerization"] == 1.0  # even numbers: team-b, all containerised
    assert by_owner.loc["@org/team-a", "containerization"] == 0.0
    teams = tmp_path / "teams.yaml"
    teams.write_text("teams:\n  payments:\n    - svc-0*\n  risk: svc-1?\n")
    mapped = build_rollup(services, load_teams(teams)).teams
    assert mapped.loc["payments", "repos"] == 10 and mapped.loc["risk", "repos"] == 10
    assert mapped.loc["@org/team-a", "repos"] == 15


@pytest.mark.parametrize(
    ("text", "where"),
    [("teams: [a, b]\n", ":1:"), ("teams:\n  pay:\n    - 3\n", ":2:"), ("owners: {}\n", ":1:")],
)
def test_bad_teams_yaml_names_the_place(tmp_path, text, where):
    teams = tmp_path / "teams.yaml"
    teams.write_text(text)
    with pytest.raises(InputError, match=re.escape(str(teams)) + where):
        load_teams(teams)


def test_change_since_previous(collected):
    out, _ = collected
    now = services_only(load_portfolio(out))
    before_repos = []
    for e in now.repos:
        if e.repo == "svc-01":  # had no Dockerfile then either; svc-02 was absent from the previous portfolio
            before_repos.append(e)
        elif e.repo == "svc-04":
            before_repos.append(e.model_copy(update={"kinds": {**e.kinds, "containerization": "fail"}}))
        elif e.repo != "svc-02":
            before_repos.append(e)
    before_repos.append(RepoEntry(repo="retired", path="x/retired", status="ok", collected_at=now.generated_at, kinds={"containerization": "pass"}))
    before = now.model_copy(update={"repos": before_repos})
    rollup = build_rollup(now, previous=before)
    assert rollup.added == ["svc-02"] and rollup.removed == ["retired"]
    before_share = (24 - 1 + 1) / 50  # svc-02 gone, svc-04 failing, retired passing
    assert rollup.change.loc["containerization", "share_before"] == pytest.approx(before_share)
    assert rollup.change.loc["containerization", "delta"] == pytest.approx(0.5 - before_share)


def hostile_portfolio(collected):
    out, _ = collected
    portfolio = load_portfolio(out)
    evil = RepoEntry(
        repo="evil",
        path='<script>alert("x")</script>',
        status="error",
        error_kind="crashed",
        error="=HYPERLINK(\"http://evil/\") <img src=x onerror=alert(1)>",
        collected_at=portfolio.generated_at,
        codeowners=["@evil<b>"],
    )
    return portfolio.model_copy(update={"repos": [*portfolio.repos, evil]})


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_page_is_self_contained_and_escaped(collected, lang):
    html = render.render_html(build_rollup(hostile_portfolio(collected)), lang)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", html)
    assert html.count('class="h-pass"') > 0 and html.count("<tr><th class=\"repo\"") == 58
    assert render.messages(lang)("title") in html


def test_message_catalogues_have_the_same_keys():
    assert set(render.messages("zh").messages) == set(render.messages("en").messages)


def test_exports_are_formula_safe_and_typed(collected):
    out, _ = collected
    rollup = build_rollup(load_portfolio(out))
    findings = findings_table(out, rollup)
    assert len(findings) == sum(e.findings for e in rollup.portfolio.repos)
    text = exports.to_csv(findings).decode("utf-8")
    assert "\r\n'@org/team-a," in text.replace("svc-01,", "\r\n", 1) or ",'@org/team-a," in text
    assert not re.search(r"(^|,)[=+@]", text, re.M)
    hostile = pd.DataFrame([{"repo": "=cmd|' /C calc'!A0", "n": -5}])
    assert exports.to_csv(hostile) == b"repo,n\r\n'=cmd|' /C calc'!A0,-5\r\n"
    back = pd.read_parquet(io.BytesIO(exports.to_parquet(findings)))
    pd.testing.assert_frame_equal(back, findings)


def test_xlsx_is_reproducible_and_keeps_text_as_text(collected):
    from openpyxl import load_workbook

    rollup = build_rollup(hostile_portfolio(collected))
    out, _ = collected
    findings = findings_table(out, rollup)
    first = exports.to_xlsx(rollup, findings, render.messages("en"))
    assert first == exports.to_xlsx(rollup, findings, render.messages("en"))
    wb = load_workbook(io.BytesIO(first))
    assert wb.sheetnames == ["shares", "matrix", "teams", "repos", "findings"]
    cells = [c for row in wb["repos"].iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_cli_report_writes_every_format(collected, tmp_path):
    out, _ = collected
    result = CliRunner().invoke(cli, ["portfolio", "report", str(out), "--format", "html,csv,parquet,xlsx", "--lang", "en", "--out", str(tmp_path / "r"), "--previous", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "r").iterdir())
    assert names == ["findings.csv", "findings.parquet", "levels.csv", "levels.parquet", "portfolio.en.html", "portfolio.en.xlsx"]
    assert "+0 pp" in (tmp_path / "r" / "portfolio.en.html").read_text()


def test_cli_report_bad_input(collected, tmp_path):
    out, _ = collected
    bad = CliRunner().invoke(cli, ["portfolio", "report", str(out), "--format", "html,docx"])
    assert bad.exit_code == 2 and "unknown docx" in bad.output
    missing = CliRunner().invoke(cli, ["portfolio", "report", str(tmp_path)])
    assert missing.exit_code == 2 and "no portfolio.json" in missing.output


def test_tampered_result_is_refused(collected, tmp_path):
    import shutil

    out, _ = collected
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "repos" / "svc-05.json").write_text((copy / "repos" / "svc-05.json").read_text().replace('"fail"', '"pass"'))
    result = CliRunner().invoke(cli, ["portfolio", "report", str(copy), "--format", "csv", "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and "svc-05.json: does not match the digest" in result.output


@pytest.mark.slow
@pytest.mark.skipif(not all(shutil.which(t) for t in ("pdftotext", "pdfdetach")), reason="LOUD SKIP: poppler-utils not installed; PDF content unchecked")
def test_pdf_renders_with_the_index_attached(collected, tmp_path):
    out, _ = collected
    small = services_only(load_portfolio(out))
    small = small.model_copy(update={"repos": small.repos[:8]})
    html = render.render_html(build_rollup(small), "en")
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(render.render_pdf(html, "en", index_bytes=b'{"x": 1}', created=small.generated_at))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "MLOps practice across the estate" in text and "svc-07" in text
    subprocess.run(["pdfdetach", "-saveall", "-o", str(tmp_path), str(pdf)], check=True)
    assert (tmp_path / "portfolio.json").read_bytes() == b'{"x": 1}'


def test_heat_map_of_a_huge_estate_shows_the_weakest_rows(collected, monkeypatch):
    out, _ = collected
    monkeypatch.setattr(render, "MAX_HEAT_ROWS", 5)
    services = services_only(load_portfolio(out))
    html = render.render_html(build_rollup(services), "en")
    assert html.count('<tr><th class="repo"') == 5
    assert "Showing 5 of 50 repositories" in html
    # fewest practices present: numbers that are odd, not multiples of 3, 5 or 4 -> svc-01, 07, 11, 13, 17
    rows = re.findall(r'<th class="repo" title="[^"]*">([^<]+)</th>', html)
    assert rows == ["svc-01", "svc-07", "svc-11", "svc-13", "svc-17"]


def test_every_literal_key_used_by_the_page_and_workbook_exists():
    from pathlib import Path

    package = Path(render.__file__).parent
    sources = [p.read_text(encoding="utf-8") for p in [*(package / "templates").glob("*.j2"), package / "render.py", package / "exports.py"]]
    keys = {k for text in sources for k in re.findall(r"""\bt\(\s*["']([a-z_]+\.[A-Za-z0-9_.]+|[a-z_]+)["']""", text)}
    keys = {k for k in keys if not k.endswith(("_", "."))}
    assert len(keys) > 30
    for lang in ("zh", "en"):
        assert [k for k in keys if not render.messages(lang).has(k)] == [], lang
