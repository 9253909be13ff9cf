"""Session 15 (bind22): rules judge the value a name is bound to, the way Python resolves it, not
the spelling of the name.

- import resolution: a folder the file puts on `sys.path` (`sys.path.insert(0, ...)` of a literal,
  `os.path.join(os.path.dirname(__file__), ...)` or `Path(__file__).parent / ...`) is searched for the
  modules it imports, function-local imports included;
- start-up bindings: what a web app keeps in shared state (`app.state.X`), a module global another
  module's route reads (`boot.SCORER`), an attribute a service class sets in `__init__`, is judged by
  the value start-up assigns (a loader's result, a project object built from one, a generation
  client), not by the key's or class's name;
- one hop into project helpers: a prediction-path file that calls a project function which predicts
  is on the prediction path;
- a package, not a file, is the unit of a conjunction: a Prefect/Flyte flow whose tasks live in a
  module it imports; a feature definition imported by one module of the serving package and the
  prediction made in another.

Each rule has at least two pass fixtures written differently from each other (other identifiers,
other frameworks, code split across modules) and a near miss.
"""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, FAIL = FindingOutcome.pass_, FindingOutcome.fail

# --- defines_features: the definition is imported through a folder the service puts on sys.path ---

FEATURE_LIB = """\
import pandas as pd


def make_features(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["hour"] = pd.to_datetime(frame["ts"]).dt.hour
    return frame
"""
LIB_TRAINER = """\
import joblib
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor

from feature_engineering import make_features


def run():
    frame = make_features(pd.read_csv("data/history.csv"))
    joblib.dump(GradientBoostingRegressor().fit(frame[["hour"]], frame["y"]), "artifacts/gbr.joblib")
"""
SYSPATH_SERVICE = """\
import os
import sys

import joblib
from flask import Flask, jsonify, request

sys.path.append(os.path.join(os.path.dirname(__file__), "..", "lib"))

app = Flask(__name__)
MODEL = joblib.load("artifacts/gbr.joblib")


@app.route("/estimate", methods=["POST"])
def estimate():
    from feature_engineering import make_features
    import pandas as pd

    frame = make_features(pd.DataFrame(request.json))
    return jsonify(MODEL.predict(frame[["hour"]]).tolist())
"""


def test_a_feature_module_found_through_the_services_sys_path_folder_is_shared_with_training(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"lib/feature_engineering.py": FEATURE_LIB, "lib/train.py": LIB_TRAINER, "service/app.py": SYSPATH_SERVICE})
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "lib/feature_engineering.py" in message


SYSPATH_PATHLIB_SCORER = """\
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import joblib
import pandas as pd
from featurestore_local import add_calendar_columns


def score_file(path):
    model = joblib.load(ROOT / "models" / "clf.pkl")
    frame = add_calendar_columns(pd.read_parquet(path))
    frame["p"] = model.predict_proba(frame)[:, 1]
    frame.to_parquet("out/scores.parquet")
"""
SRC_FEATURES = "def add_calendar_columns(frame):\n    frame['dow'] = frame['day'] % 7\n    return frame\n"
SRC_TRAIN = """\
import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression

from featurestore_local import add_calendar_columns

frame = add_calendar_columns(pd.read_parquet("data/train.parquet"))
joblib.dump(LogisticRegression().fit(frame[["dow"]], frame["y"]), "models/clf.pkl")
"""


def test_a_pathlib_sys_path_insert_resolves_the_batch_scorers_import_of_the_feature_module(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "src/featurestore_local.py": SRC_FEATURES, "src/train_clf.py": SRC_TRAIN, "jobs/batch_score.py": SYSPATH_PATHLIB_SCORER,
    })
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "src/featurestore_local.py" in message


