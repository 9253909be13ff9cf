"""Session 18's serving interfaces, each stated as the mechanism its framework documents (conventions §8,
§13): the process the repository starts calls a handler per request that answers with the model's output.

- Django function views: "a view function takes a web request (an `HttpRequest`, first parameter, by
  convention `request`) and returns a web response" (Django docs, Writing views); the URLconf routes to
  it. A function of a module importing Django whose first parameter is the request is such a view.
- Socket.IO event handlers: Flask-SocketIO (`@socketio.on("event")`, `@socketio.event`,
  `socketio.on_event`) and python-socketio (`@sio.on`, `@sio.event`, `Namespace.on_<event>` methods)
  call the handler for each message a client emits - a request handler like a route.
- Azure ML scoring scripts: "the scoring script must have `init()` and `run()` functions"; `init()`
  finds the model under `AZUREML_MODEL_DIR`, and the deployment names the script (`scoring_script` of
  a deployment's `code_configuration`, `CodeConfiguration(scoring_script=...)`, v1
  `InferenceConfig(entry_script=...)`) - whatever the file is called.
- SageMaker inference scripts: the serving container calls `model_fn(model_dir)` and the optional
  `input_fn` / `predict_fn` / `output_fn` (or `transform_fn`): `model_fn` with any other handler is the
  contract. TensorFlow Estimator's `model_fn(features, labels, mode)` is a training graph, not it.
- Vertex AI custom prediction routines: a `google.cloud.aiplatform.prediction.predictor.Predictor`
  subclass whose `load` / `predict` the prediction server calls per request.
- MLServer: each model's `model-settings.json` names the runtime `implementation` that serves it.

Each rule has two passing paraphrases written differently and a near miss it must not take."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, FAIL = FindingOutcome.pass_, FindingOutcome.fail


def _serves(root: Path, files: dict[str, str]) -> FindingOutcome:
    return _outcome(_tree(root, files), "serves_model")[0]


# --- Django function views --------------------------------------------------------------------------

DJANGO_ONE_MODULE = {
    "sentiment/views.py": """\
import joblib
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

classifier = joblib.load("artifacts/sentiment.joblib")


@csrf_exempt
def score_text(request):
    text = request.POST["text"]
    return JsonResponse({"label": str(classifier.predict([text])[0])})
""",
    "sentiment/urls.py": """\
from django.urls import path

from . import views

urlpatterns = [path("score/", views.score_text)]
""",
}

# The view in one module, the model in a project service module it imports.
DJANGO_TWO_MODULES = {
    "digits/views.py": """\
from django.shortcuts import render

from digits.recognition import recognise_digit


def upload(req):
    digit = recognise_digit(req.FILES["image"].read())
    return render(req, "digits/result.html", {"digit": digit})
""",
    "digits/recognition.py": """\
import numpy as np
from tensorflow import keras

_net = keras.models.load_model("weights/mnist.keras")


def recognise_digit(data):
    pixels = np.frombuffer(data, dtype=np.uint8).reshape(1, 28, 28)
    return int(_net.predict(pixels).argmax())
""",
}

# Near miss: Django views that only read predictions stored earlier.
DJANGO_STORED = {
    "reports/views.py": """\
from django.shortcuts import render

from reports.models import Forecast


def history(request):
    rows = Forecast.objects.order_by("-created")[:50]
    return render(request, "reports/history.html", {"rows": rows})
""",
}




# --- Socket.IO event handlers ------------------------------------------------------------------------

FLASK_SOCKETIO = {
    "app.py": """\
import pickle

from flask import Flask
from flask_socketio import SocketIO, emit

app = Flask(__name__)
socketio = SocketIO(app)
with open("model.pkl", "rb") as handle:
    forecaster = pickle.load(handle)


@socketio.on("forecast")
def handle_forecast(payload):
    emit("result", {"yhat": forecaster.predict(payload["rows"]).tolist()})


