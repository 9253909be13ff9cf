"""Session 15: files are classified by what they hold, not by their folder or the spelling of their name.

- A `testing/` folder is test code when it holds tests (a file named as a test, or Python code with test
  functions or a test framework import); otherwise its notebooks and modules are the project's.
- A test file is one that holds tests, wherever it lives: Python code importing a test framework and
  defining tests, whatever its name.
- A test that sends HTTP requests to a local port the repository's own server or image binds tests the
  project through its API.
Each rule has two paraphrases written differently from each other and a near miss.
"""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.collect import build_index, run_detector
from mlops_audit.evidence.repo.detectors._python import is_test_path, judging
from mlops_audit.evidence.repo.model import FindingOutcome
from mlops_audit.evidence.repo.registry import get_detector
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, FAIL = FindingOutcome.pass_, FindingOutcome.fail


# --- `testing/` folders: test code when they hold tests --------------------------------------------

GRID_SEARCH = """\
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV

frame = pd.read_csv("samples.csv")
search = GridSearchCV(RandomForestClassifier(), {"n_estimators": [100, 300], "max_depth": [4, 8]}, cv=5)
search.fit(frame.drop(columns="label"), frame["label"])
print(search.best_params_)
"""

OPTUNA_STUDY = """\
import optuna
from sklearn.model_selection import cross_val_score
from sklearn.svm import SVC


def objective(trial):
    c = trial.suggest_float("C", 1e-3, 1e3, log=True)
    return cross_val_score(SVC(C=c), X, y).mean()


study = optuna.create_study(direction="maximize")
study.optimize(objective, n_trials=40)
"""


def test_a_search_in_a_testing_folder_of_trial_notebooks_and_modules_is_the_projects_tuning(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"testing/eastern_region/fit_classifier.py": GRID_SEARCH, "testing/eastern_region/README.md": "# Eastern region\n"})
    found = run_detector(get_detector("tunes_hyperparameters"), build_index(root))
    assert found.outcome is PASS and [loc.path for loc in found.locations] == ["testing/eastern_region/fit_classifier.py"]


def test_a_search_in_a_nested_testing_folder_without_tests_counts_too(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"lab/testing/models/tuning.py": OPTUNA_STUDY, "lab/testing/models/data_prep.py": "import pandas as pd\n"})
    assert _outcome(root, "tunes_hyperparameters")[0] is PASS


def test_support_code_of_a_testing_folder_that_holds_tests_stays_test_code(tmp_path: Path) -> None:
    """Near miss: the same search in a helper beside a pytest module is a test fixture, not tuning."""
    test_module = "from testing import helpers\n\ndef test_search_finds_parameters():\n    assert helpers.search.best_params_\n"
    root = _tree(tmp_path, {"testing/helpers.py": GRID_SEARCH, "testing/test_fit.py": test_module})
    assert _outcome(root, "tunes_hyperparameters")[0] is FAIL


def test_a_testing_folder_is_test_code_when_a_module_in_it_imports_a_test_framework(tmp_path: Path) -> None:
    support = "import unittest\n\nclass ServiceCase(unittest.TestCase):\n    pass\n"
    root = _tree(tmp_path, {"pkg/testing/cases.py": support, "pkg/testing/grid.py": GRID_SEARCH, "other/testing/grid.py": GRID_SEARCH})
    index = build_index(root)
    with judging(index):
        assert is_test_path("pkg/testing/grid.py")  # its folder holds a TestCase module
        assert not is_test_path("other/testing/grid.py")  # nothing in it is a test
        assert is_test_path("other/tests/grid.py") and is_test_path("other/test_grid.py")  # named as tests: whatever they hold
    assert is_test_path("other/testing/grid.py")  # outside a collection the folder's name decides, as before


# --- tests by content, wherever they live ----------------------------------------------------------

SCORING = "def score(rows):\n    return [len(r) for r in rows]\n"


