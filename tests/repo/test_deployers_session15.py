"""Session 15 (deploy22): any deployment declaration of the repository is a deployer.

Mechanism 1 (serves_model): a Streamlit/Gradio page reaching a model is served when ANY deployment
artefact of the repository runs it - a Kubernetes workload's container command/args, a Terraform or
Bicep container service's command, a platform descriptor (Procfile, render.yaml, app.yaml, fly.toml),
or a compose service whose `image:` is the image a build command of the repository makes from one of
its Dockerfiles - not only a compose `build:` service or a Hugging Face Space.

Mechanism 2 (has_deployment_manifest): a deploy verb of a cloud/platform CLI, recognised by its verb
family (`aws <service> register-task-definition|update-service|start-instance-refresh|...`, `gcloud
<group...> deploy`, `az <service> create|update|deploy|up`, `kubectl apply|rollout`, `helm upgrade`,
`flyctl deploy`...) in ANY committed script (shell script, Makefile recipe), not only in CI; and a
CodeDeploy AppSpec recognised by its content (`version`, `os`, `hooks`/`files`), whatever its name.

Each rule has two pass fixtures written differently from each other and from the misses that prompted
them, and near misses that must stay absent (no deployment runs the page; a demo folder; a verb in an
`echo` or a README; a non-deploy verb of the same CLI; a YAML file with a `version` and nothing else).
"""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.collect import build_index, run_detector
from mlops_audit.evidence.repo.model import FindingOutcome
from mlops_audit.evidence.repo.registry import get_detector
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, FAIL, PARTIAL = FindingOutcome.pass_, FindingOutcome.fail, FindingOutcome.partial


def _where(root: Path, detector: str) -> tuple[FindingOutcome, set[str]]:
    """The outcome and the files the finding points at."""
    found = run_detector(get_detector(detector), build_index(root))
    return found.outcome, {loc.path for loc in found.locations}

# A chat page answering with a locally loaded model, and a Gradio front end in a package whose helper loads the model.
CHAT_PAGE = """\
import streamlit as st
from transformers import pipeline

qa = pipeline("question-answering", model="deepset/roberta-base-squad2")
question = st.text_input("Ask")
if question:
    st.write(qa.predict(question))
"""

GRADIO_PAGE = """\
import gradio as gr

from webui.engine import answer


demo = gr.Interface(fn=answer, inputs="text", outputs="text")
demo.launch(server_name="0.0.0.0")
"""

GRADIO_ENGINE = """\
import torch

net = torch.load("weights/classifier.pt")


def answer(text):
    return net.predict([text])
"""

STATIC_PAGE = """\
import pandas as pd
import streamlit as st

st.dataframe(pd.read_csv("data/sales.csv"))
"""

# --- serves_model: a Kubernetes workload runs the page ------------------------------------------------

K8S_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: assistant-ui
spec:
  replicas: 2
  selector:
    matchLabels: {app: assistant-ui}
  template:
    metadata:
      labels: {app: assistant-ui}
    spec:
      containers:
        - name: ui
          image: registry.example.org/assistant:1.4.0
          command: ["streamlit", "run", "frontend/chat.py", "--server.port", "8501"]
          ports:
            - containerPort: 8501
"""

K8S_STATEFULSET_ARGS = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: triage
spec:
  serviceName: triage
  selector:
    matchLabels: {app: triage}
  template:
    metadata:
      labels: {app: triage}
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/triage:latest
          command:
            - python
          args:
            - webui/launch.py
"""


def test_a_page_a_kubernetes_deployment_runs_serves(tmp_path: Path) -> None:
    files = {"deploy/k8s/ui.yaml": K8S_DEPLOYMENT, "frontend/chat.py": CHAT_PAGE}
    outcome, where = _where(_tree(tmp_path, files), "serves_model")
    assert outcome is PASS and {"deploy/k8s/ui.yaml", "frontend/chat.py"} <= where


def test_a_gradio_front_end_a_statefulset_starts_through_command_and_args_serves(tmp_path: Path) -> None:
    files = {"manifests/triage.yml": K8S_STATEFULSET_ARGS, "webui/launch.py": GRADIO_PAGE, "webui/engine.py": GRADIO_ENGINE, "webui/__init__.py": ""}
    outcome, where = _where(_tree(tmp_path, files), "serves_model")
    assert outcome is PASS and {"manifests/triage.yml", "webui/engine.py"} <= where


