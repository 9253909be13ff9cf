"""Session 14's validates_data rules (conventions §7 and §14), each with the practice it recognises
and the near miss it must not: a failed data check that stops the run with a failure exit status,
and records routed to a quarantine sink by a per-record verdict."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, FAIL = FindingOutcome.pass_, FindingOutcome.fail

# --- a failed check stops the run with `sys.exit(1)` as surely as with `raise` -----------------------

EXITS_ON_ISSUES = """\
import sys

import pandas as pd


def validate_data(responses: pd.DataFrame) -> None:
    issues = []
    missing_share = responses.isna().mean().mean()
    if missing_share > 0.2:
        issues.append(f"{missing_share:.0%} of the answers are missing")
    if responses["respondent_id"].duplicated().any():
        issues.append("duplicate respondents")
    if issues:
        print("\\n".join(issues))
        sys.exit(1)


def main() -> None:
    responses = pd.read_csv("data/responses.csv")
    validate_data(responses)
    responses.to_parquet("data/clean.parquet")


if __name__ == "__main__":
    main()
"""


def test_a_pipeline_exiting_with_a_failure_status_when_its_data_checks_fail_validates_data(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"pipeline/setup.py": EXITS_ON_ISSUES}), "validates_data")[0] is PASS


def test_exiting_with_success_or_only_printing_after_the_checks_does_not_act_on_them(tmp_path: Path) -> None:
    success = EXITS_ON_ISSUES.replace("sys.exit(1)", "sys.exit(0)")
    assert _outcome(_tree(tmp_path / "success", {"pipeline/setup.py": success}), "validates_data")[0] is FAIL
    printed = EXITS_ON_ISSUES.replace("        sys.exit(1)\n", "")
    assert _outcome(_tree(tmp_path / "printed", {"pipeline/setup.py": printed}), "validates_data")[0] is FAIL


# --- rule `records routed to a quarantine` ---------------------------------------------------------

QUARANTINE_FILES = """\
import json


def run_checks(record: dict) -> list[str]:
    return [w for w in ("history", "completion") if not record.get(w)]


def process_file(input_path: str, quality_path: str, quarantine_path: str) -> None:
    with open(input_path) as fin, open(quality_path, "w") as fout, open(quarantine_path, "w") as qout:
        for line in fin:
            rec = json.loads(line)
            rec["qa_pass"] = not run_checks(rec)
            if rec["qa_pass"]:
                fout.write(json.dumps(rec) + "\\n")
            else:
                qout.write(json.dumps(rec) + "\\n")


if __name__ == "__main__":
    process_file("data/sft.jsonl", "data/quality/sft.jsonl", "data/quarantine/sft.jsonl")
"""

REJECTED_ROWS = """\
import pandas as pd


def load_sales(rows: list[dict], known_skus: set[str]) -> pd.DataFrame:
    kept, rejected = [], []
    for row in rows:
        if row["quantity"] < 0 or row["sku"] not in known_skus:
            rejected.append(row)
            continue
        kept.append(row)
    pd.DataFrame(rejected).to_csv("data/rejected_rows.csv")
    return pd.DataFrame(kept)
"""


def test_records_routed_by_a_verdict_to_a_file_opened_on_a_quarantine_path_validate_data(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"data_pipeline/qa/check.py": QUARANTINE_FILES}), "validates_data")
    assert outcome is PASS and "quarantine" in message


def test_failing_rows_set_aside_in_a_rejected_list_by_a_step_the_pipeline_calls_validate_data(tmp_path: Path) -> None:
    caller = "from ingest.sales import load_sales\n\nframe = load_sales([], set())\nframe.to_parquet('data/sales.parquet')\n"
    assert _outcome(_tree(tmp_path, {"ingest/sales.py": REJECTED_ROWS, "run.py": caller}), "validates_data")[0] is PASS


def test_a_quarantine_file_copied_without_a_verdict_or_a_rejection_nobody_calls_is_not_validation(tmp_path: Path) -> None:
    copied = QUARANTINE_FILES.replace(
        '            if rec["qa_pass"]:\n                fout.write(json.dumps(rec) + "\\n")\n            else:\n                qout.write(json.dumps(rec) + "\\n")\n',
        '            fout.write(json.dumps(rec) + "\\n")\n            qout.write(json.dumps(rec) + "\\n")\n',
    )
    assert _outcome(_tree(tmp_path / "copied", {"data_pipeline/qa/check.py": copied}), "validates_data")[0] is FAIL
    assert _outcome(_tree(tmp_path / "uncalled", {"ingest/sales.py": REJECTED_ROWS}), "validates_data")[0] is FAIL


def test_rejections_handed_back_to_the_caller_are_not_a_kept_quarantine(tmp_path: Path) -> None:
    returned = REJECTED_ROWS.replace('    pd.DataFrame(rejected).to_csv("data/rejected_rows.csv")\n    return pd.DataFrame(kept)', "    return pd.DataFrame(kept), rejected")
    caller = "from ingest.sales import load_sales\n\nframe, why = load_sales([], set())\nframe.to_parquet('data/sales.parquet')\n"
    assert _outcome(_tree(tmp_path, {"ingest/sales.py": returned, "run.py": caller}), "validates_data")[0] is FAIL


def test_records_written_to_an_ordinary_output_on_a_verdict_are_not_a_quarantine(tmp_path: Path) -> None:
    renamed = QUARANTINE_FILES.replace("quarantine_path", "second_path").replace("data/quarantine/", "data/second/")
    assert _outcome(_tree(tmp_path, {"data_pipeline/qa/check.py": renamed}), "validates_data")[0] is FAIL


# --- rule `fetched records validated against a schema model` ----------------------------------------

MODELS = """\
from pydantic import BaseModel


