"""Near misses of session 13 (precision13): what the collector credited on teams' systems that
readers do not count, narrowed by category. Each rule has its pass fixture beside the near miss."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

# --- triggers_retraining: rule `an example's schedule` -----------------------------------------
# Each way of starting training without a person, kept in a folder of the system (`deploy/`) or in
# an example, sample, tutorial or sandbox folder: the first is the system's retraining, the second
# shows how to retrain (conventions §2, §10).

CRON = """apiVersion: batch/v1
kind: CronJob
metadata:
  name: retrain
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: t
              image: me/model:1
              command: ["python", "train.py"]
          restartPolicy: Never
"""
DAG = """from datetime import datetime
from airflow import DAG
from airflow.operators.python import PythonOperator

def train_model():
    model.fit(X, y)

with DAG("retrain", schedule_interval="@daily", start_date=datetime(2024, 1, 1)) as dag:
    PythonOperator(task_id="train", python_callable=train_model)
"""
PREFECT = """deployments:
  - name: nightly
    entrypoint: flows/train.py:train_flow
    schedules:
      - cron: "0 2 * * *"
"""
TRAINPY = "from sklearn.linear_model import LogisticRegression\n\ndef train_flow():\n    LogisticRegression().fit(X, y)\n"
DATABRICKS = """resources:
  jobs:
    retrain:
      schedule:
        quartz_cron_expression: "0 0 3 * * ?"
        timezone_id: UTC
      tasks:
        - task_key: train_model
          notebook_task:
            notebook_path: ./train
"""
TIMER = "[Timer]\nOnCalendar=daily\n"
SERVICE = "[Service]\nExecStart=/usr/bin/python train.py\n"
TF = '''resource "aws_cloudwatch_event_rule" "nightly" {
  name = "retrain-nightly"
  schedule_expression = "rate(1 day)"
}
resource "aws_cloudwatch_event_target" "t" {
  rule = aws_cloudwatch_event_rule.nightly.name
  arn  = aws_sagemaker_pipeline.training.arn
}
'''
TRIGGERS = {
    "Kubernetes CronJob": {"{f}/k8s/cronjob.yaml": CRON, "src/app.py": "print(1)\n"},
    "scheduled Airflow DAG": {"{f}/dags/retrain_dag.py": DAG, "src/app.py": "print(1)\n"},
    "Prefect deployment schedule": {"{f}/prefect.yaml": PREFECT, "{f}/flows/train.py": TRAINPY},
    "scheduled Databricks job": {"{f}/databricks.yml": DATABRICKS},
    "systemd timer": {"{f}/units/retrain.timer": TIMER, "{f}/units/retrain.service": SERVICE},
    "EventBridge rule": {"{f}/infra/main.tf": TF},
}


def _files(trigger: str, folder: str) -> dict[str, str]:
    return {path.format(f=folder): text for path, text in TRIGGERS[trigger].items()}


@pytest.mark.parametrize("trigger", sorted(TRIGGERS))
def test_a_schedule_in_the_systems_own_folder_triggers_retraining(tmp_path: Path, trigger: str) -> None:
    assert _outcome(_tree(tmp_path, _files(trigger, "deploy")), "triggers_retraining")[0] is FindingOutcome.pass_


@pytest.mark.parametrize("folder", ["examples/k8s-demo", "samples", "tutorials/part2", "demo", "sandbox"])
@pytest.mark.parametrize("trigger", sorted(TRIGGERS))
def test_the_same_schedule_in_an_example_folder_is_not_the_systems_retraining(tmp_path: Path, trigger: str, folder: str) -> None:
    outcome, message = _outcome(_tree(tmp_path, _files(trigger, folder)), "triggers_retraining")
    assert outcome is FindingOutcome.fail, message


def test_an_example_beside_the_systems_own_schedule_leaves_it_credited(tmp_path: Path) -> None:
    files = _files("Kubernetes CronJob", "examples/k8s") | _files("scheduled Airflow DAG", "pipelines")
    outcome, message = _outcome(_tree(tmp_path, files), "triggers_retraining")
    assert outcome is FindingOutcome.pass_
    assert "airflow.DAG" in message and "CronJob" not in message


# --- has_ci_pipeline: rule `placeholder CI`, commands that only show the environment ------------
# GitHub's starter "Python package" workflow with its lint and test steps deleted: it sets up Python
# and shows its version. Nothing of the repository is built, tested or checked (conventions §4).
STARTER = """name: Python package
on:
  push:
    branches: [main]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Display Python version
        run: python -c "import sys; print(sys.version)"
      - run: |
          python --version
          pip list
          ls -la
          env
