"""Session 16's serving rules, stated as mechanisms and checked with paraphrases (conventions §8, §13,
§16.8): a model used through a library's documented inference interface (OpenCV DNN, face_recognition,
spaCy, Whisper, llama-cpp, ONNX Runtime ...) is the model's use wherever the route reaches it; a route
reaches it through the project's own functions across modules and through task queues (Celery, RQ,
Dramatiq, FastAPI background tasks), a bounded number of hops; HTTP handlers are found by the documented
registration of any web framework; a scheduled task is judged as the unit that runs, not by what other
functions of its file do. Each rule has two passing paraphrases (other library, other framework, code
split otherwise) and the near miss it must not take."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, FAIL = FindingOutcome.pass_, FindingOutcome.fail


def _serves(root: Path, files: dict[str, str]) -> FindingOutcome:
    return _outcome(_tree(root, files), "serves_model")[0]


# --- rule: model use by a library's documented inference interface -----------------------------------

# A face service: the route calls a project function that encodes faces with face_recognition.
FACES_ROUTE = """\
from fastapi import APIRouter, UploadFile

from faceapp.matching import match_faces

router = APIRouter()


@router.post("/match")
async def match(upload: UploadFile):
    return {"matches": match_faces(await upload.read())}
"""

FACES_SERVICE = """\
import face_recognition
import numpy as np


def match_faces(data):
    image = face_recognition.load_image_file(data)
    encodings = face_recognition.face_encodings(image)
    return [float(np.linalg.norm(e)) for e in encodings]
"""

# The same role written with spaCy in one aiohttp module: the pipeline loaded at start-up is called.
SPACY_SERVICE = """\
import spacy
from aiohttp import web

nlp = spacy.load("en_core_web_sm")
routes = web.RouteTableDef()


@routes.post("/entities")
async def entities(request):
    body = await request.json()
    doc = nlp(body["text"])
    return web.json_response([(e.text, e.label_) for e in doc.ents])
"""

# And a Whisper transcription service in Flask, the model built lazily by a helper of the module.
WHISPER_SERVICE = """\
import whisper
from flask import Flask, request

app = Flask(__name__)
_speech = None


def _speech_model():
    global _speech
    if _speech is None:
        _speech = whisper.load_model("base")
    return _speech


@app.route("/transcribe", methods=["POST"])
def transcribe():
    path = save_upload(request.files["audio"])
    return {"text": _speech_model().transcribe(path)["text"]}
"""

# Near miss: the same library families used for image processing or a blank tokeniser, no model.
RESIZE_ROUTE = """\
import cv2
from fastapi import APIRouter, UploadFile

router = APIRouter()


@router.post("/thumbnail")
async def thumbnail(upload: UploadFile):
    image = cv2.imdecode(await upload.read(), cv2.IMREAD_COLOR)
    small = cv2.resize(image, (64, 64))
    return {"thumbnail": cv2.imencode(".png", small)[1].tobytes()}
"""


def test_a_route_reaching_face_recognition_encodings_in_a_service_module_serves(tmp_path: Path) -> None:
    files = {"faceapp/__init__.py": "", "faceapp/api.py": FACES_ROUTE, "faceapp/matching.py": FACES_SERVICE}
    assert _serves(tmp_path, files) is PASS


def test_a_route_calling_a_spacy_pipeline_loaded_at_start_up_serves(tmp_path: Path) -> None:
    assert _serves(tmp_path, {"service/server.py": SPACY_SERVICE}) is PASS


def test_a_route_transcribing_with_a_whisper_model_a_helper_loads_serves(tmp_path: Path) -> None:
    assert _serves(tmp_path, {"speech/app.py": WHISPER_SERVICE}) is PASS


def test_a_route_only_resizing_images_with_opencv_or_tokenising_with_a_blank_pipeline_does_not_serve(tmp_path: Path) -> None:
    assert _serves(tmp_path / "a", {"imgsvc/api.py": RESIZE_ROUTE}) is FAIL
    blank = SPACY_SERVICE.replace('spacy.load("en_core_web_sm")', 'spacy.blank("en")').replace("return web.json_response([(e.text, e.label_) for e in doc.ents])", "return web.json_response([t.text for t in doc])")
    assert _serves(tmp_path / "b", {"service/server.py": blank}) is FAIL


# --- rule: the route reaches the model through the project's functions and task queues ------------------

# A DRF view calls a project helper that queues a Celery task; the task calls a detector module that runs
# an OpenCV DNN network (three project modules between the view and the model).
DRF_VIEW = """\
from rest_framework.response import Response
from rest_framework.views import APIView

