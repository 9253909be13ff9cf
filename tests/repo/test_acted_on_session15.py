"""Session 15 (fail22): a check counts when its verdict is acted on one hop away (conventions §7 "act
on a failure"). The checking function returns a verdict (a flag, a report, a list of problems) and
what calls it stops on a failed one: the failing branch exits or raises (in the `else` as well as in
the `if`), a web handler answers a client error, an Airflow short-circuit skips what follows, a
LangGraph conditional edge leaves the checking node. Each shape has two pass fixtures written
differently (other names, other frameworks, split across modules) and a near miss whose verdict
nothing acts on."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, PARTIAL, FAIL = FindingOutcome.pass_, FindingOutcome.partial, FindingOutcome.fail

# --- the failing branch is the `else` of a test of the verdict ---------------------------------------

REPORT_MODULE = """\
import pandas as pd


def assess_batch(frame: pd.DataFrame) -> dict:
    findings = []
    if frame["reading"].isnull().mean() > 0.1:
        findings.append("too many gaps")
    if frame.duplicated(subset=["sensor", "ts"]).sum() > 0:
        findings.append("repeated readings")
    return {"ok": not findings, "findings": findings}
"""

NIGHTLY_JOB = """\
import pandas as pd

from quality.report import assess_batch


def run() -> None:
    frame = pd.read_parquet("landing/readings.parquet")
    outcome = assess_batch(frame)
    if outcome["ok"]:
        frame.to_parquet("curated/readings.parquet")
    else:
        raise SystemExit(3)


if __name__ == "__main__":
    run()
"""

SAME_MODULE_EXIT_IN_ELSE = """\
import sys

import pandas as pd


def screen(table):
    notes = []
    if table.isna().any().any():
        notes.append("nulls")
    if not table["amount"].between(0, 10_000).all():
        notes.append("amount out of range")
    return len(notes) == 0, notes


if __name__ == "__main__":
    table = pd.read_csv("exports/latest.csv")
    good, notes = screen(table)
    if good:
        print("fine")
        sys.exit(0)
    else:
        print(notes)
        sys.exit(1)
"""


def test_a_verdict_whose_failing_else_branch_stops_the_run_validates_data(tmp_path: Path) -> None:
    two_modules = {"quality/__init__.py": "", "quality/report.py": REPORT_MODULE, "jobs/nightly.py": NIGHTLY_JOB}
    assert _outcome(_tree(tmp_path / "split", two_modules), "validates_data")[0] is PASS
    assert _outcome(_tree(tmp_path / "one", {"scripts/screen_export.py": SAME_MODULE_EXIT_IN_ELSE}), "validates_data")[0] is PASS


def test_a_verdict_whose_else_branch_only_prints_is_not_acted_on(tmp_path: Path) -> None:
    printed = NIGHTLY_JOB.replace("raise SystemExit(3)", "print('skipping write')")
    files = {"quality/__init__.py": "", "quality/report.py": REPORT_MODULE, "jobs/nightly.py": printed}
    assert _outcome(_tree(tmp_path / "printed", files), "validates_data")[0] is FAIL
    success = SAME_MODULE_EXIT_IN_ELSE.replace("sys.exit(1)", "sys.exit(0)")
    assert _outcome(_tree(tmp_path / "success", {"scripts/screen_export.py": success}), "validates_data")[0] is FAIL


# --- a web handler answers a client error on the verdict ----------------------------------------------

FLASK_SCREEN = """\
import pandas as pd
from flask import Flask, jsonify, request

from scoring.model import score

app = Flask(__name__)


def inspect_rows(rows: pd.DataFrame) -> list:
    faults = []
    if rows.isnull().values.any():
        faults.append("missing values")
    if (rows["tenure_months"] < 0).any() or rows["tenure_months"].max() > 600:
        faults.append("tenure out of range")
    return faults


@app.post("/score")
def score_rows():
    rows = pd.DataFrame(request.get_json()["rows"])
    faults = inspect_rows(rows)
    if faults:
        return jsonify({"errors": faults}), 422
    return jsonify({"scores": score(rows).tolist()})
"""

FASTAPI_RESPONSE = """\
import pandas as pd
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from service.checks import frame_problems

api = FastAPI()


@api.post("/forecast")
async def forecast(payload: dict):
    frame = pd.DataFrame(payload["history"])
    problems = frame_problems(frame)
    if len(problems) > 0:
        return JSONResponse(status_code=400, content={"problems": problems})
    return {"forecast": []}
"""

FASTAPI_CHECKS = """\
def frame_problems(frame):
    problems = []
    if frame["load_mw"].hasnans:
        problems.append("gaps in load")
    if not frame["ts"].is_unique:
        problems.append("repeated timestamps")
    return problems
"""


def test_a_handler_answering_a_client_error_on_the_verdict_validates_data(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path / "flask", {"app/server.py": FLASK_SCREEN}), "validates_data")[0] is PASS
    files = {"service/__init__.py": "", "service/checks.py": FASTAPI_CHECKS, "service/main.py": FASTAPI_RESPONSE}
    assert _outcome(_tree(tmp_path / "fastapi", files), "validates_data")[0] is PASS


def test_a_handler_that_answers_success_whatever_the_verdict_does_not_act(tmp_path: Path) -> None:
    ignored = FLASK_SCREEN.replace('return jsonify({"errors": faults}), 422', 'app.logger.warning(faults)')
    assert _outcome(_tree(tmp_path, {"app/server.py": ignored}), "validates_data")[0] is FAIL


# --- an orchestrator's failure edge: Airflow short-circuit, LangGraph conditional edge -----------------

AIRFLOW_SHORT_CIRCUIT = """\
from datetime import datetime

