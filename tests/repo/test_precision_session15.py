"""Session 15 (decoy22): evidence credited only where it does what the kind needs, on the path the
system runs (docs/analysis/session14-batch21-misses.md, class E). Each rule has a near miss that must
no longer pass and at least two pass fixtures written differently from each other and from the
example that prompted the rule (other identifiers, split across modules, another API of the tool)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS = FindingOutcome.pass_
PARTIAL = FindingOutcome.partial
FAIL = FindingOutcome.fail


# --- versions_data: Delta tables are versioning only when a version is read back -----------------

DELTA_WRITES_ONLY = {
    "pipeline/bronze.py": (
        "from pyspark.sql import SparkSession\n\n"
        "def ingest(spark: SparkSession, src: str, dst: str) -> None:\n"
        "    df = spark.read.option('header', True).csv(src)\n"
        "    df.write.format('delta').mode('overwrite').save(dst)\n"
    ),
    "pipeline/silver.py": (
        "def clean(spark, src, dst):\n"
        "    df = spark.read.format(\"delta\").load(src).dropna()\n"
        "    df.write.format(\"delta\").mode(\"overwrite\").saveAsTable(dst)\n"
    ),
}
# Paraphrase 1: training (another module than the writer) reads the table at a pinned version.
DELTA_PINNED_READ = {
    "jobs/write_features.py": "def publish(df, path):\n    df.write.format('delta').mode('append').save(path)\n",
    "training/load.py": (
        "import yaml\n\n"
        "def training_frame(spark, path, params_file='params.yaml'):\n"
        "    wanted = yaml.safe_load(open(params_file))['data_version']\n"
        "    return spark.read.format('delta').option('versionAsOf', wanted).load(path)\n"
    ),
}
# Paraphrase 2: SQL time travel by timestamp, and the run records the table's history.
DELTA_SQL_TIME_TRAVEL = {
    "etl/tables.py": "def save(frame, name):\n    frame.write.format(\"delta\").saveAsTable(name)\n",
    "model/fit.py": (
        "from delta.tables import DeltaTable\n\n"
        "def snapshot(spark, name, as_of):\n"
        "    last = DeltaTable.forName(spark, name).history(1)\n"
        "    return spark.sql(f\"SELECT * FROM {name} TIMESTAMP AS OF '{as_of}'\"), last\n"
    ),
}
# Paraphrase 3: the deltalake package (no Spark) opens a chosen version.
DELTA_RS_VERSION = {
    "src/store.py": (
        "from deltalake import DeltaTable, write_deltalake\n\n"
        "def save(df, uri):\n    write_deltalake(uri, df, mode='append')\n\n"
        "def frame_at(uri, n):\n    table = DeltaTable(uri)\n    table.load_as_version(n)\n    return table.to_pandas()\n"
    ),
}


# Paraphrase 4: each run records the current version of its input tables (deltalake's DeltaTable.version()).
DELTA_VERSION_RECORDED = {
    "store/write.py": "import polars as pl\n\ndef save(frame: pl.DataFrame, uri: str) -> None:\n    frame.write_delta(uri, mode='append')\n",
    "provenance/stamp.py": (
        "import mlflow\nfrom deltalake import DeltaTable\n\n"
        "def stamp(tables: dict[str, str]) -> None:\n"
        "    for name, uri in tables.items():\n        mlflow.set_tag(f'{name}_version', DeltaTable(uri).version())\n"
    ),
}


def test_delta_writes_without_a_version_read_are_no_versioning(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, DELTA_WRITES_ONLY), "versions_data")
    assert outcome is FAIL
    assert "no version is ever read back" in message and "pipeline/bronze.py" in message


@pytest.mark.parametrize(
    "files", [DELTA_PINNED_READ, DELTA_SQL_TIME_TRAVEL, DELTA_RS_VERSION, DELTA_VERSION_RECORDED], ids=["versionAsOf", "sql-timestamp", "deltalake", "version-recorded"]
)
def test_delta_versions_read_back_are_versioning(tmp_path: Path, files: dict[str, str]) -> None:
    outcome, message = _outcome(_tree(tmp_path, files), "versions_data")
    assert outcome is PASS, message
    assert "Delta table versions read back" in message


# --- has_ci_pipeline: workflows that only run the system's jobs on a timer are not CI -------------

SCHEDULED_SCORING = {
    ".github/workflows/nightly.yml": (
        "name: nightly scoring\n"
        "on:\n  schedule:\n    - cron: '30 1 * * *'\n  workflow_dispatch: {}\n"
        "jobs:\n  score:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - uses: aws-actions/configure-aws-credentials@v4\n        with: {aws-region: eu-west-1}\n"
        "      - uses: astral-sh/setup-uv@v3\n"
        "      - run: uv run python -m pipeline.refresh_features\n"
        "      - run: |\n          dvc pull\n          uv run python -m pipeline.score --date today\n"
        "      - uses: actions/upload-artifact@v4\n        with: {name: scores, path: out/}\n"
    ),
    "pipeline/score.py": "print('scoring')\n",
}
# Paraphrase 1: a weekly schedule whose task (make, in another file) runs the test suite.
SCHEDULED_TESTS_THROUGH_MAKE = {
    ".github/workflows/weekly.yml": (
        "on:\n  schedule:\n    - cron: '0 6 * * 1'\n"
        "jobs:\n  regression:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: make regression\n"
    ),
    "Makefile": "regression:\n\tpython -m pytest tests/ -q\n",
    "tests/test_x.py": "def test_x():\n    assert 1 + 1 == 2\n",
}
# Paraphrase 2: a monthly schedule that builds a document and publishes it through actions.
SCHEDULED_BUILD_BY_ACTIONS = {
    ".github/workflows/publish.yaml": (
        "on:\n  schedule:\n    - cron: '0 0 1 * *'\n"
        "jobs:\n  site:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - uses: lycheeverse/lychee-action@v2\n        with: {args: README.md}\n"
    ),
}
# Paraphrase 3: the same scoring job, but also started by pushes: it runs on every change.
SCORING_ON_PUSH = {
    ".github/workflows/nightly.yml": SCHEDULED_SCORING[".github/workflows/nightly.yml"].replace("  workflow_dispatch: {}\n", "  push:\n    branches: [main]\n"),
    "pipeline/score.py": "print('scoring')\n",
}


def test_schedule_only_jobs_are_not_ci(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, SCHEDULED_SCORING), "has_ci_pipeline")
    assert outcome is FAIL
    assert "scheduled jobs, not CI" in message and ".github/workflows/nightly.yml" in message


@pytest.mark.parametrize(
    "files", [SCHEDULED_TESTS_THROUGH_MAKE, SCHEDULED_BUILD_BY_ACTIONS, SCORING_ON_PUSH], ids=["tests-through-make", "build-by-actions", "push-too"]
)
def test_scheduled_checks_and_change_triggers_are_ci(tmp_path: Path, files: dict[str, str]) -> None:
    outcome, message = _outcome(_tree(tmp_path, files), "has_ci_pipeline")
    assert outcome is PASS, message


def test_a_scheduled_job_beside_a_push_workflow_leaves_ci_to_the_push_workflow(tmp_path: Path) -> None:
    files = dict(SCHEDULED_SCORING) | {
        ".github/workflows/ci.yml": "on: [pull_request]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pytest -q\n",
    }
    outcome, message = _outcome(_tree(tmp_path, files), "has_ci_pipeline")
    assert outcome is PASS
    assert "ci.yml" in message and "nightly.yml" not in message


# --- scans_security: a private-key marker check is no scanner ------------------------------------

PRECOMMIT_HYGIENE = (
    "repos:\n- repo: https://github.com/pre-commit/pre-commit-hooks\n  rev: v5.0.0\n  hooks:\n"
    "  - id: check-yaml\n  - id: end-of-file-fixer\n  - id: detect-private-key\n"
)
KEY_MARKER_IN_CI = {
    ".pre-commit-config.yaml": PRECOMMIT_HYGIENE,
    ".github/workflows/lint.yml": "on: [push]\njobs:\n  l:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: pre-commit/action@v3.0.1\n",
}
# Paraphrase 1: the same hooks file also runs a real secret scanner (gitleaks), by pre-commit.ci.
KEY_MARKER_WITH_GITLEAKS = {
    ".pre-commit-config.yaml": PRECOMMIT_HYGIENE + "- repo: https://github.com/gitleaks/gitleaks\n  rev: v8.18.0\n  hooks:\n  - id: gitleaks\nci:\n  autofix_prs: false\n",
}
# Paraphrase 2: the hygiene hooks in CI and a dependency audit as a CI command.
KEY_MARKER_WITH_AUDIT = KEY_MARKER_IN_CI | {
    ".github/workflows/audit.yml": "on: [pull_request]\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pip install pip-audit && pip-audit -r requirements.txt\n",
}


@pytest.mark.parametrize("files", [KEY_MARKER_IN_CI, {".pre-commit-config.yaml": PRECOMMIT_HYGIENE}], ids=["in-ci", "hook-only"])
def test_a_private_key_marker_check_alone_is_no_scanner(tmp_path: Path, files: dict[str, str]) -> None:
    outcome, message = _outcome(_tree(tmp_path, files), "scans_security")
    assert outcome is FAIL
    assert "no security scanner" in message  # the hook is not listed as one (catalogue: security.yaml)


@pytest.mark.parametrize("files", [KEY_MARKER_WITH_GITLEAKS, KEY_MARKER_WITH_AUDIT], ids=["gitleaks-hook-ci", "pip-audit-ci"])
def test_a_scanner_beside_the_marker_check_still_counts(tmp_path: Path, files: dict[str, str]) -> None:
    outcome, message = _outcome(_tree(tmp_path, files), "scans_security")
    assert outcome is PASS, message


# --- is_reproducible: dvc.lock is training lineage only when a locked stage trains ---------------

def _lock(stages: dict[str, tuple[str, list[str]]]) -> str:
    out = "schema: '2.0'\nstages:\n"
    for name, (cmd, deps) in stages.items():
        out += f"  {name}:\n    cmd: {cmd}\n    deps:\n" + "".join(f"    - path: {d}\n      md5: 0123456789abcdef0123456789abcdef\n" for d in deps)
        out += f"    outs:\n    - path: data/{name}.parquet\n      md5: 0123456789abcdef0123456789abcdef\n"
    return out


DATA_JOBS_ONLY = {
    "dvc.lock": _lock({"ingest": ("python -m jobs.ingest", ["jobs/ingest.py", "data/raw.csv"]), "clean": ("python jobs/clean.py", ["jobs/clean.py"])}),
    "jobs/ingest.py": "import pandas as pd\n\ndef main():\n    pd.read_csv('data/raw.csv').to_parquet('data/ingest.parquet')\n",
    "jobs/clean.py": "import pandas as pd\n\npd.read_parquet('data/ingest.parquet').dropna().to_parquet('data/clean.parquet')\n",
    "model/train.py": "def later():\n    pass\n",
}
# Paraphrase 1: a stage runs a training module given with -m (its file elsewhere than the data jobs).
LOCKED_TRAINING_MODULE = DATA_JOBS_ONLY | {
    "dvc.lock": _lock({"ingest": ("python -m jobs.ingest", ["jobs/ingest.py"]), "fit": ("python -m modelling.fit_model", ["modelling/fit_model.py", "data/ingest.parquet"])}),
    "modelling/fit_model.py": "from sklearn.linear_model import Ridge\nimport pandas as pd\n\nRidge().fit(pd.read_parquet('data/ingest.parquet'), None)\n",
}
# Paraphrase 2: a lock in a sub-project whose stage depends on a folder holding a Trainer.
LOCKED_TRAINING_FOLDER = {
    "forecast/dvc.lock": _lock({"learn": ("bash run.sh", ["src", "params.yaml"])}),
    "forecast/src/learner.py": "from transformers import Trainer\n\ndef go(model, data):\n    Trainer(model=model, train_dataset=data).train()\n",
}
# Unknown code (an image runs the stage): the lock is taken as before.
LOCKED_IMAGE = {"dvc.lock": _lock({"all": ("docker run --rm acme/pipeline:1.2", ["configs/run.yaml"])})}


def test_a_lock_of_data_jobs_only_is_no_training_lineage(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, DATA_JOBS_ONLY), "is_reproducible")
    assert outcome is FAIL, message


@pytest.mark.parametrize("files", [LOCKED_TRAINING_MODULE, LOCKED_TRAINING_FOLDER, LOCKED_IMAGE], ids=["module", "folder", "image"])
def test_a_lock_with_a_training_stage_is_lineage(tmp_path: Path, files: dict[str, str]) -> None:
    outcome, message = _outcome(_tree(tmp_path, files), "is_reproducible")
    assert outcome is PASS, message
    assert "dvc.lock" in message