from dedupe.api.jobs import start_deduplication


class DeduplicationView(APIView):
    def post(self, request, batch_id):
        start_deduplication(batch_id)
        return Response(status=202)
"""

JOBS_HELPER = """\
from dedupe.workers.tasks import compare_images


def start_deduplication(batch_id):
    compare_images.delay(batch_id)
"""

CELERY_TASK = """\
from celery import shared_task

from dedupe.vision.detector import detect_faces


@shared_task
def compare_images(batch_id):
    for path in batch_paths(batch_id):
        detect_faces(path)
"""

DNN_DETECTOR = """\
import cv2

_net = cv2.dnn.readNetFromCaffe("deploy.prototxt", "res10_300x300.caffemodel")


def detect_faces(path):
    blob = cv2.dnn.blobFromImage(cv2.imread(path), 1.0, (300, 300))
    _net.setInput(blob)
    return _net.forward()
"""

# Paraphrase: FastAPI hands the upload to a background task (a function passed to `add_task`), which
# scores it with an ONNX Runtime session in another package of the project.
BACKGROUND_ROUTE = """\
from fastapi import BackgroundTasks, FastAPI, UploadFile

from scoring.jobs import score_document

app = FastAPI()


@app.post("/documents")
async def upload(file: UploadFile, background_tasks: BackgroundTasks):
    path = await keep(file)
    background_tasks.add_task(score_document, path)
    return {"accepted": True}
"""

ONNX_JOB = """\
import onnxruntime as ort

session = ort.InferenceSession("models/classifier.onnx")


def score_document(path):
    features = featurise(path)
    labels = session.run(None, {"input": features})
    store_labels(path, labels)
"""

# Paraphrase: an RQ queue enqueues a function of the project (passed by reference) that runs llama-cpp.
RQ_ROUTE = """\
from flask import Flask, request
from redis import Redis
from rq import Queue

from assistant.generation import answer_question

app = Flask(__name__)
queue = Queue(connection=Redis())


@app.post("/ask")
def ask():
    job = queue.enqueue(answer_question, request.json["question"])
    return {"job": job.id}, 202
"""

LLAMA_MODULE = """\
from llama_cpp import Llama

_llm = Llama(model_path="models/assistant.gguf")


def answer_question(question):
    return _llm(f"Q: {question} A:", max_tokens=128)["choices"][0]["text"]
