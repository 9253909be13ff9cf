"""Session 11's refinements of the data and training rules, from the false passes on teams' systems
(batch 14 and earlier): each look-alike a rule accepted, with the practice it must still recognise."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.collect import build_index, run_detector
from mlops_audit.evidence.repo.model import Confidence, FindingOutcome
from mlops_audit.evidence.repo.registry import get_detector
from tests.repo.test_recall_session7 import _outcome, _tree

PASS = FindingOutcome.pass_
FAIL = FindingOutcome.fail


# --- validates_data: a check nobody calls -------------------------------------------------------

SCHEMA_CHECK = """\
import pandas as pd
from pydantic import BaseModel


class Prediction(BaseModel):
    key: str
    value: float


def validate_dataframe_schema(df: pd.DataFrame, model) -> None:
    errors = []
    for name in model.model_fields:
        if name not in df.columns:
            errors.append(f"Missing column: {name}")
    if errors:
        raise ValueError(errors)
"""
WRITER_COMMENTED = """\
from app.models import Prediction, validate_dataframe_schema


def write(outputs):
    # validate_dataframe_schema(outputs, Prediction)
    outputs.to_parquet("lake/predictions.parquet")
"""
WRITER_CALLING = WRITER_COMMENTED.replace("# validate", "validate")


def test_a_schema_check_whose_only_call_is_commented_out_checks_no_data(tmp_path: Path) -> None:
    files = {"app/models.py": SCHEMA_CHECK, "app/writer.py": WRITER_COMMENTED}
    assert _outcome(_tree(tmp_path, files), "validates_data")[0] is FAIL


def test_the_same_schema_check_called_before_writing_validates_data(tmp_path: Path) -> None:
    files = {"app/models.py": SCHEMA_CHECK, "app/writer.py": WRITER_CALLING}
    assert _outcome(_tree(tmp_path, files), "validates_data")[0] is PASS


def test_a_schema_check_handed_on_as_a_task_callback_is_reached(tmp_path: Path) -> None:
    dag = (
        "from airflow.operators.python import PythonOperator\nfrom app.models import validate_dataframe_schema\n\n"
        "check = PythonOperator(task_id='check', python_callable=validate_dataframe_schema)\n"
    )
    files = {"app/models.py": SCHEMA_CHECK, "dags/pipeline.py": dag}
    assert _outcome(_tree(tmp_path, files), "validates_data")[0] is PASS


GATE = """\
import pandas as pd


def validate_data(df):
    missing = [c for c in ("score", "model") if c not in df.columns]
    n_nan = int(df["score"].isna().sum())
    return {"missing": missing, "n_nan": n_nan}


def load_and_validate_data(path):
    df = pd.read_csv(path)
    result = validate_data(df)
    if result["missing"] or result["n_nan"]:
        raise ValueError(f"bad data: {result}")
    return df
"""


def test_a_data_quality_gate_nothing_calls_stops_no_run(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"lib/analysis/data_loading.py": GATE}), "validates_data")[0] is FAIL


def test_the_same_gate_called_by_the_analysis_stops_the_run(tmp_path: Path) -> None:
    run = "from lib.analysis.data_loading import load_and_validate_data\n\n\ndef main(path):\n    return load_and_validate_data(path)\n"
    files = {"lib/analysis/data_loading.py": GATE, "lib/analysis/run.py": run}
    assert _outcome(_tree(tmp_path, files), "validates_data")[0] is PASS


# --- validates_data: checks of a model's output -------------------------------------------------

MODEL_SANITY = """\
import torch


def {name}(model, input_shape=(1, 3, 224, 224)):
    x = torch.rand(input_shape)
    {target} = model(x)
    assert not torch.isnan({target}).any(), "NaNs"
    assert not torch.isinf({target}).any(), "Infs"
    return True


def build(model):
    {name}(model)
    return model
