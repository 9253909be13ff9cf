"""The report and diff commands, through click's test runner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mlops_audit.cli import cli
from mlops_audit.report.exports import assessment_json_bytes


@pytest.fixture
def files(tmp_path, rich, previous):
    new = tmp_path / "new.json"
    old = tmp_path / "old.json"
    new.write_bytes(assessment_json_bytes(rich))
    old.write_bytes(assessment_json_bytes(previous))
    return old, new


def test_report_writes_the_requested_formats(files, tmp_path):
    old, new = files
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["report", str(new), "--format", "html,json,oscal,sarif,xlsx", "--lang", "zh", "--previous", str(old), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        ["report.zh.html", "assessment.json", "assessment.schema.json", "assessment.oscal.json", "assessment.sarif", "assessment.xlsx"]
    )
    assert (out / "assessment.json").read_bytes() == new.read_bytes()
    assert "上次" in (out / "report.zh.html").read_text(encoding="utf-8")  # trend section rendered


def test_report_rejects_an_unknown_format_and_a_bad_file(files, tmp_path):
    _, new = files
    result = CliRunner().invoke(cli, ["report", str(new), "--format", "html,docx", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "unknown report format 'docx'" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "mlops-audit/assessment@1", "overall": 3}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", str(bad), "--format", "json", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "bad.json: tool: required key is missing" in result.output and "Traceback" not in result.output


def test_diff_text_and_json(files):
    old, new = files
    result = CliRunner().invoke(cli, ["diff", str(old), str(new)])
    assert result.exit_code == 0 and "criteria improved:" in result.output
    result = CliRunner().invoke(cli, ["diff", str(old), str(new), "--format", "json"])
    data = json.loads(result.output)
    assert data["comparable"] is True and data["criteria"]


def test_diff_warns_on_a_rubric_change(files, tmp_path):
    old, new = files
    data = json.loads(new.read_text(encoding="utf-8"))
    original = data["rubric"]["version"]
    data["rubric"]["version"] = "99.0.0"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", str(old), str(changed)])
    assert result.exit_code == 0
    assert "WARNING" in result.output and f"version {original} -> 99.0.0" in result.output


@pytest.mark.parametrize("field,value", [("name", "Other Bank"), ("scope", "wealth management")])
def test_diff_refuses_another_organisation_or_scope_unless_forced(files, tmp_path, field, value):
    old, new = files
    data = json.loads(new.read_text(encoding="utf-8"))
    before = dict(data["organisation"])
    data["organisation"][field] = value
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data), encoding="utf-8")
    refused = CliRunner().invoke(cli, ["diff", str(old), str(other)])
    assert refused.exit_code == 2
    assert "different organisations or scopes" in refused.output and "--force" in refused.output
    assert before[field] in refused.output and value in refused.output  # both named
    assert "criteria improved" not in refused.output and "regressed" not in refused.output
    forced = CliRunner().invoke(cli, ["diff", str(old), str(other), "--force"])
    assert forced.exit_code == 0 and "criteria improved:" in forced.output
    assert "warning: comparing assessments of different organisations" in forced.output


def test_report_shows_progress_on_stderr_while_rendering(files, tmp_path):
    from mlops_audit.report import render_reports

    old, new = files
    seen: list[str] = []
    data = json.loads(new.read_text(encoding="utf-8"))
    from mlops_audit.result.model import Assessment

    written = render_reports(Assessment.model_validate(data), formats="html,oscal,xlsx", lang="both", out_dir=tmp_path / "o", progress=seen.append)
    assert len(written) == 4
    assert seen == ["rendering the zh report page", "rendering the en report page", "writing OSCAL", "writing the Excel workbook"]
    result = CliRunner().invoke(cli, ["report", str(new), "--format", "html", "--lang", "en", "--out", str(tmp_path / "p")])
    assert result.exit_code == 0 and "s] rendering the en report page" in result.stderr