"""


def test_a_view_reaching_an_opencv_dnn_model_through_a_helper_and_a_celery_task_serves(tmp_path: Path) -> None:
    files = {
        "dedupe/__init__.py": "", "dedupe/api/__init__.py": "", "dedupe/api/views.py": DRF_VIEW, "dedupe/api/jobs.py": JOBS_HELPER,
        "dedupe/workers/__init__.py": "", "dedupe/workers/tasks.py": CELERY_TASK, "dedupe/vision/__init__.py": "", "dedupe/vision/detector.py": DNN_DETECTOR,
    }
    assert _serves(tmp_path, files) is PASS


def test_a_route_handing_an_upload_to_a_background_task_that_runs_an_onnx_session_serves(tmp_path: Path) -> None:
    files = {"api/main.py": BACKGROUND_ROUTE, "scoring/__init__.py": "", "scoring/jobs.py": ONNX_JOB}
    assert _serves(tmp_path, files) is PASS


def test_a_route_enqueueing_an_rq_job_that_runs_a_llama_cpp_model_serves(tmp_path: Path) -> None:
    files = {"assistant/__init__.py": "", "assistant/web.py": RQ_ROUTE, "assistant/generation.py": LLAMA_MODULE}
    assert _serves(tmp_path, files) is PASS


def test_a_chain_of_hops_that_ends_in_a_task_using_no_model_does_not_serve(tmp_path: Path) -> None:
    no_model = DNN_DETECTOR.replace('_net = cv2.dnn.readNetFromCaffe("deploy.prototxt", "res10_300x300.caffemodel")\n', "").replace(
        "    blob = cv2.dnn.blobFromImage(cv2.imread(path), 1.0, (300, 300))\n    _net.setInput(blob)\n    return _net.forward()\n",
        "    return cv2.imread(path).shape\n",
    )
    files = {
        "dedupe/__init__.py": "", "dedupe/api/__init__.py": "", "dedupe/api/views.py": DRF_VIEW, "dedupe/api/jobs.py": JOBS_HELPER,
        "dedupe/workers/__init__.py": "", "dedupe/workers/tasks.py": CELERY_TASK, "dedupe/vision/__init__.py": "", "dedupe/vision/detector.py": no_model,
    }
    assert _serves(tmp_path / "a", files) is FAIL
    mail = RQ_ROUTE.replace("from assistant.generation import answer_question", "from assistant.mail import answer_question")
    files = {"assistant/__init__.py": "", "assistant/web.py": mail, "assistant/mail.py": "def answer_question(q):\n    send_mail(q)\n"}
    assert _serves(tmp_path / "b", files) is FAIL


# --- rule: HTTP handlers by any framework's documented registration ----------------------------------

# A route decorator named `<format>_<method>` with a path (quick_server's documented `json_post`).
VERB_DECORATOR_SERVER = """\
from quick_server import create_server

from ranker.model import RANKER

server = create_server(("", 8080))
prefix = "/api"


@server.json_post(f"{prefix}/rank")
def rank(req, args):
    return {"ranking": RANKER.predict(args["post"]["items"])}
"""

RANKER_MODULE = "import joblib\n\nRANKER = joblib.load('models/ranker.joblib')\n"

# Robyn: `@app.post("/path")` on a framework not in the older list.
ROBYN_SERVER = """\
from robyn import Robyn

from sentiment.inference import classify_text

app = Robyn(__file__)


@app.post("/sentiment")
async def sentiment(request):
    return {"label": classify_text(request.json()["text"])}
"""

SENTIMENT_MODULE = """\
from transformers import pipeline

_classifier = pipeline("sentiment-analysis")


def classify_text(text):
    return _classifier(text)[0]["label"]
"""

# aiohttp: a handler registered by a router call (`app.router.add_post(path, handler)`), no decorator.
AIOHTTP_ROUTER = """\
from aiohttp import web

from detect.model import yolo


async def detect(request):
    image = await request.read()
    return web.json_response(yolo(image)[0].tojson())


app = web.Application()
app.router.add_post("/detect", detect)
"""

YOLO_MODULE = "from ultralytics import YOLO\n\nyolo = YOLO('weights/best.pt')\n"

# Graphene resolver: a `resolve_<field>` method the GraphQL server calls per query.
GRAPHENE_SCHEMA = """\
import graphene

from recs.model import recommend_items


class Query(graphene.ObjectType):
    recommendations = graphene.List(graphene.String, user=graphene.String())

    def resolve_recommendations(root, info, user):
        return recommend_items(user)
