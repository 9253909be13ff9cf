"""Session 13's recall rules (issue #12), each with the practice it recognises and the near miss it
must not: request handlers registered without a decorator (Django Channels consumers, Django/DRF
views) reaching the model through a service module; data tests computed into a name before the run
acts on them, tests of values against an expected set and of duplicates; and hand-written searches
whose points are scored by a helper named for its metric."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, FAIL = FindingOutcome.pass_, FindingOutcome.fail

# --- serves_model: handlers without a route decorator reach the model through a service module ---

CHAT_SERVICE = """\
from langchain_openai import ChatOpenAI
from langchain_core.prompts import PromptTemplate

PROMPT = PromptTemplate.from_template("Answer from the documents: {question}")


async def answer(question: str) -> str:
    llm = ChatOpenAI(model="gpt-4o-mini")
    return (await (PROMPT | llm).ainvoke({"question": question})).content
"""

CONSUMER = """\
import json

from channels.generic.websocket import AsyncWebsocketConsumer

from chat.services import answer


class ChatConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        question = json.loads(text_data)["message"]
        reply = await answer(question)
        await self.send(text_data=json.dumps({"reply": reply}))
"""


def test_a_channels_consumer_answering_each_message_with_the_teams_chain_serves_the_model(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"chat/services.py": CHAT_SERVICE, "chat/consumers.py": CONSUMER})
    outcome, message = _outcome(root, "serves_model")
    assert outcome is PASS and "request handler" in message


def test_a_channels_consumer_that_only_relays_messages_between_users_serves_nothing(tmp_path: Path) -> None:
    relay = (
        "import json\n\nfrom channels.generic.websocket import AsyncWebsocketConsumer\n\nfrom chat.store import save_message\n\n\n"
        "class RoomConsumer(AsyncWebsocketConsumer):\n    async def receive(self, text_data=None, bytes_data=None):\n"
        "        message = json.loads(text_data)['message']\n        await save_message(self.scope['user'], message)\n"
        "        await self.channel_layer.group_send('room', {'type': 'chat.message', 'message': message})\n"
    )
    store = "from chat.models import Message\n\n\nasync def save_message(user, text):\n    return await Message.objects.acreate(user=user, text=text)\n"
    root = _tree(tmp_path, {"chat/consumers.py": relay, "chat/store.py": store})
    assert _outcome(root, "serves_model")[0] is FAIL


def test_a_class_named_like_a_consumer_outside_channels_is_no_request_handler(tmp_path: Path) -> None:
    # A queue worker's own base class: nothing registers `receive` as a WebSocket handler.
    worker = CONSUMER.replace("from channels.generic.websocket import AsyncWebsocketConsumer", "from workers.base import AsyncWebsocketConsumer")
    base = "class AsyncWebsocketConsumer:\n    async def send(self, text_data=None):\n        print(text_data)\n"
    root = _tree(tmp_path, {"chat/services.py": CHAT_SERVICE, "chat/consumers.py": worker, "workers/base.py": base})
    assert _outcome(root, "serves_model")[0] is FAIL


def _drf_view(method: str, function: str, argument: str) -> str:
    """A DRF view whose `method` answers with `function(argument)`, imported from `scoring.service`."""
    return (
        "from rest_framework.views import APIView\nfrom rest_framework.response import Response\n\n"
        f"from scoring.service import {function}\n\n\nclass ScoreView(APIView):\n    def {method}(self, request):\n"
        f"        return Response({function}({argument}))\n"
    )


def test_a_drf_view_calling_a_prediction_service_in_another_module_serves_the_model(tmp_path: Path) -> None:
    service = (
        "import joblib\nimport pandas as pd\n\n\ndef score_applicant(payload):\n    model = joblib.load('models/risk.joblib')\n"
        "    return float(model.predict_proba(pd.DataFrame([payload]))[0, 1])\n"
    )
    root = _tree(tmp_path, {"api/views.py": _drf_view("post", "score_applicant", "request.data"), "scoring/service.py": service})
    assert _outcome(root, "serves_model")[0] is PASS


def test_a_drf_view_calling_a_service_that_only_reads_the_database_serves_nothing(tmp_path: Path) -> None:
    service = "from scoring.models import Score\n\n\ndef list_scores(user):\n    return list(Score.objects.filter(user=user).values())\n"
    root = _tree(tmp_path, {"api/views.py": _drf_view("get", "list_scores", "request.user"), "scoring/service.py": service})
    assert _outcome(root, "serves_model")[0] is FAIL


# --- validates_data: tests computed into a name, values against an expected set, duplicates --------


def _pipeline(body: str) -> str:
    """A pipeline module whose `prepare_batch(df)` holds `body` and whose entry point calls it."""
    return (
        "import numpy as np\nimport pandas as pd\n\nEXPECTED_HOURS = pd.date_range('2024-01-01', periods=12, freq='h')\n\n\n"
        "def prepare_batch(df):\n" + body + "    return df\n\n\n"
        "def main():\n    df = prepare_batch(pd.read_parquet('data/latest.parquet'))\n    df.to_parquet('data/checked.parquet')\n\n\n"
        "if __name__ == '__main__':\n    main()\n"
    )


def _validates(tmp_path: Path, body: str) -> FindingOutcome:
    return _outcome(_tree(tmp_path, {"pipeline/prepare.py": _pipeline(body)}), "validates_data")[0]


# Each pipeline step raises on a test of the data it is given (conventions §7: checks that act).
ACTING_CHECKS = {
    "missing values counted into a name, then raised on": (
        "    missing = df.isnull().sum()\n    if missing.any():\n        raise ValueError(f'missing values: {missing[missing > 0]}')\n"
    ),
    "required timestamps looked up with isin, missing ones raised on": (
        "    available = np.isin(EXPECTED_HOURS, pd.to_datetime(df['time'].values))\n"
        "    if not available.all():\n        raise RuntimeError(f'inputs missing for {EXPECTED_HOURS[~available]}')\n"
    ),
    "values outside the expected categories raised on": (
        "    if (~df['country'].isin(['DE', 'FR', 'NL'])).any():\n        raise ValueError('unknown country code')\n"
    ),
    "duplicate rows raised on": (
        "    if df.duplicated(subset=['customer_id', 'date']).any():\n        raise ValueError('duplicate customer-days')\n"
    ),
    "stale input found through its latest timestamp": (
        "    latest = pd.to_datetime(df['time']).max()\n"
        "    if latest < pd.Timestamp.now() - pd.Timedelta(hours=6):\n        raise RuntimeError(f'stale input: latest row at {latest}')\n"
    ),
}


@pytest.mark.parametrize("body", ACTING_CHECKS.values(), ids=list(ACTING_CHECKS))
def test_a_pipeline_step_raising_on_a_test_of_its_data_validates_data(tmp_path: Path, body: str) -> None:
    assert _validates(tmp_path, body) is PASS


def test_rows_or_columns_picked_by_a_test_then_counted_are_not_a_check_of_the_data(tmp_path: Path) -> None:
    # `cols` holds the columns left after a test picked them: raising when none is left checks that
    # something remains, not the data's values (the test's result is not what the condition tests).
    columns = "    cols = [c for c in df.columns if not df[c].isna().all()]\n    if not cols:\n        raise ValueError('no columns')\n"
    assert _validates(tmp_path / "columns", columns) is FAIL
    first = "    first = df['time'].min()\n    start = df[df['time'] == first]\n    if start.empty:\n        raise ValueError('no start rows')\n"
    assert _validates(tmp_path / "first", first) is FAIL


def test_a_test_computed_into_a_name_but_only_logged_acts_on_nothing(tmp_path: Path) -> None:
    body = "    missing = df.isnull().sum()\n    if missing.any():\n        print('missing values', missing)\n"
    assert _validates(tmp_path, body) is FAIL
    duplicates = "    if df.duplicated().any():\n        df = df.drop_duplicates()\n"
    assert _validates(tmp_path / "dropped", duplicates) is FAIL


def test_a_test_of_the_models_output_computed_into_a_name_is_not_data_validation(tmp_path: Path) -> None:
    body = (
        "    preds = MODEL.predict(df)\n    bad = np.isnan(preds)\n    if bad.any():\n        raise ValueError('NaN predictions')\n"
    )
    text = _pipeline(body).replace("import pandas as pd\n", "import pandas as pd\nimport joblib\n\nMODEL = joblib.load('model.joblib')\n", 1)
    assert _outcome(_tree(tmp_path, {"pipeline/prepare.py": text}), "validates_data")[0] is FAIL


# --- tunes_hyperparameters: a grid's points scored by a helper named for its metric ----------------

ALPHA_SEARCH = """\
import numpy as np
from sklearn.linear_model import Ridge
from sklearn.model_selection import TimeSeriesSplit

