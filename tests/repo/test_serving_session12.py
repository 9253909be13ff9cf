"""Session 12's serving rules (issue #12, from domain knowledge of how teams serve models): request
handlers registered without a route decorator (Django/DRF views, Flask-RESTful resources, Tornado
handlers, Falcon responders, gRPC servicers), model classes written to a serving platform's contract
(TorchServe handlers, MLServer runtimes, Cog predictors), and Kubernetes resources of model-serving
operators (KServe, Seldon). Each rule with the practice it recognises and the near miss it must not."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, FAIL = FindingOutcome.pass_, FindingOutcome.fail

# --- rule `request handler without a route decorator` ---------------------------------------------

DRF_VIEW = """\
import joblib
from rest_framework.views import APIView
from rest_framework.response import Response

model = joblib.load("models/churn.joblib")


class ChurnPrediction(APIView):
    def post(self, request):
        row = [request.data[name] for name in ("tenure", "charges")]
        return Response({"churn": float(model.predict_proba([row])[0][1])})
"""

DRF_VIEW_WITHOUT_MODEL = """\
from rest_framework.views import APIView
from rest_framework.response import Response
from .models import Customer


class CustomerList(APIView):
    def get(self, request):
        return Response([c.name for c in Customer.objects.all()])
"""


def test_a_django_rest_framework_view_calling_the_model_serves_it(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"api/views.py": DRF_VIEW}), "serves_model")
    assert outcome is PASS and "ChurnPrediction.post" in message


def test_a_django_view_that_only_reads_the_database_serves_no_model(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"api/views.py": DRF_VIEW_WITHOUT_MODEL}), "serves_model")[0] is FAIL


def test_a_drf_function_view_decorated_with_api_view_is_a_handler(tmp_path: Path) -> None:
    view = (
        "from rest_framework.decorators import api_view\nfrom rest_framework.response import Response\nfrom .ml import classifier\n\n\n"
        "@api_view(['POST'])\ndef classify(request):\n    return Response({'label': classifier.predict([request.data['text']])[0]})\n"
    )
    assert _outcome(_tree(tmp_path, {"app/views.py": view}), "serves_model")[0] is PASS


TORNADO = """\
import pickle
import tornado.web


class ScoreHandler(tornado.web.RequestHandler):
    def initialize(self):
        with open("model.pkl", "rb") as f:
            self.model = pickle.load(f)

    def post(self):
        features = tornado.escape.json_decode(self.request.body)["features"]
        self.write({"score": float(self.model.predict([features])[0])})
"""


def test_a_tornado_request_handler_calling_the_model_serves_it(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"server.py": TORNADO}), "serves_model")[0] is PASS


def test_a_resource_class_of_another_library_is_not_a_web_handler(tmp_path: Path) -> None:
    # boto3/Pulumi "Resource" classes: the base is trusted only when the file imports a web framework's resource
    text = "import joblib\nfrom pulumi import Resource\n\n\nclass Store(Resource):\n    def get(self):\n        return joblib.load('m.joblib').predict([[1]])\n"
    assert _outcome(_tree(tmp_path, {"infra/store.py": text}), "serves_model")[0] is FAIL


GRPC_SERVICER = """\
import grpc
from concurrent import futures
from protos import scoring_pb2, scoring_pb2_grpc
from model import load_model

MODEL = load_model("artifacts/model.onnx")


class ScoringServicer(scoring_pb2_grpc.ScoringServicer):
    def Score(self, request, context):
        return scoring_pb2.ScoreReply(value=MODEL.predict([list(request.features)])[0])


def serve():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    scoring_pb2_grpc.add_ScoringServicer_to_server(ScoringServicer(), server)
    server.start()