"""

RECS_MODULE = "import joblib\n\n_model = joblib.load('models/als.joblib')\n\n\ndef recommend_items(user):\n    return _model.recommend(user)\n"


def test_a_verb_named_route_decorator_with_a_path_reaching_a_loaded_model_serves(tmp_path: Path) -> None:
    assert _serves(tmp_path, {"ranker/__init__.py": "", "ranker/server.py": VERB_DECORATOR_SERVER, "ranker/model.py": RANKER_MODULE}) is PASS


def test_a_robyn_route_reaching_a_transformers_pipeline_serves(tmp_path: Path) -> None:
    assert _serves(tmp_path, {"sentiment/__init__.py": "", "sentiment/app.py": ROBYN_SERVER, "sentiment/inference.py": SENTIMENT_MODULE}) is PASS


def test_an_aiohttp_handler_added_by_the_router_reaching_a_yolo_model_serves(tmp_path: Path) -> None:
    assert _serves(tmp_path, {"detect/__init__.py": "", "detect/server.py": AIOHTTP_ROUTER, "detect/model.py": YOLO_MODULE}) is PASS


def test_a_graphene_resolver_reaching_a_recommender_serves(tmp_path: Path) -> None:
    assert _serves(tmp_path, {"recs/__init__.py": "", "recs/schema.py": GRAPHENE_SCHEMA, "recs/model.py": RECS_MODULE}) is PASS


def test_handlers_registered_the_same_ways_that_reach_no_model_do_not_serve(tmp_path: Path) -> None:
    no_model = VERB_DECORATOR_SERVER.replace("from ranker.model import RANKER\n", "").replace('RANKER.predict(args["post"]["items"])', 'sorted(args["post"]["items"])')
    assert _serves(tmp_path / "a", {"ranker/__init__.py": "", "ranker/server.py": no_model}) is FAIL
    health = AIOHTTP_ROUTER.replace("from detect.model import yolo\n", "").replace("web.json_response(yolo(image)[0].tojson())", "web.json_response({'size': len(image)})")
    assert _serves(tmp_path / "b", {"detect/__init__.py": "", "detect/server.py": health}) is FAIL
    # a decorator named for an HTTP verb in a file no web framework is imported into is no route
    cache = "from myproject.cache import store\n\n@store.json_post\ndef rank(items):\n    return RANKER.predict(items)\n"
    assert _serves(tmp_path / "c", {"pkg/cached.py": cache}) is FAIL


# --- rule: a scheduled task is judged as the unit that runs -----------------------------------------

# An Airflow DAG whose scoring task loads the registered model, predicts and writes to the warehouse,
# beside a validation task and a training task of the same file.
AIRFLOW_PIPELINE = """\
from datetime import datetime

import mlflow
import pandas as pd
from airflow import DAG
from airflow.operators.python import PythonOperator
from sqlalchemy import create_engine
from sklearn.ensemble import RandomForestClassifier

ENGINE = create_engine("postgresql://warehouse")


def validate_inputs():
    frame = pd.read_sql("select * from customers", ENGINE)
    assert frame["tenure"].notnull().all()


def train_model():
    frame = pd.read_sql("select * from customers", ENGINE)
    model = RandomForestClassifier().fit(frame.drop(columns="churn"), frame["churn"])
    mlflow.sklearn.log_model(model, "model", registered_model_name="churn")


def score_customers():
    model = mlflow.pyfunc.load_model("models:/churn/Production")
    frame = pd.read_sql("select * from customers", ENGINE)
    frame["churn_probability"] = model.predict(frame)
    frame.to_sql("churn_scores", ENGINE, if_exists="replace")


with DAG("churn", start_date=datetime(2025, 1, 1), schedule="@daily") as dag:
    PythonOperator(task_id="validate", python_callable=validate_inputs) >> PythonOperator(task_id="train", python_callable=train_model) >> PythonOperator(
        task_id="score", python_callable=score_customers
    )
"""

# Paraphrase: a Prefect flow whose evaluation task computes a metric and whose publishing task scores
# with a loaded XGBoost booster and uploads the scores to BigQuery.
PREFECT_FLOW = """\
import pandas as pd
import xgboost as xgb
from prefect import flow, task
from sklearn.metrics import roc_auc_score


@task
def evaluate_holdout(booster, holdout):
    return roc_auc_score(holdout["label"], booster.predict(xgb.DMatrix(holdout.drop(columns="label"))))


@task
def publish_scores(booster):
    frame = pd.read_parquet("gs://lake/today.parquet")
    frame["score"] = booster.predict(xgb.DMatrix(frame))
    frame.to_gbq("analytics.daily_scores", if_exists="replace")