def test_a_sys_path_folder_whose_feature_module_training_does_not_use_shares_nothing(tmp_path: Path) -> None:
    trainer = LIB_TRAINER.replace("from feature_engineering import make_features\n", "").replace("make_features(pd.read_csv", "(pd.read_csv")
    root = _tree(tmp_path, {"lib/feature_engineering.py": FEATURE_LIB, "lib/train.py": trainer, "service/app.py": SYSPATH_SERVICE})
    outcome, _ = _outcome(root, "defines_features")
    assert outcome is FAIL


# --- defines_features: the prediction path reached one hop into a project helper --------------

DECIDE_MODULE = """\
import joblib

_MODEL = joblib.load("models/churn.joblib")


def decide(frame, threshold=0.4):
    proba = _MODEL.predict_proba(frame)[:, 1]
    return ["retain" if p > threshold else "ignore" for p in proba]
"""
HELPER_APP = """\
import pandas as pd
from fastapi import FastAPI

from churn.features import build_feature_frame
from churn.policy import decide

app = FastAPI()


@app.post("/customers/decision")
def decision(rows: list[dict]):
    return {"actions": decide(build_feature_frame(pd.DataFrame(rows)))}
"""
CHURN_FEATURES = "def build_feature_frame(frame):\n    frame['tenure_years'] = frame['tenure'] / 12\n    return frame\n"
CHURN_TRAIN = """\
import joblib
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

from churn.features import build_feature_frame


def main():
    frame = build_feature_frame(pd.read_csv("data/churn.csv"))
    joblib.dump(RandomForestClassifier().fit(frame[["tenure_years"]], frame["churned"]), "models/churn.joblib")
"""


def test_a_service_whose_project_helper_predicts_is_on_the_prediction_path(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "churn/__init__.py": "", "churn/features.py": CHURN_FEATURES, "churn/policy.py": DECIDE_MODULE,
        "churn/train.py": CHURN_TRAIN, "api/app.py": HELPER_APP,
    })
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "churn/features.py" in message


RELATIVE_HELPER_WORKER = """\
from .text_features import featurize
from .runner import run_model


def handle(event, context):
    return {"label": run_model(featurize(event["text"]))}
"""
RUNNER = """\
import pickle

with open("model.pkl", "rb") as fh:
    clf = pickle.load(fh)


def run_model(vector):
    return clf.predict([vector])[0]
"""
FEATURIZER = "def featurize(text):\n    return [len(text), text.count(' ')]\n"
TRAIN_TEXT = """\
import pickle

from sklearn.svm import SVC

from inference_lambda.text_features import featurize


def train(texts, labels):
    clf = SVC().fit([featurize(t) for t in texts], labels)
    pickle.dump(clf, open("model.pkl", "wb"))
"""


def test_a_lambda_handler_whose_relative_helper_predicts_shares_the_featurizer_with_training(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "inference_lambda/__init__.py": "", "inference_lambda/handler.py": RELATIVE_HELPER_WORKER,
        "inference_lambda/runner.py": RUNNER, "inference_lambda/text_features.py": FEATURIZER, "training/train_svc.py": TRAIN_TEXT,
    })
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "text_features" in message


def test_a_service_helper_that_only_stores_rows_does_not_make_the_service_predict(tmp_path: Path) -> None:
    store = "import sqlite3\n\n\ndef decide(frame, threshold=0.4):\n    sqlite3.connect('x.db').execute('insert ...')\n    return []\n"
    root = _tree(tmp_path, {
        "churn/__init__.py": "", "churn/features.py": CHURN_FEATURES, "churn/policy.py": store,
        "churn/train.py": CHURN_TRAIN, "api/app.py": HELPER_APP,
    })
    outcome, _ = _outcome(root, "defines_features")
    assert outcome is FAIL


# --- defines_features: definition imported by one module of the serving package, prediction in another

