"""How collection scales: whole-tree scans run once (in forked children when the tree is large),
detectors stop when the evidence suffices, and none of it changes what is reported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_audit.evidence.repo import background
from mlops_audit.evidence.repo import index as index_module
from mlops_audit.evidence.repo.collect import build_index, collect, run_detector
from mlops_audit.evidence.repo.detectors._python import Hits
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.registry import (
    MAX_LOCATIONS,
    all_detectors,
    all_words,
    get_detector,
)
from mlops_audit.util.jsonio import canonical_json
from tests.repo import gitreplay


def write(root: Path, rel: str, content: str | bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def mixed_tree(root: Path) -> None:
    """A small project with evidence of several kinds, files no rule wants, and broken files."""
    for i in range(30):
        write(root, f"src/pkg{i % 3}/mod_{i}.py", f"import os\n\ndef f_{i}(x):\n    return os.path.join(x, '{i}')\n")
    write(root, "src/train.py", (
        "import mlflow\nimport numpy as np\nfrom sklearn.model_selection import GridSearchCV\n\n"
        "def train(X, y, model):\n    np.random.seed(7)\n    with mlflow.start_run():\n"
        "        search = GridSearchCV(model, {'C': [1, 2]}).fit(X, y)\n        mlflow.log_params(search.best_params_)\n"
        "    return search\n"
    ))
    write(root, "tests/test_mod.py", "from src.pkg0.mod_0 import f_0\n\ndef test_f():\n    assert f_0('a')\n")
    write(root, "deploy/k8s.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec: {replicas: 1}\n")
    write(root, "deploy/canary.yaml", (
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: api}\n"
        "spec:\n  strategy:\n    canary:\n      steps: [{setWeight: 10}]\n"
    ))
    write(root, "conf/params.yaml", "seed: 42\ntrain:\n  lr: 0.1\n")
    write(root, "notebooks/explore.ipynb", json.dumps({"cells": [{"cell_type": "code", "source": ["import wandb\n", "wandb.init()\n"]}]}))
    write(root, "notebooks/broken.ipynb", "{not json, but it mentions mlflow")
    write(root, "src/broken.py", "def (:\n    mlflow\n")
    write(root, "data/big.bin", b"\0" * 64)


def finding_json(root: Path) -> str:
    return canonical_json(collect(root).model_dump(mode="json"))


# Forking needs a process without other threads; the test process usually has numpy's BLAS threads
# by now, so the background scans are exercised in a fresh interpreter (as `mlops-audit collect` is).
FRESH_SCRIPT = """
import gc, json, os, sys
from mlops_audit.evidence.repo import background
from mlops_audit.evidence.repo import background
from mlops_audit.evidence.repo.collect import build_index, collect_with_index
from mlops_audit.evidence.repo.background import can_fork
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.util.jsonio import canonical_json

root, case = sys.argv[1], sys.argv[2]
report = {"can_fork": can_fork()}

def result_json(threshold):
    background.PARALLEL_MIN_FILES = threshold
    result, index = collect_with_index(root)
    return canonical_json(result.model_dump(mode="json")), index._background is not None

if case == "equal":
    in_process, _ = result_json(10**9)
    background, used = result_json(0)
    report.update(same=in_process == background, used=used, stats=json.loads(background)["stats"])
elif case == "child_fails":
    in_process, _ = result_json(10**9)
    parent, scan = os.getpid(), RepoIndex._scan_python_needles
    def crash_in_children(self, *args):
        if os.getpid() != parent:
            raise RuntimeError("a scanner child died")
        return scan(self, *args)
    RepoIndex._scan_python_needles = crash_in_children
    background, used = result_json(0)
    report.update(same=in_process == background, used=used)
elif case == "dropped":
    background.PARALLEL_MIN_FILES = 0
    index = build_index(root)
    children = list(index._background._pids) if index._background else []
    del index
    gc.collect()
    reaped = []
    for pid in children:
        try:
            os.waitpid(pid, os.WNOHANG)
            reaped.append(False)
        except ChildProcessError:
            reaped.append(True)
    report.update(children=len(children), reaped=reaped)