def test_pytest_tests_in_a_file_not_named_as_a_test_are_tests(tmp_path: Path) -> None:
    checks = (
        "import pytest\n\nfrom scoring.core import score\n\n\n@pytest.mark.parametrize('rows', [['ab', 'c']])\n"
        "def test_score_counts_characters(rows):\n    assert score(rows) == [2, 1]\n"
    )
    root = _tree(tmp_path, {"scoring/__init__.py": "", "scoring/core.py": SCORING, "qa/model_checks.py": checks})
    outcome, message = _outcome(root, "has_unit_tests")
    assert outcome is PASS and "1 test function(s)" in message


def test_a_unittest_case_in_a_checks_module_is_a_test(tmp_path: Path) -> None:
    case = (
        "from unittest import TestCase\n\nfrom features import build\n\n\nclass BuildChecks(TestCase):\n"
        "    def test_build_keeps_rows(self):\n        self.assertEqual(len(build([1, 2])), 2)\n"
    )
    root = _tree(tmp_path, {"features.py": "def build(rows):\n    return list(rows)\n", "validation/feature_checks.py": case})
    assert _outcome(root, "has_unit_tests")[0] is PASS


def test_a_function_named_test_without_a_test_framework_outside_test_files_is_not_a_test(tmp_path: Path) -> None:
    """Near miss: no runner collects `tools/smoke.py` and nothing imports one."""
    smoke = "from scoring.core import score\n\n\ndef test_connection():\n    assert score(['a']) == [1]\n"
    root = _tree(tmp_path, {"scoring/__init__.py": "", "scoring/core.py": SCORING, "tools/smoke.py": smoke})
    assert _outcome(root, "has_unit_tests")[0] is FAIL


# --- tests of the project's own service over HTTP ---------------------------------------------------

API = """\
import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.post("/predict")
def predict(payload: dict) -> dict:
    return {"label": 1}


if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=8000)
"""


def test_a_test_posting_to_the_port_the_repositorys_server_binds_tests_the_project(tmp_path: Path) -> None:
    test = (
        "import requests\n\nBASE = 'http://localhost:8000'\n\n\ndef test_predict_returns_a_label():\n"
        "    response = requests.post(f'{BASE}/predict', json={'x': 1})\n    assert response.status_code == 200\n"
    )
    root = _tree(tmp_path, {"service/api.py": API, "checks/test_endpoints.py": test})
    outcome, message = _outcome(root, "has_unit_tests")
    assert outcome is PASS and "1 of 1 test files" in message