PACKAGE_MAIN = """\
from contextlib import asynccontextmanager

import joblib
from fastapi import FastAPI

from riskcore.feature_builder import FeatureBuilder
from serving.routes import assess


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.features = FeatureBuilder()
    app.state.scorer = joblib.load("models/pd.joblib")
    yield


app = FastAPI(lifespan=lifespan)
app.include_router(assess.router)
"""
PACKAGE_ROUTE = """\
from fastapi import APIRouter, Request

router = APIRouter()


@router.post("/assess")
async def assess_applicant(payload: dict, req: Request):
    frame = req.app.state.features.compute_one(payload)
    return {"pd": float(req.app.state.scorer.predict_proba(frame)[0, 1])}
"""
FEATURE_BUILDER = "class FeatureBuilder:\n    def compute_one(self, row):\n        return [[row['income'] / max(row['debt'], 1)]]\n"
RISK_TRAIN = """\
import joblib
from sklearn.linear_model import LogisticRegression

from riskcore.feature_builder import FeatureBuilder


def fit(rows, y):
    X = [FeatureBuilder().compute_one(r)[0] for r in rows]
    joblib.dump(LogisticRegression().fit(X, y), "models/pd.joblib")
"""


def test_a_definition_imported_by_the_app_module_and_predicted_with_in_its_route_module_is_shared(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "riskcore/__init__.py": "", "riskcore/feature_builder.py": FEATURE_BUILDER, "riskcore/training.py": RISK_TRAIN,
        "serving/__init__.py": "", "serving/api.py": PACKAGE_MAIN, "serving/routes/__init__.py": "", "serving/routes/assess.py": PACKAGE_ROUTE,
    })
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "feature_builder" in message


def test_a_definition_imported_by_a_module_outside_the_serving_package_is_not_the_services(tmp_path: Path) -> None:
    report = "from riskcore.feature_builder import FeatureBuilder\n\nprint(FeatureBuilder().compute_one({'income': 1, 'debt': 1}))\n"
    main = PACKAGE_MAIN.replace("from riskcore.feature_builder import FeatureBuilder\n", "").replace("FeatureBuilder()", "object()")
    root = _tree(tmp_path, {
        "riskcore/__init__.py": "", "riskcore/feature_builder.py": FEATURE_BUILDER, "riskcore/training.py": RISK_TRAIN,
        "serving/__init__.py": "", "serving/api.py": main, "serving/routes/__init__.py": "", "serving/routes/assess.py": PACKAGE_ROUTE,
        "reports/api_report.py": report,
    })
    outcome, _ = _outcome(root, "defines_features")
    assert outcome is FAIL


# --- serves_model: a value start-up binds in shared state, judged by the value, not the key ------

STATE_MAIN = """\
from contextlib import asynccontextmanager

import joblib
from fastapi import FastAPI

from ranking.engine import RankingEngine
from web.routes import ranking


@asynccontextmanager
async def lifespan(app: FastAPI):
    booster = joblib.load("artifacts/ranker.joblib")
    app.state.ranker = RankingEngine(booster, top_k=20)
    yield


app = FastAPI(lifespan=lifespan)
app.include_router(ranking.router)
"""
STATE_ROUTE = """\
from fastapi import APIRouter, Request

router = APIRouter()


@router.post("/rank")
async def rank(items: list[dict], request: Request):
    return {"order": request.app.state.ranker.order(items)}
"""
ENGINE = "class RankingEngine:\n    def __init__(self, booster, top_k=10):\n        self.booster, self.top_k = booster, top_k\n\n    def order(self, items):\n        return sorted(items, key=self.booster.score)[: self.top_k]\n"


def test_a_route_calling_what_start_up_put_in_app_state_built_from_a_loaded_model_serves(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "web/__init__.py": "", "web/main.py": STATE_MAIN, "web/routes/__init__.py": "", "web/routes/ranking.py": STATE_ROUTE,
        "ranking/__init__.py": "", "ranking/engine.py": ENGINE,
    })
    outcome, _ = _outcome(root, "serves_model")
    assert outcome is PASS