if __name__ == "__main__":
    socketio.run(app, host="0.0.0.0")
""",
}

# python-socketio on aiohttp, the handler registered with `@sio.event`, the model two modules away.
PYTHON_SOCKETIO = {
    "server/main.py": """\
import socketio
from aiohttp import web

from server.vision import detect_objects

sio = socketio.AsyncServer(async_mode="aiohttp")
app = web.Application()
sio.attach(app)


@sio.event
async def frame(sid, data):
    await sio.emit("boxes", detect_objects(data), to=sid)
""",
    "server/vision.py": """\
from ultralytics import YOLO

detector = YOLO("yolov8n.pt")


def detect_objects(image):
    return [box.xyxy.tolist() for box in detector(image)[0].boxes]
""",
}

# A class-based namespace: Socket.IO calls `on_<event>` per message.
SOCKETIO_NAMESPACE = {
    "chat/events.py": """\
from flask_socketio import Namespace, emit

from chat.bot import rag_chain


class Assistant(Namespace):
    def on_ask(self, data):
        emit("answer", rag_chain.invoke({"question": data["q"]}))
""",
}

# Near miss: a chat relay that broadcasts what users send, no model anywhere.
SOCKETIO_RELAY = {
    "app.py": """\
from flask import Flask
from flask_socketio import SocketIO, emit, join_room

app = Flask(__name__)
socketio = SocketIO(app)


@socketio.on("join")
def on_join(data):
    join_room(data["room"])


@socketio.on("message")
def relay(data):
    emit("message", data, to=data["room"])
""",
}




# --- Azure ML scoring scripts named by their deployment or finding the model the documented way ----------

AZURE_MODEL_DIR = {
    "src/deploy/main.py": """\
import json
import os

import joblib

model = None