def test_a_test_calling_the_port_the_repositorys_image_exposes_tests_the_project(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.11-slim\nCOPY . /srv\nEXPOSE 5050\nCMD [\"gunicorn\", \"-b\", \"0.0.0.0:5050\", \"srv.app:app\"]\n"
    test = (
        "import httpx\nimport pytest\n\n\n@pytest.fixture\ndef client():\n    return httpx.Client(base_url='http://127.0.0.1:5050')\n\n\n"
        "def test_scoring_endpoint(client):\n    body = client.post('/score', json={'rows': []}).json()\n    assert 'scores' in body\n"
    )
    root = _tree(tmp_path, {"Dockerfile": dockerfile, "srv/app.py": "from flask import Flask\napp = Flask(__name__)\n", "integration/test_service.py": test})
    assert _outcome(root, "has_unit_tests")[0] is PASS


def test_a_compose_service_built_here_publishing_the_port_is_the_projects_service(tmp_path: Path) -> None:
    compose = "services:\n  scorer:\n    build: ./scorer\n    ports:\n      - \"9100:80\"\n  tracking:\n    image: ghcr.io/mlflow/mlflow\n    ports: [\"5000:5000\"]\n"
    test = "import requests\n\n\ndef test_health():\n    assert requests.get('http://localhost:9100/health').ok\n"
    root = _tree(tmp_path, {"docker-compose.yml": compose, "scorer/Dockerfile": "FROM python:3.11\nCOPY . .\n", "tests/test_stack.py": test})
    assert _outcome(root, "has_unit_tests")[0] is PASS


def test_a_test_calling_a_local_port_nothing_of_the_repository_binds_tests_someone_elses_server(tmp_path: Path) -> None:
    """Near misses: a local model server (11434) the repository does not start, and MLflow's image."""
    compose = "services:\n  tracking:\n    image: ghcr.io/mlflow/mlflow\n    ports: [\"5000:5000\"]\n"
    test = (
        "import requests\n\n\ndef test_local_llm_answers():\n    assert requests.post('http://localhost:11434/api/generate', json={}).ok\n\n\n"
        "def test_tracking_server_up():\n    assert requests.get('http://localhost:5000/health').ok\n"
    )
    root = _tree(tmp_path, {"docker-compose.yml": compose, "service/api.py": API, "tests/test_servers.py": test})
    outcome, message = _outcome(root, "has_unit_tests")
    assert outcome is FAIL and "none of their 1 file(s)" in message


# --- design documents: sub-folder READMEs and decision logs kept as tables ---------------------------

SYSTEM_CODE = """\
import joblib
import pandas as pd


def train(path: str) -> None:
    frame = pd.read_csv(path)
    model = fit_model(frame.drop(columns="target"), frame["target"])
    joblib.dump(model, "model.joblib")


def fit_model(features, target):
    from sklearn.ensemble import GradientBoostingRegressor

    return GradientBoostingRegressor().fit(features, target)
"""
PROSE = (
    "The component receives requests from the gateway, enriches them with the customer's latest features and "
    "scores them with the model promoted last; results are written back to the queue the billing service reads. "
) * 3


def test_a_components_readme_describing_its_architecture_is_a_design_document(tmp_path: Path) -> None:
    readme = f"# Scoring service\n\n## Architecture\n\n{PROSE}\n\n## Data flow\n\n{PROSE}\n"
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "services/scoring/README.md": readme, "README.md": "# Project\n"})
    found = run_detector(get_detector("has_design_docs"), build_index(root))
    assert found.outcome is PASS and [loc.path for loc in found.locations] == ["services/scoring/README.md"]


def test_a_pipeline_stages_readme_stating_its_methodology_is_a_design_document(tmp_path: Path) -> None:
    readme = f"Ingestion stage\n===============\n\nMethodology\n-----------\n\n{PROSE}\n\nOperating it\n------------\n\n{PROSE}\n"
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "pipelines/ingest/README.rst": readme})
    assert _outcome(root, "has_design_docs")[0] is PASS


def test_readmes_that_only_say_how_to_install_and_the_root_readme_are_not_design_documents(tmp_path: Path) -> None:
    """Near misses: a sub-folder README of set-up steps, and the root README's architecture section."""
    setup = f"# Scoring service\n\n## Installation\n\n{PROSE}\n\n## Usage\n\n{PROSE}\n"
    root_readme = f"# Project\n\n## Architecture\n\n{PROSE}\n"
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "services/scoring/README.md": setup, "README.md": root_readme})
    assert _outcome(root, "has_design_docs")[0] is FAIL


def test_a_readme_listing_requirements_to_install_or_a_downloaded_models_card_is_not_a_design_document(tmp_path: Path) -> None:
    """Near misses: "Requirements" in a README lists what to install; a README among data is a downloaded model's card."""
    infra = f"# Tracking server\n\n## Requirements\n\n{PROSE}\n\n## How to use\n\n{PROSE}\n"
    card = f"# paraphrase-mini\n\n## Usage\n\n{PROSE}\n\n## Full Model Architecture\n\n{PROSE}\n"
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "infra/README.md": infra, "search/data/models/paraphrase-mini/README.md": card})
    assert _outcome(root, "has_design_docs")[0] is FAIL


def test_a_log_of_experiments_with_findings_and_dates_kept_as_a_table_is_a_decision_record(tmp_path: Path) -> None:
    log = (
        "# Experiment history\n\n| Hypothesis | Ticket | Outcome | Decided on |\n|:---|---|---|---:|\n"
        "| Target encoding beats one-hot for districts | #41 | adopted in v3 | 2024-03-02 |\n"
        "| A separate model for condos | #57 | rejected: no gain on holdout | 2024-05-19 |\n"
        "| LightGBM instead of XGBoost | #60 | adopted | 2024-06-01 |\n"
    )
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "docs/experiment-history.md": log})
    found = run_detector(get_detector("has_design_docs"), build_index(root))
    assert found.outcome is PASS and found.locations[0].path == "docs/experiment-history.md"