def test_a_deployed_page_that_shows_data_without_a_model_or_a_deployment_in_an_examples_folder_does_not_serve(tmp_path: Path) -> None:
    static = {"deploy/k8s/ui.yaml": K8S_DEPLOYMENT, "frontend/chat.py": STATIC_PAGE}
    assert _outcome(_tree(tmp_path / "a", static), "serves_model")[0] is FAIL
    example = {"examples/k8s/ui.yaml": K8S_DEPLOYMENT.replace("frontend/chat.py", "examples/chat.py"), "examples/chat.py": CHAT_PAGE}
    assert _outcome(_tree(tmp_path / "b", example), "serves_model")[0] is FAIL


# --- serves_model: infrastructure as code runs the page ---------------------------------------------------

TERRAFORM_CONTAINER_APP = """\
resource "azurerm_container_app" "assistant" {
  name                         = "assistant"
  container_app_environment_id = azurerm_container_app_environment.env.id
  resource_group_name          = var.resource_group
  revision_mode                = "Single"

  template {
    container {
      name    = "ui"
      image   = "${var.registry}/assistant:${var.tag}"
      cpu     = 0.5
      memory  = "1Gi"
      command = ["streamlit", "run", "frontend/chat.py", "--server.port=8501"]
    }
  }
}
"""

TERRAFORM_CLOUD_RUN = """\
resource "google_cloud_run_v2_service" "triage" {
  name     = "triage"
  location = var.region

  template {
    containers {
      image   = "europe-docker.pkg.dev/acme/apps/triage:1"
      command = ["python3"]
      args    = ["webui/launch.py"]
    }
  }
}
"""


def test_a_page_a_terraform_container_app_runs_serves(tmp_path: Path) -> None:
    files = {"infra/app.tf": TERRAFORM_CONTAINER_APP, "frontend/chat.py": CHAT_PAGE}
    outcome, where = _where(_tree(tmp_path, files), "serves_model")
    assert outcome is PASS and "infra/app.tf" in where


def test_a_gradio_front_end_a_cloud_run_service_runs_serves(tmp_path: Path) -> None:
    files = {"terraform/run.tf": TERRAFORM_CLOUD_RUN, "webui/launch.py": GRADIO_PAGE, "webui/engine.py": GRADIO_ENGINE, "webui/__init__.py": ""}
    outcome, where = _where(_tree(tmp_path, files), "serves_model")
    assert outcome is PASS and "terraform/run.tf" in where


def test_a_terraform_command_in_a_bucket_or_a_comment_runs_no_page(tmp_path: Path) -> None:
    commented = TERRAFORM_CONTAINER_APP.replace('      command = ["streamlit"', '      # command = ["streamlit"')
    assert _outcome(_tree(tmp_path / "a", {"infra/app.tf": commented, "frontend/chat.py": CHAT_PAGE}), "serves_model")[0] is FAIL
    bucket = 'resource "aws_s3_bucket" "pages" {\n  bucket = "streamlit run frontend/chat.py"\n}\n'
    assert _outcome(_tree(tmp_path / "b", {"infra/s3.tf": bucket, "frontend/chat.py": CHAT_PAGE}), "serves_model")[0] is FAIL


# --- serves_model: platform descriptors run the page --------------------------------------------------------


def test_a_page_a_procfile_web_process_runs_serves(tmp_path: Path) -> None:
    files = {"Procfile": "web: streamlit run frontend/chat.py --server.port $PORT --server.address 0.0.0.0\n", "frontend/chat.py": CHAT_PAGE}
    outcome, where = _where(_tree(tmp_path, files), "serves_model")
    assert outcome is PASS and "Procfile" in where


def test_a_gradio_front_end_a_render_blueprint_starts_serves(tmp_path: Path) -> None:
    render = "services:\n  - type: web\n    name: triage\n    runtime: python\n    buildCommand: pip install -r requirements.txt\n    startCommand: python webui/launch.py\n"
    files = {"render.yaml": render, "webui/launch.py": GRADIO_PAGE, "webui/engine.py": GRADIO_ENGINE, "webui/__init__.py": ""}
    outcome, where = _where(_tree(tmp_path, files), "serves_model")
    assert outcome is PASS and "render.yaml" in where


