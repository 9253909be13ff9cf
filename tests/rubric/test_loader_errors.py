"""A broken rubric is reported as file:line:column, key path and what was expected — never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from mlops_audit.errors import RubricError
from mlops_audit.rubric.loader import load_rubric
from tests.conftest import SMALL_RUBRIC

BASE = SMALL_RUBRIC.read_text(encoding="utf-8")


def broken(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    return info.value.problems


def edit(mutate) -> str:
    data = yaml.safe_load(BASE)
    mutate(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_yaml_syntax_error_names_file_line_and_column(tmp_path):
    text = BASE.replace("id: test-small", "id: [test-small", 1)
    [problem] = broken(tmp_path, text)
    assert re.match(rf"{re.escape(str(tmp_path / 'rubric.yaml'))}:\d+:\d+: YAML syntax error", problem)


def test_schema_violation_names_line_key_path_and_expectation(tmp_path):
    text = BASE.replace("  zh: 中文DE.ingest level 1\n", "  zh: ''\n", 1)
    assert "zh: ''" in text
    problems = broken(tmp_path, text)
    where = line_of(text, "zh: ''")
    assert any(f"rubric.yaml:{where}:" in p and "domains[0].practices[0].criteria[0].text.zh" in p and "at least 1 character" in p for p in problems), problems


def test_unknown_key_is_reported_with_its_place(tmp_path):
    text = BASE.replace("    weight: 2.0\n", "    weight: 2.0\n    wieght: 3\n", 1)
    problems = broken(tmp_path, text)
    assert any(f":{line_of(text, 'wieght')}:" in p and "wieght" in p and "unknown key" in p for p in problems), problems


def test_duplicate_yaml_keys_are_errors_not_silent_overwrites(tmp_path):
    text = BASE.replace("version: 0.1.0\n", "version: 0.1.0\nversion: 0.2.0\n", 1)
    [problem] = broken(tmp_path, text)
    assert f":{line_of(text, 'version: 0.2.0')}:" in problem and "duplicate key 'version'" in problem


def test_duplicate_criterion_ids_are_reported_at_each_place(tmp_path):
    def dup(d):
        crits = d["domains"][0]["practices"][0]["criteria"]
        crits[1]["id"] = crits[0]["id"]

    problems = broken(tmp_path, edit(dup))
    assert sum("duplicate criterion id 'DE.ingest.L1'" in p for p in problems) == 2


def test_unknown_clause_role_and_detector_references(tmp_path):
    def refs(d):
        c = d["domains"][0]["practices"][0]["criteria"][0]
        c["clauses"] = ["PA.9.step1"]
        c["question"]["roles"] = ["astrologer"]
        c["detectors"] = ["reads_tea_leaves"]

    problems = "\n".join(broken(tmp_path, edit(refs)))
    assert "unknown clause id 'PA.9.step1'" in problems or "PA.9.step1" in problems
    assert "unknown role 'astrologer'" in problems
    assert "unknown detector id 'reads_tea_leaves'" in problems
    assert "domains[0].practices[0].criteria[0].question.roles[0]" in problems


def test_a_practice_missing_a_level_is_named(tmp_path):
    def drop(d):
        crits = d["domains"][1]["practices"][0]["criteria"]
        d["domains"][1]["practices"][0]["criteria"] = [c for c in crits if c["level"] != 4]

    problems = broken(tmp_path, edit(drop))
    assert any("practice 'MD.track' has no criterion at level(s) 4" in p and "domains[1].practices[0]" in p for p in problems), problems


def test_yaml_aliases_are_refused(tmp_path):
    text = "a: &x [1, 2]\nb: *x\n"
    [problem] = broken(tmp_path, text)
    assert "anchors" in problem or "aliases" in problem


def test_a_domain_file_problem_points_into_that_file(tmp_path):
    data = yaml.safe_load(BASE)
    domains = data.pop("domains")
    (tmp_path / "domains").mkdir()
    data["domain_files"] = []
    for i, domain in enumerate(domains):
        if i == 1:
            domain["weight"] = -1
        name = f"domains/d{i}.yaml"
        (tmp_path / name).write_text(yaml.safe_dump(domain, allow_unicode=True, sort_keys=False), encoding="utf-8")
        data["domain_files"].append(name)
    (tmp_path / "rubric.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(tmp_path)
    [problem] = info.value.problems
    text = (tmp_path / "domains/d1.yaml").read_text()
    assert problem.startswith(f"{tmp_path / 'domains/d1.yaml'}:{line_of(text, 'weight: -1')}:")
    assert "greater than 0" in problem


def test_a_domain_file_outside_the_rubric_folder_is_refused(tmp_path):
    data = yaml.safe_load(BASE)
    data.pop("domains")
    data["domain_files"] = ["../elsewhere.yaml"]
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "rubric.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(tmp_path / "r")
    assert "outside the rubric folder" in info.value.problems[0]