def init():
    global model
    model = joblib.load(os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model/churn.pkl"))


def run(raw_data):
    rows = json.loads(raw_data)["data"]
    return model.predict(rows).tolist()
""",
}

AZURE_NAMED_BY_DEPLOYMENT = {
    "endpoints/blue.yml": """\
name: blue
endpoint_name: churn-endpoint
model: azureml:churn:3
code_configuration:
  code: ../inference
  scoring_script: entry.py
instance_type: Standard_DS3_v2
instance_count: 1
""",
    "inference/entry.py": """\
import pandas as pd
from azureml.core.model import Model
import mlflow.pyfunc

pipeline = None


def init():
    global pipeline
    pipeline = mlflow.pyfunc.load_model(Model.get_model_path("churn"))


def run(body):
    frame = pd.read_json(body, orient="split")
    return {"churn": pipeline.predict(frame).tolist()}
""",
}

# Near miss: a command-line module that happens to define init() and run() (set-up, then a batch of
# predictions printed for its author), named by nothing and not reading the platform's model folder.
AZURE_NEAR_MISS = {
    "cli/app.py": """\
import sys

import joblib

model = None


def init():
    global model
    model = joblib.load(sys.argv[1])


def run(rows):
    print(model.predict(rows))
""",
}




# --- SageMaker inference scripts: model_fn with the container's other handlers -----------------------

SAGEMAKER_IO_ONLY = {
    "code/inference.py": """\
import json
import os

import torch


def model_fn(model_dir):
    return torch.jit.load(os.path.join(model_dir, "model.pt")).eval()


def input_fn(body, content_type="application/json"):
    return torch.tensor(json.loads(body)["inputs"])


def output_fn(prediction, accept="application/json"):
    return json.dumps(prediction.tolist())
""",
}

SAGEMAKER_INPUT_ONLY = {
    "serving/handler.py": """\
import xgboost as xgb


def model_fn(model_dir, context=None):
    booster = xgb.Booster()
    booster.load_model(f"{model_dir}/xgboost-model")
    return booster


def input_fn(request_body, request_content_type):
    return xgb.DMatrix(request_body)
""",
}

# Near miss: a TensorFlow Estimator's model_fn and input_fn build the training graph.
TF_ESTIMATOR = {
    "trainer/task.py": """\
import tensorflow as tf


def input_fn(filenames, batch_size=32):
    return tf.data.TFRecordDataset(filenames).batch(batch_size)


def model_fn(features, labels, mode, params):
    logits = tf.compat.v1.layers.dense(features["x"], 10)
    loss = tf.compat.v1.losses.sparse_softmax_cross_entropy(labels, logits)
    return tf.estimator.EstimatorSpec(mode, loss=loss)
""",
}




# --- Vertex AI custom prediction routines ---------------------------------------------------------------

VERTEX_CPR = {
    "cpr/predictor.py": """\
import joblib
from google.cloud.aiplatform.prediction.predictor import Predictor
from google.cloud.aiplatform.utils import prediction_utils


class ChurnPredictor(Predictor):
    def load(self, artifacts_uri):
        prediction_utils.download_model_artifacts(artifacts_uri)
        self._model = joblib.load("model.joblib")

    def predict(self, instances):
        return {"predictions": self._model.predict(instances["instances"]).tolist()}
""",
}

VERTEX_CPR_ALIASED = {
    "serving/routine.py": """\
from google.cloud.aiplatform.prediction import predictor as cpr
from transformers import pipeline


class Summariser(cpr.Predictor):
    def load(self, artifacts_uri):
        self._pipe = pipeline("summarization", model=artifacts_uri)

    def predict(self, instances):
        return [self._pipe(text)[0]["summary_text"] for text in instances]
""",
}

# Near miss: the project's own base class that happens to be called Predictor.
OWN_PREDICTOR = {
    "lib/base.py": "class Predictor:\n    def predict(self, rows):\n        raise NotImplementedError\n",
    "lib/mean.py": """\
from lib.base import Predictor


class MeanPredictor(Predictor):
    def load(self, path):
        self.mean = 0.0

    def predict(self, rows):
        return [self.mean for _ in rows]
""",
}




# --- MLServer model settings ----------------------------------------------------------------------------

MLSERVER_SKLEARN = {
    "models/iris/model-settings.json": '{"name": "iris", "implementation": "mlserver_sklearn.SKLearnModel", '
    '"parameters": {"uri": "./model.joblib", "version": "v0.1.0"}}\n',
}

MLSERVER_XGBOOST = {
    "deploy/fraud/model-settings.json": """\
{
  "name": "fraud-xgb",
  "implementation": "mlserver_xgboost.XGBoostModel",
  "max_batch_size": 32,
  "parameters": {"uri": "./fraud.bst"}
}
""",
    "deploy/settings.json": '{"debug": false, "http_port": 8080}\n',
}

# Near miss: server settings only (no model named), and a model-settings file in an example folder.
MLSERVER_NEAR_MISS = {
    "settings.json": '{"debug": true}\n',
    "examples/iris/model-settings.json": '{"name": "iris", "implementation": "mlserver_sklearn.SKLearnModel"}\n',
}


# --- Model servers run by a Kubernetes workload ---------------------------------------------------------
# TF Serving, Triton, TorchServe and MLServer are run from their published images with the model's
# location as arguments; a Deployment running one serves, as a compose service or Dockerfile running it does.

K8S_TF_SERVING = {
    "k8s/serving.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: churn-serving
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: tfserving
          image: tensorflow/serving:2.14.0
          args: ["--model_name=churn", "--model_base_path=gs://acme-models/churn"]
          ports:
            - containerPort: 8501
""",
}

K8S_TRITON_HELM = {
    "charts/inference/templates/statefulset.yaml": """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ .Release.Name }}-triton
spec:
  template:
    spec:
      containers:
        - name: server
          image: "nvcr.io/nvidia/tritonserver:{{ .Values.tritonVersion }}-py3"
          command:
            - tritonserver
            - --model-repository=s3://acme/model-repository
""",
    "charts/inference/Chart.yaml": "apiVersion: v2\nname: inference\nversion: 0.1.0\n",
}