def test_a_procfile_release_step_or_a_web_process_showing_data_serves_no_page(tmp_path: Path) -> None:
    release = {"Procfile": "release: streamlit run frontend/chat.py\n", "frontend/chat.py": CHAT_PAGE}
    assert _outcome(_tree(tmp_path / "a", release), "serves_model")[0] is FAIL
    static = {"Procfile": "web: streamlit run frontend/chat.py\n", "frontend/chat.py": STATIC_PAGE}
    assert _outcome(_tree(tmp_path / "b", static), "serves_model")[0] is FAIL


# --- serves_model: a compose service runs an image the repository builds -----------------------------------

UI_DOCKERFILE = """\
FROM python:3.11-slim
WORKDIR /srv
COPY . .
RUN pip install -r requirements.txt
CMD ["streamlit", "run", "frontend/chat.py", "--server.port=8501"]
"""

COMPOSE_IMAGE_ONLY = """\
services:
  assistant:
    image: acme/assistant-ui:0.3.1
    ports:
      - "8501:8501"
  db:
    image: postgres:16
"""


def test_a_compose_service_running_the_image_a_build_script_makes_from_a_repository_dockerfile_serves(tmp_path: Path) -> None:
    build = "#!/usr/bin/env bash\nset -euo pipefail\ndocker build -f docker/ui.Dockerfile -t acme/assistant-ui:0.3.1 .\n"
    files = {"docker-compose.yml": COMPOSE_IMAGE_ONLY, "docker/ui.Dockerfile": UI_DOCKERFILE, "scripts/build_images.sh": build, "frontend/chat.py": CHAT_PAGE}
    outcome, where = _where(_tree(tmp_path, files), "serves_model")
    assert outcome is PASS and "docker-compose.yml" in where


def test_a_compose_service_running_the_image_a_makefile_tags_serves(tmp_path: Path) -> None:
    makefile = "IMAGE = acme/assistant-ui\n\nimages:\n\tdocker build --tag acme/assistant-ui:0.3.1 --file Dockerfile.web .\n"
    files = {"compose.yaml": COMPOSE_IMAGE_ONLY, "Dockerfile.web": UI_DOCKERFILE, "Makefile": makefile, "frontend/chat.py": CHAT_PAGE}
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is PASS


def test_a_compose_service_running_an_image_nothing_here_builds_does_not_serve(tmp_path: Path) -> None:
    other = "docker build -f docker/ui.Dockerfile -t acme/other-ui:0.3.1 .\n"
    files = {"docker-compose.yml": COMPOSE_IMAGE_ONLY, "docker/ui.Dockerfile": UI_DOCKERFILE, "scripts/build.sh": other, "frontend/chat.py": CHAT_PAGE}
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is FAIL


# A local image (no registry or namespace) named after the part of the system the Dockerfile builds.
COMPOSE_LOCAL_IMAGES = """\
services:
  api:
    build: .
  assistant_frontend:
    image: assistant_ui:latest
    ports: ["8501:8501"]
"""


def test_a_compose_service_running_a_local_image_named_like_a_repository_dockerfile_serves(tmp_path: Path) -> None:
    files = {"docker-compose.yml": COMPOSE_LOCAL_IMAGES, "Dockerfile": APP_DOCKERFILE, "Dockerfile.ui": UI_DOCKERFILE, "frontend/chat.py": CHAT_PAGE}
    outcome, where = _where(_tree(tmp_path / "a", files), "serves_model")
    assert outcome is PASS and {"docker-compose.yml", "frontend/chat.py"} <= where
    compose = "services:\n  triage:\n    image: triage-web\n    ports: ['7860:7860']\n"
    dockerfile = 'FROM python:3.11\nCOPY . /srv\nWORKDIR /srv\nENTRYPOINT ["python", "webui/launch.py"]\n'
    files = {"compose.yml": compose, "docker/web/Dockerfile": dockerfile, "webui/launch.py": GRADIO_PAGE, "webui/engine.py": GRADIO_ENGINE, "webui/__init__.py": ""}
    assert _where(_tree(tmp_path / "b", files), "serves_model")[0] is PASS


