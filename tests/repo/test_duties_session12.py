"""Session 12: more deployment configuration on the deployment side of separates_duties_in_git
(conventions §6): Ansible playbooks and GitOps folders, ECS task definitions, Elastic Beanstalk and
App Runner specs, SAM deploy settings - and the look-alikes that stay on neither side."""

from __future__ import annotations

import pytest

from mlops_audit.evidence.repo.detectors import _duties


@pytest.mark.parametrize(
    "path",
    ["ansible/roles/api/tasks/main.yml", "playbooks/deploy-model.yml", "argocd/apps/scoring.yaml", "gitops/prod/values.yaml",
     "ecs/task-definition.json", "aws/scoring_task_definition.json", ".ebextensions/01-env.config", "apprunner.yaml", "samconfig.toml"],
)
def test_deployment_configuration_by_its_name_or_folder_is_on_the_deployment_side(path: str) -> None:
    assert _duties._finds("_DEPLOY_FILE", path, path.lower()) or _duties._finds("_DEPLOY_FOLDER", path, path.lower())


@pytest.mark.parametrize("path", ["config/app.yaml", "prompts/template.yaml", "docs/ansible.md", "src/definitions.py", "data/feature_definitions.json"])
def test_application_settings_templates_and_documents_are_not_deployment_configuration(path: str) -> None:
    assert not _duties._finds("_DEPLOY_FILE", path, path.lower()) and not _duties._finds("_DEPLOY_FOLDER", path, path.lower())


def test_demonstrations_and_examples_are_on_neither_side(tmp_path) -> None:
    from mlops_audit.evidence.repo.collect import build_index

    (tmp_path / "models" / "demo").mkdir(parents=True)
    (tmp_path / "models" / "demo" / "finetune_gpt2.py").write_text("trainer.train()\n", encoding="utf-8")
    (tmp_path / "examples" / "k8s").mkdir(parents=True)
    (tmp_path / "examples" / "k8s" / "Dockerfile").write_text("FROM python:3.12\n", encoding="utf-8")
    (tmp_path / "train.py").write_text("model.fit(X, y)\n", encoding="utf-8")
    (tmp_path / "Dockerfile").write_text("FROM python:3.12\n", encoding="utf-8")
    side = _duties.sides(build_index(tmp_path), ["models/demo/finetune_gpt2.py", "examples/k8s/Dockerfile", "train.py", "Dockerfile"])
    assert side == {"train.py": _duties.TRAINING, "Dockerfile": _duties.DEPLOYMENT}
