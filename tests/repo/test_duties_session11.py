"""separates_duties_in_git (conventions §6): which side a changed file lies on is what it does, and
people are counted once whatever name or address they committed under."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mlops_audit.evidence.repo.collect import build_index, run_detector
from mlops_audit.evidence.repo.detectors import _duties
from mlops_audit.evidence.repo.git import people
from mlops_audit.evidence.repo.model import FindingOutcome
from mlops_audit.evidence.repo.registry import get_detector
from tests.repo import gitreplay

TRAINS = "from sklearn.linear_model import LogisticRegression\n\nmodel = LogisticRegression()\nmodel.fit(X, y)\n"
PREPARES_RETRIEVAL = (
    "from langchain.text_splitter import RecursiveCharacterTextSplitter\n\n"
    "splitter = RecursiveCharacterTextSplitter(chunk_size=500)\nchunks = splitter.split_documents(docs)\nstore.add_documents(chunks)\n"
)
SERVES = (
    "import joblib\nfrom fastapi import FastAPI\n\napp = FastAPI()\nmodel = joblib.load('model.pkl')\n\n"
    "@app.post('/predict')\ndef predict(x: list[float]):\n    return {'y': model.predict([x]).tolist()}\n"
)
EVALUATES = "from sklearn.preprocessing import MultiLabelBinarizer\n\nmlb = MultiLabelBinarizer()\nmlb.fit([labels])\nscore = f1(mlb.transform(y), mlb.transform(p))\n"
DOCKERFILE = "FROM python:3.12-slim\nCOPY . /app\nCMD [\"python\", \"app.py\"]\n"
PUSHES_IMAGE = (
    "on: {push: {branches: [main]}}\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - uses: actions/checkout@v4\n      - run: docker build -t ghcr.io/org/app . && docker push ghcr.io/org/app\n"
)
RUNS_TESTS = (
    "on: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - uses: actions/checkout@v4\n      - run: pip install -e . && pytest\n"
)


def _history(root: Path, commits: list[tuple[str, dict[str, str]]]) -> Path:
    """Commits in order, each (author, {path: content}); a path's content is written before its
    first commit (each commit also appends a comment line to the files it lists)."""
    root.mkdir(parents=True, exist_ok=True)
    gitreplay.init(root)
    written: set[str] = set()
    for number, (author, files) in enumerate(commits, start=1):
        for rel, content in files.items():
            if rel not in written:
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_text(content, encoding="utf-8")
                written.add(rel)
        gitreplay.commit(root, author, list(files), number)
    return root


def _duties_of(root: Path) -> tuple[FindingOutcome, str]:
    found = run_detector(get_detector("separates_duties_in_git"), build_index(root))
    return found.outcome, found.message


def _two_each(trainer: dict[str, str], deployer: dict[str, str]) -> list[tuple[str, dict[str, str]]]:
    return [("alice", trainer), ("bob", deployer), ("alice", trainer), ("bob", deployer)]


# --- which side a file lies on: what it does --------------------------------------------------


def test_code_that_fits_a_model_is_training_whatever_its_name(tmp_path: Path) -> None:
    root = _history(tmp_path, _two_each({"src/pipeline/steps.py": TRAINS}, {"Dockerfile": DOCKERFILE}))
    outcome, message = _duties_of(root)
    assert outcome is FindingOutcome.pass_, message
    assert "Only training: one person with 2 commit(s) (src/pipeline/steps.py)" in message
    assert "alice" not in message and "bob" not in message  # people are counted, never named
    assert "Only deployment: one person with 2 commit(s) (Dockerfile)" in message


def test_near_miss_a_web_route_serving_the_model_is_not_deployment_configuration(tmp_path: Path) -> None:
    # bob only changes the serving code: nobody changes deployment configuration at all
    root = _history(tmp_path, _two_each({"src/pipeline/steps.py": TRAINS}, {"app.py": SERVES, "api/routes.py": SERVES}))
    outcome, message = _duties_of(root)
    assert outcome is FindingOutcome.not_applicable
    assert "no commit in the history changes deployment configuration" in message


def test_near_miss_a_model_wrapper_under_models_that_only_predicts_is_not_training(tmp_path: Path) -> None:
    root = _history(tmp_path, _two_each({"myapp/models/model.py": SERVES}, {"Dockerfile": DOCKERFILE}))
    outcome, message = _duties_of(root)
    assert outcome is FindingOutcome.not_applicable
    assert "no commit in the history changes training code" in message


def test_splitting_documents_for_a_retrieval_index_is_data_preparation(tmp_path: Path) -> None:
    root = _history(tmp_path, _two_each({"src/ingestion/load.py": PREPARES_RETRIEVAL}, {"k8s/deployment.yaml": "kind: Deployment\n"}))
    assert _duties_of(root)[0] is FindingOutcome.pass_


def test_near_miss_evaluation_code_fitting_a_label_binariser_is_not_training(tmp_path: Path) -> None:
    root = _history(tmp_path, _two_each({"evals/metrics.py": EVALUATES}, {"Dockerfile": DOCKERFILE}))
    assert _duties_of(root)[0] is FindingOutcome.not_applicable


def test_a_workflow_that_pushes_an_image_is_deployment_and_one_that_runs_tests_is_not(tmp_path: Path) -> None:
    delivers = _history(tmp_path / "a", _two_each({"train.py": TRAINS}, {".github/workflows/image.yml": PUSHES_IMAGE}))
    assert _duties_of(delivers)[0] is FindingOutcome.pass_
    tests_only = _history(tmp_path / "b", _two_each({"train.py": TRAINS}, {".github/workflows/ci.yml": RUNS_TESTS}))
    assert _duties_of(tests_only)[0] is FindingOutcome.not_applicable


def test_everyone_who_deploys_also_trains_fails_and_says_what_they_changed(tmp_path: Path) -> None:
    commits = [
        ("alice", {"train.py": TRAINS}),
        ("carol", {"train.py": TRAINS, "Dockerfile": DOCKERFILE}),
        ("alice", {"train.py": TRAINS}),
        ("carol", {"Dockerfile": DOCKERFILE}),
    ]
    outcome, message = _duties_of(_history(tmp_path, commits))
    assert outcome is FindingOutcome.fail
    assert "everyone who changed deployment configuration also changed training code" in message
    assert "one person with 2 commit(s) (Dockerfile)" in message and "carol" not in message


def test_files_no_longer_in_the_tree_are_judged_by_narrower_names(tmp_path: Path) -> None:
    # a deleted `preprocessing.py` may have cleaned text at inference time; a deleted `train_model.py` trained
    commits = _two_each({"src/preprocessing.py": "x = 1\n", "web/train_model.py": "x = 1\n"}, {"Dockerfile": DOCKERFILE})
    commits.append(("carol", {"src/train.py": TRAINS}))
    root = _history(tmp_path, commits)
    gitreplay.git(root, "rm", "-q", "--", "src/preprocessing.py", "web/train_model.py")
    gitreplay.commit(root, "carol", ["README.md"], 9)
    sides = _duties.sides(build_index(root), ["src/preprocessing.py", "web/train_model.py", "src/train.py"])
    assert sides == {"web/train_model.py": "training", "src/train.py": "training"}


def test_tests_are_on_neither_side(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_train.py").write_text(TRAINS, encoding="utf-8")
    (tmp_path / "tests" / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    assert _duties.sides(build_index(tmp_path), ["tests/test_train.py", "tests/Dockerfile"]) == {}


# --- people, not addresses --------------------------------------------------------------------


def test_a_first_name_alone_and_a_login_made_of_a_full_name_are_that_person() -> None:
    ids = {
        ("lw@gov.example", "Liam Wilkinson"), ("1+lmw@users.noreply.github.com", "Liam"),
        ("e@mail.example", "Evelina Gabasova"), ("e2@mail.example", "evelinag"),
        ("r@x.example", "Ryan Chan"), ("9+rchan@users.noreply.github.com", "rchan"),
        ("m@x.example", "Mohammad Bahmani"), ("m2@y.example", "Bahmani"),
    }
    number = people(ids)
    assert number[("lw@gov.example", "Liam Wilkinson")] == number[("1+lmw@users.noreply.github.com", "Liam")]
    assert number[("e@mail.example", "Evelina Gabasova")] == number[("e2@mail.example", "evelinag")]
    assert number[("r@x.example", "Ryan Chan")] == number[("9+rchan@users.noreply.github.com", "rchan")]
    assert number[("m@x.example", "Mohammad Bahmani")] == number[("m2@y.example", "Bahmani")]
    assert len(set(number.values())) == 4


def test_an_address_named_like_a_github_login_of_the_history_is_that_account() -> None:
    number = people({("cufbas@gmail.example", "unknown"), ("3619+cufbas@users.noreply.github.com", "cufbas"), ("y@x.example", "Yinon")})
    assert number[("cufbas@gmail.example", "unknown")] == number[("3619+cufbas@users.noreply.github.com", "cufbas")]
    assert len(set(number.values())) == 2


def test_near_miss_a_first_name_two_people_share_joins_neither() -> None:
    number = people({("a@x.example", "Liam Smith"), ("b@x.example", "Liam Jones"), ("c@y.example", "Liam")})
    assert len(set(number.values())) == 3


def test_one_person_under_two_names_is_not_their_own_independent_deployer(tmp_path: Path) -> None:
    commits = [
        ("Liam Wilkinson", {"train.py": TRAINS}),
        ("Liam", {"Dockerfile": DOCKERFILE}),
        ("Liam Wilkinson", {"train.py": TRAINS}),
        ("Liam", {"Dockerfile": DOCKERFILE}),
    ]
    outcome, message = _duties_of(_history(tmp_path, commits))
    assert outcome is FindingOutcome.fail, message


# --- the hints that spare the patterns are exact ----------------------------------------------

SEGMENTS = [
    "src", "train", "Train.PY", "training", "retrain_job.py", "pretrained.py", "constraint.py", "hp_tuning", "finetune.ipynb",
    "Dockerfile", "Dockerfile.gpu", "x.dockerfile", ".dockerignore", "docker-compose.yml", "compose.yaml", "main.tf", "x.TF",
    "a.bicep", "Pulumi.yaml", "serverless.yml", "Procfile", "deploy.sh", "deployment", "k8s", "kubernetes", "helm", "charts",
    "infra", "iac", ".github", "workflows", "ci.yml", ".gitlab-ci.yml", "azure-pipelines.yml", "Jenkinsfile", ".circleci",
    "config.yml", "buildspec.yml", "params.yaml", "training.yaml", "etl", "ingest", "make_dataset.py", "prepare_data.py",
    "tests", "test_x.py", "conftest.py", "dvc.yaml", "MLproject", "app.py", "é", "", "fly.toml", "Chart.yaml", "cloudbuild.yaml",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=4).map("/".join))
def test_each_pattern_runs_only_on_paths_holding_one_of_its_hints(path: str) -> None:
    lowered = path.lower()
    for name in _duties.HINTS:
        pattern: re.Pattern[str] = getattr(_duties, name)
        assert _duties._finds(name, path, lowered) == (pattern.search(path) is not None), (name, path)
    if _duties._PIPELINE_DEFINITION.search(path):
        assert lowered.endswith(_duties._PIPELINE_NAMES)