def test_a_public_image_or_a_local_image_named_after_another_dockerfile_runs_no_page(tmp_path: Path) -> None:
    public = COMPOSE_LOCAL_IMAGES.replace("assistant_ui:latest", "acme/assistant_ui:latest")  # a namespace: pulled, not built here
    files = {"docker-compose.yml": public, "Dockerfile": APP_DOCKERFILE, "Dockerfile.ui": UI_DOCKERFILE, "frontend/chat.py": CHAT_PAGE}
    assert _outcome(_tree(tmp_path / "a", files), "serves_model")[0] is FAIL
    other = {"docker-compose.yml": COMPOSE_LOCAL_IMAGES, "Dockerfile": APP_DOCKERFILE, "Dockerfile.notebook": UI_DOCKERFILE, "frontend/chat.py": CHAT_PAGE}
    assert _outcome(_tree(tmp_path / "b", other), "serves_model")[0] is FAIL


# --- has_deployment_manifest: deploy verbs in any committed script ------------------------------------------

APP_DOCKERFILE = "FROM python:3.11-slim\nCOPY . /app\nCMD [\"uvicorn\", \"app.main:app\", \"--host\", \"0.0.0.0\"]\n"

ECS_SCRIPT = """\
#!/bin/bash
set -e
docker build -t "$ECR_REPO:$TAG" .
docker push "$ECR_REPO:$TAG"
aws ecs register-task-definition \\
    --cli-input-json file://infra/task.json
"""

CLOUD_RUN_MAKEFILE = """\
.PHONY: release
release:
\tgcloud beta run deploy scoring-api --source . --region europe-west1 --allow-unauthenticated
"""


def test_a_shell_script_registering_an_ecs_task_definition_declares_a_deployment(tmp_path: Path) -> None:
    files = {"Dockerfile": APP_DOCKERFILE, "scripts/release.sh": ECS_SCRIPT, "infra/task.json": "{}\n"}
    outcome, where = _where(_tree(tmp_path, files), "has_deployment_manifest")
    assert outcome is PASS and where == {"scripts/release.sh"}


def test_a_makefile_recipe_deploying_to_cloud_run_with_another_verb_form_declares_a_deployment(tmp_path: Path) -> None:
    files = {"Makefile": CLOUD_RUN_MAKEFILE, "app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n"}
    outcome, where = _where(_tree(tmp_path, files), "has_deployment_manifest")
    assert outcome is PASS and where == {"Makefile"}


def test_an_instance_refresh_or_a_lambda_code_update_in_ci_declares_a_deployment(tmp_path: Path) -> None:
    workflow = (
        "on: {push: {branches: [main]}}\njobs:\n  ship:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
        "      - run: aws autoscaling start-instance-refresh --auto-scaling-group-name api-asg\n"
    )
    files = {".github/workflows/cd.yml": workflow, "Dockerfile": APP_DOCKERFILE}
    assert _outcome(_tree(tmp_path / "a", files), "has_deployment_manifest")[0] is PASS
    lam = "#!/bin/sh\nzip -r build.zip src\naws lambda update-function-code --function-name scorer --zip-file fileb://build.zip\n"
    assert _outcome(_tree(tmp_path / "b", {"deploy/push_lambda.sh": lam, "src/handler.py": "def handler(event, context):\n    return 1\n"}), "has_deployment_manifest")[0] is PASS


