"""Session 10's serving and deployment rules, from the misses on teams' systems (batch 13, now spent)
and conventions §8 (production batch scoring is serving): each rule with the practice it recognises
and the near miss it must not."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

# --- has_deployment_manifest: rule `cloud build step runs a deploy command` ---------------------------

CLOUD_BUILD_DEPLOY = """\
steps:
  - name: gcr.io/cloud-builders/docker
    args: [build, -t, europe-docker.pkg.dev/$PROJECT_ID/api/api:latest, .]
  - name: gcr.io/cloud-builders/gcloud
    id: Deploy to Cloud Run
    args:
      - run
      - deploy
      - api
      - --image
      - europe-docker.pkg.dev/$PROJECT_ID/api/api:latest
      - --region
      - europe-west1
"""


def test_a_cloud_build_step_whose_builder_runs_gcloud_deploy_is_a_deployment(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"deploy/cloudbuild_app.yaml": CLOUD_BUILD_DEPLOY}), "has_deployment_manifest")
    assert outcome is FindingOutcome.pass_ and "Cloud Build step `gcloud run deploy`" in message


def test_a_cloud_build_config_is_recognised_by_its_steps_whatever_its_name(tmp_path: Path) -> None:
    functions = (
        "steps:\n  - id: test\n    name: python:3.11\n    entrypoint: /bin/bash\n    args: [-c, pytest]\n"
        "  - id: deploy\n    name: gcr.io/google.com/cloudsdktool/cloud-sdk:slim\n    entrypoint: gcloud\n"
        "    args: [functions, deploy, '${_FUNCTION_NAME}', --source=src, '--${_TRIGGER_TYPE}']\n"
    )
    outcome, message = _outcome(_tree(tmp_path, {"cloud/clouddeploy.yaml": functions}), "has_deployment_manifest")
    assert outcome is FindingOutcome.pass_ and "gcloud functions deploy" in message


def test_a_cloud_build_that_only_builds_and_pushes_an_image_deploys_nothing(tmp_path: Path) -> None:
    build_only = (
        "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: [build, -t, gcr.io/$PROJECT_ID/api, .]\n"
        "  - name: gcr.io/cloud-builders/docker\n    args: [push, gcr.io/$PROJECT_ID/api]\n"
        "  - name: gcr.io/cloud-builders/gcloud\n    args: [builds, list]\n"  # gcloud, but not a deploy
    )
    assert _outcome(_tree(tmp_path, {"cloudbuild.yaml": build_only}), "has_deployment_manifest")[0] is FindingOutcome.fail


# --- has_deployment_manifest: rule `manifest kept as a bare template` ----------------------------------

BARE_TEMPLATE = """\
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api-production
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:__IMAGE_TAG__
---
apiVersion: v1
kind: Service
metadata:
  name: api-production
spec:
  selector:
    app: api-production