"""


def test_a_model_s_output_checked_for_nan_on_random_input_is_not_data_validation(tmp_path: Path) -> None:
    code = MODEL_SANITY.format(name="validate_model_output", target="out")
    assert _outcome(_tree(tmp_path, {"src/proj/model.py": code}), "validates_data")[0] is FAIL


def test_a_model_s_output_is_not_data_whatever_the_checking_function_is_called(tmp_path: Path) -> None:
    code = MODEL_SANITY.format(name="sanity", target="result")
    assert _outcome(_tree(tmp_path, {"src/proj/model.py": code}), "validates_data")[0] is FAIL


def test_the_input_batch_checked_for_nan_before_the_model_is_still_data_validation(tmp_path: Path) -> None:
    code = (
        "import torch\n\n\ndef validate_model_input(batch):\n    if torch.isnan(batch).any():\n"
        "        raise ValueError('NaN inputs')\n\n\ndef predict(model, batch):\n    validate_model_input(batch)\n    return model(batch)\n"
    )
    assert _outcome(_tree(tmp_path, {"src/proj/serve.py": code}), "validates_data")[0] is PASS


# --- validates_data: data tests on fixtures -----------------------------------------------------

FIXTURE_FRAME_TESTS = """\
import pandas as pd
import pytest


@pytest.fixture
def sample_dataframe():
    return pd.DataFrame({"review_text": ["good", "bad"], "label": ["positive", "negative"]})


def load():
    return pd.read_csv("data/processed/reviews.csv")


def test_no_null_values(sample_dataframe):
    assert sample_dataframe["review_text"].notna().all()
"""


def test_data_tests_on_a_frame_a_fixture_builds_check_made_up_data(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"tests/test_data_validation.py": FIXTURE_FRAME_TESTS}), "validates_data")[0] is FAIL


def test_the_same_test_on_the_processed_dataset_checks_the_data(tmp_path: Path) -> None:
    real = FIXTURE_FRAME_TESTS + (
        "\n\ndef test_processed_data_has_no_nulls():\n    df = load()\n    assert df['review_text'].notna().all()\n"
    )
    assert _outcome(_tree(tmp_path, {"tests/test_data_validation.py": real}), "validates_data")[0] is PASS


def test_a_test_of_a_tokeniser_on_a_literal_is_no_data_test(tmp_path: Path) -> None:
    code = (
        "import pandas as pd\n\n\ndef load():\n    return pd.read_csv('data/x.csv')\n\n\n"
        "def test_shape():\n    encoding = {'ids': [[1, 2]]}\n    assert len(encoding['ids'][0]) == 2\n"
        "    assert 'ids' in encoding.columns\n"
    )
    assert _outcome(_tree(tmp_path, {"tests/test_tokens.py": code}), "validates_data")[0] is FAIL


BESIDE_TESTS = """\
from pathlib import Path
import pandas as pd
import models.prepare_data as prepare_data

data_path = Path(__file__).parent / "data/ARIMA"
raw = pd.read_csv(data_path / "raw_with_gap.csv")
prepared = prepare_data.impute(raw)


def test_missing_value_is_replaced():
    assert not prepared["temperature"].isna().any()
"""


def test_a_test_of_cleaning_on_fixture_files_beside_the_tests_checks_code_not_data(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"tests/test_prepare_data.py": BESIDE_TESTS}), "validates_data")[0] is FAIL


def test_the_same_test_on_the_project_s_data_folder_checks_the_data(tmp_path: Path) -> None:
    code = BESIDE_TESTS.replace('Path(__file__).parent / "data/ARIMA"', 'Path("data/ARIMA")')
    assert _outcome(_tree(tmp_path, {"tests/test_prepare_data.py": code}), "validates_data")[0] is PASS


# --- is_reproducible: settings versioned, randomness unseeded -----------------------------------

CONFIG = "model:\n  lr: 0.001\n  epochs: 10\n"
TRAIN = """\
import torch
import yaml

from proj.model import Net


def main():
    cfg = yaml.safe_load(open("config.yaml"))
    dataset = torch.load("data/processed/train.pt")
    train_set, val_set = torch.utils.data.random_split(dataset, [0.8, 0.2]{generator})
    net = Net(lr=cfg["model"]["lr"])
    net.train_model(train_set, val_set, epochs=cfg["model"]["epochs"])


if __name__ == "__main__":
    main()