def test_deploy_verbs_echoed_documented_in_a_demo_folder_or_of_a_non_deploy_kind_declare_nothing(tmp_path: Path) -> None:
    echoed = "#!/bin/bash\necho 'then run: aws ecs register-task-definition --cli-input-json file://task.json'\n"
    assert _outcome(_tree(tmp_path / "a", {"Dockerfile": APP_DOCKERFILE, "scripts/hint.sh": echoed}), "has_deployment_manifest")[0] is FAIL
    readme = "# Deploy\n\n    gcloud run deploy api --source .\n"
    assert _outcome(_tree(tmp_path / "b", {"Dockerfile": APP_DOCKERFILE, "README.md": readme}), "has_deployment_manifest")[0] is FAIL
    demo = {"Dockerfile": APP_DOCKERFILE, "examples/ecs/deploy.sh": ECS_SCRIPT, "examples/ecs/infra/task.json": "{}\n"}
    assert _outcome(_tree(tmp_path / "c", demo), "has_deployment_manifest")[0] is FAIL
    not_deploy = "#!/bin/bash\naws ecs describe-services --cluster prod\ngcloud run services list\naz group create -n rg -l westeurope\naws s3 cp model.pkl s3://bucket/\n"
    assert _outcome(_tree(tmp_path / "d", {"Dockerfile": APP_DOCKERFILE, "scripts/ops.sh": not_deploy}), "has_deployment_manifest")[0] is FAIL


# --- has_deployment_manifest: CodeDeploy AppSpec by content ----------------------------------------------

APPSPEC = """\
version: 0.0
os: linux
files:
  - source: /
    destination: /home/ec2-user/app
hooks:
  ApplicationStart:
    - location: scripts/start_server.sh
      timeout: 300
"""

APPSPEC_HOOKS_ONLY = """\
version: 0.0
os: linux
hooks:
  AfterInstall:
    - location: ops/install.sh
  ValidateService:
    - location: ops/health.sh
"""


def test_a_codedeploy_appspec_under_any_name_declares_a_deployment(tmp_path: Path) -> None:
    outcome, where = _where(_tree(tmp_path / "a", {"deployment/ec2-spec.yml": APPSPEC}), "has_deployment_manifest")
    assert outcome is PASS and where == {"deployment/ec2-spec.yml"}
    assert _outcome(_tree(tmp_path / "b", {"ops/codedeploy.yaml": APPSPEC_HOOKS_ONLY}), "has_deployment_manifest")[0] is PASS


def test_a_yaml_file_with_a_version_and_an_os_but_no_hooks_or_files_is_no_appspec(tmp_path: Path) -> None:
    settings = "version: 0.0\nos: linux\npython: '3.11'\n"
    assert _outcome(_tree(tmp_path, {"config/env.yml": settings}), "has_deployment_manifest")[0] is FAIL


# --- has_deployment_manifest: platform specs by content ----------------------------------------------------

CF_MANIFEST = """\
---
applications:
- name: scoring-api
  memory: 1G
  instances: 2
  buildpacks:
    - python_buildpack
  command: uvicorn app.main:app --port $PORT
"""

CF_WORKER = """\
applications:
  - name: nightly-scorer
    disk_quota: 2G
    no-route: true
    health-check-type: process
"""


def test_a_cloud_foundry_app_manifest_under_any_name_declares_a_deployment(tmp_path: Path) -> None:
    outcome, where = _where(_tree(tmp_path / "a", {"manifest.yml": CF_MANIFEST}), "has_deployment_manifest")
    assert outcome is PASS and where == {"manifest.yml"}
    assert _where(_tree(tmp_path / "b", {"ops/cloudgov/prod.yaml": CF_WORKER}), "has_deployment_manifest")[0] is PASS


def test_an_applications_list_without_platform_attributes_is_no_cloud_foundry_manifest(tmp_path: Path) -> None:
    inventory = "applications:\n  - name: crm\n    owner: sales\n  - name: erp\n    owner: finance\n"
    assert _outcome(_tree(tmp_path, {"docs/inventory.yml": inventory}), "has_deployment_manifest")[0] is FAIL


BUNDLE = """\
bundle:
  name: churn-scoring

include:
  - resources/*.yml

targets:
  prod:
    mode: production
"""

BUNDLE_INLINE = """\
bundle:
  name: demand
resources:
  jobs:
    nightly_forecast:
      name: nightly-forecast
      tasks:
        - task_key: score
          python_wheel_task: {package_name: demand, entry_point: score}
"""


def test_a_databricks_asset_bundle_declares_a_deployment(tmp_path: Path) -> None:
    outcome, where = _where(_tree(tmp_path / "a", {"bundles/scoring/databricks.yml": BUNDLE}), "has_deployment_manifest")
    assert outcome is PASS and where == {"bundles/scoring/databricks.yml"}
    assert _where(_tree(tmp_path / "b", {"databricks.yaml": BUNDLE_INLINE}), "has_deployment_manifest")[0] is PASS