def test_a_models_readme_with_a_decision_table_is_a_decision_record(tmp_path: Path) -> None:
    readme = (
        "Churn model\n\nDecisions taken while building it:\n\n"
        "Proposal | Decision | Date\n--- | --- | ---\n"
        "Drop tenure below 1 month | accepted | 12 Jan 2025\n"
        "Weekly instead of daily retraining | accepted | 3 Feb 2025\n"
    )
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "models/churn/README.md": readme})
    assert _outcome(root, "has_design_docs")[0] is PASS


def test_a_table_of_scores_by_date_is_not_a_decision_record(tmp_path: Path) -> None:
    """Near miss: results over time decide nothing."""
    scores = "# Benchmarks\n\n| Model | Accuracy | Date |\n|---|---|---|\n| v1 | 0.81 | 2024-01-01 |\n| v2 | 0.84 | 2024-02-01 |\n| v3 | 0.85 | 2024-03-01 |\n"
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "docs/benchmarks.md": scores})
    assert _outcome(root, "has_design_docs")[0] is FAIL


# --- security scanners in shared (reusable) workflows; a private-key string check is not a scanner ---

def _workflow(jobs: str) -> str:
    return "name: ci\non:\n  push:\n  pull_request:\njobs:\n" + jobs


def test_a_job_calling_an_organisations_codeql_workflow_scans_the_repository(tmp_path: Path) -> None:
    jobs = "  codeql:\n    uses: acme/platform-ci/.github/workflows/codeql-analysis.yml@main\n    secrets: inherit\n"
    root = _tree(tmp_path, {".github/workflows/ci.yml": _workflow(jobs), "app.py": "print(1)\n"})
    outcome, message = _outcome(root, "scans_security")
    assert outcome is PASS and "codeql" in message


def test_jobs_calling_shared_image_and_rails_scanner_workflows_scan_the_repository(tmp_path: Path) -> None:
    jobs = (
        "  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build -t web .\n"
        "  image-scan:\n    needs: build\n    uses: example-org/shared-workflows/.github/workflows/trivy_image_scan.yaml@v2\n"
        "  sast:\n    uses: example-org/shared-workflows/.github/workflows/brakeman.yml@v2\n"
    )
    root = _tree(tmp_path, {".github/workflows/main.yaml": _workflow(jobs), "app/models/user.rb": "class User; end\n"})
    outcome, message = _outcome(root, "scans_security")
    assert outcome is PASS and "trivy" in message and "brakeman" in message


def test_a_job_calling_a_shared_deploy_workflow_scans_nothing(tmp_path: Path) -> None:
    """Near miss: a reusable workflow whose name names no scanner."""
    jobs = "  deploy:\n    uses: acme/platform-ci/.github/workflows/deploy-preview.yml@main\n"
    root = _tree(tmp_path, {".github/workflows/ci.yml": _workflow(jobs), "app.py": "print(1)\n"})
    assert _outcome(root, "scans_security")[0] is FAIL


PRECOMMIT_PRIVATE_KEY = (
    "repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v4.6.0\n    hooks:\n"
    "      - id: trailing-whitespace\n      - id: detect-private-key\n"
)


def test_the_private_key_string_check_alone_is_not_security_scanning(tmp_path: Path) -> None:
    root = _tree(tmp_path, {".pre-commit-config.yaml": PRECOMMIT_PRIVATE_KEY, "app.py": "print(1)\n"})
    assert _outcome(root, "scans_security")[0] is FAIL


def test_the_private_key_string_check_run_by_ci_is_not_security_scanning_either(tmp_path: Path) -> None:
    jobs = "  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: pre-commit/action@v3.0.1\n"
    root = _tree(tmp_path, {".pre-commit-config.yaml": PRECOMMIT_PRIVATE_KEY, ".github/workflows/lint.yml": _workflow(jobs), "app.py": "print(1)\n"})
    assert _outcome(root, "scans_security")[0] is FAIL