"""


def test_a_parameter_file_driving_training_that_splits_without_a_seed_is_not_reproducible(tmp_path: Path) -> None:
    files = {"config.yaml": CONFIG, "proj/train.py": TRAIN.format(generator="")}
    outcome, message = _outcome(_tree(tmp_path, files), "is_reproducible")
    assert outcome is FAIL and "without a seed" in message and "proj/train.py:10" in message


def test_the_same_split_drawn_with_a_seeded_generator_is_reproducible(tmp_path: Path) -> None:
    seeded = TRAIN.format(generator=", generator=torch.Generator().manual_seed(42)")
    assert _outcome(_tree(tmp_path, {"config.yaml": CONFIG, "proj/train.py": seeded}), "is_reproducible")[0] is PASS


def test_a_parameter_file_with_no_random_draw_in_the_code_is_still_reproducible(tmp_path: Path) -> None:
    fixed = TRAIN.format(generator="").replace("torch.utils.data.random_split(dataset, [0.8, 0.2])", "dataset[:800], dataset[800:]")
    assert _outcome(_tree(tmp_path, {"config.yaml": CONFIG, "proj/train.py": fixed}), "is_reproducible")[0] is PASS


HYDRA_TRAIN = """\
import hydra
from sklearn.model_selection import train_test_split
from sklearn.ensemble import RandomForestClassifier


@hydra.main(config_path="conf", config_name="config")
def main(cfg):
    X, y = load(cfg.data)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2{split})
    RandomForestClassifier(random_state=None).fit(X_train, y_train)
"""


def test_a_hydra_config_with_an_unseeded_split_and_estimator_is_not_reproducible(tmp_path: Path) -> None:
    files = {"conf/config.yaml": CONFIG, "train.py": HYDRA_TRAIN.format(split="")}
    outcome, message = _outcome(_tree(tmp_path, files), "is_reproducible")
    assert outcome is FAIL and "Hydra" in message and "train.py:9" in message and "train.py:10" in message


def test_a_split_without_shuffling_draws_nothing(tmp_path: Path) -> None:
    ordered = HYDRA_TRAIN.format(split=", shuffle=False").replace("random_state=None", "n_estimators=10")
    assert _outcome(_tree(tmp_path, {"conf/config.yaml": CONFIG, "train.py": ordered}), "is_reproducible")[0] is PASS


def _finding(root: Path, detector: str):  # noqa: ANN202 - the detector's whole observation (outcome, confidence, message)
    return run_detector(get_detector(detector), build_index(root))


# --- monitors_model: service telemetry only -----------------------------------------------------

API = """\
from fastapi import FastAPI
from prometheus_fastapi_instrumentator import Instrumentator
{extra}
app = FastAPI()
Instrumentator().instrument(app).expose(app)


@app.post("/predict")
def predict(item: dict):
    label = model.predict([item["text"]])[0]
    {count}
    return {{"label": label}}