def test_a_bundle_key_in_another_file_or_a_bundle_with_nothing_to_deploy_declares_nothing(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path / "a", {"config/settings.yml": BUNDLE}), "has_deployment_manifest")[0] is FAIL
    assert _outcome(_tree(tmp_path / "b", {"databricks.yml": "bundle:\n  name: empty\n"}), "has_deployment_manifest")[0] is FAIL


# --- has_deployment_manifest: compute handed to a reusable action (partial) ------------------------------------

REUSABLE_WORKFLOW_JOB = """\
on: {workflow_dispatch: {}}
jobs:
  run-model:
    uses: acme-analytics/shared-ci/.github/workflows/batch-job.yaml@v2
    with:
      command: python -m pipeline.run
      vcpu: "16"
      memory: "64000"
"""

REUSABLE_ACTION_STEP = """\
on: {push: {branches: [main]}}
jobs:
  score:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: acme/infra-actions/run-fargate-task@v1
        with:
          cpu: 2048
          memory-mb: 8192
          task-family: scorer
"""


def test_compute_handed_to_a_reusable_workflow_or_action_is_a_partial_deployment(tmp_path: Path) -> None:
    outcome, where = _where(_tree(tmp_path / "a", {".github/workflows/model.yaml": REUSABLE_WORKFLOW_JOB}), "has_deployment_manifest")
    assert outcome is PARTIAL and where == {".github/workflows/model.yaml"}
    assert _where(_tree(tmp_path / "b", {".github/workflows/score.yml": REUSABLE_ACTION_STEP}), "has_deployment_manifest")[0] is PARTIAL


def test_a_reusable_action_given_one_resource_or_a_setup_action_declares_no_workload(tmp_path: Path) -> None:
    one = REUSABLE_WORKFLOW_JOB.replace('      memory: "64000"\n', "")
    assert _outcome(_tree(tmp_path / "a", {".github/workflows/model.yaml": one}), "has_deployment_manifest")[0] is FAIL
    setup = REUSABLE_ACTION_STEP.replace("acme/infra-actions/run-fargate-task@v1", "actions/setup-python@v5")
    assert _outcome(_tree(tmp_path / "b", {".github/workflows/score.yml": setup}), "has_deployment_manifest")[0] is FAIL


# --- serves_model: a scoring job any deployment declaration keeps running ----------------------------------
# Batch scoring (conventions §8) needs the system to run the job: besides images, cron tables, compose and
# CronJobs, a long-running Kubernetes workload (a worker Deployment) and the processes a platform
# descriptor starts (a Procfile worker, a Render cron job) run it. A one-off Job stays out (session 14).

SCORING_WORKER = """\
import time

import boto3
import joblib
import pandas as pd

sqs = boto3.client("sqs")
classifier = joblib.load("/models/fraud.joblib")


def main():
    while True:
        batch = pd.read_parquet("s3://landing/transactions/latest.parquet")
        batch["risk"] = classifier.predict_proba(batch)[:, 1]
        sqs.send_message(QueueUrl="https://sqs/risk", MessageBody=batch.to_json())
        time.sleep(300)


if __name__ == "__main__":
    main()
"""

WORKER_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: risk-worker
spec:
  template:
    spec:
      containers:
        - name: worker
          image: ghcr.io/acme/risk:2
          command: ["python", "-m", "workers.risk_scorer"]
