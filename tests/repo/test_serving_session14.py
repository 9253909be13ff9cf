"""Session 14's serving rules, from the categories of batch 20's misses (conventions §8, §13): the
job a schedule or image runs reaches its scoring module through the project's imports or a console
script; cron tables named for their part of the system; a model bound to a module global by a
start-up hook; a web route handing the request to a task queue's worker that runs the model. Each
rule with the practice it recognises and the near miss it must not."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree
from tests.repo.test_serving_session11 import SCORE_TO_DB

PASS, FAIL = FindingOutcome.pass_, FindingOutcome.fail

# --- rule `scoring module a scheduled job imports` ---------------------------------------------------

SCORING_COMPONENT = """\
import joblib
import psycopg2


class BatchPrediction:
    def run(self, frame):
        model = joblib.load("artifacts/best_model.joblib")
        preds = model.predict(frame)
        self._write_predictions_to_db(preds)

    def _write_predictions_to_db(self, preds):
        with psycopg2.connect("dbname=forecasts") as conn:
            conn.cursor().executemany("insert into predictions values (%s)", [(p,) for p in preds])
"""

PIPELINE = """\
from forecasting.components.batch_prediction import BatchPrediction


class BatchPredictionPipeline:
    def run_pipeline(self):
        BatchPrediction().run(load_latest())
"""

AIRFLOW_DAG = """\
from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator

from forecasting.pipeline.batch_prediction_pipeline import BatchPredictionPipeline


def run_batch_prediction():
    BatchPredictionPipeline().run_pipeline()


with DAG(dag_id="batch_prediction", start_date=datetime(2025, 1, 1), schedule_interval="0 * * * *") as dag:
    PythonOperator(task_id="predict", python_callable=run_batch_prediction)
"""


def _forecasting(extra: dict[str, str]) -> dict[str, str]:
    return {
        "forecasting/__init__.py": "",
        "forecasting/components/__init__.py": "",
        "forecasting/components/batch_prediction.py": SCORING_COMPONENT,
        "forecasting/pipeline/__init__.py": "",
        "forecasting/pipeline/batch_prediction_pipeline.py": PIPELINE,
        **extra,
    }


def test_an_airflow_dag_whose_task_reaches_a_scoring_module_two_imports_away_serves(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, _forecasting({"airflow/dags/predict_dag.py": AIRFLOW_DAG})), "serves_model")
    assert outcome is PASS and "Airflow DAG" in message


def test_the_same_scoring_module_that_nothing_scheduled_imports_does_not_serve(tmp_path: Path) -> None:
    by_hand = AIRFLOW_DAG.replace("from airflow import DAG\nfrom airflow.operators.python import PythonOperator\n", "").split("with DAG")[0]
    by_hand += "\nif __name__ == '__main__':\n    run_batch_prediction()\n"
    assert _outcome(_tree(tmp_path, _forecasting({"scripts/run_prediction.py": by_hand})), "serves_model")[0] is FAIL


def test_a_scoring_module_further_than_two_imports_from_the_schedule_is_not_followed(tmp_path: Path) -> None:
    relay = "from forecasting.pipeline.batch_prediction_pipeline import BatchPredictionPipeline\n\n\ndef go():\n    BatchPredictionPipeline().run_pipeline()\n"
    dag = AIRFLOW_DAG.replace("from forecasting.pipeline.batch_prediction_pipeline import BatchPredictionPipeline", "from forecasting.relay import go").replace(
        "BatchPredictionPipeline().run_pipeline()", "go()"
    )
    files = _forecasting({"forecasting/relay.py": relay, "airflow/dags/predict_dag.py": dag})
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is FAIL


# --- console scripts run by a cron table or an image's entry script ----------------------------------

SETUP_CFG = """\
[metadata]
name = scorer

[options.entry_points]
console_scripts =
    score_customers = jobs.score_customers:main
