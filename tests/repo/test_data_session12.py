"""Session 12's validates_data rules (issue #12, from domain knowledge): data lacking the model's
required features rejected on the serving or pipeline path (conventions §7 as settled in session 11),
Delta Live Tables expectations that drop or fail records, and a SageMaker pipeline's data-quality
check step. Each rule with the practice it recognises and the near miss it must not."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, FAIL = FindingOutcome.pass_, FindingOutcome.fail

# --- rule `required features checked, missing ones rejected` ---------------------------------------

ROUTE_REJECTS = """\
import joblib
from fastapi import FastAPI, HTTPException

app = FastAPI()
bundle = joblib.load("models/model.joblib")


@app.post("/predict")
def predict(payload: dict):
    features = bundle["features"]
    missing = [name for name in features if name not in payload]
    if missing:
        raise HTTPException(status_code=400, detail=f"missing features: {missing}")
    return {"prediction": float(bundle["model"].predict([[payload[n] for n in features]])[0])}
"""


def test_a_route_rejecting_a_request_that_lacks_the_models_features_validates_data(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"api/main.py": ROUTE_REJECTS}), "validates_data")
    assert outcome is PASS and "required features" in message


def test_a_flask_route_answering_400_for_missing_expected_columns_before_predicting_validates_data(tmp_path: Path) -> None:
    text = (
        "import pandas as pd\nfrom flask import Flask, jsonify, request\nfrom model import pipeline\n\napp = Flask(__name__)\n"
        "EXPECTED_COLUMNS = ['temp', 'hour']\n\n\n@app.route('/score', methods=['POST'])\ndef score():\n"
        "    df = pd.DataFrame(request.get_json())\n    missing = [c for c in EXPECTED_COLUMNS if c not in df.columns]\n"
        "    if missing:\n        return jsonify({'error': 'missing_required_columns', 'missing': missing}), 400\n"
        "    return jsonify(pipeline.predict(df[EXPECTED_COLUMNS]).tolist())\n"
    )
    assert _outcome(_tree(tmp_path, {"app.py": text}), "validates_data")[0] is PASS


def test_a_pipeline_step_raising_on_a_set_difference_of_required_features_validates_data(tmp_path: Path) -> None:
    text = (
        "import pandas as pd\nREQUIRED_FEATURES = ['age', 'income']\n\n\ndef load_training_frame(path):\n    df = pd.read_parquet(path)\n"
        "    absent = set(REQUIRED_FEATURES) - set(df.columns)\n    if absent:\n        raise ValueError(f'missing {absent}')\n    return df\n\n\n"
        "if __name__ == '__main__':\n    load_training_frame('data/train.parquet')\n"
    )
    assert _outcome(_tree(tmp_path, {"pipeline/load.py": text}), "validates_data")[0] is PASS


def test_missing_features_only_logged_or_filled_in_are_not_rejected(tmp_path: Path) -> None:
    logged = ROUTE_REJECTS.replace('raise HTTPException(status_code=400, detail=f"missing features: {missing}")', "print('missing', missing)")
    assert _outcome(_tree(tmp_path / "logged", {"api/main.py": logged}), "validates_data")[0] is FAIL
    filled = ROUTE_REJECTS.replace('raise HTTPException(status_code=400, detail=f"missing features: {missing}")', "payload.update({m: 0 for m in missing})")
    assert _outcome(_tree(tmp_path / "filled", {"api/main.py": filled}), "validates_data")[0] is FAIL


def test_required_settings_or_columns_checked_away_from_the_model_are_not_this_rule(tmp_path: Path) -> None:
    settings = (
        "import os\nREQUIRED_ENV_COLUMNS = ['DB_URL']\n\n\ndef main():\n    missing = [k for k in REQUIRED_ENV_COLUMNS if k not in os.environ]\n"
        "    if missing:\n        raise SystemExit(1)\n\n\nif __name__ == '__main__':\n    main()\n"
    )
    assert _outcome(_tree(tmp_path / "settings", {"check_env.py": settings}), "validates_data")[0] is FAIL
    upload = (
        "from fastapi import FastAPI, HTTPException\nimport pandas as pd\n\napp = FastAPI()\n\n\n@app.post('/upload')\ndef upload(f):\n"
        "    df = pd.read_csv(f)\n    required_cols = ['text', 'label']\n    missing_cols = set(required_cols) - set(df.columns)\n"
        "    if missing_cols:\n        raise HTTPException(status_code=400)\n    df.to_csv('data/new.csv')\n"
    )
    assert _outcome(_tree(tmp_path / "upload", {"api.py": upload}), "validates_data")[0] is FAIL


def test_a_rejection_nobody_calls_or_kept_in_tests_or_examples_does_not_count(tmp_path: Path) -> None:
    unreached = (
        "FEATURES = ['a', 'b']\n\n\ndef check_features(row):\n    missing = [f for f in FEATURES if f not in row]\n    if missing:\n"
        "        raise ValueError(missing)\n"
    )
    assert _outcome(_tree(tmp_path / "unreached", {"pkg/checks.py": unreached}), "validates_data")[0] is FAIL
    assert _outcome(_tree(tmp_path / "examples", {"examples/api/main.py": ROUTE_REJECTS}), "validates_data")[0] is FAIL


# --- catalogue: Delta Live Tables expectations, SageMaker data-quality step ------------------------

def test_a_dlt_expectation_that_only_counts_violations_is_not_validation(tmp_path: Path) -> None:
    text = "import dlt\n\n\n@dlt.table()\n@dlt.expect('positive_amount', 'amount > 0')\ndef clean():\n    return dlt.read('raw')\n"
    assert _outcome(_tree(tmp_path, {"pipeline.py": text}), "validates_data")[0] is FAIL


def test_a_model_quality_check_step_checks_the_model_not_the_data(tmp_path: Path) -> None:
    text = (
        "from sagemaker.workflow.quality_check_step import ModelQualityCheckConfig, QualityCheckStep\n\n\n"
        "def steps(uri):\n    return [QualityCheckStep(name='m', quality_check_config=ModelQualityCheckConfig(baseline_dataset=uri))]\n"
    )
    assert _outcome(_tree(tmp_path, {"pipelines/pipeline.py": text}), "validates_data")[0] is FAIL


# --- rule `checks shown on a dashboard page` --------------------------------------------------------

PAGE = """\
import streamlit as st
import pandas as pd
from evidently.test_suite import TestSuite
from evidently.test_preset import DataStabilityTestPreset