STARLETTE_STATE = """\
import cloudpickle
from starlette.applications import Starlette
from starlette.responses import JSONResponse

app = Starlette()


@app.on_event("startup")
def boot():
    with open("tagger.pkl", "rb") as fh:
        app.state.tagger = cloudpickle.load(fh)


@app.route("/tag", methods=["POST"])
async def tag(request):
    body = await request.json()
    return JSONResponse({"tags": request.app.state.tagger.tag_text(body["text"])})
"""


def test_a_starlette_app_whose_start_up_hook_binds_an_unpickled_object_in_state_serves(tmp_path: Path) -> None:
    outcome, _ = _outcome(_tree(tmp_path, {"svc/server.py": STARLETTE_STATE}), "serves_model")
    assert outcome is PASS


def test_a_route_calling_a_database_session_kept_in_app_state_does_not_serve(tmp_path: Path) -> None:
    main = STATE_MAIN.replace('    booster = joblib.load("artifacts/ranker.joblib")\n', "").replace(
        "RankingEngine(booster, top_k=20)", "RankingEngine(sessionmaker(), top_k=20)"
    ).replace("import joblib\n", "from sqlalchemy.orm import sessionmaker\n")
    engine = ENGINE.replace("sorted(items, key=self.booster.score)", "self.booster().query(items)")
    root = _tree(tmp_path, {
        "web/__init__.py": "", "web/main.py": main, "web/routes/__init__.py": "", "web/routes/ranking.py": STATE_ROUTE,
        "ranking/__init__.py": "", "ranking/engine.py": engine,
    })
    outcome, _ = _outcome(root, "serves_model")
    assert outcome is FAIL


# --- serves_model: a module global another module's start-up hook binds ---------------------------

BOOT = """\
import pickle

from scoring.wrapper import Wrapper

SCORER = None


def init_app(app):
    global SCORER
    with open("model.pkl", "rb") as fh:
        SCORER = Wrapper(model=pickle.load(fh))
"""
VIEWS = """\
from flask import Blueprint, jsonify, request

from service import boot

bp = Blueprint("score", __name__)


@bp.route("/score", methods=["POST"])
def score():
    return jsonify(boot.SCORER.evaluate(request.json))
"""
WRAPPER = "class Wrapper:\n    def __init__(self, model):\n        self.inner = model\n\n    def evaluate(self, row):\n        return self.inner.decision_function([row]).tolist()\n"


def test_a_flask_view_calling_a_global_another_modules_hook_binds_to_a_wrapped_model_serves(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "service/__init__.py": "", "service/boot.py": BOOT, "service/views.py": VIEWS, "scoring/__init__.py": "", "scoring/wrapper.py": WRAPPER,
    })
    outcome, _ = _outcome(root, "serves_model")
    assert outcome is PASS


def test_a_view_calling_a_global_bound_to_a_mail_client_does_not_serve(tmp_path: Path) -> None:
    boot = BOOT.replace("import pickle\n", "import smtplib\n").replace(
        '    with open("model.pkl", "rb") as fh:\n        SCORER = Wrapper(model=pickle.load(fh))\n', '    SCORER = Wrapper(model=smtplib.SMTP("localhost"))\n'
    )
    root = _tree(tmp_path, {
        "service/__init__.py": "", "service/boot.py": boot, "service/views.py": VIEWS, "scoring/__init__.py": "", "scoring/wrapper.py": WRAPPER,
    })
    outcome, _ = _outcome(root, "serves_model")
    assert outcome is FAIL


# --- serves_model: a service object whose __init__ binds a generation client -----------------------

