"""Session 14's monitors_model rules (conventions §12, §14), each with the practice it recognises and
the near miss it must not: telemetry SDKs initialised in the model service (Sentry, OpenTelemetry
exporters in Python; Sentry, the OpenTelemetry Node SDK, Langfuse... in a Node back end that calls a
model), a drift check on drift values it is handed (an Airflow task), and a Vertex AI monitoring job
that must name what it monitors."""

from __future__ import annotations

import json
from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, PARTIAL, FAIL = FindingOutcome.pass_, FindingOutcome.partial, FindingOutcome.fail

SERVICE = """\
import joblib
{imports}
from fastapi import FastAPI

{setup}

app = FastAPI()
model = joblib.load("model.joblib")


@app.post("/predict")
def predict(features: list[float]):
    return {{"prediction": model.predict([features]).tolist()}}
"""

# --- Python telemetry SDKs in the service ------------------------------------------------------

SENTRY = ("import os\nimport sentry_sdk", 'sentry_sdk.init(dsn=os.environ["SENTRY_DSN"], traces_sample_rate=1.0)')
OTEL = (
    "from opentelemetry import trace\nfrom opentelemetry.sdk.trace import TracerProvider\n"
    "from opentelemetry.sdk.trace.export import BatchSpanProcessor\n"
    "from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter",
    "provider = TracerProvider()\nprovider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))\ntrace.set_tracer_provider(provider)",
)


def test_sentry_or_an_opentelemetry_exporter_set_up_in_the_model_service_is_service_telemetry(tmp_path: Path) -> None:
    for name, (imports, setup) in {"sentry": SENTRY, "otel": OTEL}.items():
        root = _tree(tmp_path / name, {"app/main.py": SERVICE.format(imports=imports, setup=setup)})
        outcome, message = _outcome(root, "monitors_model")
        assert outcome is PARTIAL and "service telemetry only" in message, name


def test_sentry_switched_off_or_a_placeholder_in_its_call_or_set_up_in_an_example_watches_nothing(tmp_path: Path) -> None:
    for name, call in {"off": 'sentry_sdk.init(dsn="")', "none": "sentry_sdk.init(dsn=None)", "placeholder": 'sentry_sdk.init("your-sentry-dsn")'}.items():
        service = SERVICE.format(imports="import sentry_sdk", setup=call)
        assert _outcome(_tree(tmp_path / name, {"app/main.py": service}), "monitors_model")[0] is FAIL, name
    written = SERVICE.format(imports="import sentry_sdk", setup='sentry_sdk.init("https://0a1b@o1.ingest.sentry.io/2")')
    assert _outcome(_tree(tmp_path / "written", {"app/main.py": written}), "monitors_model")[0] is PARTIAL
    example = SERVICE.format(imports=SENTRY[0], setup=SENTRY[1])
    assert _outcome(_tree(tmp_path / "example", {"examples/fastapi/main.py": example}), "monitors_model")[0] is FAIL


def test_spans_printed_to_the_console_are_not_exported_telemetry(tmp_path: Path) -> None:
    console = SERVICE.format(
        imports="from opentelemetry import trace\nfrom opentelemetry.sdk.trace import TracerProvider\n"
        "from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor",
        setup="provider = TracerProvider()\nprovider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))",
    )
    assert _outcome(_tree(tmp_path, {"app/main.py": console}), "monitors_model")[0] is FAIL


# --- Node back ends -------------------------------------------------------------------------------

INSTRUMENT = """\
import * as Sentry from "@sentry/node";

Sentry.init({ dsn: process.env.SENTRY_DSN, tracesSampleRate: 1.0 });
"""

CHAT_ROUTE = """\
import OpenAI from "openai";
import express from "express";

const client = new OpenAI();
export const router = express.Router();

router.post("/chat", async (req, res) => {
  const answer = await client.chat.completions.create({ model: "gpt-4o-mini", messages: req.body.messages });
  res.json(answer.choices[0].message);
});
"""


def _package(dependencies: list[str]) -> str:
    return json.dumps({"name": "backend", "dependencies": {d: "^1.0.0" for d in dependencies}})


def test_sentry_initialised_in_a_node_back_end_that_calls_a_model_is_service_telemetry(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "backend/package.json": _package(["@sentry/node", "express", "openai"]),
        "backend/src/instrument.ts": INSTRUMENT,
        "backend/src/routes/chat.ts": CHAT_ROUTE,
    })
    outcome, message = _outcome(root, "monitors_model")
    assert outcome is PARTIAL and "@sentry initialised in 1 Node service(s) calling a model" in message
    named = "import { init as initSentry } from '@sentry/node'\n\ninitSentry({ dsn: process.env.SENTRY_DSN })\n"
    (root / "backend/src/instrument.ts").write_text(named, encoding="utf-8")
    assert _outcome(root, "monitors_model")[0] is PARTIAL


def test_the_opentelemetry_node_sdk_started_in_a_back_end_of_the_ai_sdk_is_service_telemetry(tmp_path: Path) -> None:
    tracing = (
        'import { NodeSDK } from "@opentelemetry/sdk-node";\nimport { LangfuseSpanProcessor } from "@langfuse/otel";\n\n'
        "const sdk = new NodeSDK({ spanProcessors: [new LangfuseSpanProcessor()] });\nsdk.start();\n"
    )
    root = _tree(tmp_path, {
        "apps/api/package.json": _package(["@opentelemetry/sdk-node", "@langfuse/otel", "ai", "@ai-sdk/mistral"]),
        "apps/api/src/tracing.ts": tracing,
    })
    outcome, message = _outcome(root, "monitors_model")
    assert outcome is PARTIAL and "@opentelemetry/sdk-node" in message and "langfuse" in message