def test_a_secret_scanner_hook_is_still_security_scanning_where_installed(tmp_path: Path) -> None:
    """The other side: detect-secrets (a scanner) as a hook stays partial."""
    hooks = "repos:\n  - repo: https://github.com/Yelp/detect-secrets\n    rev: v1.5.0\n    hooks:\n      - id: detect-secrets\n"
    root = _tree(tmp_path, {".pre-commit-config.yaml": hooks, "app.py": "print(1)\n"})
    assert _outcome(root, "scans_security")[0] is FindingOutcome.partial


# --- tests in other languages, by their framework's file convention ---------------------------------

def test_rspec_specs_of_the_projects_ruby_code_are_unit_tests(tmp_path: Path) -> None:
    spec = (
        'require "rails_helper"\n\nRSpec.describe AnswerScorer do\n  describe "#score" do\n'
        '    it "gives full marks to an exact answer" do\n      expect(described_class.new.score("a", "a")).to eq(1.0)\n    end\n  end\nend\n'
    )
    scorer = "class AnswerScorer\n  def score(expected, given)\n    expected == given ? 1.0 : 0.0\n  end\nend\n"
    root = _tree(tmp_path, {"app/services/answer_scorer.rb": scorer, "spec/services/answer_scorer_spec.rb": spec})
    outcome, message = _outcome(root, "has_unit_tests")
    assert outcome is PASS and "Ruby" in message


def test_vitest_and_testthat_and_go_tests_of_the_projects_code_are_unit_tests(tmp_path: Path) -> None:
    vitest = "import { describe, it, expect } from 'vitest'\nimport { chunk } from '../chunking'\n\ndescribe('chunk', () => {\n  it('splits long text', () => {\n    expect(chunk('a b c', 2)).toHaveLength(2)\n  })\n})\n"
    testthat = 'test_that("lag features shift by one period", {\n  out <- add_lags(data.frame(y = 1:3))\n  expect_equal(out$y_lag1[2], 1)\n})\n'
    go_test = 'package score\n\nimport "testing"\n\nfunc TestScoreClamps(t *testing.T) {\n\tif got := Score(2.5); got != 1 {\n\t\tt.Errorf("Score(2.5) = %v", got)\n\t}\n}\n'
    for files in (
        {"apps/api/src/chunking.ts": "export const chunk = (t: string, n: number) => [t]\n", "apps/api/src/__tests__/chunking.ts": vitest},
        {"R/features.R": "add_lags <- function(df) { df$y_lag1 <- c(NA, head(df$y, -1)); df }\n", "tests/testthat/test-features.R": testthat},
        {"internal/score/score.go": "package score\n\nfunc Score(x float64) float64 { if x > 1 { return 1 }; return x }\n", "internal/score/score_test.go": go_test},
    ):
        root = _tree(tmp_path / str(len(list(tmp_path.iterdir()))), files)
        assert _outcome(root, "has_unit_tests")[0] is PASS, files


def test_placeholder_render_tests_specs_without_project_code_and_copied_in_apps_are_not_the_projects_tests(tmp_path: Path) -> None:
    """Near misses: a generated render test that only checks an element exists; a spec with no Ruby code
    to test; the tests of an application copied in (its package.json names another repository)."""
    placeholder = "import { render, screen } from '@testing-library/react';\nimport App from './App';\n\ntest('renders learn react link', () => {\n  render(<App />);\n  expect(screen.getByText(/learn react/i)).toBeInTheDocument();\n});\n"
    lonely_spec = 'RSpec.describe "arithmetic" do\n  it "adds" do\n    expect(1 + 1).to eq(2)\n  end\nend\n'
    copied = '{"name": "budget", "repository": {"type": "git", "url": "git@github.com:someone/budget.git"}}'
    copied_test = "import { sum } from './sum'\n\ntest('sums', () => {\n  expect(sum([1, 2])).toEqual(3)\n})\n"
    root = _tree(tmp_path, {
        "frontend/src/App.js": "export default function App() { return null }\n", "frontend/src/App.test.js": placeholder,
        "spec/arithmetic_spec.rb": lonely_spec,
        "budget/package.json": copied, "budget/src/sum.js": "export const sum = (xs) => xs.reduce((a, b) => a + b, 0)\n", "budget/src/sum.test.js": copied_test,
    })
    assert _outcome(root, "has_unit_tests")[0] is FAIL


