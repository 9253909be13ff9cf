"""`mlops-audit questionnaire export|check|merge` through click's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd

from mlops_audit.cli import cli
from mlops_audit.evidence.questionnaire.export import make_form, render
from mlops_audit.evidence.questionnaire.importer import read_answer_file


def _write(rubric, model, fmt: str, path: Path) -> Path:
    form, _ = make_form(rubric, lang="en", filled=model)
    path.write_bytes(render(form, fmt))
    return path


def test_export_chinese_excel_for_the_data_engineer(runner, fixture_rubric_path, tmp_path):
    out = tmp_path / "q.xlsx"
    result = runner.invoke(cli, ["questionnaire", "export", "--rubric", str(fixture_rubric_path), "--lang", "zh", "--role", "data_engineer", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out} (xlsx, 11 question(s))" in result.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["封面", "角色名册", "中文Data", "_meta"]
    meta = {row[0]: row[1] for row in wb["_meta"].iter_rows(values_only=True) if row[0] != "criterion"}
    assert meta["rubric_id"] == "test-small" and meta["format"] == "mlops-audit/answers@1" and len(meta["rubric_digest"]) == 64


def test_export_yaml_to_standard_output(runner, fixture_rubric_path):
    result = runner.invoke(cli, ["questionnaire", "export", "--rubric", str(fixture_rubric_path), "--format", "yaml", "--lang", "en", "--role", "data_scientist"])
    assert result.exit_code == 0, result.output
    assert "- criterion: MD.track.L1\n" in result.stdout and "DE.ingest.L1" not in result.stdout


def test_export_refuses_what_it_cannot_do(runner, fixture_rubric_path):
    no_out = runner.invoke(cli, ["questionnaire", "export", "--rubric", str(fixture_rubric_path), "--format", "xlsx"])
    assert no_out.exit_code == 2 and "--format xlsx needs --out FILE.xlsx" in no_out.stderr
    bad_role = runner.invoke(cli, ["questionnaire", "export", "--rubric", str(fixture_rubric_path), "--format", "csv", "--role", "wizard"])
    assert bad_role.exit_code == 2
    assert "--role: unknown role(s) wizard; expected one of business, project_manager" in bad_role.stderr
    no_format = runner.invoke(cli, ["questionnaire", "export", "--rubric", str(fixture_rubric_path)])
    assert no_format.exit_code == 2 and "give --format" in no_format.stderr


def test_export_from_a_filled_file_converts_it_losslessly(runner, rubric, filled, fixture_rubric_path, tmp_path):
    source = _write(rubric, filled, "csv", tmp_path / "filled.csv")
    out = tmp_path / "again.md"
    result = runner.invoke(cli, ["questionnaire", "export", "--rubric", str(fixture_rubric_path), "--from", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    model, _ = read_answer_file(out, rubric)
    assert model == filled


def test_export_from_a_broken_file_writes_nothing(runner, rubric, filled, fixture_rubric_path, tmp_path):
    source = _write(rubric, filled, "yaml", tmp_path / "filled.yaml")
    source.write_text(source.read_text(encoding="utf-8").replace("value: 3\n", "value: 30\n"), encoding="utf-8")
    out = tmp_path / "again.xlsx"
    result = runner.invoke(cli, ["questionnaire", "export", "--rubric", str(fixture_rubric_path), "--from", str(source), "--out", str(out)])
    assert result.exit_code == 2
    assert "DE.quality.L1: expected a whole number from 0 to 4, n/a or unknown, got 30" in result.stderr
    assert not out.exists()


def test_export_with_prefill_reports_the_proposals(runner, fixture_rubric_path, tmp_path):
    evidence = tmp_path / "evidence.json"
    evidence.write_text(json.dumps({"findings": [{"detector": "versions_data", "outcome": "pass", "criteria": ["DE.ingest.L3"], "locations": [{"path": "dvc.yaml", "line": 1}]}]}))
    out = tmp_path / "q.json"
    result = runner.invoke(cli, ["questionnaire", "export", "--rubric", str(fixture_rubric_path), "--prefill", str(evidence), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "1 answer(s) proposed by detectors" in result.stderr
    proposed = next(a for a in json.loads(out.read_text(encoding="utf-8"))["answers"] if a["criterion"] == "DE.ingest.L3")
    assert (proposed["value"], proposed["proposed_by"], proposed["confirmed"], proposed["evidence"]) == ("yes", "versions_data", False, ["dvc.yaml:1"])


def test_check_passes_good_files_and_lists_every_problem_of_bad_ones(runner, rubric, make_filled, fixture_rubric_path, tmp_path):
    good = _write(rubric, make_filled("r-1"), "xlsx", tmp_path / "good.xlsx")
    ok = runner.invoke(cli, ["questionnaire", "check", "--rubric", str(fixture_rubric_path), str(good)])
    assert ok.exit_code == 0, ok.output  # the unconfirmed proposal and the answer outside the roles are only warnings
    assert "1 file(s) usable, 9 answer(s) accepted, 0 error(s), 2 warning(s)" in ok.stdout
    assert "1 answer(s) to questions not asked of this respondent's roles (data_engineer): MD.track.L1" in ok.output
    bad = _write(rubric, make_filled("r-2"), "yaml", tmp_path / "bad.yaml")
    text = bad.read_text(encoding="utf-8").replace("value: 3\n", "value: 30\n").replace("criterion: DE.ingest.L2\n", "criterion: DE.nope\n")
    bad.write_text(text, encoding="utf-8")
    failed = runner.invoke(cli, ["questionnaire", "check", "--rubric", str(fixture_rubric_path), str(good), str(bad)])
    assert failed.exit_code == 2
    assert "unknown criterion id 'DE.nope'" in failed.stderr and "got 30" in failed.stderr
    assert "error: 2 file(s) usable, 16 answer(s) accepted, 2 error(s), 4 warning(s)" in failed.stderr


def test_merge_writes_the_consolidated_file_and_the_disagreement_table(runner, rubric, make_filled, fixture_rubric_path, tmp_path):
    a = make_filled("r-1")
    b = make_filled("r-2", ("data_engineer", "data_scientist"))
    b = b.model_copy(update={"answers": [x.model_copy(update={"value": "no"}) if x.criterion == "DE.ingest.L1" else x for x in b.answers]})
    folder = tmp_path / "answers"
    folder.mkdir()
    _write(rubric, a, "xlsx", folder / "a.xlsx")
    _write(rubric, b, "yaml", folder / "b.yaml")
    out, table = tmp_path / "merged.yaml", tmp_path / "disagreements.csv"
    result = runner.invoke(cli, ["questionnaire", "merge", "--rubric", str(fixture_rubric_path), str(folder), "--out", str(out), "--disagreements", str(table)])
    assert result.exit_code == 0, result.output
    assert "merged 2 respondent(s)" in result.stdout and "1 contested" in result.stdout
    merged, problems = read_answer_file(out, rubric)
    assert problems == []
    assert next(x for x in merged.answers if x.criterion == "DE.ingest.L1").value == "no"
    frame = pd.read_csv(table, encoding="utf-8-sig")
    assert frame.iloc[0]["criterion"] == "DE.ingest.L1" and bool(frame.iloc[0]["contested"])


def test_merge_with_errors_writes_nothing(runner, rubric, filled, fixture_rubric_path, tmp_path):
    bad = _write(rubric, filled, "yaml", tmp_path / "bad.yaml")
    bad.write_text(bad.read_text(encoding="utf-8").replace("value: 3\n", "value: 30\n"), encoding="utf-8")
    out = tmp_path / "merged.yaml"
    result = runner.invoke(cli, ["questionnaire", "merge", "--rubric", str(fixture_rubric_path), str(bad), "--out", str(out)])
    assert result.exit_code == 2 and "nothing was written" in result.stderr
    assert not out.exists()