ALPHA_GRID = (0.01, 0.1, 1.0, 10.0)


def _rmse(y, pred):
    return float(np.sqrt(np.mean((y - pred) ** 2)))


def tune_alpha(x, y, grid=ALPHA_GRID):
    splitter = TimeSeriesSplit(n_splits=5)
    curve = []
    for alpha in grid:
        folds = [_rmse(y[s], Ridge(alpha=alpha).fit(x[f], y[f]).predict(x[s])) for f, s in splitter.split(x)]
        curve.append((alpha, float(np.mean(folds))))
    return min(curve, key=lambda p: p[1])[0]


if __name__ == "__main__":
    data = np.load("data/train.npz")
    print(tune_alpha(data["x"], data["y"]))
"""


def test_a_grid_scored_by_a_helper_named_for_its_metric_and_the_best_kept_tunes(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"src/tuning.py": ALPHA_SEARCH}), "tunes_hyperparameters")
    assert outcome is PASS and "in-house search" in message


def test_a_grid_whose_points_are_only_summarised_not_scored_does_not_tune(tmp_path: Path) -> None:
    # `map` and `mean` are no metrics: the loop fits each alpha and keeps the smallest mean prediction.
    unscored = ALPHA_SEARCH.replace(
        "folds = [_rmse(y[s], Ridge(alpha=alpha).fit(x[f], y[f]).predict(x[s])) for f, s in splitter.split(x)]",
        "folds = list(map(float, Ridge(alpha=alpha).fit(x, y).predict(x)))",
    )
    assert _outcome(_tree(tmp_path, {"src/tuning.py": unscored}), "tunes_hyperparameters")[0] is FAIL


# --- monitors_model: a model service instrumented by OpenTelemetry or an APM agent (conventions §12) --


def test_a_model_service_traced_by_opentelemetry_or_an_apm_agent_is_the_weakest_monitoring(tmp_path: Path) -> None:
    serve = (
        "import joblib\nfrom flask import Flask, jsonify, request\n{imports}\n\napp = Flask(__name__)\n{instrument}\n"
        "model = joblib.load('model.joblib')\n\n\n@app.route('/predict', methods=['POST'])\ndef predict():\n"
        "    return jsonify(model.predict([request.get_json()['features']]).tolist())\n"
    )
    agents = {
        "otel": ("from opentelemetry.instrumentation.flask import FlaskInstrumentor", "FlaskInstrumentor().instrument_app(app)"),
        "newrelic": ("import newrelic.agent", "newrelic.agent.initialize('newrelic.ini')"),
        "datadog": ("from ddtrace import patch_all", "patch_all()"),
    }
    for name, (imports, instrument) in agents.items():
        root = _tree(tmp_path / name, {"app.py": serve.format(imports=imports, instrument=instrument)})
        outcome, message = _outcome(root, "monitors_model")
        assert outcome is FindingOutcome.partial and "service telemetry only" in message, name


def test_a_tracer_made_but_no_request_instrumented_is_no_telemetry_of_the_service(tmp_path: Path) -> None:
    # The OpenTelemetry API alone (a tracer nobody exports or attaches to the app) is not in the catalogue.
    text = "from opentelemetry import trace\n\ntracer = trace.get_tracer(__name__)\n\n\ndef score(model, x):\n    return model.predict(x)\n"
    assert _outcome(_tree(tmp_path, {"scoring.py": text}), "monitors_model")[0] is FAIL


# --- serves_model: a route calls a method of a service object the module builds at import time ----

RAG_SERVICE = """\
from langchain_openai import ChatOpenAI