# Near miss: the Seldon operator's own Deployment (it runs no model), and a model server in an example folder.
K8S_NEAR_MISS = {
    "deploy/operator.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: seldon-controller-manager
spec:
  template:
    spec:
      containers:
        - name: manager
          image: seldonio/seldon-core-operator:1.17.1
""",
    "examples/tfserving/deployment.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: half-plus-two
spec:
  template:
    spec:
      containers:
        - name: serving
          image: tensorflow/serving
""",
}


# --- Azure ML managed deployments declared as YAML ----------------------------------------------------------
# `az ml online-deployment create -f blue.yml`: the CLI v2 deployment schema names the endpoint, the
# model and the compute; the platform answers the endpoint's requests with that model (MLflow models
# need no scoring script).

AZURE_ONLINE_DEPLOYMENT = {
    "azureml/deployment.yml": """\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: green
endpoint_name: taxi-fare
model: azureml:taxi-fare-model@latest
instance_type: Standard_F2s_v2
instance_count: 1
""",
}

AZURE_BATCH_DEPLOYMENT = {
    "infra/scoring/nightly.yaml": """\
$schema: https://azuremlschemas.azureedge.net/latest/modelBatchDeployment.schema.json
endpoint_name: claims-batch
name: nightly
type: model
model:
  path: ../../model
compute: azureml:cpu-cluster
settings:
  output_file_name: predictions.csv
""",
}

# Near miss: an endpoint definition alone (no deployment, no model), and a training job's YAML.
AZURE_YAML_NEAR_MISS = {
    "azureml/endpoint.yml": """\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json
name: taxi-fare
auth_mode: key
""",
    "azureml/train.yml": """\
$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json
command: python train.py
environment: azureml:sklearn-env@latest
compute: azureml:cpu-cluster
""",
}


# --- Lambda handlers declared by an AWS CDK app -------------------------------------------------------------
# `cdk.json` names the app; its `lambda.Function` constructs name each handler (`handler: "app.handler"`)
# and the asset folder holding it, as SAM and the Serverless Framework do.

CDK_TYPESCRIPT = {
    "infra/cdk.json": '{"app": "npx ts-node --prefer-ts-exts bin/infra.ts"}\n',
    "infra/lib/scoring-stack.ts": """\
import * as cdk from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

export class ScoringStack extends cdk.Stack {
  constructor(scope: cdk.App, id: string) {
    super(scope, id);
    new lambda.Function(this, 'Scorer', {
      runtime: lambda.Runtime.PYTHON_3_11,
      handler: 'score_review.lambda_entry',
      code: lambda.Code.fromAsset('../functions/reviews'),
    });
  }
}
""",
    "functions/reviews/score_review.py": """\
import json

import joblib

pipeline = joblib.load("sentiment.joblib")


def lambda_entry(evt, ctx):
    text = json.loads(evt["body"])["text"]
    return {"statusCode": 200, "body": json.dumps({"label": str(pipeline.predict([text])[0])})}
""",
}

CDK_PYTHON = {
    "cdk.json": '{"app": "python3 app.py"}\n',
    "app.py": """\
import aws_cdk as cdk
from aws_cdk import aws_lambda as _lambda


class ForecastStack(cdk.Stack):
    def __init__(self, scope, construct_id):
        super().__init__(scope, construct_id)
        _lambda.Function(
            self,
            "Forecast",
            runtime=_lambda.Runtime.PYTHON_3_12,
            handler="forecast.api.respond",
            code=_lambda.Code.from_asset("runtime"),
        )


app = cdk.App()
ForecastStack(app, "forecast")
app.synth()
""",
    "runtime/forecast/api.py": """\
import onnxruntime as ort

session = ort.InferenceSession("forecast.onnx")


def respond(request_event, runtime_context):
    rows = request_event["rows"]
    return {"forecast": session.run(None, {"x": rows})[0].tolist()}
""",
}