"""


def test_a_scoring_worker_a_kubernetes_deployment_keeps_running_serves(tmp_path: Path) -> None:
    files = {"ops/k8s/worker.yaml": WORKER_DEPLOYMENT, "workers/risk_scorer.py": SCORING_WORKER, "workers/__init__.py": ""}
    outcome, where = _where(_tree(tmp_path, files), "serves_model")
    assert outcome is PASS and {"ops/k8s/worker.yaml", "workers/risk_scorer.py"} <= where


def test_a_scoring_job_a_procfile_worker_or_a_render_cron_job_runs_serves(tmp_path: Path) -> None:
    files = {"Procfile": "web: gunicorn site:app\nworker: python workers/risk_scorer.py\n", "workers/risk_scorer.py": SCORING_WORKER}
    outcome, where = _where(_tree(tmp_path / "a", files), "serves_model")
    assert outcome is PASS and "Procfile" in where
    render = "services:\n  - type: cron\n    name: nightly-risk\n    schedule: '0 3 * * *'\n    startCommand: python -m workers.risk_scorer\n"
    files = {"render.yaml": render, "workers/risk_scorer.py": SCORING_WORKER, "workers/__init__.py": ""}
    outcome, where = _where(_tree(tmp_path / "b", files), "serves_model")
    assert outcome is PASS and "render.yaml" in where


def test_a_deployment_running_a_training_script_or_a_demo_deployment_makes_no_scoring_job(tmp_path: Path) -> None:
    trains = SCORING_WORKER.replace('batch["risk"] = classifier.predict_proba(batch)[:, 1]', 'classifier.fit(batch, batch.pop("label"))')
    files = {"ops/k8s/worker.yaml": WORKER_DEPLOYMENT, "workers/risk_scorer.py": trains, "workers/__init__.py": ""}
    assert _outcome(_tree(tmp_path / "a", files), "serves_model")[0] is FAIL
    demo = {"examples/k8s/worker.yaml": WORKER_DEPLOYMENT, "workers/risk_scorer.py": SCORING_WORKER, "workers/__init__.py": ""}
    assert _outcome(_tree(tmp_path / "b", demo), "serves_model")[0] is FAIL


# --- uses_progressive_delivery: a share drawn against a canary/shadow percentage, however it is written ------
# The threshold draw of rule `weighted routing in code` was recognised only as `random.random() < share`;
# the same split is written with the draw scaled to a percentage, an integer draw or the comparison reversed.

PERCENT_ROUTER = """\
import random


class ModelRouter:
    def __init__(self, settings):
        self.canary_percent = settings.get("canary_percent", 0)

    def pick(self):
        if random.random() * 100 < self.canary_percent:
            return "canary"
        return "stable"
"""

INTEGER_ROUTER = """\
from random import randint

SHADOW_TRAFFIC_PCT = 10


def route(request, primary, candidate):
    answer = primary.predict(request)
    if SHADOW_TRAFFIC_PCT >= randint(1, 100):
        candidate.predict(request)
    return answer
"""


def test_a_percentage_draw_against_a_canary_share_is_weighted_routing(tmp_path: Path) -> None:
    outcome, where = _where(_tree(tmp_path / "a", {"serving/router.py": PERCENT_ROUTER}), "uses_progressive_delivery")
    assert outcome is not FAIL and "serving/router.py" in where
    assert _where(_tree(tmp_path / "b", {"api/shadow.py": INTEGER_ROUTER}), "uses_progressive_delivery")[0] is not FAIL


def test_a_percentage_draw_against_a_data_split_share_routes_nothing(tmp_path: Path) -> None:
    split = PERCENT_ROUTER.replace("canary_percent", "holdout_percent")
    assert _outcome(_tree(tmp_path, {"data/split.py": split}), "uses_progressive_delivery")[0] is FAIL


def test_a_setup_script_installing_third_party_charts_or_an_applications_list_of_commands_declares_nothing(tmp_path: Path) -> None:
    setup = "#!/bin/bash\nhelm repo add prometheus-community https://prometheus-community.github.io/helm-charts\nhelm upgrade --install monitoring prometheus-community/kube-prometheus-stack -f monitoring/values.yaml\nkubectl apply -f monitoring/namespace.yaml\n"
    files = {"Dockerfile": APP_DOCKERFILE, "scripts/setup_cluster.sh": setup, "monitoring/values.yaml": "grafana: {enabled: true}\n", "monitoring/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: monitoring}\n"}
    assert _outcome(_tree(tmp_path / "a", files), "has_deployment_manifest")[0] is FAIL
    launcher = "applications:\n  - name: notebook\n    command: jupyter lab\n    path: notebooks/\n"
    assert _outcome(_tree(tmp_path / "b", {"launcher.yml": launcher}), "has_deployment_manifest")[0] is FAIL


# --- serves_model: other page frameworks a deployment runs ----------------------------------------------------
# The deployed-page rule knew Streamlit and Gradio only; a page is a page whatever draws it: Chainlit and
# Solara (`<tool> run page.py`), Panel (`panel serve page.py`), Dash/NiceGUI/Panel apps started as scripts.

CHAINLIT_PAGE = """\
import chainlit as cl
from keras.models import load_model

