"""Session 15 (fail22) rule `in-house model records` of registers_models: what flows from training to
serving is a model saved under a version (or run) id and a record naming which version plays a role
(a JSON/YAML index, a database row with a role flag, a `latest` pointer file); serving reads that
record by the role and loads the model it names. Written three ways (a JSON index across modules, a
SQL row flag, a pointer file), with the near misses a bare save/load and a record nobody selects by."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, PARTIAL, FAIL = FindingOutcome.pass_, FindingOutcome.partial, FindingOutcome.fail

JSON_PUBLISH = """\
import json
from datetime import datetime, timezone
from pathlib import Path

import joblib

INDEX = Path("store/index.json")


def publish(model, score: float) -> str:
    version = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
    joblib.dump(model, f"store/{version}.joblib")
    index = json.loads(INDEX.read_text()) if INDEX.exists() else {}
    index.setdefault("versions", []).append({"version": version, "score": score})
    if score > index.get("best_score", 0):
        index["champion"] = version
        index["best_score"] = score
    INDEX.write_text(json.dumps(index, indent=2))
    return version
"""

JSON_TRAIN = """\
from sklearn.linear_model import LogisticRegression

from training.publish import publish


def main(X, y):
    model = LogisticRegression().fit(X, y)
    publish(model, model.score(X, y))
"""

JSON_SERVE = """\
import json
from pathlib import Path

import joblib
from fastapi import FastAPI

app = FastAPI()


def current_model():
    pointer = json.loads(Path("store/index.json").read_text())["champion"]
    return joblib.load(f"store/{pointer}.joblib")


model = current_model()


@app.post("/predict")
def predict(rows: list[list[float]]):
    return {"labels": model.predict(rows).tolist()}
"""

SQL_TRAIN = """\
import pickle
import sqlite3
import uuid


def save_run(model, accuracy: float) -> None:
    run_id = uuid.uuid4().hex
    with open(f"models/{run_id}.pkl", "wb") as handle:
        pickle.dump(model, handle)
    conn = sqlite3.connect("registry.db")
    conn.execute("INSERT INTO model_runs (run_id, path, accuracy, is_live) VALUES (?, ?, ?, 0)", (run_id, f"models/{run_id}.pkl", accuracy))
    conn.commit()


def go_live(run_id: str) -> None:
    conn = sqlite3.connect("registry.db")
    conn.execute("UPDATE model_runs SET is_live = 0")
    conn.execute("UPDATE model_runs SET is_live = 1 WHERE run_id = ?", (run_id,))
    conn.commit()
"""

SQL_SERVE = """\
import pickle
import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)


def live_model():
    conn = sqlite3.connect("registry.db")
    (path,) = conn.execute("SELECT path FROM model_runs WHERE is_live = 1").fetchone()
    with open(path, "rb") as handle:
        return pickle.load(handle)


@app.post("/score")
def score():
    return jsonify(live_model().predict([request.json["features"]]).tolist())
"""

POINTER_TRAIN = """\
from pathlib import Path

import torch


def export(net, version_tag: str) -> None:
    torch.save(net.state_dict(), f"checkpoints/{version_tag}.pt")
    Path("checkpoints/LATEST").write_text(version_tag)
"""

POINTER_SERVE = """\
from pathlib import Path

import torch

from worker.net import Net


def load_latest() -> Net:
    tag = Path("checkpoints/LATEST").read_text().strip()
    net = Net()
    net.load_state_dict(torch.load(f"checkpoints/{tag}.pt"))
    return net
"""


def test_a_versioned_model_with_a_champion_index_that_serving_reads_is_registered(tmp_path: Path) -> None:
    files = {"training/__init__.py": "", "training/publish.py": JSON_PUBLISH, "training/train.py": JSON_TRAIN, "serving/app.py": JSON_SERVE}
    assert _outcome(_tree(tmp_path, files), "registers_models")[0] is PASS


def test_a_run_row_with_a_live_flag_that_the_service_selects_by_is_registered(tmp_path: Path) -> None:
    files = {"pipeline/train_store.py": SQL_TRAIN, "api/service.py": SQL_SERVE}
    assert _outcome(_tree(tmp_path, files), "registers_models")[0] is PASS


def test_a_latest_pointer_to_a_versioned_checkpoint_is_registered(tmp_path: Path) -> None:
    files = {"trainer/export.py": POINTER_TRAIN, "worker/load.py": POINTER_SERVE, "worker/net.py": "class Net:\n    pass\n"}
    assert _outcome(_tree(tmp_path, files), "registers_models")[0] is PASS


def test_a_bare_save_and_load_is_not_a_registry(tmp_path: Path) -> None:
    train = "import joblib\n\n\ndef main(model):\n    joblib.dump(model, 'store/model.joblib')\n"
    serve = "import joblib\n\nmodel = joblib.load('store/model.joblib')\n"
    assert _outcome(_tree(tmp_path, {"training/train.py": train, "serving/app.py": serve}), "registers_models")[0] is FAIL


def test_a_role_record_that_serving_never_reads_is_not_a_registry(tmp_path: Path) -> None:
    serve = JSON_SERVE.replace('pointer = json.loads(Path("store/index.json").read_text())["champion"]', 'pointer = "v1"')
    files = {"training/__init__.py": "", "training/publish.py": JSON_PUBLISH, "training/train.py": JSON_TRAIN, "serving/app.py": serve}
    assert _outcome(_tree(tmp_path / "json", files), "registers_models")[0] is FAIL
    unversioned = SQL_TRAIN.replace('f"models/{run_id}.pkl", "wb"', '"models/model.pkl", "wb"').replace("run_id = uuid.uuid4().hex\n", "").replace("run_id", "name")
    assert _outcome(_tree(tmp_path / "sql", {"pipeline/train_store.py": unversioned, "api/service.py": SQL_SERVE}), "registers_models")[0] is FAIL


STAGE_REGISTRY = """\
import json

