"""Near misses of session 12's new rules (review12): a practice is not credited from an example."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

TIMER = json.dumps({"scriptFile": "__init__.py", "bindings": [{"name": "t", "type": "timerTrigger", "direction": "in", "schedule": "0 0 3 * * *"}]})
TRAINS = ("import azure.functions as func\nfrom sklearn.linear_model import LogisticRegression\n\n\ndef main(t: func.TimerRequest):\n"
          "    model = LogisticRegression()\n    model.fit(load_x(), load_y())\n    save(model)\n")


def test_a_timer_function_of_the_project_that_trains_triggers_retraining(tmp_path: Path) -> None:
    files = {"functions/retrain/function.json": TIMER, "functions/retrain/__init__.py": TRAINS}
    assert _outcome(_tree(tmp_path, files), "triggers_retraining")[0] is FindingOutcome.pass_


@pytest.mark.parametrize("folder", ["examples/azure-functions/retrain", "samples/retrain", "demo/retrain"])
def test_a_timer_function_in_an_example_folder_is_not_the_systems_retraining(tmp_path: Path, folder: str) -> None:
    files = {f"{folder}/function.json": TIMER, f"{folder}/__init__.py": TRAINS, "src/app.py": "print(1)\n"}
    assert _outcome(_tree(tmp_path, files), "triggers_retraining")[0] is FindingOutcome.fail


def test_an_example_timer_pointing_at_project_code_is_still_an_example(tmp_path: Path) -> None:
    timer = json.dumps({"scriptFile": "../../../src/refit.py", "bindings": json.loads(TIMER)["bindings"]})
    files = {"examples/azure/retrain/function.json": timer, "src/refit.py": TRAINS}
    assert _outcome(_tree(tmp_path, files), "triggers_retraining")[0] is FindingOutcome.fail