# Near miss: a CDK app whose Lambda only copies uploaded files (no model).
CDK_NEAR_MISS = {
    "cdk.json": '{"app": "python3 app.py"}\n',
    "app.py": """\
from aws_cdk import aws_lambda as _lambda


def build(stack):
    _lambda.Function(stack, "Copy", runtime=_lambda.Runtime.PYTHON_3_12, handler="copier.copy_upload",
                     code=_lambda.Code.from_asset("functions"))
""",
    "functions/copier.py": """\
import boto3

s3 = boto3.client("s3")


def copy_upload(evt, ctx):
    record = evt["Records"][0]["s3"]
    s3.copy_object(Bucket="archive", Key=record["object"]["key"], CopySource=record["bucket"]["name"])
""",
}

# --- Routes asking the team's managed endpoint -----------------------------------------------------------
# A managed endpoint answers through its platform's documented inference call: SageMaker Runtime
# `invoke_endpoint` (boto3), Azure ML `MLClient.online_endpoints.invoke`, Databricks
# `serving_endpoints.query`. A route that asks it per request serves its model, as a Lambda doing
# the same does (conventions §16.8: the model call may be remote).

ROUTE_INVOKES_SAGEMAKER = {
    "api/main.py": """\
import json

import boto3
from fastapi import FastAPI

app = FastAPI()
runtime = boto3.client("sagemaker-runtime")


@app.post("/churn")
def churn(customer: dict):
    response = runtime.invoke_endpoint(EndpointName="churn-prod", ContentType="application/json", Body=json.dumps(customer))
    return json.loads(response["Body"].read())
""",
}

ROUTE_INVOKES_AZURE_ML = {
    "web/views.py": """\
from flask import Blueprint, jsonify, request

from web.scoring import score_claim

bp = Blueprint("claims", __name__)


@bp.route("/claims/score", methods=["POST"])
def score():
    return jsonify(score_claim(request.json))
""",
    "web/scoring.py": """\
import json
import tempfile

from azure.ai.ml import MLClient
from azure.identity import DefaultAzureCredential

ml_client = MLClient.from_config(DefaultAzureCredential())


def score_claim(payload):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"input_data": payload}, handle)
    return json.loads(ml_client.online_endpoints.invoke(endpoint_name="claims", request_file=handle.name))
""",
}

# Near miss: an admin route that lists and describes endpoints (no prediction asked).
ROUTE_LISTS_ENDPOINTS = {
    "admin/app.py": """\
import boto3
from fastapi import FastAPI

app = FastAPI()
sagemaker = boto3.client("sagemaker")


@app.get("/endpoints")
def endpoints():
    names = [e["EndpointName"] for e in sagemaker.list_endpoints()["Endpoints"]]
    return {name: sagemaker.describe_endpoint(EndpointName=name)["EndpointStatus"] for name in names}
""",
}

# --- Routes asking a model server over its published inference protocol ------------------------------------
# TF Serving and KServe's v1 protocol (`POST /v1/models/<name>:predict`), the Open Inference Protocol of
# KServe v2, Triton and MLServer (`POST /v2/models/<name>/infer`), MLflow's scoring server and SageMaker's
# container contract (`POST /invocations` with `dataframe_split` / `dataframe_records` / `instances`),
# Databricks serving endpoints (`/serving-endpoints/<name>/invocations`) and Azure ML online endpoints
# (`https://<endpoint>.<region>.inference.ml.azure.com/score`, MLflow models taking `input_data`): a route
# that sends its request there answers with that model's output (conventions §16.8, §17.4).