@flow
def nightly():
    booster = xgb.Booster()
    booster.load_model("models/booster.json")
    evaluate_holdout(booster, pd.read_parquet("gs://lake/holdout.parquet"))
    publish_scores(booster)
"""


def test_an_airflow_scoring_task_counts_beside_validation_and_training_tasks_of_its_file(tmp_path: Path) -> None:
    assert _serves(tmp_path, {"dags/churn_pipeline.py": AIRFLOW_PIPELINE}) is PASS


def test_a_prefect_publishing_task_counts_beside_an_evaluation_task_of_its_flow(tmp_path: Path) -> None:
    assert _serves(tmp_path, {"flows/nightly.py": PREFECT_FLOW}) is PASS


def test_a_task_that_predicts_and_evaluates_in_the_same_function_is_still_evaluation(tmp_path: Path) -> None:
    evaluating = AIRFLOW_PIPELINE.replace(
        '    frame.to_sql("churn_scores", ENGINE, if_exists="replace")\n',
        '    frame.to_sql("churn_scores", ENGINE, if_exists="replace")\n    print(accuracy_score(frame["churn"], frame["churn_probability"] > 0.5))\n',
    ).replace("from sklearn.ensemble import RandomForestClassifier\n", "from sklearn.ensemble import RandomForestClassifier\nfrom sklearn.metrics import accuracy_score\n")
    assert _serves(tmp_path / "a", {"dags/churn_pipeline.py": evaluating}) is FAIL
    # a module that is no orchestrated job stays judged as a whole (a script run by hand)
    by_hand = AIRFLOW_PIPELINE.split("with DAG")[0].replace("from airflow import DAG\nfrom airflow.operators.python import PythonOperator\n", "")
    assert _serves(tmp_path / "b", {"scripts/churn_pipeline.py": by_hand}) is FAIL


# DRF routes a viewset method decorated `@action` (an "extra action"); the action queues the task.
DRF_ACTION_VIEWSET = """\
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dedupe.api.jobs import start_deduplication


class BatchViewSet(viewsets.ModelViewSet):
    @action(detail=True, methods=["post"])
    def process(self, request, pk=None):
        start_deduplication(pk)
        return Response(status=202)
"""


def test_a_drf_extra_action_reaching_the_model_through_a_queued_task_serves_and_one_reaching_no_model_does_not(tmp_path: Path) -> None:
    files = {
        "dedupe/__init__.py": "", "dedupe/api/__init__.py": "", "dedupe/api/views.py": DRF_ACTION_VIEWSET, "dedupe/api/jobs.py": JOBS_HELPER,
        "dedupe/workers/__init__.py": "", "dedupe/workers/tasks.py": CELERY_TASK, "dedupe/vision/__init__.py": "", "dedupe/vision/detector.py": DNN_DETECTOR,
    }
    assert _serves(tmp_path / "a", files) is PASS
    files["dedupe/workers/tasks.py"] = CELERY_TASK.replace("detect_faces(path)", "archive(path)").replace("from dedupe.vision.detector import detect_faces\n", "")
    assert _serves(tmp_path / "b", files) is FAIL


# Strawberry: a resolver function bound with `@strawberry.field`, its model in another module.
STRAWBERRY_SCHEMA = """\
import strawberry

from ranking.scorer import rank_articles


@strawberry.type
class Query:
    @strawberry.field
    def ranked_articles(self, user_id: str) -> list[str]:
        return rank_articles(user_id)


schema = strawberry.Schema(query=Query)
"""

SCORER_MODULE = "from sentence_transformers import SentenceTransformer\n\n_encoder = SentenceTransformer('all-MiniLM-L6-v2')\n\n\ndef rank_articles(user_id):\n    return order_by_similarity(_encoder.encode(history_of(user_id)))\n"

# Flask: a view function registered with `add_url_rule(rule, view_func=...)`.
FLASK_URL_RULE = """\
from flask import Flask, request

from triage.classifier import label_ticket