classifier = load_model("models/intent.keras")


@cl.on_message
async def reply(message: cl.Message):
    await cl.Message(content=str(classifier.predict([message.content]))).send()
"""

DASH_PAGE = """\
import joblib
from dash import Dash, Input, Output, dcc, html

app = Dash(__name__)
regressor = joblib.load("artifacts/price.joblib")
app.layout = html.Div([dcc.Input(id="area", type="number"), html.Div(id="price")])


@app.callback(Output("price", "children"), Input("area", "value"))
def price(area):
    return f"{regressor.predict([[area or 0]])[0]:.0f}"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8050)
"""


def test_a_chainlit_page_a_kubernetes_deployment_runs_serves(tmp_path: Path) -> None:
    manifest = K8S_DEPLOYMENT.replace('["streamlit", "run", "frontend/chat.py", "--server.port", "8501"]', '["chainlit", "run", "assistant/ui.py", "--host", "0.0.0.0"]')
    outcome, where = _where(_tree(tmp_path, {"k8s/assistant.yaml": manifest, "assistant/ui.py": CHAINLIT_PAGE}), "serves_model")
    assert outcome is PASS and "k8s/assistant.yaml" in where


def test_a_dash_app_a_procfile_web_process_starts_serves(tmp_path: Path) -> None:
    outcome, where = _where(_tree(tmp_path, {"Procfile": "web: python dashboards/pricing.py\n", "dashboards/pricing.py": DASH_PAGE}), "serves_model")
    assert outcome is PASS and "Procfile" in where


def test_a_web_process_running_a_plain_script_or_a_dashboard_without_a_model_is_no_deployed_page(tmp_path: Path) -> None:
    script = "import joblib\nmodel = joblib.load('m.joblib')\nprint(model.predict([[1]]))\n"
    assert _outcome(_tree(tmp_path / "a", {"Procfile": "web: python tools/report.py\n", "tools/report.py": script}), "serves_model")[0] is FAIL
    static = DASH_PAGE.replace('regressor = joblib.load("artifacts/price.joblib")\n', "").replace("regressor.predict([[area or 0]])[0]", "float(area or 0) * 3000.0")
    assert _outcome(_tree(tmp_path / "b", {"Procfile": "web: python dashboards/pricing.py\n", "dashboards/pricing.py": static}), "serves_model")[0] is FAIL


def test_a_script_deploying_a_cdk_or_sam_stack_leaves_the_judgement_to_the_stack(tmp_path: Path) -> None:
    script = "#!/bin/bash\nset -e\ncd infra\nnpm ci\ncdk deploy --all --require-approval never\nsam deploy --template-file template.yaml\n"
    files = {"scripts/deploy_infra.sh": script, "infra/cdk.json": '{"app": "python3 app.py"}\n', "infra/template.yaml": "Resources:\n  Raw:\n    Type: AWS::S3::Bucket\n"}
    assert _outcome(_tree(tmp_path, files), "has_deployment_manifest")[0] is FAIL


def test_a_hostile_script_of_continuation_lines_and_repeated_deploy_words_is_read_in_linear_time(tmp_path: Path) -> None:
    import time

    hostile = "aws \\\\\n" * 120_000 + ("gcloud " * 40 + "\n") * 2_000 + "docker build -t x " * 5_000 + "\n"
    files = {"Dockerfile": APP_DOCKERFILE, "scripts/ship.sh": hostile, "Makefile": "x:\n\t" + "kubectl -n a " * 20_000 + "\n"}
    root = _tree(tmp_path, files)
    started = time.perf_counter()
    assert _outcome(root, "has_deployment_manifest")[0] is not PASS
    assert _outcome(root, "serves_model")[0] is FAIL
    assert time.perf_counter() - started < 20