from app.retrieval import search


class ChatService:
    def __init__(self, settings):
        self.llm = ChatOpenAI(model=settings["model"])

    def answer(self, question):
        context = search(question)
        return self.llm.invoke(f"Answer from {context}: {question}").content
"""

ROUTES = """\
from fastapi import APIRouter

from app.config import SETTINGS
from app.services.chat import ChatService

router = APIRouter()
chat_service = ChatService(SETTINGS)


@router.post("/chat")
def chat(question: str):
    return {"answer": chat_service.answer(question)}
"""


def test_a_route_calling_a_service_object_built_at_import_time_that_asks_the_chain_serves_the_model(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"app/services/chat.py": RAG_SERVICE, "app/api/routes.py": ROUTES})
    outcome, message = _outcome(root, "serves_model")
    assert outcome is PASS and "service" in message


def test_a_route_calling_a_service_object_that_only_reads_the_database_serves_nothing(tmp_path: Path) -> None:
    store = "from app.db import Session\n\n\nclass ChatService:\n    def __init__(self, settings):\n        self.session = Session()\n\n"
    store += "    def answer(self, question):\n        return self.session.query_history(question)\n"
    root = _tree(tmp_path, {"app/services/chat.py": store, "app/api/routes.py": ROUTES})
    assert _outcome(root, "serves_model")[0] is FAIL