# --- R's hyperparameter searches (catalogue `r_calls`) ----------------------------------------------

def test_an_r_pipeline_racing_a_tuning_grid_tunes_hyperparameters(tmp_path: Path) -> None:
    train = (
        "library(tidymodels)\nlibrary(finetune)\n\nspec <- boost_tree(trees = tune(), learn_rate = tune()) |> set_engine('lightgbm')\n"
        "wf <- workflow() |> add_model(spec) |> add_formula(price ~ .)\n"
        "raced <- finetune::tune_race_anova(wf, resamples = vfold_cv(train_df, v = 5), grid = 25)\n"
    )
    root = _tree(tmp_path, {"R/train_model.R": train})
    outcome, message = _outcome(root, "tunes_hyperparameters")
    assert outcome is PASS and "tune_race_anova()" in message


def test_an_r_markdown_analysis_searching_svm_parameters_tunes_hyperparameters(tmp_path: Path) -> None:
    analysis = "---\ntitle: churn\n---\n\n```{r}\nlibrary(e1071)\nsearched <- tune.svm(churn ~ ., data = customers, gamma = 10^(-3:-1), cost = 10^(1:3))\n```\n"
    root = _tree(tmp_path, {"analysis/churn_svm.Rmd": analysis})
    assert _outcome(root, "tunes_hyperparameters")[0] is PASS


def test_an_r_model_spec_marking_parameters_without_a_search_or_a_commented_search_tunes_nothing(tmp_path: Path) -> None:
    """Near misses: `tune()` placeholders fitted as they are, and a search left in a comment."""
    fit = "spec <- rand_forest(mtry = tune(), trees = 500)\n# res <- tune_grid(wf, resamples = folds)\nfitted <- fit(workflow() |> add_model(spec), data = d)\n"
    root = _tree(tmp_path, {"R/fit.R": fit})
    assert _outcome(root, "tunes_hyperparameters")[0] is FAIL


# --- build files: Docker's lowercase `dockerfile` wherever a compose build is followed ----------------

CHURN_PAGE = """\
import joblib
import streamlit as st

model = joblib.load("artifacts/churn.joblib")
tenure = st.slider("Tenure (months)", 0, 72)
charges = st.number_input("Monthly charges")
st.metric("Churn risk", float(model.predict_proba([[tenure, charges]])[0][1]))
"""


def test_a_page_started_by_a_lowercase_dockerfile_of_a_compose_build_is_deployed(tmp_path: Path) -> None:
    image = 'FROM python:3.11-slim\nWORKDIR /srv\nCOPY . .\nCMD ["streamlit", "run", "ui.py", "--server.port=8501"]\n'
    compose = "services:\n  churn-ui:\n    build: ./frontend\n    ports: ['8501:8501']\n"
    root = _tree(tmp_path, {"frontend/ui.py": CHURN_PAGE, "frontend/dockerfile": image, "docker-compose.yml": compose})
    assert _outcome(root, "serves_model")[0] is PASS


def test_a_streamlit_page_of_a_lowercase_dockerfile_in_a_compose_build_context_is_deployed(tmp_path: Path) -> None:
    page = "import mlflow\nimport streamlit as st\n\nmodel = mlflow.pyfunc.load_model('models:/price/Production')\nst.write(model.predict([[st.number_input('rooms')]]))\n"
    image = 'FROM python:3.12\nCOPY app /app\nENTRYPOINT ["streamlit", "run", "/app/page.py"]\n'
    compose = "services:\n  page:\n    build:\n      context: ./dashboard\n    restart: always\n"
    root = _tree(tmp_path, {"dashboard/app/page.py": page, "dashboard/dockerfile": image, "compose.yaml": compose})
    assert _outcome(root, "serves_model")[0] is PASS