import joblib


def set_stage(model, version: str, stage: str) -> None:
    joblib.dump(model, f"registry/{version}.joblib")
    entries = {"version": version, "stage": "production" if stage == "production" else "staging"}
    with open("registry/stages.json", "w") as handle:
        json.dump(entries, handle)
"""

FIGURES = """\
import json
from pathlib import Path

import joblib

ROOT = Path(__file__).parent


def main() -> None:
    print("Production model figures")
    report = json.load(open(ROOT / "models" / "production" / "training_report.json"))
    model = joblib.load(ROOT / "models" / "production" / "model.joblib")
    print(report, model)
"""


def test_a_reader_of_another_record_that_only_names_the_role_does_not_select_by_it(tmp_path: Path) -> None:
    files = {"training/registry.py": STAGE_REGISTRY, "tools/figures.py": FIGURES}
    assert _outcome(_tree(tmp_path, files), "registers_models")[0] is FAIL


# --- tracks_experiments: per-run metrics kept in the project's own store and read back (partial) -------

RUNS_SQL_TRAIN = """\
import sqlite3
import uuid

from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score, roc_auc_score


def train_and_record(X, y, X_test, y_test, depth: int) -> None:
    model = RandomForestClassifier(max_depth=depth).fit(X, y)
    predicted = model.predict(X_test)
    conn = sqlite3.connect("runs.db")
    conn.execute(
        "INSERT INTO training_runs (run_id, max_depth, f1, auc) VALUES (?, ?, ?, ?)",
        (uuid.uuid4().hex, depth, f1_score(y_test, predicted), roc_auc_score(y_test, predicted)),
    )
    conn.commit()
"""

RUNS_SQL_REPORT = """\
import sqlite3


def best_runs(limit: int = 5):
    conn = sqlite3.connect("runs.db")
    return conn.execute("SELECT run_id, max_depth, f1, auc FROM training_runs ORDER BY f1 DESC LIMIT ?", (limit,)).fetchall()
"""

RUNS_JSON_TRAIN = """\
import json
from datetime import datetime
from pathlib import Path

from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error, r2_score

HISTORY = Path("experiments/history.jsonl")


def fit_once(alpha, X, y, X_val, y_val):
    model = Ridge(alpha=alpha).fit(X, y)
    guess = model.predict(X_val)
    entry = {"experiment_id": datetime.now().isoformat(), "alpha": alpha, "mae": mean_absolute_error(y_val, guess), "r2": r2_score(y_val, guess)}
    with HISTORY.open("a") as handle:
        handle.write(json.dumps(entry) + "\\n")
"""

RUNS_JSON_COMPARE = """\
import json

import pandas as pd


def leaderboard():
    rows = [json.loads(line) for line in open("experiments/history.jsonl")]
    return pd.DataFrame(rows).sort_values("mae")
"""


def test_run_metrics_written_to_a_table_and_read_back_are_in_house_tracking(tmp_path: Path) -> None:
    files = {"training/train.py": RUNS_SQL_TRAIN, "reports/compare.py": RUNS_SQL_REPORT}
    assert _outcome(_tree(tmp_path, files), "tracks_experiments")[0] is PARTIAL


def test_run_metrics_appended_to_a_history_file_that_a_leaderboard_reads_are_in_house_tracking(tmp_path: Path) -> None:
    files = {"exp/fit.py": RUNS_JSON_TRAIN, "exp/board.py": RUNS_JSON_COMPARE}
    assert _outcome(_tree(tmp_path, files), "tracks_experiments")[0] is PARTIAL


def test_metrics_written_once_and_never_read_back_are_not_tracking(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path / "sql", {"training/train.py": RUNS_SQL_TRAIN}), "tracks_experiments")[0] is FAIL
    unkeyed = RUNS_JSON_TRAIN.replace('"experiment_id": datetime.now().isoformat(), ', "")
    assert _outcome(_tree(tmp_path / "json", {"exp/fit.py": unkeyed, "exp/board.py": RUNS_JSON_COMPARE}), "tracks_experiments")[0] is FAIL


def test_a_results_file_each_run_rewrites_keeps_no_history_of_runs(tmp_path: Path) -> None:
    rewritten = RUNS_JSON_TRAIN.replace('HISTORY.open("a")', 'HISTORY.open("w")')
    assert _outcome(_tree(tmp_path / "json", {"exp/fit.py": rewritten, "exp/board.py": RUNS_JSON_COMPARE}), "tracks_experiments")[0] is FAIL
    prose = RUNS_SQL_TRAIN.replace("INSERT INTO training_runs (run_id, max_depth, f1, auc) VALUES (?, ?, ?, ?)", "update the run list: run_id, max_depth, f1, auc")
    assert _outcome(_tree(tmp_path / "sql", {"training/train.py": prose, "reports/compare.py": RUNS_SQL_REPORT}), "tracks_experiments")[0] is FAIL
