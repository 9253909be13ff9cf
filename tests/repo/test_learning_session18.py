"""Session 18 (decoy18): a repository whose top level is a numbered sequence of stages.

Curricula, workshops and study repositories are published as a progression the reader follows in
order, and they number it at the repository's top level: Microsoft's "for beginners" curricula
(`00-course-setup/`, `01-introduction-to-genai/`, ...), the zoomcamps (`01-intro/`, `02-experiment-tracking/`),
AWS workshops (`01-module-feature-store-foundations/`), a learner's phases (`1/` .. `7/`). A team's
system is organised at its top by what runs (`src/`, `services/`, `infra/`, `tests/`); its numbered
steps live inside a folder (`notebooks/01-eda.ipynb`, `pipeline/02_train.py`). On the 428 dev/spent
checkouts, 7 repositories have three or more top-level folders numbered from 0 or 1 in a row, all of
them decoys.

The sequence is a STRUCTURE sign (`coursework.numbered_top_level`) that counts only beside a sign the
author wrote (a README claim) or chose (the remote's name): the learnt classifier already reads the
share of numbered top folders, so beside it alone the sequence would be that feature counted twice.
Alone it takes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.evidence.repo import coursework
from mlops_audit.evidence.repo.index import RepoIndex
from tests.repo.test_coursework import DOCKERFILE, SERVED, TRACKED, findings
from tests.repo.test_documentation_code import write

EXPLORE = "import pandas as pd\n\n\ndef explore(path):\n    return pd.read_csv(path).describe()\n"


def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _code(listing: list[str]) -> list[str]:
    return [f for f in listing if f.endswith((".py", ".ipynb"))]


# --- the sign ---------------------------------------------------------------------------------------


def test_lessons_numbered_from_zero_at_the_top_are_a_sequence(tmp_path: Path) -> None:
    write(tmp_path, {
        "00-course-setup/README.md": "# Setup\n", "00-course-setup/check_env.py": "print('ok')\n",
        "01-introduction/explore.py": EXPLORE, "02-experiment-tracking/track.py": TRACKED,
        "03-deployment/app/serve.py": SERVED, "03-deployment/app/Dockerfile": DOCKERFILE,
        "utils/plot.py": "def plot():\n    pass\n",
    })
    listing = _listing(tmp_path)
    said = coursework.numbered_top_level(listing, _code(listing))
    assert said is not None and "4 stages" in said and "00-course-setup/" in said


def test_bare_numbered_phases_are_a_sequence_even_when_a_phase_holds_no_code(tmp_path: Path) -> None:
    # A phase kept as documents only (no code of its own) still stands in the sequence.
    write(tmp_path, {
        "1/pyproject.toml": "[project]\nname = 'p1'\n", "1/src/train.py": TRACKED,
        "2/pyproject.toml": "[project]\nname = 'p2'\n", "2/src/pipeline/steps.py": EXPLORE,
        "3/README.md": "Phase 3 is read against phase 4's code.\n",
        "4/app/serve.py": SERVED, "4/Dockerfile": DOCKERFILE, "tools/lint.sh": "ruff check .\n",
    })
    listing = _listing(tmp_path)
    said = coursework.numbered_top_level(listing, _code(listing))
    assert said is not None and "4 stages" in said


def test_near_miss_numbered_steps_inside_a_folder_are_no_sequence(tmp_path: Path) -> None:
    write(tmp_path, {
        "notebooks/01-eda.ipynb": "{}", "notebooks/02-features.ipynb": "{}", "notebooks/03-train.ipynb": "{}",
        "pipeline/1_ingest.py": EXPLORE, "pipeline/2_train.py": TRACKED, "pipeline/3_serve.py": SERVED,
        "src/service/app.py": SERVED,
    })
    listing = _listing(tmp_path)
    assert coursework.numbered_top_level(listing, _code(listing)) is None


def test_near_miss_version_folders_or_numbers_out_of_a_row_are_no_sequence(tmp_path: Path) -> None:
    # Versioned documentation (`1.0/`, `2.0/`, `3.0/`), and numbers that do not run from 0 or 1 in a row
    # (`3-`, `5-`, `8-`; `2019/`... are years anyway).
    write(tmp_path, {
        "1.0/conf.py": "x = 1\n", "2.0/conf.py": "x = 2\n", "3.0/conf.py": "x = 3\n",
        "3-serving/serve.py": SERVED, "5-monitoring/drift.py": EXPLORE, "8-training/train.py": TRACKED,
        "2019/report.py": EXPLORE, "2020/report.py": EXPLORE, "2021/report.py": EXPLORE,
    })
    listing = _listing(tmp_path)
    assert coursework.numbered_top_level(listing, _code(listing)) is None


def test_notebooks_a_reader_runs_in_turn_at_the_top_are_a_sequence(tmp_path: Path) -> None:
    write(tmp_path, {
        "01-dataset-management.ipynb": "{}", "02-experimentation.ipynb": "{}", "03-training-formalization.ipynb": "{}",
        "04-pipeline-deployment.ipynb": "{}", "src/common/features.py": EXPLORE, "src/model_training/trainer.py": TRACKED,
        "src/model_training/task.py": TRACKED, "src/serving/predictor.py": SERVED, "build/Dockerfile": DOCKERFILE,
    })
    listing = _listing(tmp_path)
    said = coursework.numbered_top_level(listing, _code(listing))
    assert said is not None and "4 stages (01-dataset-management.ipynb .." in said and "hold 4 of 8" in said


# --- the verdict: a second sign beside the author's words ------------------------------------------------


def test_a_study_repository_of_numbered_phases_with_a_readme_claim_is_taken_whole(tmp_path: Path) -> None:
    write(tmp_path, {
        "README.md": "# gcp-mlops-study\n\nMLOps 学習用の 4 フェーズ構成リポジトリ。\n",
        "1/pyproject.toml": "[project]\nname = 'p1'\n", "1/src/train.py": TRACKED,
        "2/pyproject.toml": "[project]\nname = 'p2'\n", "2/src/train.py": TRACKED, "2/src/features.py": EXPLORE,
        "3/pyproject.toml": "[project]\nname = 'p3'\n", "3/src/serve.py": SERVED, "3/Dockerfile": DOCKERFILE,
        "4/pyproject.toml": "[project]\nname = 'p4'\n", "4/app/serve.py": SERVED, "4/Dockerfile": DOCKERFILE,
        "4/deploy/inference.yaml": "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: m\n",
    })
    found = RepoIndex(tmp_path).stats.learning
    assert found.verdict == "course" and "structure" in found.signs and any(k.startswith("README") for k in found.signs)
    assert findings(tmp_path)["serves_model"].outcome.value not in ("pass", "partial")


def test_a_curriculum_of_numbered_lessons_addressing_learners_is_taken_whole(tmp_path: Path) -> None:
    write(tmp_path, {
        "README.md": "# Shipping models\n\nWork through the folders in order. Along the way you'll learn how a model reaches production.\n",
        "00-setup/check.py": "import sys\nprint(sys.version)\n",
        "01-tracking/track.py": TRACKED, "01-tracking/requirements.txt": "mlflow==2.9.2\n",
        "02-serving/serve.py": SERVED, "02-serving/Dockerfile": DOCKERFILE, "02-serving/requirements.txt": "fastapi==0.110.0\n",
        "03-monitoring/explore.py": EXPLORE,
    })
    found = RepoIndex(tmp_path).stats.learning
    assert found.verdict == "course" and "structure" in found.signs
    assert findings(tmp_path)["serves_model"].outcome.value not in ("pass", "partial")


@pytest.mark.parametrize(
    "files",
    [
        {   # numbered stage folders at the top
            "README.md": "# Churn scoring\n\nThe service scores customers nightly; stages run in order from the scheduler.\n",
            "01_ingest/ingest.py": EXPLORE, "02_train/train.py": TRACKED,
            "03_serve/serve.py": SERVED, "03_serve/Dockerfile": DOCKERFILE, "requirements.txt": "fastapi==0.110.0\n",
        },
        {   # numbered scripts at the top
            "README.md": "# Demand forecast\n\nRun 1_prepare.py, 2_train.py and 3_serve.py; the API runs in the container.\n",
            "1_prepare.py": EXPLORE, "2_train.py": TRACKED, "3_serve.py": SERVED, "Dockerfile": DOCKERFILE,
            "requirements.txt": "fastapi==0.110.0\n",
        },
    ],
)
def test_near_miss_a_teams_numbered_pipeline_at_the_top_without_a_claim_keeps_its_credit(tmp_path: Path, files: dict[str, str]) -> None:
    write(tmp_path, files)
    found = RepoIndex(tmp_path).stats.learning
    assert found.verdict == "none" and "structure" not in found.signs
    assert findings(tmp_path)["serves_model"].outcome.value == "pass"


def test_a_sample_of_numbered_notebooks_saying_what_it_is_is_taken_whole(tmp_path: Path) -> None:
    write(tmp_path, {
        "README.md": "# Pipelines on a managed platform\n\nThis sample demonstrates how a model is trained, deployed and monitored.\n",
        "00-setup.ipynb": "{}", "01-train.ipynb": "{}", "02-deploy.ipynb": "{}", "03-monitor.ipynb": "{}",
        "app/serve.py": SERVED, "app/Dockerfile": DOCKERFILE, "pipeline/train.py": TRACKED, "pipeline/features.py": EXPLORE,
    })
    found = RepoIndex(tmp_path).stats.learning
    assert found.verdict == "course" and "structure" in found.signs and "README:samples" in found.signs
    assert findings(tmp_path)["serves_model"].outcome.value not in ("pass", "partial")


def test_near_miss_a_title_word_alone_is_no_authors_sign_for_the_sequence(tmp_path: Path) -> None:
    # "# Forecasting tutorial" over numbered stages: a title word alone (coursework.WEAK) is not what the
    # repository says it is, so the sequence is not counted beside it (the classifier, which reads the
    # numbered top folders itself, judges such a tree).
    write(tmp_path, {
        "README.md": "# Forecasting tutorial\n\nRun make all.\n",
        "1_ingest/ingest.py": EXPLORE, "2_train/train.py": TRACKED, "3_serve/serve.py": SERVED, "3_serve/Dockerfile": DOCKERFILE,
    })
    assert "structure" not in RepoIndex(tmp_path).stats.learning.signs