def test_a_back_end_calling_a_model_through_a_workspace_package_of_the_monorepo_is_the_model_service(tmp_path: Path) -> None:
    llm = json.dumps({"name": "@repo/llm", "dependencies": {"@anthropic-ai/sdk": "^0.30.0"}})
    root = _tree(tmp_path, {
        "packages/llm/package.json": llm,
        "apps/api/package.json": _package(["@sentry/node", "@repo/llm", "hono"]),
        "apps/api/src/instrument.ts": INSTRUMENT,
    })
    assert _outcome(root, "monitors_model")[0] is PARTIAL
    unrelated = json.dumps({"name": "@repo/llm", "dependencies": {"zod": "^3.0.0"}})
    (root / "packages/llm/package.json").write_text(unrelated, encoding="utf-8")
    assert _outcome(root, "monitors_model")[0] is FAIL  # the workspace package it uses calls no model


def test_sentry_in_a_front_end_or_in_a_back_end_without_a_model_is_not_the_model_service_watched(tmp_path: Path) -> None:
    browser = 'import * as Sentry from "@sentry/react";\n\nSentry.init({ dsn: import.meta.env.VITE_SENTRY_DSN });\n'
    front = _tree(tmp_path / "front", {"frontend/package.json": _package(["@sentry/react", "react", "openai"]), "frontend/src/main.ts": browser})
    assert _outcome(front, "monitors_model")[0] is FAIL
    no_model = _tree(tmp_path / "crud", {"server/package.json": _package(["@sentry/node", "express"]), "server/src/instrument.ts": INSTRUMENT})
    assert _outcome(no_model, "monitors_model")[0] is FAIL
    declared_only = _tree(tmp_path / "declared", {
        "backend/package.json": _package(["@sentry/node", "openai"]),
        "backend/src/routes/chat.ts": CHAT_ROUTE,
    })
    assert _outcome(declared_only, "monitors_model")[0] is FAIL  # the dependency is a hint: nothing initialises it


# --- a drift check on the drift values it is handed ----------------------------------------------

DAG = """\
from airflow import DAG
from airflow.operators.python import PythonOperator


def load_events(**context):
    shares = compute_shares()
    context["ti"].xcom_push(key="drift_metrics", value=shares)


def check_drift(**context):
    drift = context["ti"].xcom_pull(key="drift_metrics") or {{}}
    BASELINE = {{"view_ratio": 0.967, "cart_ratio": 0.025}}
    RATIO_THRESHOLD = 0.20
    alerts = []
    for key, baseline in BASELINE.items():
        actual = drift.get(key)
        deviation = abs(actual - baseline) / baseline
        {body}
    if alerts:
        raise ValueError("DRIFT ALERT: " + "; ".join(alerts))


with DAG("weekly_retrain", schedule="@weekly") as dag:
    PythonOperator(task_id="load_events", python_callable=load_events) >> PythonOperator(task_id="check_drift", python_callable=check_drift)
"""


def test_a_dag_task_that_fails_when_the_drift_it_is_handed_crosses_a_threshold_monitors_the_model(tmp_path: Path) -> None:
    body = "if deviation > RATIO_THRESHOLD:\n            alerts.append(key)"
    outcome, message = _outcome(_tree(tmp_path, {"dags/retrain.py": DAG.format(body=body)}), "monitors_model")
    assert outcome is PASS and "drift check" in message


def test_a_drift_check_that_only_logs_its_values_or_a_drift_parameter_of_a_simulation_is_not_monitoring(tmp_path: Path) -> None:
    logged = DAG.format(body='print(key, deviation, "threshold", RATIO_THRESHOLD)')
    assert _outcome(_tree(tmp_path / "logged", {"dags/retrain.py": logged}), "monitors_model")[0] is FAIL
    walk = (
        "import numpy as np\n\n\ndef random_walk(n, drift=0.1, max_drift=1.0):\n    if drift > max_drift:\n"
        "        raise ValueError('drift too large')\n    return np.cumsum(np.random.normal(drift, 1.0, n))\n"
    )
    assert _outcome(_tree(tmp_path / "walk", {"data/simulate.py": walk}), "monitors_model")[0] is FAIL


# --- a Vertex AI monitoring job must name what it monitors ---------------------------------------

VERTEX_JOB = """\
from google.cloud import aiplatform


def main(endpoint):
    objective = aiplatform.gapic.ModelDeploymentMonitoringObjectiveConfig(
        training_dataset=aiplatform.gapic.ModelDeploymentMonitoringObjectiveConfig.TrainingDataset(),
    )
    return aiplatform.ModelDeploymentMonitoringJob.create(
        display_name="forecast-monitor", endpoint=endpoint, model_deployment_monitoring_objective_configs=[objective],
    )
"""


def test_a_vertex_monitoring_job_without_skew_or_drift_objectives_monitors_nothing(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"scripts/setup_monitoring.py": VERTEX_JOB}), "monitors_model")[0] is FAIL


def test_a_vertex_monitoring_job_with_drift_thresholds_monitors_the_model(tmp_path: Path) -> None:
    with_drift = VERTEX_JOB.replace(
        "training_dataset=aiplatform.gapic.ModelDeploymentMonitoringObjectiveConfig.TrainingDataset(),",
        "prediction_drift_detection_config={'drift_thresholds': {'price': {'value': 0.3}}},",
    )
    outcome, message = _outcome(_tree(tmp_path, {"scripts/setup_monitoring.py": with_drift}), "monitors_model")
    assert outcome is PASS and "ModelDeploymentMonitoringJob" in message