"""


def test_kubernetes_manifests_kept_under_a_bare_template_suffix_are_manifests(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"kubernetes/deployment-production.tmpl": BARE_TEMPLATE,
                            "kubernetes/deployment-staging.tpl": BARE_TEMPLATE.replace("{{", "").replace("__IMAGE_TAG__", "{{ .Tag }}")})
    outcome, message = _outcome(root, "has_deployment_manifest")
    assert outcome is FindingOutcome.pass_ and "Kubernetes Deployment" in message


def test_a_template_that_only_mentions_kubernetes_in_its_text_is_not_parsed_as_a_manifest(tmp_path: Path) -> None:
    html = "<html><body><p>apiVersion: apps/v1 and kind: Deployment are set by the chart.</p>{{ body }}</body></html>\n"
    helper = '{{- define "api.labels" -}}\napp: {{ .Chart.Name }}\n{{- end }}\n'
    root = _tree(tmp_path, {"web/templates/page.tmpl": html, "charts/_helpers.tpl": helper,
                            "tests/k8s/deployment.tmpl": BARE_TEMPLATE})  # a test's manifest is not the project's
    assert _outcome(root, "has_deployment_manifest")[0] is FindingOutcome.fail


# --- has_deployment_manifest: rule `terraform service module` -----------------------------------------


def test_a_local_module_is_judged_by_its_own_resources_not_by_its_name(tmp_path: Path) -> None:
    local = 'module "api" {\n  source    = "./modules/ecs"\n  image_tag = var.tag\n}\n'
    bucket = 'resource "aws_s3_bucket" "models" {\n  bucket = "models"\n}\n'
    root = _tree(tmp_path, {"infra/main.tf": local, "infra/modules/ecs/main.tf": bucket})
    assert _outcome(root, "has_deployment_manifest")[0] is FindingOutcome.fail


def test_a_registry_module_for_a_service_with_an_image_is_a_deployment(tmp_path: Path) -> None:
    service = (
        'module "api_service" {\n  source = "terraform-aws-modules/ecs/aws//modules/service"\n  version = "5.11.0"\n'
        '  container_definitions = {\n    api = {\n      image = "${var.ecr}/api:${var.tag}"\n    }\n  }\n}\n'
    )
    outcome, message = _outcome(_tree(tmp_path, {"terraform/ecs.tf": service}), "has_deployment_manifest")
    assert outcome is FindingOutcome.pass_ and "Terraform service module" in message


# --- has_deployment_manifest: precision (project templates, development stacks) -----------------------

SAM = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Predict:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n"


def test_manifests_inside_a_nested_project_template_folder_are_not_this_projects_deployment(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"pkg/__init__.py": "", "pkg/templates/aws-lambda/{{cookiecutter.app_name}}/template.yaml": SAM})
    outcome, message = _outcome(root, "has_deployment_manifest")
    assert outcome is FindingOutcome.fail and "project template" in message
    # the same SAM template of the project itself deploys it
    assert _outcome(_tree(tmp_path / "own", {"template.yaml": SAM}), "has_deployment_manifest")[0] is FindingOutcome.pass_


def test_compose_up_through_ssh_in_a_run_step_deploys_the_stack(tmp_path: Path) -> None:
    workflow = (
        "on:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: ssh deploy@${{ secrets.HOST }} 'cd /srv/app && docker compose pull && docker compose up -d'\n"
    )
    root = _tree(tmp_path, {"compose.yaml": "services:\n  db:\n    image: postgres:16\n", ".github/workflows/deploy.yml": workflow})
    outcome, message = _outcome(root, "has_deployment_manifest")
    assert outcome is FindingOutcome.pass_ and "over SSH" in message
    # the same command without a compose file of the repository starts nothing declared here
    assert _outcome(_tree(tmp_path / "none", {".github/workflows/deploy.yml": workflow}), "has_deployment_manifest")[0] is FindingOutcome.fail


# --- serves_model: MLflow's generated serving image ------------------------------------------------


def test_the_serving_image_mlflow_generates_for_a_model_serves_it(tmp_path: Path) -> None:
    dockerfile = (
        "FROM python:3.11-slim\nRUN pip install mlflow==2.14.3\nCOPY model_dir/ /opt/ml/model\n"
        'ENTRYPOINT ["python", "-c", "from mlflow.models import container as C; C._serve(\'local\')"]\n'
    )
    outcome, message = _outcome(_tree(tmp_path, {"api/Dockerfile": dockerfile}), "serves_model")
    assert outcome is FindingOutcome.pass_ and "model server" in message


def test_an_mlflow_tracking_server_image_serves_no_model(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.11-slim\nRUN pip install mlflow==2.14.3\nCMD mlflow server --host 0.0.0.0 --backend-store-uri sqlite:///mlflow.db\n"
    assert _outcome(_tree(tmp_path, {"Dockerfile": dockerfile}), "serves_model")[0] is FindingOutcome.fail


# --- serves_model: rule `route calls a prediction module` ------------------------------------------

ROUTE_TO_MODULE = """\
from fastapi import APIRouter
from jobs.batch import predictions

router = APIRouter()


@router.post("/prediction/jobs")
def create_job(manifest_url: str):
    return predictions.{call}(manifest_url)
"""


def test_a_route_calling_a_function_of_a_module_named_for_prediction_serves(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"jobs/apis/jobs.py": ROUTE_TO_MODULE.format(call="schedule_job"), "jobs/batch/predictions.py": "def schedule_job(url):\n    return url\n"})
    assert _outcome(root, "serves_model")[0] is FindingOutcome.pass_


def test_a_route_reading_stored_predictions_or_a_local_list_so_named_does_not_serve(tmp_path: Path) -> None:
    reads = _tree(tmp_path / "a", {"api/routes.py": ROUTE_TO_MODULE.format(call="get_all_jobs")})
    assert _outcome(reads, "serves_model")[0] is FindingOutcome.fail
    local = (
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/history')\ndef history():\n"
        "    predictions = []\n    predictions.append(1)\n    return predictions.copy()\n"
    )
    assert _outcome(_tree(tmp_path / "b", {"api/routes.py": local}), "serves_model")[0] is FindingOutcome.fail


# --- serves_model: rule `batch scoring job` (conventions §8) ---------------------------------------

FORECAST_APP = """\
import click
import pandas as pd