def triage():
    return {"label": label_ticket(request.json["text"])}


app = Flask(__name__)
app.add_url_rule("/triage", view_func=triage, methods=["POST"])
"""

CLASSIFIER_MODULE = "import fasttext\n\n_model = fasttext.load_model('models/triage.bin')\n\n\ndef label_ticket(text):\n    return _model.predict(text)[0][0]\n"


def test_a_strawberry_resolver_reaching_a_sentence_transformer_serves(tmp_path: Path) -> None:
    assert _serves(tmp_path, {"ranking/__init__.py": "", "ranking/schema.py": STRAWBERRY_SCHEMA, "ranking/scorer.py": SCORER_MODULE}) is PASS


def test_a_flask_view_registered_by_add_url_rule_reaching_a_fasttext_model_serves(tmp_path: Path) -> None:
    assert _serves(tmp_path, {"triage/__init__.py": "", "triage/web.py": FLASK_URL_RULE, "triage/classifier.py": CLASSIFIER_MODULE}) is PASS


def test_a_resolver_or_registered_view_reaching_no_model_does_not_serve(tmp_path: Path) -> None:
    plain = SCORER_MODULE.replace("from sentence_transformers import SentenceTransformer\n\n_encoder = SentenceTransformer('all-MiniLM-L6-v2')\n", "").replace(
        "order_by_similarity(_encoder.encode(history_of(user_id)))", "sorted(history_of(user_id))"
    )
    assert _serves(tmp_path / "a", {"ranking/__init__.py": "", "ranking/schema.py": STRAWBERRY_SCHEMA, "ranking/scorer.py": plain}) is FAIL
    lookup = "def label_ticket(text):\n    return LABELS.get(text.split()[0], 'other')\n"
    assert _serves(tmp_path / "b", {"triage/__init__.py": "", "triage/web.py": FLASK_URL_RULE, "triage/classifier.py": lookup}) is FAIL


# A uv workspace: the API member imports a function of another member package (src layout), by its
# package name; the import is followed to the member's file like any project module.
WORKSPACE_ROUTE = """\
from fastapi import FastAPI, UploadFile

from vision_core.detect import find_objects

app = FastAPI()


@app.post("/objects")
async def objects(image: UploadFile):
    return {"objects": find_objects(await image.read())}
"""

WORKSPACE_DETECTOR = "from ultralytics import YOLO\n\n_yolo = YOLO('weights/yolov8n.pt')\n\n\ndef find_objects(data):\n    return [box.cls for box in _yolo(decode(data))[0].boxes]\n"


def test_a_route_reaching_a_model_in_another_workspace_member_serves(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[tool.uv.workspace]\nmembers = ["apps/*", "packages/*"]\n',
        "apps/api/src/api/main.py": WORKSPACE_ROUTE,
        "packages/vision-core/src/vision_core/__init__.py": "",
        "packages/vision-core/src/vision_core/detect.py": WORKSPACE_DETECTOR,
    }
    assert _serves(tmp_path, files) is PASS


# arq: the route enqueues a job by the worker function's name; the worker module runs a Whisper model.
ARQ_ROUTE = """\
from arq import create_pool
from arq.connections import RedisSettings
from fastapi import FastAPI

app = FastAPI()


@app.post("/recordings/{recording_id}")
async def submit(recording_id: str):
    redis = await create_pool(RedisSettings())
    job = await redis.enqueue_job("transcribe_recording", recording_id)
    return {"job": job.job_id}
"""

ARQ_WORKER = """\
from arq.connections import RedisSettings
from faster_whisper import WhisperModel

_model = WhisperModel("small")


async def transcribe_recording(ctx, recording_id):
    segments, _ = _model.transcribe(audio_path(recording_id))
    return " ".join(s.text for s in segments)


async def purge_recordings(ctx):
    delete_old()


class WorkerSettings:
    functions = [transcribe_recording, purge_recordings]
    redis_settings = RedisSettings()
