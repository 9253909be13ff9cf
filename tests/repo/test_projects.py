"""collect --per-project: sub-projects found from their own build/CI/pipeline files, plus the roll-up."""

from __future__ import annotations

import json
from pathlib import Path

from mlops_audit.cli import cli
from mlops_audit.evidence.repo.model import FindingOutcome, ProjectsCollection
from mlops_audit.evidence.repo.projects import collect_projects, find_projects
from tests.conftest import AT


def test_sub_projects_are_the_outermost_folders_with_their_own_markers() -> None:
    files = [
        "README.md", "pyproject.toml",  # the root is the roll-up, not a sub-project
        "churn/requirements.txt", "churn/serving/Dockerfile",  # serving belongs to churn
        "fraud/dvc.yaml", "fraud/train.py",
        "tests/fixtures/proj/setup.py",  # test fixtures are not projects
        ".github/workflows/ci.yml",
        "a/b/c/d/pyproject.toml",  # too deep
        "notes/todo.md",
    ]
    assert find_projects(files) == [("churn", ["requirements.txt"]), ("fraud", ["dvc.yaml"])]


def _monorepo(root: Path) -> Path:
    (root / "tracked").mkdir(parents=True)
    (root / "tracked" / "requirements.txt").write_text("mlflow==2.14.1\n", encoding="utf-8")
    (root / "tracked" / "train.py").write_text("import mlflow\n\n\ndef train(x):\n    mlflow.log_metric('n', len(x))\n", encoding="utf-8")
    (root / "untracked").mkdir()
    (root / "untracked" / "pyproject.toml").write_text("[project]\nname = 'untracked'\n", encoding="utf-8")
    (root / "untracked" / "train.py").write_text("def train(x):\n    return len(x)\n", encoding="utf-8")
    return root


def test_each_sub_project_is_judged_on_its_own_and_the_roll_up_on_the_whole(tmp_path: Path) -> None:
    from mlops_audit.rubric.loader import default_rubric

    result = collect_projects(_monorepo(tmp_path / "mono"), rubric=default_rubric(), now=AT)
    outcomes = {p.path: {f.detector: f.outcome for f in p.result.findings} for p in result.projects}
    assert outcomes["tracked"]["tracks_experiments"] is FindingOutcome.pass_
    assert outcomes["untracked"]["tracks_experiments"] is FindingOutcome.fail
    assert {f.detector: f.outcome for f in result.overall.findings}["tracks_experiments"] is FindingOutcome.pass_
    assert [p.markers for p in result.projects] == [["requirements.txt"], ["pyproject.toml"]]


def test_cli_per_project_writes_the_projects_document_and_refuses_sarif(tmp_path: Path, runner) -> None:
    repo = _monorepo(tmp_path / "mono")
    out = tmp_path / "projects.json"
    written = runner.invoke(cli, ["collect", str(repo), "--per-project", "--out", str(out)])
    assert written.exit_code == 0, written.output
    document = ProjectsCollection.model_validate(json.loads(out.read_text(encoding="utf-8")))
    assert [p.path for p in document.projects] == ["tracked", "untracked"]
    refused = runner.invoke(cli, ["collect", str(repo), "--per-project", "--format", "sarif"])
    assert refused.exit_code == 2 and "--per-project writes JSON" in refused.output