ROUTE_ASKS_TF_SERVING = {
    "gateway/app.py": """\
from flask import Flask, jsonify, request

from gateway.client import churn_probability

app = Flask(__name__)


@app.post("/customers/churn")
def churn():
    return jsonify({"probability": churn_probability(request.json["features"])})
""",
    "gateway/client.py": """\
import os

import requests

SERVING = os.environ.get("TF_SERVING_HOST", "http://tf-serving:8501")


def churn_probability(features):
    reply = requests.post(f"{SERVING}/v1/models/churn:predict", json={"instances": [features]}, timeout=5)
    return reply.json()["predictions"][0][0]
""",
}

ROUTE_ASKS_AZURE_ML_BY_URL = {
    "service/api.py": """\
import json
import os
import urllib.request

from fastapi import FastAPI

app = FastAPI()


def _ask_endpoint(rows):
    body = json.dumps({"input_data": {"columns": ["text"], "index": [0], "data": rows}}).encode()
    headers = {"Content-Type": "application/json", "Authorization": "Bearer " + os.environ["ENDPOINT_KEY"]}
    req = urllib.request.Request(os.environ["ENDPOINT_URL"], body, headers)
    return json.loads(urllib.request.urlopen(req).read())


@app.post("/reviews/moderate")
async def moderate(review: dict):
    return {"decision": _ask_endpoint([review["text"]])}
""",
}

# Near miss: a route posting the request to a chat webhook and to the project's own store of results.
ROUTE_POSTS_ELSEWHERE = {
    "notify/app.py": """\
import requests
from fastapi import FastAPI

app = FastAPI()


@app.post("/feedback")
def feedback(item: dict):
    requests.post("https://hooks.slack.com/services/T000/B000/XXX", json={"text": item["comment"]}, timeout=5)
    requests.post("http://store:8000/api/records", json={"inputs": item}, timeout=5)
    return {"ok": True}
""",
}

# --- Azure Functions (Python v2 programming model) triggered per request or event ---------------------------
# `func.FunctionApp()` or a `func.Blueprint()` registered with `app.register_functions(bp)`: each function
# is bound to its trigger by a decorator (`route`, `queue_trigger`, `blob_trigger`, `event_hub_message_trigger`,
# `service_bus_queue_trigger` ...), whatever its parameter is called and in whichever module it is written.

AZURE_FUNCTION_BLUEPRINT = {
    "function_app.py": """\
import azure.functions as func

from scoring.claims import bp

app = func.FunctionApp()
app.register_functions(bp)
""",
    "scoring/claims.py": """\
import json

import azure.functions as func
import joblib

bp = func.Blueprint()
fraud_model = joblib.load("models/fraud.joblib")


@bp.queue_trigger(arg_name="msg", queue_name="claims", connection="AzureWebJobsStorage")
@bp.queue_output(arg_name="verdict", queue_name="verdicts", connection="AzureWebJobsStorage")
def score_claim(msg: func.QueueMessage, verdict: func.Out[str]) -> None:
    claim = json.loads(msg.get_body())
    verdict.set(json.dumps({"id": claim["id"], "fraud": float(fraud_model.predict_proba([claim["x"]])[0][1])}))
""",
}

AZURE_FUNCTION_BLOB = {
    "function_app.py": """\
import azure.functions as func
from ultralytics import YOLO

app = func.FunctionApp()
detector = YOLO("weights/best.pt")


@app.blob_trigger(arg_name="upload", path="uploads/{name}", connection="Storage")
@app.blob_output(arg_name="labels", path="labels/{name}.json", connection="Storage")
def label_upload(upload: func.InputStream, labels: func.Out[str]):
    result = detector(upload.read())[0]
    labels.set(result.tojson())
""",
}