class Contribution(BaseModel):
    id: str
    text: str


class ContributionsResponse(BaseModel):
    results: list[Contribution]
    total: int
"""

LOADER = """\
import httpx

from ingest.models import ContributionsResponse


def load_page(client: httpx.Client, store, url: str, skip: int) -> None:
    response = client.get(url, params={"skip": skip})
    response.raise_for_status()
    page = ContributionsResponse.model_validate(response.json())
    store.upsert([c.model_dump() for c in page.results if c.text])


def load_all(store, url: str) -> None:
    with httpx.Client() as client:
        for skip in range(0, 1000, 100):
            load_page(client, store, url, skip)
"""


def test_fetched_pages_validated_against_the_projects_response_models_before_storing_validate_data(tmp_path: Path) -> None:
    files = {"ingest/models.py": MODELS, "ingest/loader.py": LOADER, "ingest/__main__.py": "from ingest.loader import load_all\n\nload_all(None, 'https://api.example.org/items')\n"}
    outcome, message = _outcome(_tree(tmp_path, files), "validates_data")
    assert outcome is PASS and "pydantic model" in message


def test_a_request_body_a_language_models_answer_or_a_cache_read_back_is_not_ingested_data(tmp_path: Path) -> None:
    route = (
        "from fastapi import FastAPI\nfrom ingest.models import ContributionsResponse\n\napp = FastAPI()\n\n\n"
        "@app.post('/contributions')\nasync def receive(request):\n    page = ContributionsResponse.model_validate(await request.json())\n"
        "    save(page)\n"
    )
    assert _outcome(_tree(tmp_path / "route", {"ingest/models.py": MODELS, "api.py": route}), "validates_data")[0] is FAIL
    answer = (
        "import json\nfrom ingest.models import ContributionsResponse\n\n\ndef extract(llm, text, store):\n"
        "    completion = llm.invoke(text)\n    page = ContributionsResponse.model_validate(json.loads(completion.content))\n"
        "    store.insert(page)\n\n\nextract(None, '', None)\n"
    )
    assert _outcome(_tree(tmp_path / "answer", {"ingest/models.py": MODELS, "extract.py": answer}), "validates_data")[0] is FAIL
    cache = (
        "import json\nfrom ingest.models import ContributionsResponse\n\n\nclass Cache:\n    def load(self, path):\n"
        "        with open(path) as f:\n            for line in f:\n                self.items.append(ContributionsResponse.model_validate(json.loads(line)))\n\n"
        "    def save(self, path, page):\n        with open(path, 'a') as f:\n            f.write(page.model_dump_json())\n"
    )
    assert _outcome(_tree(tmp_path / "cache", {"ingest/models.py": MODELS, "cache.py": cache}), "validates_data")[0] is FAIL


def test_fetched_json_only_read_into_plain_dicts_is_not_validated(tmp_path: Path) -> None:
    plain = LOADER.replace("page = ContributionsResponse.model_validate(response.json())", "page = response.json()").replace(
        "[c.model_dump() for c in page.results if c.text]", "page['results']"
    )
    files = {"ingest/models.py": MODELS, "ingest/loader.py": plain, "ingest/__main__.py": "from ingest.loader import load_all\n\nload_all(None, 'u')\n"}
    assert _outcome(_tree(tmp_path, files), "validates_data")[0] is FAIL


# --- rule `a drift check that stops the pipeline` -----------------------------------------------------

DRIFT_DAG = """\
from airflow import DAG
from airflow.operators.python import PythonOperator

BASELINE = {"view_ratio": 0.967, "cart_ratio": 0.025}
RATIO_THRESHOLD = 0.20