from forecast.models import load_model
from forecast.save import save_forecast_to_database


@click.command()
def main() -> None:
    model = load_model("s3://models/national/latest")
    features = pd.read_parquet("s3://nwp/latest.parquet")
    forecast = model.predict(features)
    save_forecast_to_database(forecast)
"""


def test_a_console_script_run_by_the_image_that_scores_into_a_database_serves(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "pyproject.toml": '[project]\nname = "forecast"\n\n[project.scripts]\nforecast-app = "forecast.app:main"\n',
        "Dockerfile": 'FROM python:3.12-slim\nCOPY . /app\nRUN pip install /app\nENTRYPOINT ["/app/.venv/bin/forecast-app"]\n',
        "src/forecast/app.py": FORECAST_APP,
    })
    outcome, message = _outcome(root, "serves_model")
    assert outcome is FindingOutcome.pass_ and "batch scoring" in message and "container image" in message


def test_a_module_run_with_python_dash_m_by_the_image_is_its_entry_point(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "infrastructure/Dockerfile.inference": 'FROM python:3.12\nENTRYPOINT ["python", "-m", "forecast_inference.app", "--write-to-db"]\n',
        "forecast-inference/forecast_inference/app.py": FORECAST_APP,
    })
    assert _outcome(root, "serves_model")[0] is FindingOutcome.pass_


PREFECT_SCORING = """\
import boto3
from prefect import flow, task


@task
def score(batch):
    classifier = load_classifier()
    return classifier.predict(batch)


@flow
def inference(batch):
    labels = score(batch)
    boto3.client("s3").put_object(Bucket="labelled-passages", Key="latest.json", Body=str(labels))
"""


def test_a_prefect_inference_flow_writing_predictions_to_a_bucket_serves(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"flows/inference.py": PREFECT_SCORING}), "serves_model")
    assert outcome is FindingOutcome.pass_ and "orchestrator" in message


def test_a_scheduled_flow_that_writes_predictions_to_a_local_csv_is_not_serving(tmp_path: Path) -> None:
    local = PREFECT_SCORING.replace("import boto3\n", "import pandas as pd\n").replace(
        '    boto3.client("s3").put_object(Bucket="labelled-passages", Key="latest.json", Body=str(labels))',
        '    pd.DataFrame({"label": labels}).to_csv("data/07_model_output/predictions.csv")',
    )
    assert _outcome(_tree(tmp_path, {"flows/inference.py": local}), "serves_model")[0] is FindingOutcome.fail


def test_an_evaluation_flow_that_stores_its_metrics_is_not_serving(tmp_path: Path) -> None:
    evaluation = PREFECT_SCORING.replace("@flow\ndef inference", "@flow\ndef evaluate_model").replace(
        "    labels = score(batch)\n", "    labels = score(batch)\n    print(accuracy_score(batch.y, labels))\n"
    )
    assert _outcome(_tree(tmp_path, {"flows/evaluate.py": evaluation}), "serves_model")[0] is FindingOutcome.fail


def test_a_scoring_notebook_or_test_is_not_a_job(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"tests/test_inference.py": PREFECT_SCORING, "Dockerfile": 'FROM python:3.12\nCMD ["python", "tests/test_inference.py"]\n'})
    assert _outcome(root, "serves_model")[0] is FindingOutcome.fail


def test_a_demo_folders_scoring_job_is_a_demo_not_a_system(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"demo/gpu-demo/flow.py": PREFECT_SCORING, "demo/gpu-demo/Dockerfile": 'FROM python:3.12\nENTRYPOINT ["python", "flow.py"]\n'})
    assert _outcome(root, "serves_model")[0] is FindingOutcome.fail


# --- serves_model: rule `deployed model UI` (conventions §8) -----------------------------------------

PAGE = """\
import mlflow
import streamlit as st