ORCHESTRATOR = """\
import os

from anthropic import Anthropic

from planner import Planner


class AnswerPipeline:
    def __init__(self):
        self.client = Anthropic(api_key=os.environ["KEY"])
        self.planner = Planner(self.client)
        self.history = []

    def answer(self, question):
        plan = self.planner.make_plan(question)
        self.history.append(plan)
        return plan
"""
PLANNER = "class Planner:\n    def __init__(self, client):\n        self.client = client\n\n    def make_plan(self, q):\n        return self.client.messages.create(model='m', messages=[{'role': 'user', 'content': q}])\n"
ORCH_APP = """\
import os
import sys

from fastapi import FastAPI

sys.path.append(os.path.join(os.path.dirname(__file__), "..", "engine"))
from orchestrator import AnswerPipeline

app = FastAPI()
pipeline = AnswerPipeline()


@app.post("/ask")
def ask(question: str):
    return {"answer": pipeline.answer(question)}
"""


def test_a_route_calling_a_module_level_service_whose_init_binds_a_generation_client_serves(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"engine/orchestrator.py": ORCHESTRATOR, "engine/planner.py": PLANNER, "backend/main.py": ORCH_APP})
    outcome, _ = _outcome(root, "serves_model")
    assert outcome is PASS


TORCH_SERVICE = """\
import torch


class MaskService:
    def __init__(self, path):
        self.net = torch.jit.load(path)
        self.calls = 0

    def masks(self, image):
        self.calls += 1
        return self.net(image)
"""
GRPC_FREE_APP = """\
from aiohttp import web

from vision.masks import MaskService

service = MaskService("weights/seg.pt")
routes = web.RouteTableDef()


@routes.post("/segment")
async def segment(request):
    body = await request.read()
    return web.json_response({"masks": service.masks(body).tolist()})
"""


def test_an_aiohttp_route_calling_a_service_whose_init_loads_torchscript_serves(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"vision/__init__.py": "", "vision/masks.py": TORCH_SERVICE, "api/server.py": GRPC_FREE_APP})
    outcome, _ = _outcome(root, "serves_model")
    assert outcome is PASS


def test_a_route_calling_a_service_whose_init_opens_only_a_database_does_not_serve(tmp_path: Path) -> None:
    service = TORCH_SERVICE.replace("import torch\n", "import sqlite3\n").replace("torch.jit.load(path)", "sqlite3.connect(path)").replace(
        "MaskService", "Archive"
    ).replace("self.net(image)", "self.net.execute('select 1')")
    app = GRPC_FREE_APP.replace("MaskService", "Archive").replace("vision.masks", "vision.archive")
    root = _tree(tmp_path, {"vision/__init__.py": "", "vision/archive.py": service, "api/server.py": app})
    outcome, _ = _outcome(root, "serves_model")
    assert outcome is FAIL


# --- orchestrates_pipeline: a flow whose tasks live in a module it imports --------------------------

PREFECT_TASKS = """\
from prefect import task


@task(retries=2)
def pull_readings():
    return []


@task
def fit_forecaster(rows):
    return len(rows)
"""
PREFECT_FLOW = """\
from prefect import flow

from pipeline.tasks import fit_forecaster, pull_readings


@flow(name="daily-forecast")
def daily():
    fit_forecaster(pull_readings())
"""


def test_a_prefect_flow_calling_tasks_defined_in_a_module_it_imports_is_a_pipeline(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"pipeline/__init__.py": "", "pipeline/tasks.py": PREFECT_TASKS, "pipeline/flows.py": PREFECT_FLOW})
    outcome, _ = _outcome(root, "orchestrates_pipeline")
    assert outcome is PASS


FLYTE_STEPS = "import flytekit\n\n\n@flytekit.task\ndef clean(n: int) -> int:\n    return n\n\n\n@flytekit.task\ndef train(n: int) -> int:\n    return n + 1\n"
FLYTE_WORKFLOW = "from flytekit import workflow\n\nfrom .steps import clean, train\n\n\n@workflow\ndef wf(n: int = 3) -> int:\n    return train(n=clean(n=n))\n"


