"""`mlops-audit init` writes a campaign folder that works as it is; `rubric show ID` shows one item."""

from __future__ import annotations

import re

from click.testing import CliRunner

from mlops_audit.cli import cli
from mlops_audit.evidence.questionnaire.importer import read_answer_file
from mlops_audit.evidence.waivers import load_waivers
from mlops_audit.rubric.loader import default_rubric


def test_init_writes_a_campaign_folder_whose_files_load(tmp_path):
    folder = tmp_path / "campaign"
    result = CliRunner().invoke(cli, ["init", str(folder), "--organisation", "Example Bank", "--lang", "en"])
    assert result.exit_code == 0, result.output
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert names == ["README.md", "answers/.keep", "evidence/.keep", "questionnaire.html", "questionnaire.xlsx", "questionnaire.yaml", "waivers.yaml"]
    assert load_waivers(folder / "waivers.yaml", default_rubric()) == []
    # the commented example names a criterion that exists (uncommenting it must not fail)
    example = re.search(r"#\s+- criterion: (\S+)", (folder / "waivers.yaml").read_text(encoding="utf-8")).group(1)
    assert example in default_rubric().rubric.criterion_index()
    model, problems = read_answer_file(folder / "questionnaire.xlsx", default_rubric())
    assert any("respondent" in p.message for p in problems)  # blank: waiting for the respondent's details
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "Example Bank" in readme and "mlops-audit assess --answers answers/" in readme
    for command in re.findall(r"`(mlops-audit [a-z]+(?: [a-z]+)?)", readme):
        sub = command.split()[1:]
        assert CliRunner().invoke(cli, [*sub, "--help"]).exit_code == 0, command


def test_init_refuses_a_folder_that_is_not_empty_unless_forced(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    refused = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert refused.exit_code == 2 and "not empty" in refused.output
    assert CliRunner().invoke(cli, ["init", str(tmp_path), "--force"]).exit_code == 0
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_rubric_show_one_practice_lists_its_criteria():
    result = CliRunner().invoke(cli, ["rubric", "show", "DE.data_sharing"])
    assert result.exit_code == 0, result.output
    practice = next(p for _, p in default_rubric().rubric.practices() if p.id == "DE.data_sharing")
    assert result.output.startswith(f"DE.data_sharing: {practice.title.en}")
    for c in practice.criteria:
        assert c.id in result.output


def test_rubric_show_one_criterion_in_full():
    result = CliRunner().invoke(cli, ["rubric", "show", "OP.retraining_triggers.L2", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    _, _, c = default_rubric().rubric.criterion_index()["OP.retraining_triggers.L2"]
    assert c.text.zh in result.output and c.remediation.zh in result.output and "evidence routes:" in result.output
    as_json = CliRunner().invoke(cli, ["rubric", "show", "OP.retraining_triggers.L2", "--format", "json"])
    assert '"id": "OP.retraining_triggers.L2"' in as_json.output


def test_rubric_show_unknown_id_suggests_the_nearest():
    result = CliRunner().invoke(cli, ["rubric", "show", "OP.retraining_evaluaton.L5"])
    assert result.exit_code == 2
    assert "did you mean 'OP.retraining_evaluation.L5'?" in result.output
