"""Session 7's recall rules, each with the pass it recognises and the near miss it must not:
web routes that reach a model through a helper or by calling it, and the others below."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.collect import build_index, run_detector
from mlops_audit.evidence.repo.model import FindingOutcome
from mlops_audit.evidence.repo.registry import get_detector


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _outcome(root: Path, detector: str) -> tuple[FindingOutcome, str]:
    found = run_detector(get_detector(detector), build_index(root))
    return found.outcome, found.message


# --- serves_model: rule `web route reaches a model` -------------------------------------------

HELPER_MODULE = "model = load()\n\ndef make_prediction(*, input_data):\n    return {'predictions': model.predict(input_data)}\n"
ROUTE_THROUGH_HELPER = """\
from fastapi import FastAPI, UploadFile
from pkg.predict import make_prediction

app = FastAPI()

@app.post("/predict/")
async def upload(file: UploadFile):
    data = await file.read()
    results = make_prediction(input_data=data)
    return {"result": results["predictions"][0]}
"""
ROUTE_CALLING_THE_MODEL = """\
import torch
from fastapi import FastAPI, UploadFile

app = FastAPI()
model = torch.jit.load("model.pt")

def _process(img_bytes):
    x = torch.tensor(list(img_bytes))
    with torch.no_grad():
        logits = model(x)
    return int(torch.argmax(logits))

@app.post("/predict")
async def predict(file: UploadFile):
    return {"class": _process(await file.read())}
"""


def test_a_route_whose_handler_calls_a_prediction_helper_serves(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"pkg/predict.py": HELPER_MODULE, "api/main.py": ROUTE_THROUGH_HELPER})
    outcome, message = _outcome(root, "serves_model")
    assert outcome is FindingOutcome.pass_
    assert "app.post" in message


def test_a_prediction_handler_calling_the_model_object_through_a_local_helper_serves(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/api.py": ROUTE_CALLING_THE_MODEL})
    assert _outcome(root, "serves_model")[0] is FindingOutcome.pass_


def test_near_miss_a_dashboard_route_reading_stored_predictions_does_not_serve(tmp_path: Path) -> None:
    dashboard = """\
from flask import Flask, jsonify
from store import get_predictions, log_prediction

app = Flask(__name__)

@app.route("/predictions")
def predictions():
    rows = get_predictions(limit=50)
    log_prediction("viewed")
    return jsonify(rows)
"""
    root = _tree(tmp_path, {"app.py": dashboard})
    assert _outcome(root, "serves_model")[0] is FindingOutcome.fail


def test_near_miss_a_placeholder_predict_route_does_not_serve(tmp_path: Path) -> None:
    stub = """\
from fastapi import FastAPI

app = FastAPI()

@app.post("/predict")
def predict(payload: dict):
    return {"prediction": 0}  # TODO: load the model
"""
    root = _tree(tmp_path, {"app.py": stub})
    assert _outcome(root, "serves_model")[0] is FindingOutcome.fail


def test_near_miss_calling_a_model_object_from_a_route_not_named_for_prediction_does_not_serve(tmp_path: Path) -> None:
    # a health check that runs the model once on a dummy input is not a prediction interface
    health = ROUTE_CALLING_THE_MODEL.replace('@app.post("/predict")\nasync def predict', '@app.get("/warmup")\nasync def warmup')
    root = _tree(tmp_path, {"src/api.py": health})
    assert _outcome(root, "serves_model")[0] is FindingOutcome.fail


# --- separates_duties_in_git: duties on code the repository no longer has -----------------------


def _history(root: Path, remove: list[str]) -> Path:
    from tests.repo import gitreplay

    gitreplay.init(root)
    gitreplay.commit(root, "alice", ["training/train.py"], 1)
    gitreplay.commit(root, "bob", ["deploy/k8s.yaml"], 2)
    gitreplay.commit(root, "carol", ["training/train.py", "README.md"], 3)
    gitreplay.commit(root, "bob", ["deploy/k8s.yaml"], 4)
    if remove:
        gitreplay.git(root, "rm", "-q", "--", *remove)
        gitreplay.commit(root, "alice", ["README.md"], 5)
    return root


def test_duties_on_training_code_that_was_moved_out_are_not_compared(tmp_path: Path) -> None:
    outcome, message = _outcome(_history(tmp_path, ["training/train.py"]), "separates_duties_in_git")
    assert outcome is FindingOutcome.not_applicable
    assert "no longer has training code" in message


def test_duties_on_training_code_still_here_are_compared(tmp_path: Path) -> None:
    # the same history without the removal: some people only train, another only deploys
    assert _outcome(_history(tmp_path, []), "separates_duties_in_git")[0] is FindingOutcome.pass_


# --- Python written as a Jinja template (templatedpy) -------------------------------------------

TEMPLATED = """\
# {% include 'license_header' %}
from zenml import pipeline
{# a template comment
   over two lines #}

@pipeline
def {{product_name}}_training(
{%- if tuning %}
    search_space: dict,
{%- else %}
    config: dict,
{%- endif %}
):
    seed = {{ random_seed }}
    return seed
"""


def test_a_jinja_templated_module_parses_with_its_lines_kept() -> None:
    import ast

    from mlops_audit.evidence.repo.astutil import parse_module

    module, blanked = parse_module(TEMPLATED, "training.py")
    func = next(n for n in ast.walk(module) if isinstance(n, ast.FunctionDef))
    assert (func.name, func.lineno, blanked) == ("__jinja___training", 7, 0)
    assert [a.arg for a in func.args.args] == ["search_space", "config"]  # both branches are the project's code


def test_when_both_branches_do_not_parse_together_the_first_is_kept() -> None:
    from mlops_audit.evidence.repo.templatedpy import parse_template

    code = "{% if a %}\ndef f():\n{% else %}\ndef g(x):\n{% endif %}\n    return 1\n"
    module = parse_template(code, "m.py")
    assert module is not None and [n.name for n in module.body] == ["f"]  # type: ignore[attr-defined]


def test_near_miss_code_without_template_markers_or_still_broken_is_refused() -> None:
    import pytest

    from mlops_audit.evidence.repo.astutil import parse_module
    from mlops_audit.evidence.repo.templatedpy import parse_template

    assert parse_template("def f(:\n    pass\n", "m.py") is None  # no markers: not a template
    with pytest.raises(SyntaxError):
        parse_module("{% if a %}\ndef f(:\n{% endif %}\n", "m.py")