def test_a_flyte_workflow_whose_tasks_come_from_a_relative_import_is_a_pipeline(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"orchestration/__init__.py": "", "orchestration/steps.py": FLYTE_STEPS, "orchestration/workflow.py": FLYTE_WORKFLOW})
    outcome, _ = _outcome(root, "orchestrates_pipeline")
    assert outcome is PASS


def test_a_prefect_flow_importing_plain_helpers_without_tasks_is_no_pipeline(tmp_path: Path) -> None:
    helpers = PREFECT_TASKS.replace("from prefect import task\n", "").replace("@task(retries=2)\n", "").replace("@task\n", "")
    root = _tree(tmp_path, {"pipeline/__init__.py": "", "pipeline/tasks.py": helpers, "pipeline/flows.py": PREFECT_FLOW})
    outcome, _ = _outcome(root, "orchestrates_pipeline")
    assert outcome is FAIL


# --- the sys.path folders a file adds, read from the expressions Python evaluates -----------------

def test_sys_path_folders_are_read_from_file_relative_expressions_and_literals(tmp_path: Path) -> None:
    from mlops_audit.evidence.repo.detectors._bindings import syspath_folders
    from mlops_audit.evidence.repo.index import RepoIndex

    script = (
        "import os, sys\nfrom pathlib import Path\n\nHERE = Path(__file__).resolve()\n"
        "sys.path.insert(0, str(HERE.parents[1] / 'lib'))\n"
        "sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'shared', 'py'))\n"
        "sys.path.append('tools')\n"
        "sys.path.append(os.path.join(os.path.dirname(__file__), '..', '..', '..', 'outside'))\n"
        "sys.path.insert(0, '/opt/site')\n"
    )
    root = _tree(tmp_path, {"apps/web/run.py": script})
    with RepoIndex(root) as repo:
        folders = syspath_folders(repo, "apps/web/run.py")
    # the literal is looked for from the working directory: the root or the script's folder; paths leaving the repository are dropped
    assert folders == ("apps/lib", "apps/shared/py", "tools", "apps/web/tools")


# --- defines_features: a prediction path that restores the trained model instead of calling predict --

TORCH_INFERENCE = """\
import torch

from load_features import add_lag_columns
from nets import Forecaster


def forecast(frame):
    net = Forecaster()
    net.load_state_dict(torch.load("checkpoints/best.pt")["state"])
    net.eval()
    with torch.no_grad():
        return net(torch.tensor(add_lag_columns(frame).values))
"""
TORCH_TRAIN = """\
import torch

from load_features import add_lag_columns
from nets import Forecaster


def train(frame, epochs=10):
    net, opt = Forecaster(), None
    x = torch.tensor(add_lag_columns(frame).values)
    for _ in range(epochs):
        loss = net(x).mean()
        loss.backward()
    torch.save({"state": net.state_dict()}, "checkpoints/best.pt")
"""


def test_an_inference_module_restoring_a_networks_weights_shares_the_feature_module_with_training(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "forecasting/load_features.py": "def add_lag_columns(frame):\n    return frame.assign(lag1=frame.y.shift(1))\n",
        "forecasting/nets.py": "import torch\n\n\nclass Forecaster(torch.nn.Module):\n    pass\n",
        "forecasting/inference.py": TORCH_INFERENCE, "forecasting/train_net.py": TORCH_TRAIN,
    })
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "load_features" in message


HF_HANDLER = """\
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from nlp.text_features import normalise

tokenizer = AutoTokenizer.from_pretrained("artifacts/model")
classifier = AutoModelForSequenceClassification.from_pretrained("artifacts/model")


def handle(event, context):
    batch = tokenizer([normalise(event["body"])], return_tensors="pt")
    return {"logits": classifier(**batch).logits.tolist()}
"""
HF_TRAIN = """\
from transformers import Trainer

from nlp.text_features import normalise


def run(dataset, model, args):
    dataset = dataset.map(lambda r: {"text": normalise(r["text"])})
    Trainer(model=model, args=args, train_dataset=dataset).train()
"""