suite = TestSuite(tests=[DataStabilityTestPreset()])
suite.run(reference_data=pd.read_csv("ref.csv"), current_data=pd.read_csv("cur.csv"))
st.components.v1.html(suite.get_html())
"""


def test_a_test_suite_run_for_a_viewer_on_a_streamlit_page_is_not_validation(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"dashboard.py": PAGE}), "validates_data")[0] is FAIL


def test_the_same_test_suite_in_a_pipeline_module_validates_data(tmp_path: Path) -> None:
    module = PAGE.replace("import streamlit as st\n", "").replace("st.components.v1.html(suite.get_html())", "assert suite.as_dict()['summary']['all_passed']")
    assert _outcome(_tree(tmp_path, {"pipeline/check_data.py": module}), "validates_data")[0] is PASS


# --- rule `data-quality verdict gates the model's release` -------------------------------------------

GATED_RELEASE = """\
import mlflow
import pandas as pd


def train(path):
    df = pd.read_csv(path)
    results = {"data_quality_passed": True, "errors": []}
    if len(df) < 100:
        results["errors"].append("too few rows")
        results["data_quality_passed"] = False
    if df.isnull().sum().sum() > 0:
        results["data_quality_passed"] = False
    model = fit(df)
    if results["data_quality_passed"] and model.score > 0.8:
        mlflow.sklearn.log_model(model, "model", registered_model_name="churn")


if __name__ == "__main__":
    train("data/train.csv")
"""


def test_data_checks_whose_verdict_keeps_the_model_from_being_registered_validate_data(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"scripts/train.py": GATED_RELEASE}), "validates_data")
    assert outcome is PASS and "registered" in message


def test_registration_gated_on_the_models_score_alone_is_not_data_validation(tmp_path: Path) -> None:
    ungated = GATED_RELEASE.replace('if results["data_quality_passed"] and model.score > 0.8:', "if model.score > 0.8:")
    assert _outcome(_tree(tmp_path, {"scripts/train.py": ungated}), "validates_data")[0] is FAIL