model = mlflow.sklearn.load_model("models:/win-probability/latest")
amount = st.number_input("Opportunity amount")
st.metric("Win probability", model.predict_proba([[amount]])[0][1])
"""
STREAMLIT_IMAGE = 'FROM python:3.12-slim\nCOPY . /app\nEXPOSE 8501\nCMD ["streamlit", "run", "src_app/app.py", \\\n     "--server.port=8501"]\n'
COMPOSE = "services:\n  streamlit:\n    build:\n      context: .\n      dockerfile: src_app/Dockerfile\n    ports: ['8501:8501']\n"


def test_a_streamlit_page_reaching_a_model_run_by_a_compose_service_serves(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src_app/app.py": PAGE, "src_app/Dockerfile": STREAMLIT_IMAGE, "docker-compose.yml": COMPOSE})
    outcome, message = _outcome(root, "serves_model")
    assert outcome is FindingOutcome.pass_ and "compose service" in message


def test_a_page_started_by_the_images_entrypoint_script_and_asking_an_agent_in_another_module_serves(tmp_path: Path) -> None:
    page = "import streamlit as st\n\nfrom src.interface.chat import answer\n\nst.write(answer(st.chat_input()))\n"
    chat = "from src.rag.agent import build_agent\n\n\ndef answer(prompt):\n    agent = build_agent()\n    return agent.run(prompt)\n"
    image = 'FROM python:3.12-slim\nCOPY deployment/entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n'
    script = "#!/bin/bash\nset -e\nexec uv run streamlit run \\\n    --server.port=8501 \\\n    src/interface/app.py\n"
    compose = "services:\n  app:\n    build:\n      context: .\n      dockerfile: deployment/Dockerfile\n    ports: ['8501:8501']\n"
    root = _tree(tmp_path, {"src/interface/app.py": page, "src/interface/chat.py": chat, "deployment/Dockerfile": image,
                            "deployment/entrypoint.sh": script, "docker-compose.yml": compose})
    assert _outcome(root, "serves_model")[0] is FindingOutcome.pass_


def test_a_streamlit_page_only_packaged_in_an_image_is_a_demo_its_author_starts(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src_app/app.py": PAGE, "src_app/Dockerfile": STREAMLIT_IMAGE})
    assert _outcome(root, "serves_model")[0] is FindingOutcome.fail


def test_a_deployed_streamlit_dashboard_without_a_model_does_not_serve(tmp_path: Path) -> None:
    dashboard = "import pandas as pd\nimport streamlit as st\n\nst.line_chart(pd.read_parquet('metrics.parquet'))\n"
    root = _tree(tmp_path, {"src_app/app.py": dashboard, "src_app/Dockerfile": STREAMLIT_IMAGE, "docker-compose.yml": COMPOSE})
    assert _outcome(root, "serves_model")[0] is FindingOutcome.fail


# --- serves_model: rules `route uses a model built at start-up`, `route encodes the query` ---------

STARTUP = """\
from fastapi import FastAPI

from statschat import load_config
from statschat.generative.llm import Inquirer

CONFIG = load_config()
inquirer = Inquirer(**CONFIG["llm"])
app = FastAPI()


@app.get("/search")
async def search(q: str):
    docs, answer = inquirer.make_query(q)
    return {"answer": answer, "docs": docs}
"""


def test_a_route_calling_a_model_object_the_app_builds_at_start_up_serves(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"fast-api/main_api.py": STARTUP}), "serves_model")[0] is FindingOutcome.pass_
    by_name = STARTUP.replace("from statschat.generative.llm import Inquirer", "from app.captioning import CaptionModel").replace(
        "Inquirer(**CONFIG[\"llm\"])", "CaptionModel()"
    )
    assert _outcome(_tree(tmp_path / "named", {"api/main.py": by_name}), "serves_model")[0] is FindingOutcome.pass_


def test_a_route_calling_a_settings_or_database_object_built_at_start_up_does_not_serve(tmp_path: Path) -> None:
    settings = STARTUP.replace("from statschat.generative.llm import Inquirer", "from app.models import Settings").replace(
        "Inquirer(**CONFIG[\"llm\"])", "Settings(**CONFIG)"
    )
    assert _outcome(_tree(tmp_path / "a", {"api/main.py": settings}), "serves_model")[0] is FindingOutcome.fail
    stored = STARTUP.replace("inquirer.make_query(q)", "inquirer.get_history(q)")  # bookkeeping, not the model's use
    assert _outcome(_tree(tmp_path / "b", {"api/main.py": stored}), "serves_model")[0] is FindingOutcome.fail


def test_a_search_route_that_embeds_the_query_serves_and_one_embedding_a_video_does_not(tmp_path: Path) -> None:
    search = (
        "import nmslib\nfrom fastapi import FastAPI\n\nfrom .utils import embed\n\nindex = nmslib.init(method='hnsw')\napp = FastAPI()\n\n\n"
        "@app.get('/search')\ndef search(query_text: str, n: int = 10):\n    ids, _ = index.knnQuery(embed(query_text), n)\n    return list(ids)\n"
    )
    assert _outcome(_tree(tmp_path / "a", {"apis/search/app/api.py": search}), "serves_model")[0] is FindingOutcome.pass_
    video = search.replace("import embed", "import embed_video").replace("index.knnQuery(embed(query_text), n)", "embed_video(query_text), None")
    assert _outcome(_tree(tmp_path / "b", {"apis/search/app/api.py": video}), "serves_model")[0] is FindingOutcome.fail


# --- serves_model: rule `route reaches a model through a service module` ----------------------------

ROUTER = """\
from fastapi import APIRouter