"""


def test_a_cron_line_running_a_console_script_declared_in_setup_cfg_serves(tmp_path: Path) -> None:
    files = {"setup.cfg": SETUP_CFG, "crontab": "0 10 * * * /usr/local/bin/score_customers\n", "jobs/score_customers.py": SCORE_TO_DB}
    outcome, message = _outcome(_tree(tmp_path, files), "serves_model")
    assert outcome is PASS and "cron" in message


def test_a_cron_line_running_another_program_of_the_same_name_stem_does_not_serve(tmp_path: Path) -> None:
    files = {"setup.cfg": SETUP_CFG, "crontab": "0 10 * * * /usr/local/bin/score_customers_report\n", "jobs/score_customers.py": SCORE_TO_DB}
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is FAIL


def test_a_console_script_in_the_entry_script_an_image_writes_serves(tmp_path: Path) -> None:
    pyproject = '[project]\nname = "scorer"\n\n[project.scripts]\nscore-customers = "jobs.score_customers:main"\n'
    dockerfile = (
        "FROM python:3.12-slim\nCOPY . /opt/app\n"
        "COPY <<EOF /opt/app/entrypoint.sh\n#!/bin/bash\n/opt/app/.venv/bin/score-customers\nEOF\n"
        'ENTRYPOINT ["/opt/app/entrypoint.sh"]\n'
    )
    files = {"pyproject.toml": pyproject, "Dockerfile": dockerfile, "jobs/score_customers.py": SCORE_TO_DB}
    outcome, message = _outcome(_tree(tmp_path, files), "serves_model")
    assert outcome is PASS and "container image" in message
    built_only = dockerfile.replace("COPY <<EOF /opt/app/entrypoint.sh", "RUN <<EOF").replace('ENTRYPOINT ["/opt/app/entrypoint.sh"]\n', "")
    assert _outcome(_tree(tmp_path / "build", {**files, "Dockerfile": built_only}), "serves_model")[0] is FAIL  # run while building, not the image's job


def test_a_cron_table_named_for_its_part_of_the_system_is_read(tmp_path: Path) -> None:
    cron = "0 1 * * * cd /srv && python jobs/score_customers.py >> /var/log/score.log 2>&1\n"
    assert _outcome(_tree(tmp_path, {"infrastructure/scheduling/scoring-crontab": cron, "jobs/score_customers.py": SCORE_TO_DB}), "serves_model")[0] is PASS
    prose = "Run jobs/score_customers.py every night.\n"  # no schedule line: nothing runs it
    assert _outcome(_tree(tmp_path / "b", {"infrastructure/scheduling/scoring-crontab": prose, "jobs/score_customers.py": SCORE_TO_DB}), "serves_model")[0] is FAIL


# --- rule `route uses a model built at start-up`: a global bound by a start-up hook --------------------

LIFESPAN_APP = """\
from contextlib import asynccontextmanager

from fastapi import FastAPI

from models import Recommender

_recommender = None


@asynccontextmanager
async def lifespan(app: FastAPI):
    global _recommender
    _recommender = Recommender("artifacts/als.npz")
    yield


app = FastAPI(lifespan=lifespan)


@app.post("/recommend")
def recommend(visitor_id: int, n: int = 10):
    return {"items": _recommender.top_items(visitor_id, n=n)}
"""


def test_a_route_calling_a_model_a_lifespan_hook_binds_to_a_global_serves(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"src/api/main.py": LIFESPAN_APP}), "serves_model")[0] is PASS


def test_a_hook_binding_a_local_name_or_a_settings_object_does_not_make_a_route_serve(tmp_path: Path) -> None:
    local = LIFESPAN_APP.replace("    global _recommender\n", "")  # a local of the hook: the route's global stays None
    assert _outcome(_tree(tmp_path / "a", {"src/api/main.py": local}), "serves_model")[0] is FAIL
    settings = LIFESPAN_APP.replace("from models import Recommender", "from config import Settings").replace('Recommender("artifacts/als.npz")', "Settings()")
    assert _outcome(_tree(tmp_path / "b", {"src/api/main.py": settings}), "serves_model")[0] is FAIL


# --- rule `route hands the request to a task queue's worker` -----------------------------------------

QUEUEING_ROUTE = """\
from fastapi import APIRouter

from backend.core.celery_app import celery_app

router = APIRouter()


@router.post("/ingest_chunk", status_code=202)
async def ingest_chunk(session_id: str, chunk: bytes):
    celery_app.send_task("process_audio_chunk", args=[session_id, chunk])
    return {"queued": True}
"""

WORKER_TASK = """\
from celery import Task

from backend.core.celery_app import celery_app
from backend.services.llm_handler import llm_service


@celery_app.task(bind=True, max_retries=3, name="process_audio_chunk")
def process_chunk(self: Task, session_id: str, chunk: bytes):
    note = llm_service.generate_note(session_id, chunk)
    return note
