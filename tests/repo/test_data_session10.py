"""Session 10's rules for data validation, hyper-parameter sweeps, retraining triggers and feature
definitions, from the misses and false passes on teams' systems (batch 13 and earlier): each rule
with the practice it recognises and the near miss it must not."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS = FindingOutcome.pass_


# --- validates_data: rule `data checks on the pipeline path` ----------------------------------------

NAN_INPUTS = """\
import numpy as np
import xarray as xr


def process_nwp(path, varname):
    ds = xr.open_zarr(path)
    if np.isnan(ds[varname].values).any():
        raise ValueError(f"Found NaNs in {path}")
    return ds
"""
APP = """\
from app.nwp import process_nwp


def run(path):
    ds = process_nwp(path, "t2m")
    return ds
"""


def test_an_inference_app_rejecting_inputs_with_nans_validates_data(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"app/nwp.py": NAN_INPUTS, "app/main.py": APP}), "validates_data")
    assert outcome is PASS and "pipeline path" in message


def test_a_nan_check_nothing_in_the_project_calls_is_not_on_the_pipeline_path(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"app/nwp.py": NAN_INPUTS}), "validates_data")[0] is FindingOutcome.fail


def test_a_training_loss_tested_for_nan_is_not_a_data_check(tmp_path: Path) -> None:
    loop = (
        "import torch\n\n\ndef step(model, batch):\n    loss = model(batch)\n"
        "    if torch.isnan(loss):\n        raise RuntimeError('loss is nan')\n    return loss\n\n\n"
        "def fit(model, batches):\n    for b in batches:\n        step(model, b)\n"
    )
    assert _outcome(_tree(tmp_path, {"train.py": loop}), "validates_data")[0] is FindingOutcome.fail


ALL_ZERO_BATCH = """\
def check_sources_not_all_zero(batch):
    for source in batch["nwp"]:
        if (batch["nwp"][source] == 0).all():
            raise ValueError(f"NWP data for {source} is all zeros")
"""
USES_CHECK = "from app.batch_validation import check_sources_not_all_zero\n\n\ndef predict(model, batch):\n    check_sources_not_all_zero(batch)\n    return model(batch)\n"


def test_a_batch_of_constant_inputs_stops_the_forecast(tmp_path: Path) -> None:
    files = {"app/batch_validation.py": ALL_ZERO_BATCH, "app/forecast.py": USES_CHECK}
    assert _outcome(_tree(tmp_path, files), "validates_data")[0] is PASS


VALIDATE_IO = """\
import numpy as np


def train_input_range_dtype(s1, s2):
    assert s1.dtype == np.float32
    assert np.logical_and(s1.min() >= 0, s1.max() <= 1)
"""
CREATE_XY = "import utils.validate_io as validate\n\n\ndef build(s1, s2):\n    validate.train_input_range_dtype(s1, s2)\n    return s1, s2\n"


def test_a_validation_module_asserting_value_ranges_before_training_validates_data(tmp_path: Path) -> None:
    files = {"src/utils/validate_io.py": VALIDATE_IO, "src/features/create_xy.py": CREATE_XY}
    assert _outcome(_tree(tmp_path, files), "validates_data")[0] is PASS


def test_value_checks_called_only_from_tests_are_not_the_pipeline_s(tmp_path: Path) -> None:
    files = {"src/utils/validate_io.py": VALIDATE_IO, "tests/test_io.py": CREATE_XY.replace("def build", "def test_build")}
    assert _outcome(_tree(tmp_path, files), "validates_data")[0] is FindingOutcome.fail


INCOMING = """\
import pandas as pd


class Model:
    def check_incoming_data(self, data):
        assert pd.infer_freq(data.index) == "30min"
        assert len(data) == 49
        assert set(self.variables).issubset(data.columns)

    def predict(self, data):
        self.check_incoming_data(data)
        return self.model.predict(data)