def test_a_handler_loading_a_fine_tuned_model_from_pretrained_shares_the_text_features_with_training(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "nlp/__init__.py": "", "nlp/text_features.py": "def normalise(text):\n    return text.lower().strip()\n",
        "lambda/handler.py": HF_HANDLER, "nlp/finetune.py": HF_TRAIN,
    })
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "text_features" in message


def test_a_service_reading_a_pickle_of_data_without_a_model_is_no_prediction_path(tmp_path: Path) -> None:
    service = (
        "import joblib\n\nfrom nlp.text_features import normalise\n\nLOOKUP = joblib.load('artifacts/lookup.pkl')\n\n\n"
        "def handle(event, context):\n    return LOOKUP.get(normalise(event['body']))\n"
    )
    root = _tree(tmp_path, {
        "nlp/__init__.py": "", "nlp/text_features.py": "def normalise(text):\n    return text.lower().strip()\n",
        "lambda/handler.py": service, "nlp/finetune.py": HF_TRAIN,
    })
    outcome, _ = _outcome(root, "defines_features")
    assert outcome is FAIL


# --- serves_model: a handler's local name bound to another module's global, directly or through a guard

RUNTIME = """\
from transformers import pipeline

from textsvc.summarizer import Summarizer

SUMMARIZER = None


async def startup():
    global SUMMARIZER
    generator = pipeline("summarization", model="artifacts/bart")
    SUMMARIZER = Summarizer(
        generator,
        max_words=120,
    )
"""
GUARDED_ROUTE = """\
from fastapi import APIRouter, HTTPException

from textsvc import runtime

router = APIRouter()


def require_ready(component):
    if component is None:
        raise HTTPException(503, "warming up")
    return component


@router.post("/summaries")
async def summarise(text: str):
    summarizer = require_ready(runtime.SUMMARIZER)
    return {"summary": summarizer.shorten(text)}
"""
SUMMARIZER = "class Summarizer:\n    def __init__(self, generator, max_words):\n        self.generator, self.max_words = generator, max_words\n\n    def shorten(self, text):\n        return self.generator(text)[0]['summary_text']\n"


def test_a_route_using_another_modules_start_up_global_through_a_readiness_guard_serves(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "textsvc/__init__.py": "", "textsvc/runtime.py": RUNTIME, "textsvc/api.py": GUARDED_ROUTE, "textsvc/summarizer.py": SUMMARIZER,
    })
    outcome, _ = _outcome(root, "serves_model")
    assert outcome is PASS


STATE_MODULE = """\
from sentence_transformers import SentenceTransformer

from search.index import NeighbourIndex

ENGINE = NeighbourIndex(encoder=SentenceTransformer("all-MiniLM-L6-v2"), path="index.faiss")
"""
FLASK_ALIAS = """\
from flask import Flask, jsonify, request

import shared_state

app = Flask(__name__)


@app.get("/similar")
def similar():
    engine = shared_state.ENGINE
    return jsonify(engine.nearest(request.args["q"], k=5))
"""


def test_a_flask_view_aliasing_a_module_global_built_around_an_encoder_serves(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "web/shared_state.py": STATE_MODULE, "web/app.py": FLASK_ALIAS, "search/__init__.py": "",
        "search/index.py": "class NeighbourIndex:\n    def __init__(self, encoder, path):\n        self.encoder, self.path = encoder, path\n\n    def nearest(self, q, k):\n        return self.encoder.encode([q])\n",
    })
    outcome, _ = _outcome(root, "serves_model")
    assert outcome is PASS