print(json.dumps(report))
"""


def run_fresh(root: Path, case: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", FRESH_SCRIPT, str(root), case], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    if not report["can_fork"]:
        pytest.skip("background scans fork: Linux with more than one CPU")
    return report


def test_a_background_scan_reports_exactly_what_scanning_in_process_reports(tmp_path: Path) -> None:
    mixed_tree(tmp_path)
    report = run_fresh(tmp_path, "equal")
    assert report["used"] is True  # the scans really ran in forked children
    assert report["same"] is True
    stats = report["stats"]
    assert isinstance(stats, dict) and stats["parse_problems"] >= 2 and any("broken.ipynb" in p for p in stats["problems"])


def test_a_failing_background_scan_falls_back_to_scanning_in_process(tmp_path: Path) -> None:
    mixed_tree(tmp_path)
    report = run_fresh(tmp_path, "child_fails")
    assert report["used"] is True and report["same"] is True


def test_an_index_dropped_before_it_needs_its_scan_leaves_no_child_behind(tmp_path: Path) -> None:
    mixed_tree(tmp_path)
    report = run_fresh(tmp_path, "dropped")
    assert report["children"] == 2 and report["reaped"] == [True, True]  # no zombie left


def test_background_scans_are_not_started_where_forking_is_unsafe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mixed_tree(tmp_path)
    monkeypatch.setattr(background, "PARALLEL_MIN_FILES", 0)
    monkeypatch.setattr(background, "_os_threads", lambda: 2)  # e.g. numpy's BLAS threads are running
    assert build_index(tmp_path)._background is None
    assert finding_json(tmp_path)  # and collection still works, scanning in process


def test_plentiful_tests_are_proven_by_parsing_a_few_files(tmp_path: Path) -> None:
    write(tmp_path, "calc/ops.py", "def double(x):\n    return 2 * x\n")
    for i in range(200):
        write(tmp_path, f"tests/test_{i:03}.py", f"from calc.ops import double\n\n\ndef test_{i}():\n    assert double({i}) == {2 * i}\n")
    index = build_index(tmp_path)
    observation = run_detector(get_detector("has_unit_tests"), index)
    assert observation.outcome.value == "pass"
    assert observation.message.startswith(f"at least {MAX_LOCATIONS} test function(s) with assertions")
    assert "after 20 of the 200 test files" in observation.message
    assert len(index._python) == MAX_LOCATIONS  # the other 180 files were never parsed


def test_plentiful_tracking_calls_are_proven_by_parsing_a_few_files(tmp_path: Path) -> None:
    for i in range(100):
        write(tmp_path, f"jobs/job_{i:03}.py", f"import mlflow\n\ndef run():\n    mlflow.log_metric('m', {i})\n")
    index = build_index(tmp_path)
    observation = run_detector(get_detector("tracks_experiments"), index)
    assert observation.outcome.value == "pass" and len(observation.locations) == MAX_LOCATIONS
    assert "the scan stopped after 20 calls" in observation.message
    assert len(index._python) <= MAX_LOCATIONS + 1  # one more to know there are more


def test_scarce_evidence_is_still_found_at_the_end_of_a_large_tree(tmp_path: Path) -> None:
    for i in range(300):
        write(tmp_path, f"a/m_{i:03}.py", f"x_{i} = {i}\n")
    write(tmp_path, "z/train.py", "import optuna\n\nstudy = optuna.create_study()\n")
    result = collect(tmp_path)
    tuning = next(f for f in result.findings if f.detector == "tunes_hyperparameters")
    assert tuning.outcome.value == "pass" and tuning.locations[0].path == "z/train.py"


def test_each_file_is_counted_once_however_often_it_is_read(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "hello\n")
    write(tmp_path, "b.txt", "hi\n")
    index = RepoIndex(tmp_path)
    for _ in range(3):
        index.read_bytes("a.txt")
        index._texts.items.clear()  # a cache eviction: the file is read again
        index.text("a.txt")
    index.text("b.txt")
    assert (index.stats.files_read, index.stats.bytes_read) == (2, len("hello\n") + len("hi\n"))


def test_yaml_word_facts_ignore_case_and_words_must_be_declared(tmp_path: Path) -> None:
    write(tmp_path, "conf.yaml", "Canary: 10\n")
    index = RepoIndex(tmp_path, needles=[], words=["canary", "traffic"])
    assert index.mentions("conf.yaml", ("canary",))
    assert not index.mentions("conf.yaml", ("traffic",))
    with pytest.raises(ValueError, match="not declared"):
        index.mentions("conf.yaml", ("weight",))


def test_every_word_a_detector_asks_of_a_yaml_file_is_declared(tmp_path: Path) -> None:
    """Run every detector on a tree full of YAML configurations: an undeclared word would make one
    of them crash (an `error` finding)."""
    mixed_tree(tmp_path)
    write(tmp_path, ".github/workflows/ci.yml", "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps: [{run: pytest}]\n")
    write(tmp_path, "cloudbuild-like.yaml", "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: [build, .]\n")
    write(tmp_path, "spec.yaml", "goal: a sentence long enough to state what the model is for and why\nsuccess_criteria: [auc]\nrisks: [drift]\n")
    write(tmp_path, "alerts.yaml", "groups:\n  - name: model\n    rules:\n      - alert: Drift\n        expr: psi > 0.2\n")
    write(tmp_path, "retrain.yaml", "trigger:\n  retrain_when: drift\n")
    result = collect(tmp_path)
    assert all(f.outcome.value != "error" for f in result.findings), [f.message for f in result.findings if f.outcome.value == "error"]
    assert all_words() >= {"steps", "alert", "canary", "seed", "trigger"}


def test_hits_are_pulled_only_as_far_as_they_are_asked_for() -> None:
    pulled: list[int] = []

    def source():  # type: ignore[no-untyped-def]
        for i in range(100):
            pulled.append(i)
            yield i

    hits = Hits(source())
    assert hits and pulled == [0]
    assert hits.head(3) == [0, 1, 2] and len(pulled) == 3
    assert list(hits)[:5] == [0, 1, 2, 3, 4] and len(pulled) == 100
    assert list(hits) == list(range(100)) and len(hits) == 100  # iterating again gives the same hits
    assert not Hits(iter(()))


def test_execution_order_does_not_change_the_order_of_findings(tmp_path: Path) -> None:
    gitreplay.init(tmp_path)
    mixed_tree(tmp_path)
    gitreplay.commit(tmp_path, "ana", ["src/train.py"], 1)
    result = collect(tmp_path)
    assert [f.detector for f in result.findings] == [d.id for d in all_detectors()]


def test_a_tree_built_to_exhaust_parsing_gets_no_false_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of files that mention a tool without using it would make a detector parse them
    all; past the parsing budget the detector says it could not look everywhere, not "fail"."""
    monkeypatch.setattr(index_module, "MAX_PARSED_FILES", 10)
    for i in range(30):
        write(tmp_path, f"pkg/m_{i:02}.py", f"# mlflow is mentioned here only\nx_{i} = {i}\n")
    index = build_index(tmp_path)
    tracking = run_detector(get_detector("tracks_experiments"), index)
    assert tracking.outcome.value == "not_applicable" and "parsing budget" in tracking.message
    assert any("parsing budget spent" in p for p in index.problems)
    # A detector that parses nothing keeps its verdict; evidence found within the budget still passes.
    assert run_detector(get_detector("has_code_owners"), index).outcome.value == "fail"
    write(tmp_path, "a_first/train.py", "import mlflow\nmlflow.log_metric('auc', 0.9)\n")
    assert run_detector(get_detector("tracks_experiments"), build_index(tmp_path)).outcome.value == "pass"