from src.api.services.chat import stream_chat

router = APIRouter()


@router.post("/api/chat")
async def chat(query: str):
    return stream_chat(query)
"""


def test_a_thin_route_calling_a_service_that_asks_an_llm_agent_serves(tmp_path: Path) -> None:
    service = (
        "from langchain_core.messages import HumanMessage\n\nfrom src.agent.graph import fetch_agent\n\n\n"
        "def _messages(query):\n    return [HumanMessage(content=query)]\n\n\n"
        "def stream_chat(query):\n    graph = fetch_agent()\n    return graph.astream({'messages': _messages(query)})\n"
    )
    root = _tree(tmp_path, {"src/api/routers/chat.py": ROUTER, "src/api/services/chat.py": service})
    outcome, message = _outcome(root, "serves_model")
    assert outcome is FindingOutcome.pass_ and "service function" in message


def test_a_thin_route_calling_a_service_that_reads_the_database_does_not_serve(tmp_path: Path) -> None:
    service = "from sqlalchemy import select\n\n\ndef stream_chat(query):\n    return select(query)\n\n\ndef other():\n    import openai\n    return openai.chat.completions.create(model='gpt-4o')\n"
    root = _tree(tmp_path, {"src/api/routers/chat.py": ROUTER, "src/api/services/chat.py": service})
    assert _outcome(root, "serves_model")[0] is FindingOutcome.fail  # the LLM call is in a function the route never reaches


# --- serves_model: rule `cloud function runs a model` ----------------------------------------------

LAMBDA = """\
import json

import joblib

MODEL = None


def _model():
    global MODEL
    if MODEL is None:
        MODEL = joblib.load("/opt/ml/model.joblib")
    return MODEL


def lambda_handler(event, context):
    features = json.loads(event["body"])["features"]
    return {"statusCode": 200, "body": json.dumps({"score": float(_model().predict_proba([features])[0][1])})}
"""


def test_a_lambda_handler_that_runs_the_model_itself_serves(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"lambda/lambda_function.py": LAMBDA}), "serves_model")
    assert outcome is FindingOutcome.pass_ and "cloud function" in message


def test_a_lambda_that_starts_training_or_moves_files_runs_no_model(tmp_path: Path) -> None:
    trigger = (
        "import boto3\n\n\ndef lambda_handler(event, context):\n    key = event['Records'][0]['s3']['object']['key']\n"
        "    boto3.client('s3').copy_object(Bucket='raw', Key=key, CopySource={'Bucket': 'in', 'Key': key})\n"
        "    boto3.client('sagemaker').create_training_job(TrainingJobName=key)\n"
    )
    assert _outcome(_tree(tmp_path, {"lambda/lambda_function.py": trigger}), "serves_model")[0] is FindingOutcome.fail


GCF = """\
from detectors.newcastle import NewcastleDetector

detector = None


def count_objects(request):
    global detector
    if detector is None:
        detector = NewcastleDetector(serialized_graph=b"", minimum_confidence=0.5)
    return {"counts": detector.detect(request.get_json()["image"])}