"""

MAIL_TASK = WORKER_TASK.replace("from backend.services.llm_handler import llm_service", "from backend.services.mail import mailer").replace(
    "llm_service.generate_note(session_id, chunk)", "mailer.send_receipt(session_id)"
)


def test_a_route_sending_its_work_to_a_celery_task_that_asks_the_chain_serves(tmp_path: Path) -> None:
    files = {"backend/routers/ingest.py": QUEUEING_ROUTE, "backend/tasks/ingest.py": WORKER_TASK}
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is PASS


def test_a_route_sending_work_to_a_task_that_uses_no_model_or_to_an_unknown_task_does_not_serve(tmp_path: Path) -> None:
    mail = {"backend/routers/ingest.py": QUEUEING_ROUTE, "backend/tasks/ingest.py": MAIL_TASK}
    assert _outcome(_tree(tmp_path / "a", mail), "serves_model")[0] is FAIL
    other = {"backend/routers/ingest.py": QUEUEING_ROUTE.replace('"process_audio_chunk"', '"send_receipt"'), "backend/tasks/ingest.py": WORKER_TASK}
    assert _outcome(_tree(tmp_path / "b", other), "serves_model")[0] is FAIL


DELAY_ROUTE = """\
from flask import Flask, request

from app.tasks import triage_ticket

app = Flask(__name__)


@app.route("/tickets", methods=["POST"])
def create_ticket():
    job = triage_ticket.delay(request.json["text"])
    return {"job": job.id}, 202
"""

DELAY_TASK = """\
import joblib
from celery import shared_task

model = joblib.load("models/router.joblib")


@shared_task
def triage_ticket(text):
    return model.predict([text])[0]


@shared_task
def retrain_router():
    return fit_router()
"""


def test_a_route_delaying_a_shared_task_that_predicts_serves_and_one_delaying_retraining_does_not(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path / "a", {"app/views.py": DELAY_ROUTE, "app/tasks.py": DELAY_TASK}), "serves_model")[0] is PASS
    retrain = DELAY_ROUTE.replace("triage_ticket", "retrain_router")
    assert _outcome(_tree(tmp_path / "b", {"app/views.py": retrain, "app/tasks.py": DELAY_TASK}), "serves_model")[0] is FAIL


# --- rule `JavaScript route reaches the team's chain` ---------------------------------------------------

EXPRESS_SERVER = """\
import express from 'express';
import chatHandler from '../api/chat/chat-run.js';

const app = express();
app.use(express.json());
app.post('/api/chat/run', chatHandler);
app.listen(3000);
"""

CHAT_HANDLER = """\
import { answerQuestion } from '../../agents/answer.js';

export default async function handler(req, res) {
  const answer = await answerQuestion(req.body.question);
  res.json({ answer });
}
"""

ANSWER_AGENT = """\
import OpenAI from 'openai';
import { searchGuidance } from '../services/vector-search.js';

const client = new OpenAI();
const SYSTEM_PROMPT = 'You answer questions about public services using only the sources given.';

export async function answerQuestion(question) {
  const sources = await searchGuidance(question);
  const completion = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'system', content: SYSTEM_PROMPT }, { role: 'user', content: question + sources }],
  });
  return completion.choices[0].message.content;
}
"""

PASS_THROUGH = """\
import OpenAI from 'openai';

const client = new OpenAI();