def test_a_named_build_file_that_is_absent_is_not_replaced_by_the_lowercase_default(tmp_path: Path) -> None:
    """Near miss: `dockerfile: Dockerfile.gpu` names the file Docker builds; a `dockerfile` beside it is not read."""
    image = 'FROM python:3.11-slim\nWORKDIR /srv\nCOPY . .\nCMD ["streamlit", "run", "ui.py", "--server.port=8501"]\n'
    compose = "services:\n  churn-ui:\n    build:\n      context: ./frontend\n      dockerfile: Dockerfile.gpu\n"
    root = _tree(tmp_path, {"frontend/ui.py": CHURN_PAGE, "frontend/dockerfile": image, "docker-compose.yml": compose})
    assert _outcome(root, "serves_model")[0] is FAIL


# --- separation of duties: training code in a `testing/` folder of trials is training code -----------

def test_training_code_in_testing_folders_without_tests_is_on_the_training_side(tmp_path: Path) -> None:
    from mlops_audit.evidence.repo.detectors import _duties

    root = _tree(tmp_path, {
        "testing/western_region/train_model.py": "model.fit(X, y)\n",  # a region's trial: no tests in its folder
        "lab/testing/fit_forest.py": "forest.fit(features, labels)\n",
        "qa/testing/train_helpers.py": "import pytest\n\nmodel.fit(X, y)\n",  # near miss: a folder of test support
        "Dockerfile": "FROM python:3.12\n",
    })
    index = build_index(root)
    with judging(index):
        side = _duties.sides(index, ["testing/western_region/train_model.py", "lab/testing/fit_forest.py", "qa/testing/train_helpers.py", "Dockerfile"])
    assert side == {
        "testing/western_region/train_model.py": _duties.TRAINING, "lab/testing/fit_forest.py": _duties.TRAINING, "Dockerfile": _duties.DEPLOYMENT,
    }


# --- scanners run from their published images; Poe the Poet as a Poetry plugin ------------------------

def test_a_poetry_poe_task_running_the_gitleaks_image_scans_for_secrets(tmp_path: Path) -> None:
    pyproject = '[tool.poe.tasks]\nsecrets-check = "docker run --rm -v .:/repo zricethezav/gitleaks:v8.18.0 detect --source /repo"\nfmt = "ruff format ."\n'
    jobs = "  checks:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: poetry self add 'poethepoet[poetry_plugin]'\n      - run: poetry poe secrets-check\n"
    root = _tree(tmp_path, {"pyproject.toml": pyproject, ".github/workflows/checks.yml": _workflow(jobs), "app.py": "print(1)\n"})
    outcome, message = _outcome(root, "scans_security")
    assert outcome is PASS and "gitleaks" in message and "poe" in message


def test_a_ci_step_running_the_trivy_image_against_the_built_image_scans_it(tmp_path: Path) -> None:
    jobs = (
        "  image:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build -t scorer:ci .\n"
        "      - run: |\n          docker run --rm -v /var/run/docker.sock:/var/run/docker.sock \\\n            aquasec/trivy:0.50.1 image --exit-code 1 scorer:ci\n"
    )
    root = _tree(tmp_path, {".github/workflows/image.yml": _workflow(jobs), "Dockerfile": "FROM python:3.12\nCOPY . .\n"})
    assert _outcome(root, "scans_security")[0] is PASS


def test_a_linter_image_or_a_scanner_image_only_pulled_is_not_scanning(tmp_path: Path) -> None:
    """Near misses: hadolint lints a Dockerfile; pulling trivy's image runs nothing."""
    jobs = "  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker run --rm -i hadolint/hadolint < Dockerfile\n      - run: docker pull aquasec/trivy:latest\n"
    root = _tree(tmp_path, {".github/workflows/lint.yml": _workflow(jobs), "Dockerfile": "FROM python:3.12\nCOPY . .\n"})
    assert _outcome(root, "scans_security")[0] is FAIL