"""


def test_a_google_cloud_function_http_entry_running_a_model_class_serves_when_the_repository_deploys_functions(tmp_path: Path) -> None:
    deploy = "#!/bin/bash\ngcloud functions deploy count_objects --trigger-http --runtime=python311 --source=functions/count_objects\n"
    root = _tree(tmp_path, {"functions/count_objects/main.py": GCF, "scripts/deploy.sh": deploy})
    assert _outcome(root, "serves_model")[0] is FindingOutcome.pass_
    # without a Cloud Functions deployment, `def f(request)` in a main.py is just a function
    assert _outcome(_tree(tmp_path / "plain", {"functions/count_objects/main.py": GCF}), "serves_model")[0] is FindingOutcome.fail


def test_a_web_app_written_in_a_notebook_cell_is_a_demo_not_a_service(tmp_path: Path) -> None:
    import json

    cell = "from fastapi import FastAPI\nimport joblib\n\napp = FastAPI()\nmodel = joblib.load('model.pkl')\n\n@app.post('/predict')\ndef predict(x: list[float]):\n    return {'y': model.predict([x]).tolist()}\n"
    notebook = {"cells": [{"cell_type": "code", "source": cell, "metadata": {}, "outputs": [], "execution_count": 1}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    root = _tree(tmp_path, {"notebooks/model_building.ipynb": json.dumps(notebook)})
    assert _outcome(root, "serves_model")[0] is FindingOutcome.fail
    assert _outcome(_tree(tmp_path / "module", {"api/app.py": cell}), "serves_model")[0] is FindingOutcome.pass_


# --- serves_model: rule `route uses a model kept in shared state` -----------------------------------

SHARED_STATE = """\
import tempfile

from fastapi import APIRouter, Request, UploadFile

from config import settings

router = APIRouter()


def process_image(image: UploadFile):
    with tempfile.NamedTemporaryFile() as tmp:
        tmp.write(image.file.read())
        return settings.SHARED["{key}"].{method}(tmp.name)


@router.post("/caption")
def caption(image: UploadFile):
    return [process_image(image)]


@router.post("/label")
def label(request: Request, text: str):
    return request.app.state.{attr}.label(text)
"""


def test_a_route_calling_a_model_it_fetches_from_shared_state_serves(tmp_path: Path) -> None:
    by_key = SHARED_STATE.format(key="IC_MODEL", method="caption", attr="cache")
    assert _outcome(_tree(tmp_path / "a", {"api/captioning.py": by_key}), "serves_model")[0] is FindingOutcome.pass_
    by_state = SHARED_STATE.format(key="DB", method="caption", attr="classifier")
    assert _outcome(_tree(tmp_path / "b", {"api/captioning.py": by_state}), "serves_model")[0] is FindingOutcome.pass_


def test_a_route_using_other_shared_state_or_the_models_bookkeeping_does_not_serve(tmp_path: Path) -> None:
    other = SHARED_STATE.format(key="DB", method="caption", attr="cache")
    assert _outcome(_tree(tmp_path / "a", {"api/captioning.py": other}), "serves_model")[0] is FindingOutcome.fail
    bookkeeping = SHARED_STATE.format(key="IC_MODEL", method="save", attr="cache")
    assert _outcome(_tree(tmp_path / "b", {"api/captioning.py": bookkeeping}), "serves_model")[0] is FindingOutcome.fail


NOWCAST_APP = """\
from nowcasting_datamodel.connection import DatabaseConnection
from nowcasting_datamodel.save.save import save

from nowcasting_forecast.models.utils import {run}


def run(model_name="cnn"):
    forecasts = {run}(model_name)
    with DatabaseConnection().get_session() as session:
        save(forecasts=forecasts, session=session)


if __name__ == "__main__":
    run()
"""


def test_an_image_entry_point_running_a_forecast_helper_and_saving_through_a_storage_module_serves(tmp_path: Path) -> None:
    dockerfile = 'FROM python:3.10\nCOPY . /app\nCMD ["python", "-u", "nowcasting_forecast/app.py"]\n'
    root = _tree(tmp_path, {"infrastructure/docker/Dockerfile": dockerfile, "nowcasting_forecast/app.py": NOWCAST_APP.format(run="general_forecast_run_all_batches")})
    assert _outcome(root, "serves_model")[0] is FindingOutcome.pass_
    # the same image loading data into the database without any model is an ETL job
    etl = _tree(tmp_path / "etl", {"infrastructure/docker/Dockerfile": dockerfile, "nowcasting_forecast/app.py": NOWCAST_APP.format(run="download_latest_satellite_images")})
    assert _outcome(etl, "serves_model")[0] is FindingOutcome.fail
    # a post-processing image that saves forecasts made elsewhere does not run the model
    post = _tree(tmp_path / "post", {"infrastructure/docker/Dockerfile": dockerfile, "nowcasting_forecast/app.py": NOWCAST_APP.format(run="save_forecast_data_pentad")})
    assert _outcome(post, "serves_model")[0] is FindingOutcome.fail