"""
PREDICTION_COUNTER = 'from prometheus_client import Counter\n\nPREDICTIONS = Counter("predictions_total", "Predictions per class", ["label"])\n'


def _dashboard(*exprs: str) -> str:
    import json

    return json.dumps({"title": "API", "panels": [{"title": e, "targets": [{"expr": e}]} for e in exprs]})


def test_an_auto_instrumented_api_is_the_weakest_partial_watching_the_service_not_the_model(tmp_path: Path) -> None:
    seen = _finding(_tree(tmp_path, {"app/api.py": API.format(extra="", count="")}), "monitors_model")
    assert seen.outcome is FindingOutcome.partial and seen.confidence is Confidence.low
    assert "service telemetry only" in seen.message and "Instrumentator" in seen.message and "missing:" in seen.message


def test_the_same_api_counting_its_predictions_per_class_monitors_partly(tmp_path: Path) -> None:
    api = API.format(extra=PREDICTION_COUNTER, count="PREDICTIONS.labels(label=label).inc()")
    assert _outcome(_tree(tmp_path, {"app/api.py": api}), "monitors_model")[0] is FindingOutcome.partial


def test_a_dashboard_reading_only_request_and_process_metrics_is_service_telemetry_graded_weakest(tmp_path: Path) -> None:
    board = _dashboard('sum(rate(http_requests_total{handler="/predict"}[5m]))', "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))", "process_resident_memory_bytes")
    files = {"app/api.py": API.format(extra="", count=""), "deploy/grafana/dashboards/api.json": board}
    seen = _finding(_tree(tmp_path, files), "monitors_model")
    assert seen.outcome is FindingOutcome.partial and seen.confidence is Confidence.low
    assert "1 dashboard(s) of request traffic" in seen.message


def test_a_dashboard_of_prediction_confidence_and_accuracy_monitors_partly(tmp_path: Path) -> None:
    board = _dashboard("api_avg_confidence", "model_prediction_accuracy", 'rate(http_requests_total{job="api"}[5m])')
    files = {"app/api.py": API.format(extra="", count=""), "deploy/grafana/dashboards/model.json": board}
    assert _outcome(_tree(tmp_path, files), "monitors_model")[0] is FindingOutcome.partial


def test_request_telemetry_sent_to_application_insights_alone_is_graded_not_dropped(tmp_path: Path) -> None:
    """Issue 12: "Application Insights request telemetry ... are monitoring. Grade them, don't drop them"."""
    code = "from azure.monitor.opentelemetry import configure_azure_monitor\n\nconfigure_azure_monitor()\n"
    seen = _finding(_tree(tmp_path, {"service/telemetry.py": code}), "monitors_model")
    assert seen.outcome is FindingOutcome.partial and seen.confidence is Confidence.low and "service telemetry only" in seen.message


def test_metrics_a_service_exports_under_names_read_at_run_time_still_count(tmp_path: Path) -> None:
    code = (
        "from prometheus_client import Histogram, start_http_server\n\n\ndef track(endpoint, variable):\n"
        "    return Histogram(f'{endpoint}_{variable}', 'logged values')\n\n\nstart_http_server(9999)\n"
    )
    assert _outcome(_tree(tmp_path, {"serving/statistics.py": code}), "monitors_model")[0] is FindingOutcome.partial


# --- tracks_experiments / registers_models: notebooks beside a scripted training path ------------

def _notebook(*cells: str) -> str:
    import json

    return json.dumps({"cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": []} for c in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


HPO_NOTEBOOK = _notebook(
    "import mlflow\nimport mlflow.sklearn\nfrom sklearn.ensemble import RandomForestRegressor",
    "with mlflow.start_run():\n    model = RandomForestRegressor().fit(X, y)\n    mlflow.log_params({'n': 100})\n"
    "    mlflow.log_metric('rmse', 1.0)\n    mlflow.sklearn.log_model(model, 'model', registered_model_name='price')",
)
TRAIN_SCRIPT = """\
import pickle
from sklearn.ensemble import RandomForestRegressor


def train(X, y):
    model = RandomForestRegressor().fit(X, y)
    {log}
    pickle.dump(model, open("working_data/models/model.pkl", "wb"))
"""


def test_tracking_only_in_a_notebook_beside_training_scripts_that_log_nothing_is_not_tracking(tmp_path: Path) -> None:
    files = {"notebooks/HPO.ipynb": HPO_NOTEBOOK, "src/train.py": TRAIN_SCRIPT.format(log="")}
    outcome, message = _outcome(_tree(tmp_path, files), "tracks_experiments")
    assert outcome is FAIL and "only in notebooks (notebooks/HPO.ipynb)" in message and "src/train.py" in message
    assert _outcome(_tree(tmp_path, files), "registers_models")[0] is FAIL


def test_the_training_script_logging_its_runs_tracks_experiments(tmp_path: Path) -> None:
    log = "import mlflow\n    mlflow.log_metric('rmse', 1.0)"
    files = {"notebooks/HPO.ipynb": HPO_NOTEBOOK, "src/train.py": TRAIN_SCRIPT.format(log=log)}
    assert _outcome(_tree(tmp_path, files), "tracks_experiments")[0] is PASS


def test_a_project_that_trains_in_notebooks_only_is_judged_by_its_notebooks(tmp_path: Path) -> None:
    files = {"notebooks/HPO.ipynb": HPO_NOTEBOOK, "src/features.py": "def build(df):\n    return df\n"}
    assert _outcome(_tree(tmp_path, files), "tracks_experiments")[0] is PASS
    assert _outcome(_tree(tmp_path, files), "registers_models")[0] is PASS


# --- versions_data: a DVC example is an example -------------------------------------------------

DVC_STAGES = "stages:\n  prepare:\n    cmd: python prepare.py\n    deps: [data/raw.csv]\n    outs: [data/prepared.csv]\n"


def test_dvc_stages_only_in_an_examples_folder_do_not_version_the_project_s_data(tmp_path: Path) -> None:
    files = {"examples/simple-dvc/dvc.yaml": DVC_STAGES, "src/pipeline.py": "def run():\n    return 1\n"}
    assert _outcome(_tree(tmp_path, files), "versions_data")[0] is FAIL


def test_the_same_dvc_stages_at_the_project_root_version_its_data(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"dvc.yaml": DVC_STAGES}), "versions_data")[0] is PASS


# --- tunes_hyperparameters: a search nobody runs ------------------------------------------------

STUDY = """\
import optuna