"""


def test_a_workflow_that_only_shows_the_environment_is_a_placeholder(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {".github/workflows/ci.yml": STARTER}), "has_ci_pipeline")
    assert outcome is FindingOutcome.fail
    assert "do nothing" in message


@pytest.mark.parametrize(
    "work",
    ["pytest -q", "python -c \"import mypkg; print(mypkg.__version__)\"", "ls && make test",
     # review13: `env` runs the command that follows it; a command substitution runs its command
     "env PYTHONPATH=src pytest tests/", "ls $(python train.py)", "which `python build.py`"],
)
def test_the_same_workflow_with_one_step_of_work_is_ci(tmp_path: Path, work: str) -> None:
    workflow = STARTER + f"      - run: {work}\n"
    assert _outcome(_tree(tmp_path, {".github/workflows/ci.yml": workflow}), "has_ci_pipeline")[0] is FindingOutcome.pass_


# --- pins_dependencies: rule `a front end's lock` -----------------------------------------------
# A Python project whose requirements are loose, with a docs site's or a front end's Yarn/npm lock
# at the root: the lock pins JavaScript packages, not what the training code imports (§4).
YARN_LOCK = "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\"docusaurus@^2.0.0\":\n  version \"2.4.3\"\n"
LOOSE_PROJECT = {"requirements.txt": "pandas>=2\nscikit-learn\n", "src/train.py": "import pandas\nimport sklearn\n", "package.json": '{"name": "docs"}\n'}


@pytest.mark.parametrize("lock", ["yarn.lock", "package-lock.json", "pnpm-lock.yaml"])
def test_a_javascript_lock_does_not_pin_a_python_projects_code(tmp_path: Path, lock: str) -> None:
    outcome, message = _outcome(_tree(tmp_path, {**LOOSE_PROJECT, lock: YARN_LOCK}), "pins_dependencies")
    assert outcome is FindingOutcome.fail, message


def test_a_python_lock_beside_it_still_pins_the_project(tmp_path: Path) -> None:
    files = {**LOOSE_PROJECT, "yarn.lock": YARN_LOCK, "poetry.lock": "[[package]]\nname = \"pandas\"\nversion = \"2.2.3\"\n"}
    outcome, message = _outcome(_tree(tmp_path, files), "pins_dependencies")
    assert outcome is FindingOutcome.pass_ and "poetry.lock" in message and "yarn.lock" not in message


def test_a_javascript_lock_pins_a_repository_without_python_code(tmp_path: Path) -> None:
    files = {"package.json": '{"name": "tfjs-app"}\n', "package-lock.json": '{"lockfileVersion": 3}\n', "src/model.js": "export const m = 1;\n"}
    outcome, message = _outcome(_tree(tmp_path, files), "pins_dependencies")
    assert outcome is FindingOutcome.pass_ and "package-lock.json" in message


# --- has_deployment_manifest, uses_progressive_delivery: rule `an example's manifest` -----------
# A Deployment and an Argo Rollouts canary kept with the system (`deploy/`) or in an example, sample,
# tutorial or demo folder: the second shows how to deploy (conventions §9, as images there for
# has_container since session 11).
POD = """  selector:
    matchLabels: {app: model-api}
  template:
    metadata:
      labels: {app: model-api}
    spec:
      containers:
        - name: api
          image: acme/model-api:1.0
