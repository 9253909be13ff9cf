"""Messages show what the person typed; percent answers; misspelt roles; moving answers to a new rubric."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from mlops_audit.cli import cli
from mlops_audit.evidence.questionnaire.export import make_form, render
from mlops_audit.evidence.questionnaire.importer import read_answer_file
from mlops_audit.rubric.loader import load_rubric


def _yaml(rubric, filled, tmp_path: Path, name: str = "answers") -> Path:
    form, _ = make_form(rubric, lang="en", roles=["data_engineer"], filled=filled)
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(render(form, "yaml"))
    return path


def _messages(problems, severity="error"):
    return [p.message for p in problems if p.severity == severity]


def test_an_unquoted_yes_on_a_scale_question_is_shown_as_typed(rubric, filled, tmp_path):
    path = _yaml(rubric, filled, tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("value: 3\n", "value: yes\n"), encoding="utf-8")
    _, problems = read_answer_file(path, rubric)
    [message] = _messages(problems)
    assert "got yes" in message and "True" not in message
    assert "unquoted yes or no in YAML is read as true/false" in message


def _percent_rubric(fixture_rubric_path: Path, tmp_path: Path):
    text = fixture_rubric_path.read_text(encoding="utf-8").replace("zh: 中文days\n          en: days", "zh: 百分比\n          en: percent", 1)
    path = tmp_path / "rubric_percent.yaml"
    path.write_text(text, encoding="utf-8")
    return load_rubric(path)


def test_forty_percent_is_accepted_on_a_percent_question(fixture_rubric_path, make_filled, tmp_path):
    rubric = _percent_rubric(fixture_rubric_path, tmp_path)
    path = _yaml(rubric, make_filled(), tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("value: 12.5\n", "value: 40%\n"), encoding="utf-8")
    model, problems = read_answer_file(path, rubric)
    assert _messages(problems) == []
    assert next(a.value for a in model.answers if a.criterion == "DE.quality.L5") == 40


def test_percent_on_a_question_in_days_says_what_to_write(rubric, filled, tmp_path):
    path = _yaml(rubric, filled, tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("value: 12.5\n", "value: 40%\n"), encoding="utf-8")
    _, problems = read_answer_file(path, rubric)
    [message] = _messages(problems)
    assert "measured in days, not percent; write the number alone, e.g. 40" in message and "got '40%'" in message


def test_a_misspelt_role_gets_a_suggestion(rubric, filled, tmp_path):
    path = _yaml(rubric, filled, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "- data_engineer\n" in text
    path.write_text(text.replace("- data_engineer\n", "- data_enginer\n", 1), encoding="utf-8")
    _, problems = read_answer_file(path, rubric)
    assert any("unknown role 'data_enginer' (did you mean 'data_engineer'?)" in m for m in _messages(problems))


def test_messages_carry_one_severity_prefix(rubric, filled, tmp_path):
    path = _yaml(rubric, filled, tmp_path)
    _, problems = read_answer_file(path, rubric)
    for p in problems:
        assert str(p).count("warning:") + str(p).count("error:") == 1


def test_answers_move_to_a_new_rubric_version(rubric, filled, fixture_rubric_path, tmp_path):
    old = _yaml(rubric, filled, tmp_path, "old")
    text = fixture_rubric_path.read_text(encoding="utf-8").replace("version: 0.1.0", "version: 0.2.0", 1)
    text = text.replace("en: Is DE.ingest L1 done?", "en: Is DE.ingest L1 done, and written down?", 1)
    text = text.replace("- id: DE.ingest.L4\n", "- id: DE.ingest.L4b\n", 1)
    new_rubric = tmp_path / "rubric_v2.yaml"
    new_rubric.write_text(text, encoding="utf-8")
    out = tmp_path / "new.json"
    result = CliRunner().invoke(cli, ["questionnaire", "export", "--rubric", str(new_rubric), "--from", str(old), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "note: 1 answer(s) to changed criteria carried over unconfirmed (proposed by rubric 0.1.0); confirm them in the new file: DE.ingest.L1" in result.output
    assert "note: 1 answer(s) not carried over: their criteria are not in rubric test-small 0.2.0: DE.ingest.L4" in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["rubric"]["version"] == "0.2.0"
    answers = {a["criterion"]: a for a in data["answers"]}
    assert answers["DE.ingest.L1"]["proposed_by"] == "rubric 0.1.0" and answers["DE.ingest.L1"]["confirmed"] is False
    assert "DE.ingest.L4" not in answers and answers["DE.ingest.L2"]["value"] == "partial"
    # the new file reads back cleanly against the new rubric: the changed answer waits for confirmation
    model, problems = read_answer_file(out, load_rubric(new_rubric))
    assert _messages(problems) == []
    assert any("DE.ingest.L1: answer proposed by rubric 0.1.0 is not confirmed" in m for m in _messages(problems, "warning"))


def test_other_errors_still_stop_the_move(rubric, filled, fixture_rubric_path, tmp_path):
    old = _yaml(rubric, filled, tmp_path, "old")
    old.write_text(old.read_text(encoding="utf-8").replace("value: 3\n", "value: 30\n"), encoding="utf-8")
    text = fixture_rubric_path.read_text(encoding="utf-8").replace("version: 0.1.0", "version: 0.2.0", 1)
    new_rubric = tmp_path / "rubric_v2.yaml"
    new_rubric.write_text(text.replace("- id: DE.ingest.L4\n", "- id: DE.ingest.L4b\n", 1), encoding="utf-8")
    out = tmp_path / "new.json"
    result = CliRunner().invoke(cli, ["questionnaire", "export", "--rubric", str(new_rubric), "--from", str(old), "--out", str(out)])
    assert result.exit_code == 2 and "got 30" in result.output and not out.exists()


def test_chinese_workbook_dropdowns_offer_chinese_labels_and_read_back_as_values(rubric, filled, tmp_path):
    import openpyxl

    form, _ = make_form(rubric, lang="zh", roles=["data_engineer"], filled=filled)
    path = tmp_path / "answers.xlsx"
    path.write_bytes(render(form, "xlsx"))
    wb = openpyxl.load_workbook(path)
    formulas = [dv.formula1 for ws in wb.worksheets for dv in ws.data_validations.dataValidation]
    assert any("中文some" in f for f in formulas) and not any('"none,some' in f for f in formulas)
    # the stored value 'some' is shown as its label, and the label reads back as the value
    cells = [c for ws in wb.worksheets if ws.title != "_meta" for row in ws.iter_rows() for c in row if c.value == "中文some"]
    assert cells
    model, problems = read_answer_file(path, rubric)
    assert [p for p in problems if p.severity == "error"] == []
    assert next(a.value for a in model.answers if a.criterion == "DE.quality.L2") == "some"


def test_workbooks_with_the_older_half_width_labels_still_read(rubric, filled, tmp_path):
    import openpyxl

    form, _ = make_form(rubric, lang="zh", roles=["data_engineer"], filled=filled)
    path = tmp_path / "answers.xlsx"
    path.write_bytes(render(form, "xlsx"))
    wb = openpyxl.load_workbook(path)
    changed = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "（" in cell.value and len(cell.value) < 20:
                    cell.value = cell.value.translate(str.maketrans("（），", "(),"))
                    changed += 1
    assert changed >= 3  # cover and roster labels
    wb.save(path)
    model, problems = read_answer_file(path, rubric)
    assert [p.message for p in problems if p.severity == "error"] == []
    assert model.respondent.id == filled.respondent.id and len(model.roster) == len(filled.roster)


def test_a_problem_can_be_shown_without_its_severity_for_callers_that_prefix_one():
    from mlops_audit.evidence.questionnaire.raw import Problem

    p = Problem("f.yaml:10:3", "criterion 'X' changed", "warning")
    assert str(p) == "f.yaml:10:3: warning: criterion 'X' changed"
    assert f"warning: {p.located()}" == "warning: f.yaml:10:3: criterion 'X' changed"


def test_the_fingerprint_follows_what_a_respondent_answers_not_typography_or_routes(rubric):
    from mlops_audit.evidence.questionnaire.form import criterion_fingerprint

    _, _, c = rubric.rubric.criterion_index()["DE.ingest.L1"]
    same = criterion_fingerprint(c)
    retyped = c.model_copy(update={"question": c.question.model_copy(update={"text": c.question.text.model_copy(update={"zh": c.question.text.zh + "（是否）"})})})
    halfwidth = c.model_copy(update={"question": c.question.model_copy(update={"text": c.question.text.model_copy(update={"zh": c.question.text.zh + "(是否)"})})})
    assert criterion_fingerprint(retyped) == criterion_fingerprint(halfwidth) != same  # new words change it; width does not
    rerouted = c.model_copy(update={"detectors": ["has_unit_tests"], "weight": 3.0, "question": c.question.model_copy(update={"roles": ["data_scientist"]})})
    assert criterion_fingerprint(rerouted) == same
    reworded = c.model_copy(update={"text": c.text.model_copy(update={"en": c.text.en + " and written down"})})
    assert criterion_fingerprint(reworded) != same