"""


def test_a_check_named_function_asserting_frequency_length_and_variables_validates_data(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"pv/inference/models.py": INCOMING}), "validates_data")[0] is PASS


def test_shape_assertions_in_a_model_s_forward_are_not_data_checks(tmp_path: Path) -> None:
    net = (
        "import torch\n\n\nclass Net(torch.nn.Module):\n    def forward(self, x):\n"
        "        assert x.shape[1] == 3\n        assert x.dtype == torch.float32\n        return self.layer(x)\n\n\n"
        "def check_input(x):\n    assert x.shape[1] == 3\n    assert len(x) > 0\n    return x\n\n\n"
        "def run(net, x):\n    return net.forward(check_input(x))\n"
    )
    assert _outcome(_tree(tmp_path, {"model.py": net}), "validates_data")[0] is FindingOutcome.fail


def test_a_limit_picked_with_the_builtin_max_is_not_a_range_check(tmp_path: Path) -> None:
    chat = (
        "def get_session(chat, sizes):\n    if chat.token_count() > max(sizes.values()):\n        raise ValueError('too large')\n"
        "    return chat\n\n\ndef view(chat, sizes):\n    return get_session(chat, sizes)\n"
    )
    assert _outcome(_tree(tmp_path, {"app/models.py": chat}), "validates_data")[0] is FindingOutcome.fail


# --- validates_data: near misses of the in-house gate and schema rules -------------------------------

COERCION = """\
import pandas as pd


def derive_feature_cols(df, exclude):
    cand = [c for c in df.columns if c not in exclude]
    num = df[cand].apply(pd.to_numeric, errors="coerce")
    dupes = df.duplicated().sum()
    feat_cols = [c for c in cand if not num[c].isna().all()]
    if len(feat_cols) == 0:
        raise RuntimeError("No numeric feature columns")
    return feat_cols, dupes
"""
COLLECTS_FAILURES = COERCION.replace("if not num[c].isna().all()", "if num[c].isna().any()").replace("if len(feat_cols) == 0:", "if feat_cols:")
# The pipeline step calling it (a gate nothing calls stops no run: session 11).
PREP_STEP = "from prep.features import derive_feature_cols\n\n\ndef run(df):\n    return derive_feature_cols(df, ['id'])\n"


def test_stopping_when_coercion_leaves_no_usable_column_is_not_a_gate(tmp_path: Path) -> None:
    files = {"prep/features.py": COERCION, "prep/step.py": PREP_STEP}
    assert _outcome(_tree(tmp_path, files), "validates_data")[0] is FindingOutcome.fail


def test_raising_on_the_columns_a_missing_value_check_collected_is_a_gate(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"prep/features.py": COLLECTS_FAILURES, "prep/step.py": PREP_STEP}), "validates_data")
    assert outcome is PASS and "gate" in message


# A module-level call: the check is reached (a check nothing calls checks no data: session 11).
REACHED = "\n\nif __name__ == '__main__':\n    {name}(None, [])\n"
REQUEST_FIELDS = """\
import pandas as pd
from fastapi import HTTPException
from pydantic import BaseModel


class Item(BaseModel):
    designation: str


def categories(request):
    df = pd.DataFrame([i.model_dump() for i in request.inputs])
    # verify the request against the schema
    missing = {"designation", "description"} - set(df.columns)
    if missing:
        raise HTTPException(status_code=422, detail=f"Missing required fields: {missing}")
    return df
"""


def test_request_fields_checked_by_an_api_handler_are_a_request_model_not_data_validation(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"api/text.py": REQUEST_FIELDS}), "validates_data")[0] is FindingOutcome.fail
    # the same column check in a pipeline step that raises a data error is a schema check
    step = REQUEST_FIELDS.replace("raise HTTPException(status_code=422, detail=", "raise ValueError(") + REACHED.format(name="categories")
    assert _outcome(_tree(tmp_path / "b", {"pipeline/check.py": step}), "validates_data")[0] is PASS


ROWS_TO_OBJECTS = """\
from pydantic import BaseModel


class AOI(BaseModel):
    name: str


def pick(df):
    found = []
    found.extend([AOI(**row) for row in df.to_dict(orient="records")])
    return found
"""
ROWS_VALIDATED = """\
from pydantic import BaseModel, ValidationError


class Row(BaseModel):
    name: str


def validate(df, bad):
    for row in df.to_dict(orient="records"):
        try:
            Row(**row)
        except ValidationError:
            bad.append(row)