export async function answerQuestion(question) {
  const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: question }] });
  return completion.choices[0].message.content;
}
"""


def test_an_express_route_reaching_a_module_with_the_teams_prompt_asking_a_model_serves(tmp_path: Path) -> None:
    files = {"server/server.js": EXPRESS_SERVER, "api/chat/chat-run.js": CHAT_HANDLER, "agents/answer.js": ANSWER_AGENT}
    outcome, message = _outcome(_tree(tmp_path, files), "serves_model")
    assert outcome is PASS and "JavaScript" in message


def test_a_next_js_route_handler_importing_the_chain_through_the_source_alias_serves(tmp_path: Path) -> None:
    route = "import { answerQuestion } from '@/lib/answer';\n\nexport async function POST(request) {\n  const { q } = await request.json();\n  return Response.json({ a: await answerQuestion(q) });\n}\n"
    files = {"web/src/app/api/ask/route.ts": route, "web/src/lib/answer.ts": ANSWER_AGENT.replace("../services/vector-search.js", "./search")}
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is PASS


def test_a_route_passing_prompts_through_to_a_hosted_model_with_nothing_of_the_teams_does_not_serve(tmp_path: Path) -> None:
    files = {"server/server.js": EXPRESS_SERVER, "api/chat/chat-run.js": CHAT_HANDLER, "agents/answer.js": PASS_THROUGH}
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is FAIL  # conventions §13: a thin pass-through


def test_a_chain_no_route_reaches_or_one_in_an_examples_folder_does_not_serve(tmp_path: Path) -> None:
    script = "import { answerQuestion } from './agents/answer.js';\n\nconsole.log(await answerQuestion(process.argv[2]));\n"
    assert _outcome(_tree(tmp_path / "cli", {"ask.js": script, "agents/answer.js": ANSWER_AGENT}), "serves_model")[0] is FAIL
    example = {"examples/chat/server/server.js": EXPRESS_SERVER, "examples/chat/api/chat/chat-run.js": CHAT_HANDLER, "examples/chat/agents/answer.js": ANSWER_AGENT}
    assert _outcome(_tree(tmp_path / "example", example), "serves_model")[0] is FAIL


# --- a recommender's prediction is its recommendation ------------------------------------------------

RECOMMEND_ROUTE = """\
from fastapi import FastAPI

from shop.recommenders import select_articles

app = FastAPI()


@app.post("/")
def root(user_id: int, n: int = 10):
    return {"recommendations": select_articles(user_id, n)}
"""


def test_a_route_asking_a_recommenders_module_or_a_recommend_helper_serves(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path / "a", {"shop/api/main.py": RECOMMEND_ROUTE}), "serves_model")[0] is PASS
    helper = RECOMMEND_ROUTE.replace("from shop.recommenders import select_articles", "from shop.engine import recommend_items").replace(
        "select_articles(user_id, n)", "recommend_items(user_id, n)"
    )
    assert _outcome(_tree(tmp_path / "b", {"shop/api/main.py": helper}), "serves_model")[0] is PASS


def test_a_route_reading_stored_recommendations_does_not_serve(tmp_path: Path) -> None:
    stored = RECOMMEND_ROUTE.replace("from shop.recommenders import select_articles", "from shop.crud import get_recommendations").replace(
        "select_articles(user_id, n)", "get_recommendations(user_id, n)"
    )
    assert _outcome(_tree(tmp_path / "a", {"shop/api/main.py": stored}), "serves_model")[0] is FAIL
    saved = RECOMMEND_ROUTE.replace("select_articles", "get_saved_articles")
    assert _outcome(_tree(tmp_path / "b", {"shop/api/main.py": saved}), "serves_model")[0] is FAIL


# --- rule `route calls an injected service`: a service object the handler builds itself ---------------

LOCAL_SERVICE_ROUTE = """\
from fastapi import FastAPI

from integrations.chat.structures import ChatClient

app = FastAPI()


@app.post("/chat")
async def chat_endpoint(event: dict):
    client = ChatClient()
    return await client.handle_event(event)
"""

CHAT_CLIENT = """\
from langchain_aws import ChatBedrock


class ChatClient:
    async def handle_event(self, event):
        return self.answer(event["text"])

    def answer(self, text):
        llm = ChatBedrock(model_id="anthropic.claude-3")
        return llm.invoke("Answer as the advice service: " + text).content
"""

ARCHIVE_CLIENT = """\
import sqlite3


class ChatClient:
    async def handle_event(self, event):
        return self.archive(event["text"])

    def archive(self, text):
        with sqlite3.connect("chats.db") as db:
            db.execute("insert into chats values (?)", (text,))
"""


def test_a_route_building_a_service_object_whose_method_asks_the_chain_serves(tmp_path: Path) -> None:
    files = {"src/app.py": LOCAL_SERVICE_ROUTE, "src/integrations/chat/structures.py": CHAT_CLIENT}
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is PASS


def test_a_route_building_a_service_object_that_only_stores_messages_does_not_serve(tmp_path: Path) -> None:
    files = {"src/app.py": LOCAL_SERVICE_ROUTE, "src/integrations/chat/structures.py": ARCHIVE_CLIENT}
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is FAIL


# --- rule `Hugging Face Space` ---------------------------------------------------------------------------

SPACE_README = """\
---
title: Churn Predictor
emoji: 📉
sdk: streamlit
sdk_version: 1.38.0
app_file: src/app.py
pinned: false
---