"""


def test_a_grpc_servicer_calling_the_model_serves_it(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"service/server.py": GRPC_SERVICER}), "serves_model")
    assert outcome is PASS and "ScoringServicer.Score" in message


def test_a_grpc_servicer_that_only_stores_records_serves_no_model(tmp_path: Path) -> None:
    text = (
        "import grpc\nfrom protos import store_pb2_grpc\n\n\nclass StoreServicer(store_pb2_grpc.StoreServicer):\n"
        "    def Put(self, request, context):\n        self.db.insert(request.key, request.value)\n"
    )
    assert _outcome(_tree(tmp_path, {"service/server.py": text}), "serves_model")[0] is FAIL


def test_a_view_written_in_a_notebook_is_a_demo(tmp_path: Path) -> None:
    import json

    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": DRF_VIEW.splitlines(keepends=True)}
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    assert _outcome(_tree(tmp_path, {"demo.ipynb": json.dumps(notebook)}), "serves_model")[0] is FAIL


# --- rule `model class written to a serving platform's contract` ----------------------------------

def test_a_torchserve_handler_deriving_from_a_stock_handler_serves(tmp_path: Path) -> None:
    text = (
        "from ts.torch_handler.image_classifier import ImageClassifier\n\n\nclass DefectClassifier(ImageClassifier):\n"
        "    def postprocess(self, data):\n        return [{'defect': bool(row.argmax())} for row in data]\n"
    )
    assert _outcome(_tree(tmp_path, {"serve/handler.py": text}), "serves_model")[0] is PASS


def test_a_cog_predictor_serves_and_a_project_class_named_alike_does_not(tmp_path: Path) -> None:
    cog = "from cog import BasePredictor, Input\n\n\nclass Predictor(BasePredictor):\n    def predict(self, text: str = Input()) -> str:\n        return self.model(text)\n"
    assert _outcome(_tree(tmp_path / "cog", {"predict.py": cog}), "serves_model")[0] is PASS
    own = (
        "from forecast.base import BasePredictor\n\n\nclass Lstm(BasePredictor):\n    def predict(self, frame):\n        return self.net(frame)\n"
    )
    assert _outcome(_tree(tmp_path / "own", {"forecast/lstm.py": own, "forecast/base.py": "class BasePredictor:\n    pass\n"}), "serves_model")[0] is FAIL


def test_an_mlserver_custom_runtime_serves(tmp_path: Path) -> None:
    text = "from mlserver import MLModel\n\n\nclass Scorer(MLModel):\n    async def predict(self, payload):\n        return self._model.predict(payload)\n"
    assert _outcome(_tree(tmp_path, {"runtime/scorer.py": text}), "serves_model")[0] is PASS


# --- rule `model server resource` -----------------------------------------------------------------

INFERENCE_SERVICE = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: fraud-model
spec:
  predictor:
    model:
      modelFormat:
        name: sklearn
      storageUri: gs://acme-models/fraud/v3
"""


def test_a_kserve_inference_service_naming_a_model_serves_it(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"k8s/inference.yaml": INFERENCE_SERVICE}), "serves_model")
    assert outcome is PASS and "model server" in message


def test_a_seldon_deployment_naming_its_model_uri_serves_it(tmp_path: Path) -> None:
    text = (
        "apiVersion: machinelearning.seldon.io/v1\nkind: SeldonDeployment\nmetadata:\n  name: churn\nspec:\n  predictors:\n"
        "  - name: default\n    graph:\n      name: classifier\n      implementation: SKLEARN_SERVER\n      modelUri: s3://models/churn\n"
    )
    assert _outcome(_tree(tmp_path, {"deploy/seldon.yaml": text}), "serves_model")[0] is PASS


def test_an_inference_service_in_an_examples_folder_or_naming_no_model_serves_nothing(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path / "ex", {"examples/kserve/inference.yaml": INFERENCE_SERVICE}), "serves_model")[0] is FAIL
    hollow = "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: x\nspec:\n  predictor:\n    minReplicas: 1\n"
    assert _outcome(_tree(tmp_path / "hollow", {"k8s/inference.yaml": hollow}), "serves_model")[0] is FAIL


def test_a_kubernetes_model_of_another_api_group_is_no_model_server(tmp_path: Path) -> None:
    text = "apiVersion: acme.io/v1\nkind: Model\nmetadata:\n  name: x\nspec:\n  image: acme/model:1\n"
    assert _outcome(_tree(tmp_path, {"k8s/model.yaml": text}), "serves_model")[0] is FAIL


# --- rule `managed endpoint created by code` (catalogue `managed_online_endpoints`) ------------------

VERTEX_DEPLOY = """\
from google.cloud import aiplatform


def deploy(artifact_uri: str) -> None:
    model = aiplatform.Model.upload(display_name="demand", artifact_uri=artifact_uri, serving_container_image_uri="us-docker.pkg.dev/x/y")
    model.deploy(machine_type="n1-standard-4", min_replica_count=1, max_replica_count=3)
"""


def test_a_vertex_model_deployed_to_machines_by_the_projects_code_is_served(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"pipeline/deploy.py": VERTEX_DEPLOY}), "serves_model")
    assert outcome is PASS and "managed online endpoint" in message


def test_an_azure_ml_online_deployment_of_a_model_is_served(tmp_path: Path) -> None:
    text = (
        "from azure.ai.ml import MLClient\nfrom azure.ai.ml.entities import ManagedOnlineDeployment\n\n\n"
        "def deploy(client: MLClient, model):\n    blue = ManagedOnlineDeployment(name='blue', endpoint_name='churn', model=model, instance_type='Standard_DS3_v2', instance_count=1)\n"
        "    client.online_deployments.begin_create_or_update(blue).result()\n"
    )
    assert _outcome(_tree(tmp_path, {"deploy/online.py": text}), "serves_model")[0] is PASS