def optimize_hyperparameters(X, y, n_trials=50):
    study = optuna.create_study(direction="maximize")
    study.optimize(lambda trial: objective(trial, X, y), n_trials=n_trials)
    return study.best_params
"""


def test_an_optuna_study_in_a_helper_nothing_calls_tunes_nothing(tmp_path: Path) -> None:
    files = {"apps/ml/tree_utils.py": STUDY, "apps/ml/forecast.py": "def run(model, X):\n    return model.predict(X)\n"}
    assert _outcome(_tree(tmp_path, files), "tunes_hyperparameters")[0] is FAIL


def test_the_same_study_run_by_the_training_script_tunes(tmp_path: Path) -> None:
    train = "from apps.ml.tree_utils import optimize_hyperparameters\n\n\ndef main(X, y):\n    return optimize_hyperparameters(X, y)\n"
    files = {"apps/ml/tree_utils.py": STUDY, "apps/ml/train.py": train}
    assert _outcome(_tree(tmp_path, files), "tunes_hyperparameters")[0] is PASS


def test_a_search_the_package_declares_as_a_console_script_is_run(tmp_path: Path) -> None:
    pyproject = '[project]\nname = "apps"\n\n[project.scripts]\ntune = "apps.ml.tree_utils:optimize_hyperparameters"\n'
    files = {"apps/ml/tree_utils.py": STUDY, "pyproject.toml": pyproject}
    assert _outcome(_tree(tmp_path, files), "tunes_hyperparameters")[0] is PASS


# --- tracks_experiments: Lightning loggers from their modules and from Hydra configs ----------

def test_a_lightning_wandb_logger_imported_from_its_own_module_tracks_runs(tmp_path: Path) -> None:
    train = (
        "from pytorch_lightning import Trainer\nfrom pytorch_lightning.loggers.wandb import WandbLogger\n\n\n"
        "def main(cfg, model, data):\n    logger = WandbLogger(project=cfg.project)\n    Trainer(logger=logger).fit(model, data)\n"
    )
    assert _outcome(_tree(tmp_path, {"scripts/train.py": train}), "tracks_experiments")[0] is PASS


LOGGER_CONFIG = "wandb:\n  _target_: lightning.pytorch.loggers.wandb.WandbLogger\n  project: sea-ice\n  entity: team\n"
SERVICE = """\
import hydra
from hydra.utils import instantiate
from lightning.pytorch import Trainer


def fit(cfg, model, data):
    loggers = [instantiate(c) for c in cfg.loggers.values()]
    Trainer(logger=loggers).fit(model, data)