"""


def test_rows_turned_into_pydantic_objects_and_kept_are_a_conversion(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path / "a", {"agent/tool.py": ROWS_TO_OBJECTS}), "validates_data")[0] is FindingOutcome.fail
    reached = ROWS_VALIDATED + REACHED.format(name="validate")
    assert _outcome(_tree(tmp_path / "b", {"data/validate.py": reached}), "validates_data")[0] is PASS


CONNECTOR = """\
from kedro.io import AbstractVersionedDataset


class TableDataset(AbstractVersionedDataset):
    # the table schema must match
    def _save(self, data):
        if set(data.columns) != set(self._base.columns):
            raise ValueError("Upsert requires identical columns")
"""


def test_a_storage_connector_s_preconditions_are_not_the_pipeline_checking_its_data(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"pkg/datasets/table.py": CONNECTOR}), "validates_data")[0] is FindingOutcome.fail


# --- tunes_hyperparameters: rule `sweep launcher` -----------------------------------------------------

SUBPROCESS_SWEEP = """\
\"\"\"Hyperparameter sweep: train.py once per combination.\"\"\"
import itertools
import subprocess
import sys

LEARNING_RATES = [1e-3, 1e-4]
EPOCHS = [5, 10]


def run_training(config_path):
    return subprocess.run([sys.executable, "train.py", "--config", config_path]).returncode


def main():
    combos = list(itertools.product(LEARNING_RATES, EPOCHS))
    for i, (lr, epochs) in enumerate(combos):
        run_training(write_config(lr, epochs))
"""


def test_a_grid_sweep_launching_train_py_per_combination_tunes(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"training/sweep.py": SUBPROCESS_SWEEP}), "tunes_hyperparameters")
    assert outcome is PASS and "sweep" in message


def test_a_loop_launching_a_script_per_file_is_not_a_sweep(tmp_path: Path) -> None:
    batch = SUBPROCESS_SWEEP.replace('"""Hyperparameter sweep: train.py once per combination."""', '"""Process every file."""')
    batch = batch.replace("for i, (lr, epochs) in enumerate(combos):", "for path in files:").replace('"train.py"', '"convert.py"')
    assert _outcome(_tree(tmp_path, {"tools/batch.py": batch}), "tunes_hyperparameters")[0] is FindingOutcome.fail


RANDOM_TRIALS = """\
import random

from ner import train_model

num_experiments = 20
for i in range(num_experiments):
    drop_out = random.uniform(0.08, 0.2)
    learn_rate = random.uniform(0.0009, 0.005)
    results = train_model(drop_out, learn_rate)
"""


def test_trials_drawing_settings_at_random_and_training_each_tune(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"pipeline/ner_runs.py": RANDOM_TRIALS}), "tunes_hyperparameters")[0] is PASS


def test_random_augmentation_in_a_training_loop_is_not_a_search(tmp_path: Path) -> None:
    augment = (
        "import random\n\n\ndef fit(model, batches):\n    for batch in batches:\n"
        "        angle = random.uniform(-10, 10)\n        model.train_step(rotate(batch, angle))\n"
    )
    assert _outcome(_tree(tmp_path, {"train.py": augment}), "tunes_hyperparameters")[0] is FindingOutcome.fail


DRAWN_CONFIGURATIONS = """\
\"\"\"Random hyperparameter search for the detector.\"\"\"
from search.space import draw_n_random_configurations
from yolo.train import train


def main(n):
    configurations = draw_n_random_configurations(n)
    for idx, configuration in enumerate(configurations):
        train(configuration)
"""


def test_configurations_drawn_from_a_search_space_and_trained_tune(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"scripts/search.py": DRAWN_CONFIGURATIONS}), "tunes_hyperparameters")[0] is PASS


def test_training_each_model_of_a_list_is_a_comparison_not_a_sweep(tmp_path: Path) -> None:
    models = (
        '"""Benchmark the sweep of candidate models."""\nfrom train import train\n\n\n'
        "def main():\n    for kind, params, label in ((RIDGE, None, 'ridge'), (GBM, BEST, 'gbm')):\n        train(kind, params, label)\n"
    )
    assert _outcome(_tree(tmp_path, {"scripts/ablate.py": models}), "tunes_hyperparameters")[0] is FindingOutcome.fail


# --- triggers_retraining: rule `scheduled DAG triggers the training DAG` ------------------------------

TRIGGER_DAG = """\
from airflow.operators.python import ShortCircuitOperator
from airflow.operators.trigger_dagrun import TriggerDagRunOperator
from iqa.dags import build_dag