def test_an_endpoint_deployed_from_a_notebook_or_an_example_is_a_demo(tmp_path: Path) -> None:
    import json

    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": VERTEX_DEPLOY.splitlines(keepends=True)}
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    assert _outcome(_tree(tmp_path / "nb", {"notebooks/deploy.ipynb": json.dumps(notebook)}), "serves_model")[0] is FAIL
    assert _outcome(_tree(tmp_path / "ex", {"examples/vertex/deploy.py": VERTEX_DEPLOY}), "serves_model")[0] is FAIL


def test_a_workflow_deployment_without_instances_is_no_endpoint(tmp_path: Path) -> None:
    text = "import sagemaker\nfrom prefect import flow\n\n\n@flow\ndef train():\n    pass\n\n\ntrain.deploy(name='nightly', work_pool_name='ecs', image='acme/train:1')\n"
    assert _outcome(_tree(tmp_path, {"flows/train.py": text}), "serves_model")[0] is FAIL


# --- batch scoring: predictions written to a bucket through a remote filesystem layer ----------------

SCORE_JOB = """\
import os

import fsspec
import joblib
import pandas as pd


def main():
    model = joblib.load("models/model.joblib")
    frame = pd.read_parquet(os.environ["FEATURES_URL"])
    frame["score"] = model.predict(frame)
    out_dir = os.environ["PREDICTION_SAVE_DIRECTORY"]
    fsspec.open(out_dir).fs.makedirs(out_dir, exist_ok=True)
    frame.to_parquet(f"{out_dir}/latest.parquet")


if __name__ == "__main__":
    main()
"""


def test_a_scoring_job_writing_predictions_through_fsspec_is_batch_serving(tmp_path: Path) -> None:
    files = {"jobs/score.py": SCORE_JOB, "Dockerfile": 'FROM python:3.12\nCOPY . /app\nCMD ["python", "-m", "jobs.score"]\n'}
    outcome, message = _outcome(_tree(tmp_path, files), "serves_model")
    assert outcome is PASS and "batch scoring" in message


def test_the_same_job_writing_a_local_file_without_a_remote_filesystem_is_not(tmp_path: Path) -> None:
    local = SCORE_JOB.replace("import fsspec\n", "").replace("    fsspec.open(out_dir).fs.makedirs(out_dir, exist_ok=True)\n", "")
    files = {"jobs/score.py": local, "Dockerfile": 'FROM python:3.12\nCOPY . /app\nCMD ["python", "-m", "jobs.score"]\n'}
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is FAIL


# --- rule `route calls an injected service` (conventions §13: an LLM/RAG application's chain) ---------

INJECTED_ROUTE = """\
from typing import Annotated

from fastapi import APIRouter, Depends

from app.deps import get_chat_workflow
from app.workflow.chat import ChatWorkflow

router = APIRouter()
ChatWorkflowDep = Annotated[ChatWorkflow, Depends(get_chat_workflow)]


@router.post("/ask")
async def ask(question: str, workflow: ChatWorkflowDep):
    return await workflow.handle_query(question)
"""

CHAT_WORKFLOW = """\
class ChatWorkflow:
    def __init__(self, llm_service, retriever):
        self.llm_service = llm_service
        self.retriever = retriever

    async def handle_query(self, question):
        context = await self._context(question)
        return await self.llm_service.generate(question, context)

    async def _context(self, question):
        return await self.retriever.search(question)
"""


def test_a_route_calling_an_injected_workflow_that_asks_the_llm_serves_the_chain(tmp_path: Path) -> None:
    files = {"app/routers/chat.py": INJECTED_ROUTE, "app/workflow/chat.py": CHAT_WORKFLOW, "app/workflow/__init__.py": ""}
    outcome, message = _outcome(_tree(tmp_path, files), "serves_model")
    assert outcome is PASS and "service" in message


def test_an_injected_service_found_through_a_package_that_re_exports_it(tmp_path: Path) -> None:
    route = INJECTED_ROUTE.replace("from app.workflow.chat import ChatWorkflow", "from app.workflow import ChatWorkflow")
    files = {"app/routers/chat.py": route, "app/workflow/chat.py": CHAT_WORKFLOW, "app/workflow/__init__.py": "from .chat import ChatWorkflow\n"}
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is PASS


def test_an_injected_service_that_only_reads_the_database_serves_no_model(tmp_path: Path) -> None:
    history = "class ChatWorkflow:\n    async def handle_query(self, question):\n        return await self.session_repo.list_sessions(question)\n"
    files = {"app/routers/chat.py": INJECTED_ROUTE, "app/workflow/chat.py": history, "app/workflow/__init__.py": ""}
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is FAIL