def test_a_route_using_a_guarded_global_bound_to_a_database_engine_does_not_serve(tmp_path: Path) -> None:
    runtime = RUNTIME.replace("from transformers import pipeline\n", "from sqlalchemy import create_engine\n").replace(
        '    generator = pipeline("summarization", model="artifacts/bart")\n', '    generator = create_engine("sqlite://")\n'
    )
    root = _tree(tmp_path, {
        "textsvc/__init__.py": "", "textsvc/runtime.py": runtime, "textsvc/api.py": GUARDED_ROUTE, "textsvc/summarizer.py": SUMMARIZER,
    })
    outcome, _ = _outcome(root, "serves_model")
    assert outcome is FAIL


# --- serves_model: the standard library's HTTP server calls a handler class's do_<METHOD> ----------

STDLIB_SERVER = """\
import json
from http.server import BaseHTTPRequestHandler, HTTPServer

import joblib

model = joblib.load("models/fraud.joblib")


class ScoreHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        score = model.predict_proba([body["features"]])[0][1]
        self.send_response(200)
        self.end_headers()
        self.wfile.write(json.dumps({"score": score}).encode())


HTTPServer(("", 8080), ScoreHandler).serve_forever()
"""


def test_a_stdlib_http_handler_whose_do_post_predicts_serves(tmp_path: Path) -> None:
    outcome, _ = _outcome(_tree(tmp_path, {"svc/server.py": STDLIB_SERVER}), "serves_model")
    assert outcome is PASS


STDLIB_MODULE_SERVER = """\
import http.server

from inference.runner import run_inference


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_PUT(self):
        payload = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(run_inference(payload))


if __name__ == "__main__":
    http.server.ThreadingHTTPServer(("0.0.0.0", 9000), Handler).serve_forever()
"""


def test_a_stdlib_http_handler_calling_a_prediction_helper_serves(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "app/main.py": STDLIB_MODULE_SERVER, "inference/__init__.py": "",
        "inference/runner.py": "import torch\n\nnet = torch.jit.load('m.pt')\n\n\ndef run_inference(raw):\n    return net(raw)\n",
    })
    outcome, _ = _outcome(root, "serves_model")
    assert outcome is PASS


def test_a_stdlib_http_handler_serving_files_does_not_serve_a_model(tmp_path: Path) -> None:
    static = STDLIB_SERVER.replace("import joblib\n\nmodel = joblib.load(\"models/fraud.joblib\")\n", "").replace(
        'score = model.predict_proba([body["features"]])[0][1]', 'score = len(body)'
    )
    outcome, _ = _outcome(_tree(tmp_path, {"svc/server.py": static}), "serves_model")
    assert outcome is FAIL


# --- cost: the binding rules walk each scope once ----------------------------------------------------

def test_the_state_and_alias_rules_walk_a_chain_of_nested_start_up_functions_once(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from mlops_audit.evidence.repo.detectors import deployment
    from mlops_audit.evidence.repo.index import RepoIndex
    from tests.repo.test_hostile_session14 import _visits

    def make(n: int) -> str:
        lines = ["from fastapi import FastAPI, Request", "from ranking.engine import RankingEngine", "app = FastAPI()"]
        for i in range(n):  # each function nested in the one before, each binding state and a local alias
            indent = "    " * i
            lines += [f"{indent}def hook{i}():", f"{indent}    app.state.k{i} = RankingEngine(object())", f"{indent}    alias{i} = app.main.state"]
        lines += ["@app.post('/x')", "def route(request: Request):", "    return request.app.state.k0.order([])"]
        return "\n".join(lines) + "\n"

    def judge(root: Path) -> object:
        with RepoIndex(root) as repo:
            summary = repo.python("web/main.py")
            assert summary is not None
            return deployment._state_bindings(repo), deployment._handler_aliases(repo, summary)

    counts = []
    for n in (40, 80):
        root = _tree(tmp_path / str(n), {"web/main.py": make(n), "ranking/__init__.py": "", "ranking/engine.py": ENGINE})
        counts.append(_visits(monkeypatch, lambda: judge(root)))
    assert counts[1] <= 2.5 * counts[0], counts
