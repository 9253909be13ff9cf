"""Session 7's second recall round (batch 8's team projects): each rule with the practice it
recognises and the near miss it must not. The fixtures under tests/repo/fixtures/<detector>/ run the
same rules through `test_detectors.py`; these tests pin the edges the fixtures do not show."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.evidence.repo.collect import build_index
from mlops_audit.evidence.repo.detectors import deployment, governance, monitoring
from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PROSE = (
    "The service reads one configuration per project and turns it into a workflow that builds each model, keeps the "
    "artefacts on shared storage and starts one server per revision. A controller records which revision is live and "
    "answers the clients that ask. Builders run as separate jobs so one failing model does not stop the others.\n"
)


TRAINING = (
    "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\n\ndef train(path):\n"
    "    frame = pd.read_csv(path)\n    features = frame.drop(columns=[\"churned\"])\n"
    "    return LogisticRegression().fit(features, frame[\"churned\"])\n"
)


# --- tracks_experiments: MLflow client objects, Langfuse scores ------------------------------------


def test_an_mlflow_client_handed_to_a_helper_tracks_runs(tmp_path: Path) -> None:
    code = "def log_run(mlflow_client, run_id, params):\n    for k, v in params.items():\n        mlflow_client.log_param(run_id, k, v)\n"
    outcome, message = _outcome(_tree(tmp_path, {"pkg/tracking.py": code}), "tracks_experiments")
    assert outcome is FindingOutcome.pass_ and "mlflow_client.log_param" in message


def test_log_batch_counts_only_in_a_file_that_imports_mlflow(tmp_path: Path) -> None:
    importing = "from mlflow.tracking import MlflowClient\n\ndef report(client, run_id, metrics):\n    client.log_batch(run_id, metrics=metrics)\n"
    assert _outcome(_tree(tmp_path / "a", {"reporter.py": importing}), "tracks_experiments")[0] is FindingOutcome.pass_
    # the same call on a queue client of another library is not MLflow
    other = "from kafka import Producer\n\ndef report(client, run_id, metrics):\n    client.log_batch(run_id, metrics=metrics)\n"
    assert _outcome(_tree(tmp_path / "b", {"reporter.py": other}), "tracks_experiments")[0] is FindingOutcome.fail


def test_langfuse_tracing_alone_is_not_experiment_tracking_but_scores_are(tmp_path: Path) -> None:
    traced = "from langfuse import observe\n\n@observe()\ndef answer(q):\n    return q\n"
    assert _outcome(_tree(tmp_path / "a", {"app.py": traced}), "tracks_experiments")[0] is FindingOutcome.fail
    scored = traced + "\ndef evaluate(client, trace_id, value):\n    client.create_score(trace_id=trace_id, name='f1', value=value)\n"
    assert _outcome(_tree(tmp_path / "b", {"app.py": scored}), "tracks_experiments")[0] is FindingOutcome.pass_


# --- monitors_model: abbreviated drift statistics, quality decay -----------------------------------


@pytest.mark.parametrize("name", ["_compute_js", "calc_hellinger", "ks_statistic", "get_psi_values"])
def test_drift_functions_named_by_the_statistics_abbreviation(name: str) -> None:
    assert monitoring._DRIFT_FUNCTION.match(name)


@pytest.mark.parametrize("name", ["compute_kl", "kl_loss", "js_bundle", "compute_json", "get_jsonl"])
def test_other_abbreviations_are_not_drift_functions(name: str) -> None:
    assert not monitoring._DRIFT_FUNCTION.match(name)


@pytest.mark.parametrize(("name", "threshold"), [("JS_THR_A", True), ("cfg.thresh_high", True), ("through", False), ("THREAD_COUNT", False)])
def test_abbreviated_threshold_names(name: str, threshold: bool) -> None:
    assert bool(monitoring._THRESHOLD_NAME.search(name)) is threshold


def test_a_quality_check_in_code_about_nothing_but_training_is_not_monitoring(tmp_path: Path) -> None:
    """The rule reads only code that names retraining, triggers or drift: a training loop that fits
    again while its accuracy is low is training, not watching a deployed model."""
    code = (
        "def train(model, x, y):\n    accuracy = 0.0\n    for _ in range(3):\n"
        "        if accuracy < 0.9:\n            model.fit(x, y)\n            accuracy = model.score(x, y)\n"
    )
    assert _outcome(_tree(tmp_path, {"train.py": code}), "monitors_model")[0] is FindingOutcome.fail


def test_prometheus_exporter_is_partial_monitoring_and_alert_rules_make_it_pass(tmp_path: Path) -> None:
    exporter = "import prometheus_client\n\ndef main():\n    prometheus_client.start_http_server(9999)\n"
    root = _tree(tmp_path, {"stats.py": exporter})
    assert _outcome(root, "monitors_model")[0] is FindingOutcome.partial
    rules = "groups:\n  - name: model\n    rules:\n      - alert: PredictionLatencyHigh\n        expr: histogram_quantile(0.9, rate(predict_latency_bucket[5m])) > 1\n"
    _tree(root, {"prometheus/alerts.yml": rules})
    assert _outcome(root, "monitors_model")[0] is FindingOutcome.pass_


# --- serves_model ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "uses"),
    [("g.model.anomaly", True), ("self.model.decision_function", True), ("model_io.get_model_output", True),
     ("run_model", True), ("load_model", False), ("models.Prediction.objects.create", False), ("model_registry.list", False)],
)
def test_what_counts_as_using_the_model_in_a_prediction_handler(name: str, uses: bool) -> None:
    assert deployment._uses_the_model(name) is uses


@pytest.mark.parametrize(
    ("name", "says"),
    [("create_bug_classification_jobs", True), ("run_classification", True), ("train_classification_model", False),
     ("get_classification_report", False), ("fit_prediction_head", False)],
)
def test_helpers_named_for_classification(name: str, says: bool) -> None:
    assert deployment._says_predict(name) is says


def test_a_model_server_in_a_test_script_is_not_serving(tmp_path: Path) -> None:
    script = "#!/bin/sh\nmlflow models serve -m models:/churn/1 -p 5001 &\npytest tests/integration\n"
    assert _outcome(_tree(tmp_path, {"tests/run_integration.sh": script}), "serves_model")[0] is FindingOutcome.fail
    assert _outcome(_tree(tmp_path, {"scripts/serve.sh": script}), "serves_model")[0] is FindingOutcome.pass_


# --- has_deployment_manifest: workloads applied inline by an Argo Workflow ---------------------------


def test_an_inline_deployment_without_an_image_is_not_counted(tmp_path: Path) -> None:
    workflow = (
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: w\nspec:\n  entrypoint: a\n  templates:\n"
        "  - name: a\n    resource:\n      action: apply\n      manifest: |\n        apiVersion: apps/v1\n        kind: Deployment\n"
        "        metadata:\n          name: server\n        spec:\n          replicas: 1\n"
    )
    outcome, _ = _outcome(_tree(tmp_path, {"workflow.yaml": workflow}), "has_deployment_manifest")
    assert outcome is FindingOutcome.fail


def test_inline_manifests_are_only_read_inside_argo_workflows(tmp_path: Path) -> None:
    """A ConfigMap holding a Deployment as a string (a template kept for another tool) is data."""
    config = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: templates\ndata:\n  server.yaml: |\n    apiVersion: apps/v1\n"
        "    kind: Deployment\n    metadata:\n      name: s\n    spec:\n      template:\n        spec:\n          containers:\n"
        "          - name: s\n            image: example/s:1\n"
    )
    assert _outcome(_tree(tmp_path, {"config.yaml": config}), "has_deployment_manifest")[0] is FindingOutcome.fail


# --- has_code_owners, has_design_docs, pins_dependencies ------------------------------------------


def test_prow_owners_deep_in_a_tree_count_once_the_root_has_one(tmp_path: Path) -> None:
    owners = "approvers:\n  - alice\n"
    root = _tree(tmp_path, {"vendor/manifests/apps/OWNERS": owners, "train.py": "print(1)\n"})
    assert _outcome(root, "has_code_owners")[0] is FindingOutcome.fail
    _tree(root, {"OWNERS": owners})
    assert _outcome(root, "has_code_owners")[0] is FindingOutcome.pass_


@pytest.mark.parametrize(
    ("text", "line"),
    [(".. image:: _static/architecture_diagram.png\n", 1), ("intro\n\n![C4 containers](img/Gordo_C4.svg)\n", 3),
     ('<img src="assets/system-overview.png" alt="x">\n', 1), ("![screenshot](img/dashboard.png)\n", None),
     ("see architecture.png in the wiki\n", None)],
)
def test_architecture_diagrams_embedded_in_a_page(text: str, line: int | None) -> None:
    assert governance._architecture_diagram(text) == line


def test_a_page_embedding_an_architecture_diagram_outside_the_docs_folder_is_not_read(tmp_path: Path) -> None:
    page = "Overview\n--------\n\n" + PROSE + "\n.. image:: architecture.png\n\n" + PROSE
    root = _tree(tmp_path, {"notes/overview.rst": page, "churn/train.py": TRAINING})
    assert _outcome(root, "has_design_docs")[0] is FindingOutcome.fail
    _tree(root, {"docs/overview.rst": page})
    assert _outcome(root, "has_design_docs")[0] is FindingOutcome.pass_


def test_a_pyproject_is_only_judged_when_no_requirements_or_lock_decide(tmp_path: Path) -> None:
    pinned = '[project]\nname = "app"\nversion = "1"\ndependencies = ["numpy==2.0.0", "pandas==2.2.3"]\n'
    root = _tree(tmp_path, {"pyproject.toml": pinned, "app/main.py": "import numpy\n"})
    assert _outcome(root, "pins_dependencies")[0] is FindingOutcome.pass_
    _tree(root, {"requirements.txt": "numpy\npandas\nscikit-learn\n"})  # loose requirements decide
    assert _outcome(root, "pins_dependencies")[0] is FindingOutcome.fail


def test_pyproject_pinning_counts_wheels_by_url_and_leaves_out_dev_groups(tmp_path: Path) -> None:
    text = (
        '[project]\nname = "app"\nversion = "1"\ndependencies = [\n  "numpy==2.0.0",\n'
        '  "torch @ https://download.pytorch.org/whl/cpu/torch-2.3.1-cp312-none-linux_x86_64.whl ; sys_platform == \'linux\'",\n'
        '  "h5py<3.12",\n]\n[project.optional-dependencies]\ndev = ["pytest"]\n'
    )
    index = build_index(_tree(tmp_path, {"pyproject.toml": text}))
    assert governance._pyproject_pinning(index, "pyproject.toml") == (2, 3, ["h5py<3.12"])


# --- is_reproducible, versions_data, uses_progressive_delivery ------------------------------------


def test_a_seeded_generator_beside_a_seeded_model_still_counts_the_model(tmp_path: Path) -> None:
    code = (
        "from sklearn.datasets import make_regression\nfrom sklearn.ensemble import RandomForestRegressor\n\n"
        "def train():\n    X, y = make_regression(random_state=0)\n    return RandomForestRegressor(random_state=7).fit(X, y)\n"
    )
    outcome, message = _outcome(_tree(tmp_path, {"train.py": code}), "is_reproducible")
    assert outcome is FindingOutcome.pass_ and "RandomForestRegressor" in message and "make_regression" not in message


def test_a_dataset_artifact_of_input_data_still_versions_data(tmp_path: Path) -> None:
    code = "import wandb\n\ndef publish(run, path):\n    a = wandb.Artifact(f'crm-raw-{run.id}', type='dataset')\n    a.add_file(path)\n"
    assert _outcome(_tree(tmp_path, {"publish.py": code}), "versions_data")[0] is FindingOutcome.pass_


def test_weighted_draw_must_name_what_is_routed(tmp_path: Path) -> None:
    draw = "import random\n\ndef pick(options, shares):\n    return random.choices(options, weights=shares)[0]\n"
    assert _outcome(_tree(tmp_path / "a", {"pick.py": draw}), "uses_progressive_delivery")[0] is FindingOutcome.fail
    routed = "import random\n\ndef pick_variant(variants, shares):\n    return random.choices(variants, weights=shares)[0]\n"
    assert _outcome(_tree(tmp_path / "b", {"router.py": routed}), "uses_progressive_delivery")[0] is FindingOutcome.pass_


# --- triggers_retraining: drift hands retraining to another process --------------------------------

MONITOR = (
    "import numpy as np\nfrom scipy.stats import ks_2samp\n\nRETRAIN_TOPIC = 'models.retrain'\n\n"
    "def watch(reference, window, queue):\n    stat, _ = ks_2samp(reference, window)\n    alert = stat > 0.3\n"
    "    if alert:\n        queue.publish(RETRAIN_TOPIC, {'stat': stat})\n"
)


def test_a_drift_signal_counts_only_when_a_retraining_module_trains(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"monitor.py": MONITOR})
    assert _outcome(root, "triggers_retraining")[0] is FindingOutcome.fail
    _tree(root, {"workers/retrain_job.py": "def handle(message, model, data):\n    model.fit(*data)\n"})
    outcome, _ = _outcome(root, "triggers_retraining")
    assert outcome is FindingOutcome.pass_


def test_a_retraining_module_that_only_reads_is_no_follower(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"monitor.py": MONITOR, "workers/retrain_report.py": "def show(path):\n    return open(path).read()\n"})
    assert _outcome(root, "triggers_retraining")[0] is FindingOutcome.fail


def test_a_drift_check_that_only_logs_the_word_retrain_sends_no_signal(tmp_path: Path) -> None:
    logs = MONITOR.replace("queue.publish(RETRAIN_TOPIC, {'stat': stat})", "print('consider a retrain', stat)")
    root = _tree(tmp_path, {"monitor.py": logs, "workers/retrain_job.py": "def handle(message, model, data):\n    model.fit(*data)\n"})
    assert _outcome(root, "triggers_retraining")[0] is FindingOutcome.fail