"""


def test_a_tracker_logger_named_in_a_hydra_config_the_code_instantiates_tracks_runs(tmp_path: Path) -> None:
    files = {"pkg/config/loggers/wandb.yaml": LOGGER_CONFIG, "pkg/model_service.py": SERVICE}
    outcome, message = _outcome(_tree(tmp_path, files), "tracks_experiments")
    assert outcome is PASS and "Hydra" in message


def test_a_logger_config_nothing_instantiates_tracks_nothing(tmp_path: Path) -> None:
    files = {"pkg/config/loggers/wandb.yaml": LOGGER_CONFIG, "pkg/model_service.py": "def fit(model):\n    return model\n"}
    assert _outcome(_tree(tmp_path, files), "tracks_experiments")[0] is FAIL


def test_a_hydra_target_that_is_not_a_tracker_tracks_nothing(tmp_path: Path) -> None:
    config = "checkpoint:\n  _target_: lightning.pytorch.callbacks.ModelCheckpoint\n  monitor: val_loss\n"
    files = {"pkg/config/callbacks/default.yaml": config, "pkg/model_service.py": SERVICE}
    assert _outcome(_tree(tmp_path, files), "tracks_experiments")[0] is FAIL


# --- is_reproducible: seeds declared in Python configuration -----------------------------------

SPARK_CONFIG = 'ML_CONFIG = {\n    "data_split": {"train": 0.8, "test": 0.2, "seed": %s},\n}\n'
SPARK_TRAINING = """\
from config.spark_config import ML_CONFIG
from pyspark.ml.regression import RandomForestRegressor


def train(df):
    seed = ML_CONFIG["data_split"]["seed"]
    train_df, test_df = df.randomSplit([0.8, 0.2], seed=seed)
    return RandomForestRegressor().fit(train_df)
"""


def test_a_seed_fixed_in_a_python_config_mapping_and_passed_to_the_split_is_reproducible(tmp_path: Path) -> None:
    files = {"spark/config/spark_config.py": SPARK_CONFIG % "42", "spark/jobs/ml_training.py": SPARK_TRAINING}
    assert _outcome(_tree(tmp_path, files), "is_reproducible")[0] is PASS


def test_a_seed_left_empty_in_the_mapping_is_not_fixed(tmp_path: Path) -> None:
    files = {"spark/config/spark_config.py": SPARK_CONFIG % "None", "spark/jobs/ml_training.py": SPARK_TRAINING}
    assert _outcome(_tree(tmp_path, files), "is_reproducible")[0] is FAIL


CONFIG_MODEL = "from pydantic import BaseModel\n\n\nclass ForecasterConfig(BaseModel):\n    experiment_name: str = ''\n    random_seed: int = 0\n"
XGB_TRAINING = """\
import xgboost


def train(config, X, y):
    model = xgboost.XGBRegressor(random_state=config.random_seed)
    return model.fit(X, y)