# Near miss: a blob-triggered function that makes thumbnails (no model).
AZURE_FUNCTION_THUMBNAIL = {
    "function_app.py": """\
import io

import azure.functions as func
from PIL import Image

app = func.FunctionApp()


@app.blob_trigger(arg_name="upload", path="uploads/{name}", connection="Storage")
@app.blob_output(arg_name="thumb", path="thumbs/{name}", connection="Storage")
def thumbnail(upload: func.InputStream, thumb: func.Out[bytes]):
    image = Image.open(io.BytesIO(upload.read()))
    image.thumbnail((128, 128))
    out = io.BytesIO()
    image.save(out, format="PNG")
    thumb.set(out.getvalue())
""",
}

# --- Serverless model platforms: Modal web endpoints and Baseten Truss models ---------------------------------
# Modal turns a function into an HTTPS endpoint with `@modal.fastapi_endpoint` (formerly `web_endpoint`),
# on a function of the app (the model loaded in it or in a project module it calls).
# A Truss is a folder with `config.yaml` and `model/model.py`, whose `Model` class the Truss server
# calls: `load()` once, `predict(model_input)` per request (Baseten docs).

MODAL_FUNCTION = {
    "deploy/modal_app.py": """\
import modal

app = modal.App("sentiment")
image = modal.Image.debian_slim().pip_install("transformers", "torch")


@app.function(image=image, gpu="T4")
@modal.fastapi_endpoint(method="POST")
def classify(item: dict):
    from transformers import pipeline

    scorer = pipeline("sentiment-analysis", model="acme/reviews-distilbert")
    return scorer(item["text"])[0]
""",
}

MODAL_TWO_MODULES = {
    "serving.py": """\
import modal

from captioner.infer import caption_image

app = modal.App("captioner")


@app.function(gpu="A10G")
@modal.web_endpoint(method="POST")
def caption(request: dict):
    return {"caption": caption_image(request["image"])}
""",
    "captioner/infer.py": """\
import torch

_net = torch.jit.load("/weights/captioner.pt").eval()


def caption_image(pixels):
    with torch.no_grad():
        return _net(torch.tensor(pixels)).argmax(-1).tolist()
""",
}

# Near miss: a Modal endpoint that only reports the app's version.
MODAL_VERSION = {
    "modal_app.py": """\
import modal

app = modal.App("status")


@app.function()
@modal.fastapi_endpoint()
def version():
    return {"version": "1.4.2"}
""",
}

TRUSS_MODEL = {
    "truss/config.yaml": """\
model_name: churn-xgb
python_version: py311
requirements:
  - xgboost==2.0.3
resources:
  cpu: "1"
  memory: 2Gi
""",
    "truss/model/model.py": """\
import xgboost as xgb


class Model:
    def __init__(self, **kwargs):
        self._data_dir = kwargs["data_dir"]
        self._booster = None

    def load(self):
        self._booster = xgb.Booster()
        self._booster.load_model(f"{self._data_dir}/churn.json")

    def predict(self, model_input):
        return {"scores": self._booster.inplace_predict(model_input["rows"]).tolist()}
""",
}

TRUSS_LLM = {
    "serving/llama/config.yaml": """\
model_name: support-llama
model_metadata:
  example_model_input: {"prompt": "How do I reset my password?"}
resources:
  accelerator: A10G
  use_gpu: true
secrets:
  hf_access_token: null
""",
    "serving/llama/model/model.py": """\
from vllm import LLM, SamplingParams

SYSTEM = "You are Acme's support assistant. Answer from the help centre only."


class Model:
    def __init__(self, **kwargs):
        self.llm = None

    def load(self):
        self.llm = LLM(model="acme/support-llama-3-8b")

    def predict(self, request):
        prompt = f"{SYSTEM}\\n\\nUser: {request['prompt']}\\nAssistant:"
        return self.llm.generate([prompt], SamplingParams(max_tokens=256))[0].outputs[0].text
""",
}