LIFECYCLE_DAG_ID = "lifecycle"


def _define():
    gate = ShortCircuitOperator(task_id="gate_on_drift", python_callable=drift_confirmed)
    start = TriggerDagRunOperator(task_id="trigger_lifecycle", trigger_dag_id=LIFECYCLE_DAG_ID)
    gate >> start


dag = build_dag(dag_id="lifecycle_trigger", define=_define, schedule="@hourly")
"""
TRAINING_DAG = 'from iqa.dags import build_dag\n\ndag = build_dag(dag_id="lifecycle", define=lambda: None, schedule=None, params={"mode": "progressive-train"})\n'
EXTRACT_DAG = 'from iqa.dags import build_dag\n\ndag = build_dag(dag_id="lifecycle", define=lambda: None, schedule=None, params={"mode": "extract"})\n'


def test_an_hourly_dag_polling_drift_and_triggering_the_training_dag_triggers_retraining(tmp_path: Path) -> None:
    files = {"dags/lifecycle_trigger.py": TRIGGER_DAG, "dags/lifecycle.py": TRAINING_DAG}
    outcome, message = _outcome(_tree(tmp_path, files), "triggers_retraining")
    assert outcome is PASS and "TriggerDagRunOperator" in message


def test_a_dag_started_by_hand_or_triggering_a_dag_that_does_not_train_is_no_trigger(tmp_path: Path) -> None:
    by_hand = {"dags/lifecycle_trigger.py": TRIGGER_DAG.replace('schedule="@hourly"', "schedule=None"), "dags/lifecycle.py": TRAINING_DAG}
    assert _outcome(_tree(tmp_path / "a", by_hand), "triggers_retraining")[0] is FindingOutcome.fail
    extracts = {"dags/lifecycle_trigger.py": TRIGGER_DAG, "dags/extract.py": EXTRACT_DAG}
    assert _outcome(_tree(tmp_path / "b", extracts), "triggers_retraining")[0] is FindingOutcome.fail


# --- triggers_retraining: rule `deploy helper schedules what its callers ask` -------------------------

DEPLOY_HELPER = """\
from prefect import flow

from flows.ingest import ingest
from flows.train import train_on_gpu


async def create_deployment(flow, description, env_schedules=None):
    schedule = pick_schedule(env_schedules)
    await flow.deploy(flow.name, description=description, schedule=schedule)


async def main():
    await create_deployment(flow=ingest, description="Ingest daily", env_schedules={"prod": "0 6 * * *"})
    await create_deployment(flow=train_on_gpu, description="Train classifiers")
"""


def test_a_deploy_helper_whose_callers_schedule_only_non_training_flows_is_no_trigger(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"deployments.py": DEPLOY_HELPER}), "triggers_retraining")[0] is FindingOutcome.fail


def test_a_deploy_helper_called_with_a_training_flow_and_a_schedule_triggers_retraining(tmp_path: Path) -> None:
    scheduled = DEPLOY_HELPER.replace('description="Train classifiers")', 'description="Train", env_schedules={"prod": "0 9 1 * *"})')
    assert _outcome(_tree(tmp_path, {"deployments.py": scheduled}), "triggers_retraining")[0] is PASS


# --- defines_features: feature views of an examples folder --------------------------------------------

FEAST_VIEWS = """\
from datetime import timedelta

from feast import Entity, FeatureView, Field
from feast.types import Float32

meter = Entity(name="meter", join_keys=["meter_id"])
usage = FeatureView(name="usage", entities=[meter], ttl=timedelta(days=1), schema=[Field(name="kwh", dtype=Float32)])
"""


def test_feature_views_only_in_an_examples_folder_are_not_the_project_s_features(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path / "a", {"examples/simple-feast/repo/features.py": FEAST_VIEWS}), "defines_features")[0] is FindingOutcome.fail
    assert _outcome(_tree(tmp_path / "b", {"services/feast/feature_repo/definitions.py": FEAST_VIEWS}), "defines_features")[0] is PASS


# --- validates_data: rule `records checked one by one, failures quarantined` ---------------------------

QUARANTINE = """\
import json