import pandas as pd
from airflow import DAG
from airflow.operators.python import PythonOperator, ShortCircuitOperator


def rows_look_sane() -> bool:
    frame = pd.read_parquet("/data/staging/orders.parquet")
    missing = frame["order_id"].isna().sum()
    repeated = frame["order_id"].duplicated().sum()
    return missing == 0 and repeated == 0


def load_warehouse() -> None:
    pd.read_parquet("/data/staging/orders.parquet").to_parquet("/data/warehouse/orders.parquet")


with DAG("orders", start_date=datetime(2024, 1, 1), schedule="@daily") as dag:
    gate = ShortCircuitOperator(task_id="gate", python_callable=rows_look_sane)
    load = PythonOperator(task_id="load", python_callable=load_warehouse)
    gate >> load
"""

LANGGRAPH_EDGE = """\
from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class ClaimState(TypedDict):
    claim: dict
    faults: list


def check_claim_fields(state: ClaimState) -> dict:
    faults = []
    claim = state["claim"]
    if claim.get("amount", 0) <= 0:
        faults.append("amount must be positive")
    if claim.get("policy_years", 0) > 50:
        faults.append("policy term too long")
    return {"faults": faults}


def price_claim(state: ClaimState) -> dict:
    return {"price": 1.0}


def after_check(state: ClaimState) -> str:
    return END if state["faults"] else "price"


builder = StateGraph(ClaimState)
builder.add_node("check", check_claim_fields)
builder.add_node("price", price_claim)
builder.add_edge(START, "check")
builder.add_conditional_edges("check", after_check)
builder.add_edge("price", END)
graph = builder.compile()
"""


def test_an_orchestrator_failure_edge_on_the_verdict_validates_data(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path / "airflow", {"dags/orders.py": AIRFLOW_SHORT_CIRCUIT}), "validates_data")[0] is PASS
    assert _outcome(_tree(tmp_path / "graph", {"engine/workflow.py": LANGGRAPH_EDGE}), "validates_data")[0] is PASS


def test_a_graph_whose_conditional_edge_leaves_a_node_that_checks_nothing_does_not_validate(tmp_path: Path) -> None:
    plain_node = LANGGRAPH_EDGE.replace('builder.add_conditional_edges("check", after_check)', 'builder.add_conditional_edges("price", after_check)')
    assert _outcome(_tree(tmp_path / "graph", {"engine/workflow.py": plain_node}), "validates_data")[0] is FAIL
    plain_operator = AIRFLOW_SHORT_CIRCUIT.replace("ShortCircuitOperator(task_id=\"gate\"", "PythonOperator(task_id=\"gate\"")
    assert _outcome(_tree(tmp_path / "airflow", {"dags/orders.py": plain_operator}), "validates_data")[0] is FAIL


CONFIG_VALIDATOR = """\
import sys


def validate_settings(config: dict) -> list:
    errors = []
    if config.get("batch_size", 0) <= 0:
        errors.append("batch_size must be positive")
    if config.get("epochs", 0) > 1000:
        errors.append("too many epochs")
    return errors


if __name__ == "__main__":
    errors = validate_settings({"batch_size": 8})
    if errors:
        sys.exit(1)
"""


def test_a_settings_validator_whose_errors_stop_the_run_checks_no_data(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"train/settings.py": CONFIG_VALIDATOR}), "validates_data")[0] is FAIL


ROUTING_QUEUE = LANGGRAPH_EDGE.replace(
    '''    faults = []
    claim = state["claim"]
    if claim.get("amount", 0) <= 0:
        faults.append("amount must be positive")
    if claim.get("policy_years", 0) > 50:
        faults.append("policy term too long")
    return {"faults": faults}''',
    '''    faults = []
    claim = state["claim"]
    if claim.get("amount", 0) > 1000:
        faults.append("pricer")
    if claim.get("policy_years", 0) > 5:
        faults.append("reviewer")
    return {"faults": faults}''',
)

RENDERED_TEXT = """\
import subprocess


def render_manifest(values: dict, *, with_header: bool = False) -> str:
    parts = []
    if with_header:
        parts.append("# generated file, do not edit")
    if values.get("debug"):
        parts.append("# debug build of the service")
    parts.append("kind: ConfigMap")
    return "\\n".join(parts)


def apply(values: dict) -> None:
    text = render_manifest(values)
    proc = subprocess.run(["kubectl", "apply", "-f", "-"], input=text, text=True)
    if proc.returncode != 0:
        raise SystemExit("kubectl failed")
"""


def test_a_queue_of_next_steps_or_lines_of_rendered_text_are_not_problems_collected(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path / "queue", {"engine/workflow.py": ROUTING_QUEUE}), "validates_data")[0] is FAIL
    assert _outcome(_tree(tmp_path / "render", {"scripts/deploy.py": RENDERED_TEXT}), "validates_data")[0] is FAIL