def check_drift(**context):
    shares = context["ti"].xcom_pull(key="shares") or {}
    alerts = []
    for key, baseline in BASELINE.items():
        deviation = abs(shares[key] - baseline) / baseline
        if deviation > RATIO_THRESHOLD:
            alerts.append(key)
    if alerts:
        raise ValueError(f"drift in {alerts}")


def update_model(**context):
    pass


with DAG("retrain") as dag:
    PythonOperator(task_id="check_drift", python_callable=check_drift) >> PythonOperator(task_id="update", python_callable=update_model)
"""


def test_a_dag_task_raising_when_the_new_datas_shares_left_the_baseline_validates_data(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"dags/retrain.py": DRIFT_DAG}), "validates_data")
    assert outcome is PASS and "drift gate" in message


def test_a_drift_check_that_only_logs_or_raises_on_a_missing_setting_is_not_a_gate(tmp_path: Path) -> None:
    logged = DRIFT_DAG.replace('        raise ValueError(f"drift in {alerts}")', "        print(alerts)")
    assert _outcome(_tree(tmp_path / "logged", {"dags/retrain.py": logged}), "validates_data")[0] is FAIL
    precondition = logged.replace('    shares = context["ti"]', '    if not context.get("bucket"):\n        raise ValueError("BUCKET not set")\n    shares = context["ti"]')
    assert _outcome(_tree(tmp_path / "setting", {"dags/retrain.py": precondition}), "validates_data")[0] is FAIL


def test_a_gate_on_the_models_drifting_accuracy_checks_the_model_not_the_data(tmp_path: Path) -> None:
    model = DRIFT_DAG.replace("def check_drift(", "def check_model_drift(").replace("python_callable=check_drift", "python_callable=check_model_drift")
    assert _outcome(_tree(tmp_path / "named", {"dags/retrain.py": model}), "validates_data")[0] is FAIL
    accuracy = DRIFT_DAG.replace("deviation > RATIO_THRESHOLD", "accuracy_drop > RATIO_THRESHOLD").replace("deviation =", "accuracy_drop =")
    assert _outcome(_tree(tmp_path / "accuracy", {"dags/retrain.py": accuracy}), "validates_data")[0] is FAIL


# --- false passes removed: nothing built, a metric's number, checks in a blog's folder ----------------

BUILDER = """\
import pandas as pd


def build_inference_row(history: pd.DataFrame, weather: pd.DataFrame) -> pd.DataFrame:
    rows = history.merge(weather, on="hour")
    if rows["temperature"].isna().any() or rows.duplicated().any():
        rows = rows.dropna().drop_duplicates()
    if len(rows.columns) < 3:
        rows["lag_24"] = 0.0
    return rows
"""

PREDICT = """\
import pandas as pd

from src.features import build_inference_row


def predict_tomorrow(model, history: pd.DataFrame, weather: pd.DataFrame):
    X = build_inference_row(history, weather)
    if len(X) == 0:
        raise ValueError("could not build features")
    return model.predict(X)


if __name__ == "__main__":
    predict_tomorrow(None, pd.read_csv("h.csv"), pd.read_csv("w.csv"))
"""


def test_stopping_because_a_helper_built_no_rows_is_not_a_check_of_the_data(tmp_path: Path) -> None:
    files = {"src/features.py": BUILDER, "src/predict.py": PREDICT}
    assert _outcome(_tree(tmp_path, files), "validates_data")[0] is FAIL


def test_stopping_because_the_helpers_report_lists_problems_is_a_gate(tmp_path: Path) -> None:
    checker = (
        "import pandas as pd\n\n\ndef quality_report(df: pd.DataFrame) -> list[str]:\n    problems = []\n"
        "    if df['temperature'].isna().any():\n        problems.append('missing temperature')\n"
        "    if df.duplicated().any():\n        problems.append('duplicate hours')\n    if len(df.columns) < 3:\n        problems.append('columns')\n    return problems\n"
    )
    gate = PREDICT.replace("from src.features import build_inference_row", "from src.features import quality_report").replace(
        "    X = build_inference_row(history, weather)\n    if len(X) == 0:\n        raise ValueError(\"could not build features\")\n",
        "    problems = quality_report(history)\n    if problems:\n        raise ValueError(problems)\n    X = history\n",
    )
    assert _outcome(_tree(tmp_path, {"src/features.py": checker, "src/predict.py": gate}), "validates_data")[0] is PASS


def test_an_evaluation_metric_tested_for_nan_is_not_data_validation(tmp_path: Path) -> None:
    text = (
        "import math\n\n\ndef metric_result_value(result) -> float:\n    value = float(result.value)\n    if not math.isfinite(value):\n"
        "        raise ValueError(f'non-finite score {value}')\n    return value\n\n\nprint(metric_result_value(object()))\n"
    )
    assert _outcome(_tree(tmp_path / "metric", {"scripts/eval.py": text}), "validates_data")[0] is FAIL
    data = text.replace("metric_result_value", "checked_reading").replace("result.value", "result.temperature")
    assert _outcome(_tree(tmp_path / "data", {"scripts/ingest.py": data}), "validates_data")[0] is PASS


def test_checks_in_a_blogs_figure_script_are_not_the_systems_pipeline(tmp_path: Path) -> None:
    text = (
        "import pandas as pd\n\n\ndef check_leaderboard(frame):\n    if frame['crps'].isna().any():\n        raise ValueError('missing scores')\n\n\n"
        "check_leaderboard(pd.read_csv('leaderboard.csv'))\n"
    )
    assert _outcome(_tree(tmp_path / "blog", {"blog/part-2/assets/figure.py": text}), "validates_data")[0] is FAIL
    assert _outcome(_tree(tmp_path / "src", {"src/leaderboard.py": text}), "validates_data")[0] is PASS


# --- rule `a data test suite run as a gate` ------------------------------------------------------------

SUITE_GATE = """\
import os
import sys