def validate_chunk(chunk):
    issues = []
    if len(chunk.get("text", "").split()) < 30:
        issues.append("TooShort")
    if not chunk.get("company"):
        issues.append("MissingCompany")
    return issues


def validate_all(lines, valid_out, invalid_out):
    for line in lines:
        chunk = json.loads(line)
        issues = validate_chunk(chunk)
        if issues:
            invalid_out.write(json.dumps({"issues": issues, "chunk": chunk}) + "\\n")
        else:
            valid_out.write(json.dumps(chunk) + "\\n")
"""


def test_records_failing_a_check_written_to_an_invalid_sink_are_quarantined(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"pipeline/validate_data.py": QUARANTINE}), "validates_data")
    assert outcome is PASS and "quarantine" in message


def test_records_failing_a_check_that_are_only_counted_are_not_quarantined(tmp_path: Path) -> None:
    counted = QUARANTINE.replace("invalid_out.write(", "print(")
    assert "invalid_out.write" not in counted
    assert _outcome(_tree(tmp_path / "a", {"pipeline/validate_data.py": counted}), "validates_data")[0] is FindingOutcome.fail
    # a single test of the record is not a check function collecting problems
    single = QUARANTINE.replace('    if not chunk.get("company"):\n        issues.append("MissingCompany")\n', "")
    assert _outcome(_tree(tmp_path / "b", {"pipeline/validate_data.py": single}), "validates_data")[0] is FindingOutcome.fail


# --- validates_data: a module named for validating data; shapes of two inputs compared -----------------

VALIDATION_STEP = """\
from recommender.errors import ImbalancedDatasetError, NoUserInDatasetError


def at_least_one_user(data):
    if len(data) < 1:
        raise NoUserInDatasetError()


def classes_are_balanced(data):
    for entry in data:
        if len(entry["ordered"]) != len(entry["not_ordered"]):
            raise ImbalancedDatasetError()


class DataValidationStep:
    def __call__(self, data):
        at_least_one_user(data)
        classes_are_balanced(data)
        return data
"""


def test_a_pipeline_s_data_validation_step_raising_on_row_counts_validates_data(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"engine/training/data_validation_step.py": VALIDATION_STEP}), "validates_data")[0] is PASS


def test_the_same_row_count_guards_in_a_module_not_named_for_validation_are_argument_checks(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"engine/training/batching.py": VALIDATION_STEP}), "validates_data")[0] is FindingOutcome.fail


SIMILARITY = """\
import numpy as np

from app.schema.document import Document


def cosine_similarity(X, Y):
    if X.shape[1] != Y.shape[1]:
        raise ValueError("Number of columns in X and Y must be the same")
    return np.dot(X, Y.T)


def rank(docs, query):
    return cosine_similarity(np.array(docs), np.array(query))
"""


def test_two_inputs_shapes_compared_with_each_other_are_not_a_schema_check(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"app/retriever/utils.py": SIMILARITY}), "validates_data")[0] is FindingOutcome.fail


def test_a_sweep_over_seeds_is_repetition_not_a_search(tmp_path: Path) -> None:
    seeds = SUBPROCESS_SWEEP.replace("for i, (lr, epochs) in enumerate(combos):", "for seed in SEEDS:")
    assert _outcome(_tree(tmp_path, {"training/sweep.py": seeds}), "tunes_hyperparameters")[0] is FindingOutcome.fail


def test_hostile_lines_are_searched_by_the_text_prefilters_in_bounded_time() -> None:
    # review10: unbounded `[^\n]*` runs made these searches quadratic on one long line
    from mlops_audit.evidence.repo.detectors import data

    assert not data._may_check_data("assert " * 200_000)
    assert not data._may_check_data("raise\n" + "if " * 300_000)
    assert data._QUARANTINE_TEXT.search("bad" * 50_000) is None
    # and they still see what they were written for
    assert data._may_check_data("    assert not df['age'].isna().any()\n")
    assert data._may_check_data("    if df.isnull().any():\n        log('x')\n        raise ValueError('missing')\n")
    assert not data._may_check_data("    if df.isnull().any():\n        a()\n        b()\n        c()\n        d()\n        raise ValueError('late')\n")
    assert data._QUARANTINE_TEXT.search("invalid_rows.append(row)") is not None