"""
DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: model-api\nspec:\n" + POD
CANARY = (
    "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: model-api\nspec:\n"
    "  strategy:\n    canary:\n      steps:\n        - setWeight: 20\n        - pause: {duration: 60}\n" + POD
)
MANIFESTS = {"k8s/deployment.yaml": DEPLOYMENT, "k8s/rollout.yaml": CANARY}


@pytest.mark.parametrize("detector", ["has_deployment_manifest", "uses_progressive_delivery"])
def test_manifests_kept_with_the_system_deploy_it(tmp_path: Path, detector: str) -> None:
    files = {f"deploy/{rel}": text for rel, text in MANIFESTS.items()} | {"src/app.py": "print(1)\n"}
    assert _outcome(_tree(tmp_path, files), detector)[0] is FindingOutcome.pass_


@pytest.mark.parametrize("folder", ["examples/fastapi-demo", "demo/rollouts", "samples", "tutorials/03-deploy"])
@pytest.mark.parametrize("detector", ["has_deployment_manifest", "uses_progressive_delivery"])
def test_the_same_manifests_in_an_example_folder_deploy_nothing_of_the_system(tmp_path: Path, detector: str, folder: str) -> None:
    files = {f"{folder}/{rel}": text for rel, text in MANIFESTS.items()} | {"src/app.py": "print(1)\n"}
    outcome, message = _outcome(_tree(tmp_path, files), detector)
    assert outcome is FindingOutcome.fail, message


def test_an_example_only_deployment_says_where_it_was_seen(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"examples/serving/deployment.yaml": DEPLOYMENT}), "has_deployment_manifest")
    assert outcome is FindingOutcome.fail
    assert "only in example, sample, tutorial or demo folders (examples/serving/deployment.yaml)" in message


# --- validates_data: rule `a network's own invariants` ------------------------------------------
# A check that raises on NaN values, written as a method of a neural network (directly, or through a
# project base class in another module), tests the model's own tensors; the same check in a pipeline
# function tests the data (conventions §7).
CHECK = (
    "    def check_inputs(self, batch):\n"
    "        if torch.isnan(batch).any():\n"
    "            raise ValueError('NaN in batch')\n"
    "        return batch\n"
)
NETWORK = "import torch\nfrom torch import nn\n\n\nclass Denoiser(nn.Module):\n" + CHECK + "\n    def forward(self, batch):\n        return self.check_inputs(batch) * 2\n"
BASE = "import torch\nfrom transformers import PreTrainedModel\n\n\nclass Base(PreTrainedModel):\n    pass\n"
SUBCLASS = "import torch\nfrom src.models.base import Base\n\n\nclass Diffusion(Base):\n" + CHECK + "\n    def step(self, batch):\n        return self.check_inputs(batch)\n"
PIPELINE = "import torch\n\n\nclass BatchChecks:\n" + CHECK + "\n\ndef run(batch):\n    return BatchChecks().check_inputs(batch)\n"


@pytest.mark.parametrize("files", [
    {"src/models/denoiser.py": NETWORK},
    {"src/models/base.py": BASE, "src/models/diffusion.py": SUBCLASS},
], ids=["nn.Module", "through a project base class"])
def test_a_networks_tensor_check_is_not_data_validation(tmp_path: Path, files: dict[str, str]) -> None:
    outcome, message = _outcome(_tree(tmp_path, files), "validates_data")
    assert outcome is FindingOutcome.fail, message


def test_the_same_check_of_a_pipelines_batch_is_data_validation(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"src/pipeline/checks.py": PIPELINE}), "validates_data")
    assert outcome is FindingOutcome.pass_, message


# --- separates_duties_in_git: rule `a placeholder identity` -------------------------------------
# Alice changes both sides, Bob only the deployment; the training-only commits come from a laptop
# whose git was never configured (`Developer <developer@MacBook-Pro-5.local>`): that may be Alice or
# Bob, so no separate developer is shown. The same commits by a named person are one (conventions §6).
def _duties_with_trainer(root: Path, name: str, email: str) -> tuple[FindingOutcome, str]:
    from mlops_audit.evidence.repo.collect import build_index, run_detector
    from mlops_audit.evidence.repo.registry import get_detector
    from tests.repo import gitreplay

    trains = "from sklearn.linear_model import LogisticRegression\n\nmodel = LogisticRegression()\nmodel.fit(X, y)\n"
    _tree(root, {"src/train.py": trains, "src/features.py": trains, "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\nCMD [\"python\", \"app.py\"]\n"})
    gitreplay.init(root)
    commits = [("alice", "alice@corp.com", ["src/train.py", "Dockerfile"]), ("bob", "bob@corp.com", ["Dockerfile"]),
               (name, email, ["src/features.py"]), ("bob", "bob@corp.com", ["Dockerfile"]), (name, email, ["src/train.py"])]
    for number, (author, address, files) in enumerate(commits, start=1):
        gitreplay.commit(root, author, files, number, email=address)
    found = run_detector(get_detector("separates_duties_in_git"), build_index(root))
    return found.outcome, found.message


@pytest.mark.parametrize(("name", "email"), [("Developer", "developer@MacBook-Pro-5.local"), ("root", "root@localhost"), ("ubuntu", "ubuntu@ip-10-0-0-5.ec2.internal")])
def test_training_commits_of_a_placeholder_identity_show_no_separate_developer(tmp_path: Path, name: str, email: str) -> None:
    outcome, message = _duties_with_trainer(tmp_path, name, email)
    assert outcome is FindingOutcome.fail
    assert "placeholder name" in message and name in message


@pytest.mark.parametrize(("name", "email"), [("carol", "carol@corp.com"), ("unknown", "carol@gmail.com"), ("Developer", "carol@corp.com")])
def test_the_same_commits_by_someone_with_a_real_name_or_address_separate_the_duties(tmp_path: Path, name: str, email: str) -> None:
    outcome, message = _duties_with_trainer(tmp_path, name, email)
    assert outcome is FindingOutcome.pass_, message