# Near miss: a project's own `Model` class in model/model.py next to a config.yaml of training settings.
TRUSS_NEAR_MISS = {
    "config.yaml": "epochs: 10\nlearning_rate: 0.001\n",
    "model/model.py": """\
class Model:
    def load(self, path):
        self.weights = open(path).read()

    def predict(self, rows):
        return [0 for _ in rows]
""",
}

# --- the rules' paraphrases pass, their near misses do not -------------------------------------------

PARAPHRASES = {
    "django-view-one-module": DJANGO_ONE_MODULE,
    "django-view-two-modules": DJANGO_TWO_MODULES,
    "flask-socketio": FLASK_SOCKETIO,
    "python-socketio": PYTHON_SOCKETIO,
    "socketio-namespace": SOCKETIO_NAMESPACE,
    "azure-ml-model-dir": AZURE_MODEL_DIR,
    "azure-ml-named-by-deployment": AZURE_NAMED_BY_DEPLOYMENT,
    "sagemaker-input-output": SAGEMAKER_IO_ONLY,
    "sagemaker-input-only": SAGEMAKER_INPUT_ONLY,
    "vertex-cpr": VERTEX_CPR,
    "vertex-cpr-aliased": VERTEX_CPR_ALIASED,
    "mlserver-sklearn": MLSERVER_SKLEARN,
    "mlserver-xgboost": MLSERVER_XGBOOST,
    "k8s-tf-serving": K8S_TF_SERVING,
    "k8s-triton-helm": K8S_TRITON_HELM,
    "azure-online-deployment": AZURE_ONLINE_DEPLOYMENT,
    "azure-batch-deployment": AZURE_BATCH_DEPLOYMENT,
    "cdk-typescript": CDK_TYPESCRIPT,
    "cdk-python": CDK_PYTHON,
    "route-invokes-sagemaker": ROUTE_INVOKES_SAGEMAKER,
    "route-invokes-azure-ml": ROUTE_INVOKES_AZURE_ML,
    "route-asks-tf-serving": ROUTE_ASKS_TF_SERVING,
    "route-asks-azure-ml-by-url": ROUTE_ASKS_AZURE_ML_BY_URL,
    "azure-function-blueprint": AZURE_FUNCTION_BLUEPRINT,
    "azure-function-blob": AZURE_FUNCTION_BLOB,
    "modal-function": MODAL_FUNCTION,
    "modal-two-modules": MODAL_TWO_MODULES,
    "truss-model": TRUSS_MODEL,
    "truss-llm": TRUSS_LLM,
}
NEAR_MISSES = {
    "django-view-over-stored-rows": DJANGO_STORED,
    "socketio-relay": SOCKETIO_RELAY,
    "init-run-named-by-nothing": AZURE_NEAR_MISS,
    "estimator-model-fn": TF_ESTIMATOR,
    "own-predictor-base": OWN_PREDICTOR,
    "mlserver-no-served-model": MLSERVER_NEAR_MISS,
    "k8s-operator-and-example": K8S_NEAR_MISS,
    "azure-endpoint-and-job": AZURE_YAML_NEAR_MISS,
    "cdk-copy-function": CDK_NEAR_MISS,
    "route-lists-endpoints": ROUTE_LISTS_ENDPOINTS,
    "route-posts-elsewhere": ROUTE_POSTS_ELSEWHERE,
    "azure-function-thumbnail": AZURE_FUNCTION_THUMBNAIL,
    "modal-version": MODAL_VERSION,
    "truss-training-config": TRUSS_NEAR_MISS,
}


@pytest.mark.parametrize("name", sorted(PARAPHRASES))
def test_paraphrase_serves(tmp_path: Path, name: str) -> None:
    assert _serves(tmp_path, PARAPHRASES[name]) is PASS


@pytest.mark.parametrize("name", sorted(NEAR_MISSES))
def test_near_miss_does_not_serve(tmp_path: Path, name: str) -> None:
    assert _serves(tmp_path, NEAR_MISSES[name]) is FAIL