import pytest

root = os.path.dirname(os.path.dirname(__file__))


def run_data_tests():
    suite = os.path.join(root, "tests/test_data.py")
    code = pytest.main([suite])
    if code == 0:
        print("data tests passed, training")
    else:
        sys.exit(code)


run_data_tests()
"""


def test_a_training_script_that_runs_the_data_test_suite_and_exits_when_it_fails_validates_data(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"scripts/train.py": SUITE_GATE}), "validates_data")
    assert outcome is PASS and "data test gate" in message
    checked = "import subprocess\n\nsubprocess.run(['pytest', 'tests/data/'], check=True)\n"
    assert _outcome(_tree(tmp_path / "subprocess", {"scripts/train.py": checked}), "validates_data")[0] is PASS


def test_running_the_unit_tests_or_ignoring_the_data_suites_result_is_not_a_gate(tmp_path: Path) -> None:
    unit = SUITE_GATE.replace("tests/test_data.py", "tests/test_api.py")
    assert _outcome(_tree(tmp_path / "unit", {"scripts/train.py": unit}), "validates_data")[0] is FAIL
    ignored = SUITE_GATE.replace("        sys.exit(code)", "        print('some data tests failed')")
    assert _outcome(_tree(tmp_path / "ignored", {"scripts/train.py": ignored}), "validates_data")[0] is FAIL


# --- rule `records rejected with reasons` ---------------------------------------------------------------

ROW_REJECTION = """\
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app.models import SalesDaily


def upsert_sales(db, records, stores, products):
    valid_rows, errors = [], []
    for idx, record in enumerate(records):
        store_id = stores.get(record.store_code)
        product_id = products.get(record.sku)
        if store_id is None:
            errors.append((idx, "UNKNOWN_STORE"))
            continue
        if product_id is None or record.quantity < 0:
            errors.append((idx, "UNKNOWN_PRODUCT"))
            continue
        valid_rows.append({"store_id": store_id, "product_id": product_id, "quantity": record.quantity})
    if valid_rows:
        db.execute(pg_insert(SalesDaily).values(valid_rows))
    return errors
"""


def test_a_load_loop_rejecting_records_with_reasons_before_inserting_the_rest_validates_data(tmp_path: Path) -> None:
    caller = "from app.ingest import upsert_sales\n\nupsert_sales(None, [], {}, {})\n"
    outcome, message = _outcome(_tree(tmp_path, {"app/ingest.py": ROW_REJECTION, "app/jobs.py": caller}), "validates_data")
    assert outcome is PASS and "row rejection" in message


def test_records_checked_once_or_kept_records_handed_back_to_a_caller_are_not_a_load_rejecting_rows(tmp_path: Path) -> None:
    caller = "from app.ingest import upsert_sales\n\nupsert_sales(None, [], {}, {})\n"
    returned = ROW_REJECTION.replace("    if valid_rows:\n        db.execute(pg_insert(SalesDaily).values(valid_rows))\n    return errors\n", "    return valid_rows, errors\n")
    assert _outcome(_tree(tmp_path / "returned", {"app/ingest.py": returned, "app/jobs.py": caller}), "validates_data")[0] is FAIL
    once = ROW_REJECTION.replace('        if product_id is None or record.quantity < 0:\n            errors.append((idx, "UNKNOWN_PRODUCT"))\n            continue\n', "")
    assert _outcome(_tree(tmp_path / "once", {"app/ingest.py": once, "app/jobs.py": caller}), "validates_data")[0] is FAIL