"""


def test_a_route_enqueueing_an_arq_job_by_name_that_transcribes_serves_and_one_enqueueing_cleanup_does_not(tmp_path: Path) -> None:
    assert _serves(tmp_path / "a", {"speech/api.py": ARQ_ROUTE, "speech/worker.py": ARQ_WORKER}) is PASS
    cleanup = ARQ_ROUTE.replace('"transcribe_recording"', '"purge_recordings"')
    assert _serves(tmp_path / "b", {"speech/api.py": cleanup, "speech/worker.py": ARQ_WORKER}) is FAIL


# --- rule: a stream consumer of the system runs the model on each message (conventions §8 online) ----------

# kafka-python: the consumer loop scores each transaction and produces the verdict to another topic; a
# compose service runs it.
KAFKA_CONSUMER = """\
import json

import joblib
from kafka import KafkaConsumer, KafkaProducer

model = joblib.load("models/fraud.joblib")
consumer = KafkaConsumer("transactions", bootstrap_servers="kafka:9092")
producer = KafkaProducer(bootstrap_servers="kafka:9092")

for message in consumer:
    tx = json.loads(message.value)
    verdict = model.predict_proba([tx["features"]])[0][1]
    producer.send("verdicts", json.dumps({"id": tx["id"], "fraud": float(verdict)}).encode())
"""

KAFKA_COMPOSE = """\
services:
  kafka:
    image: bitnami/kafka:3.7
  scorer:
    build: .
    command: python streaming/score_stream.py
    depends_on: [kafka]
"""

# Google Pub/Sub: a subscriber callback hands each message to a project function that runs an ONNX
# session; the image's entry point runs the subscriber.
PUBSUB_SUBSCRIBER = """\
from google.cloud import pubsub_v1

from vision.tagger import tag_image


def on_message(message):
    tag_image(message.data)
    message.ack()


def main():
    subscriber = pubsub_v1.SubscriberClient()
    future = subscriber.subscribe("projects/p/subscriptions/uploads", callback=on_message)
    future.result()


if __name__ == "__main__":
    main()
"""

TAGGER_MODULE = "import onnxruntime\n\n_session = onnxruntime.InferenceSession('tagger.onnx')\n\n\ndef tag_image(data):\n    return _session.run(None, {'image': decode(data)})[0]\n"
SUBSCRIBER_DOCKERFILE = "FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nCMD [\"python\", \"workers/subscriber.py\"]\n"


def test_a_kafka_consumer_a_compose_service_runs_scoring_each_message_serves(tmp_path: Path) -> None:
    files = {"streaming/score_stream.py": KAFKA_CONSUMER, "docker-compose.yml": KAFKA_COMPOSE, "Dockerfile": "FROM python:3.12\nCOPY . .\n"}
    assert _serves(tmp_path, files) is PASS


def test_a_pubsub_subscriber_an_image_runs_tagging_each_message_with_an_onnx_model_serves(tmp_path: Path) -> None:
    files = {"workers/subscriber.py": PUBSUB_SUBSCRIBER, "vision/__init__.py": "", "vision/tagger.py": TAGGER_MODULE, "Dockerfile": SUBSCRIBER_DOCKERFILE}
    assert _serves(tmp_path, files) is PASS


def test_a_consumer_nothing_runs_or_one_that_only_stores_messages_does_not_serve(tmp_path: Path) -> None:
    assert _serves(tmp_path / "a", {"streaming/score_stream.py": KAFKA_CONSUMER}) is FAIL
    storing = KAFKA_CONSUMER.replace('model = joblib.load("models/fraud.joblib")\n', "").replace(
        '    verdict = model.predict_proba([tx["features"]])[0][1]\n    producer.send("verdicts", json.dumps({"id": tx["id"], "fraud": float(verdict)}).encode())\n',
        '    producer.send("archive", json.dumps(tx).encode())\n',
    )
    files = {"streaming/score_stream.py": storing, "docker-compose.yml": KAFKA_COMPOSE, "Dockerfile": "FROM python:3.12\nCOPY . .\n"}
    assert _serves(tmp_path / "b", files) is FAIL