# Churn predictor
"""

STREAMLIT_PAGE = """\
import joblib
import streamlit as st

model = joblib.load("models/churn.joblib")
tenure = st.number_input("Tenure")
charges = st.number_input("Monthly charges")
st.metric("Churn risk", float(model.predict_proba([[tenure, charges]])[0][1]))
"""


def test_a_streamlit_page_a_hugging_face_space_runs_serves(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"README.md": SPACE_README, "src/app.py": STREAMLIT_PAGE}), "serves_model")
    assert outcome is PASS and "Hugging Face Space" in message


def test_the_same_page_without_a_space_configuration_or_in_a_static_space_does_not_serve(tmp_path: Path) -> None:
    page = {"src/app.py": STREAMLIT_PAGE}
    assert _outcome(_tree(tmp_path / "a", {"README.md": "# Churn predictor\n\nsdk: streamlit\n", **page}), "serves_model")[0] is FAIL
    static = SPACE_README.replace("sdk: streamlit", "sdk: static")
    assert _outcome(_tree(tmp_path / "b", {"README.md": static, **page}), "serves_model")[0] is FAIL
    elsewhere = SPACE_README.replace("app_file: src/app.py", "app_file: app.py")  # the Space runs a page the repository lacks
    assert _outcome(_tree(tmp_path / "c", {"README.md": elsewhere, **page}), "serves_model")[0] is FAIL


# --- rule `Kubernetes CronJob runs the scoring job` --------------------------------------------------------

CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: churn-scoring
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: scorer
              image: ghcr.io/acme/churn:1.4.0
              command: ["python", "-m", "jobs.score_customers"]
"""


def test_a_scoring_job_a_kubernetes_cronjob_runs_serves(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"k8s/cronjob.yaml": CRONJOB, "jobs/score_customers.py": SCORE_TO_DB}), "serves_model")
    assert outcome is PASS and "CronJob" in message


def test_a_one_off_job_or_a_cronjob_in_an_examples_folder_does_not_make_it_serve(tmp_path: Path) -> None:
    once = CRONJOB.replace("kind: CronJob", "kind: Job")
    assert _outcome(_tree(tmp_path / "a", {"k8s/job.yaml": once, "jobs/score_customers.py": SCORE_TO_DB}), "serves_model")[0] is FAIL
    assert _outcome(_tree(tmp_path / "b", {"examples/k8s/cronjob.yaml": CRONJOB, "jobs/score_customers.py": SCORE_TO_DB}), "serves_model")[0] is FAIL


# --- rule `task of a Databricks job` -------------------------------------------------------------------------

BUNDLE_JOB = """\
resources:
  jobs:
    churn_inference:
      name: churn-inference
      trigger:
        file_arrival:
          url: /Volumes/main/crm/incoming/
      tasks:
        - task_key: inference
          spark_python_task:
            python_file: ../jobs/score_customers.py
"""


def test_a_scoring_file_a_databricks_bundle_job_runs_serves(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"bundle/resources/inference.yml": BUNDLE_JOB, "jobs/score_customers.py": SCORE_TO_DB}), "serves_model")
    assert outcome is PASS and "Databricks" in message


def test_a_python_file_named_outside_a_bundles_jobs_or_a_job_that_trains_does_not_serve(tmp_path: Path) -> None:
    loose = "settings:\n  python_file: ../jobs/score_customers.py\n"
    assert _outcome(_tree(tmp_path / "a", {"conf/run.yml": loose, "jobs/score_customers.py": SCORE_TO_DB}), "serves_model")[0] is FAIL
    trains = SCORE_TO_DB.replace('model = joblib.load("models/churn.joblib")', "model = make_model().fit(customers, customers.pop('churned'))")
    assert _outcome(_tree(tmp_path / "b", {"bundle/resources/inference.yml": BUNDLE_JOB, "jobs/score_customers.py": trains}), "serves_model")[0] is FAIL


def test_a_front_end_calling_a_route_with_its_http_client_is_no_route(tmp_path: Path) -> None:
    page = "import axios from 'axios';\nimport { answerQuestion } from '../agents/answer.js';\n\nexport async function send(q) {\n  await axios.post('/api/log', { q });\n  return answerQuestion(q);\n}\n"
    assert _outcome(_tree(tmp_path, {"web/src/pages-client/ask.js": page, "web/src/agents/answer.js": ANSWER_AGENT}), "serves_model")[0] is FAIL