"""


def test_a_random_seed_field_of_the_config_model_threaded_into_the_model_is_reproducible(tmp_path: Path) -> None:
    files = {"pkg/ml_core/base_forecaster.py": CONFIG_MODEL, "pkg/xgb/forecaster.py": XGB_TRAINING}
    assert _outcome(_tree(tmp_path, files), "is_reproducible")[0] is PASS


def test_the_same_field_that_training_never_reads_seeds_nothing(tmp_path: Path) -> None:
    unseeded = XGB_TRAINING.replace("random_state=config.random_seed", "n_estimators=100")
    files = {"pkg/ml_core/base_forecaster.py": CONFIG_MODEL, "pkg/xgb/forecaster.py": unseeded}
    assert _outcome(_tree(tmp_path, files), "is_reproducible")[0] is FAIL


def test_seed_entries_of_mappings_are_found_with_their_lines() -> None:
    from mlops_audit.evidence.repo.detectors.experiments import _seeds_in_mappings

    text = 'A = {"seed": 1}\nB = 2\nC = {"Random_State": 7, "n": 3}\nD = {"seed": "x"}\n'
    assert _seeds_in_mappings(text) == [("seed", 1), ("random_state", 3)]


def _pointer_listing_every_file(count: int) -> str:
    entry = "  - relpath: raw/Images/img{i:06d}.jpg\n    md5: 76938abc2143c9db999a51af9338910b\n    size: 23627\n    cloud:\n      remote_storage:\n        version_id: '1768479488435999'\n"
    return "outs:\n- hash: md5\n  path: data\n  files:\n" + "".join(entry.format(i=i) for i in range(count))


def test_a_dvc_pointer_too_large_to_read_in_a_dvc_repository_tracks_its_folder(tmp_path: Path) -> None:
    from mlops_audit.evidence.repo.index import MAX_FILE_BYTES

    pointer = _pointer_listing_every_file(MAX_FILE_BYTES // 150 + 100)
    assert len(pointer) > MAX_FILE_BYTES
    files = {"data.dvc": pointer, ".dvc/config": "[core]\n    remote = storage\n"}
    outcome, message = _outcome(_tree(tmp_path, files), "versions_data")
    assert outcome is PASS and "1 DVC-tracked output(s)" in message


def test_a_large_dvc_named_file_without_dvc_initialised_is_not_read_as_a_pointer(tmp_path: Path) -> None:
    from mlops_audit.evidence.repo.index import MAX_FILE_BYTES

    files = {"data.dvc": _pointer_listing_every_file(MAX_FILE_BYTES // 150 + 100)}
    assert _outcome(_tree(tmp_path, files), "versions_data")[0] is FAIL


# --- registers_models: a RegisterModel step in a pipeline definition kept as infrastructure code --

PIPELINE_TF = """\
resource "aws_sagemaker_pipeline" "training" {
  pipeline_name = "training"
  pipeline_definition = jsonencode({
    Steps = [
      { Name = "ModelTraining", Type = "Training" },
      {
        Name = "RegisterModel"
        Type = "RegisterModel"
        Arguments = {
          ModelPackageGroupName = var.model_package_group_name
          ModelApprovalStatus   = "PendingManualApproval"
        }
      }
    ]
  })
}
"""
GROUP_TF = 'resource "aws_sagemaker_model_package_group" "models" {\n  model_package_group_name = "prices"\n}\n'


def test_a_register_model_step_in_a_terraform_pipeline_definition_registers_models(tmp_path: Path) -> None:
    files = {"infra/model-training/pipeline.tf": PIPELINE_TF, "infra/model-tracking/model-registry.tf": GROUP_TF}
    outcome, message = _outcome(_tree(tmp_path, files), "registers_models")
    assert outcome is PASS and "RegisterModel step" in message


def test_a_model_package_group_declared_alone_is_an_empty_registry(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"infra/model-tracking/model-registry.tf": GROUP_TF}), "registers_models")[0] is FAIL


def test_a_step_named_register_model_of_another_type_registers_nothing(tmp_path: Path) -> None:
    other = PIPELINE_TF.replace('Type = "RegisterModel"', 'Type = "Processing"')
    assert _outcome(_tree(tmp_path, {"infra/pipeline.tf": other}), "registers_models")[0] is FAIL


def test_a_training_notebook_ci_executes_is_on_the_training_path(tmp_path: Path) -> None:
    workflow = (
        "on: [push]\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: jupyter nbconvert --to notebook --execute --inplace notebooks/HPO.ipynb\n"
    )
    files = {"notebooks/HPO.ipynb": HPO_NOTEBOOK, "src/train.py": TRAIN_SCRIPT.format(log=""), ".github/workflows/cml.yml": workflow}
    assert _outcome(_tree(tmp_path, files), "tracks_experiments")[0] is PASS


# --- triggers_retraining: a chain of workflows rooted by hand (conventions §10) ------------------

DATA_WORKFLOW = "name: Fetch and Process Data\non:\n{on}\njobs:\n  fetch:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python src/fetch.py\n"
TRAIN_WORKFLOW = (
    "name: Train\non:\n  workflow_run:\n    workflows: [\"Fetch and Process Data\"]\n    types: [completed]\n"
    "jobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python src/train.py\n"
)


def test_training_after_a_data_workflow_started_by_hand_is_no_trigger(tmp_path: Path) -> None:
    files = {".github/workflows/fetch_data.yml": DATA_WORKFLOW.format(on="  workflow_dispatch:"), ".github/workflows/train_model.yml": TRAIN_WORKFLOW}
    assert _outcome(_tree(tmp_path, files), "triggers_retraining")[0] is FAIL


def test_training_after_a_scheduled_data_workflow_is_started_without_a_person(tmp_path: Path) -> None:
    scheduled = DATA_WORKFLOW.format(on="  schedule:\n    - cron: '0 * * * *'\n  workflow_dispatch:")
    files = {".github/workflows/fetch_data.yml": scheduled, ".github/workflows/train_model.yml": TRAIN_WORKFLOW}
    assert _outcome(_tree(tmp_path, files), "triggers_retraining")[0] is PASS
