"""Test data is not evidence: sample trees under fixtures/testdata folders never count for the project."""

import pytest

from mlops_audit.evidence.repo.collect import collect


@pytest.mark.parametrize("folder", ["tests/fixtures/docker-case", "testdata/sample", "pkg/test_data", "spec/__fixtures__/x"])
def test_a_dockerfile_and_lock_file_inside_test_data_prove_nothing(tmp_path, folder):
    sample = tmp_path / folder
    sample.mkdir(parents=True)
    (sample / "Dockerfile").write_text("FROM python:3.11-slim\nCOPY . /app\n", encoding="utf-8")
    (sample / "requirements.txt").write_text("pandas==2.2.2\nscikit-learn==1.5.0\n", encoding="utf-8")
    (tmp_path / "train.py").write_text("import pandas as pd\n", encoding="utf-8")
    outcomes = {f.detector: f.outcome for f in collect(tmp_path).findings}
    assert outcomes["has_container"] == "fail"
    assert outcomes["pins_dependencies"] == "fail"


def test_the_same_files_at_the_project_root_do_count(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM python:3.11-slim\nCOPY . /app\n", encoding="utf-8")
    (tmp_path / "requirements.txt").write_text("pandas==2.2.2\nscikit-learn==1.5.0\n", encoding="utf-8")
    outcomes = {f.detector: f.outcome for f in collect(tmp_path).findings}
    assert outcomes["has_container"] == "pass"
    assert outcomes["pins_dependencies"] == "pass"
