"""Learning material that holds full projects (`coursework`): a workshop's reference solution, a book
chapter's example service, labs each with requirements, a course's graded week are exercises, not a
team's system; a capstone, a thesis, a project made in a course or a real project with examples keep
their credit. Pass and near-miss trees for each rule, generated in tmp_path."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mlops_audit.evidence.repo import coursework
from mlops_audit.evidence.repo.collect import collect
from mlops_audit.evidence.repo.coursework import teaching_readme
from mlops_audit.evidence.repo.index import RepoIndex
from tests.repo.test_documentation_code import write

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TRACKED = (
    "import mlflow\nfrom sklearn.linear_model import LogisticRegression\n\n\ndef train(x, y):\n"
    "    with mlflow.start_run():\n        model = LogisticRegression().fit(x, y)\n"
    "        mlflow.log_metric('accuracy', model.score(x, y))\n    return model\n"
)
SKELETON = "def train(x, y):\n    # TODO: track the run with MLflow\n    raise NotImplementedError\n"
SERVED = (
    "import joblib\nfrom fastapi import FastAPI\n\napp = FastAPI()\nmodel = joblib.load('model.joblib')\n\n\n"
    "@app.post('/predict')\ndef predict(features: list[float]):\n    return {'score': float(model.predict([features])[0])}\n"
)
SEEDED = "from sklearn.tree import DecisionTreeClassifier\n\nmodel = DecisionTreeClassifier(random_state=42)\n"
DOCKERFILE = "FROM python:3.11-slim\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nCMD [\"python\", \"/app/serve.py\"]\n"
CI = "name: ci\non:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pip install -e . && pytest\n"


def findings(root: Path, **options: bool) -> dict:
    return {f.detector: f for f in collect(root, now=NOW, **options).findings}


def outcome(root: Path, detector: str) -> str:
    return findings(root)[detector].outcome.value


def assert_credited(root: Path, detector: str) -> None:
    """Nothing of the tree is learning material, and the practice passes."""
    assert RepoIndex(root).stats.learning.verdict == "none"
    assert outcome(root, detector) == "pass"


# --- rule 3: a reference solution beside its skeleton ------------------------------------------


def workshop_with_solutions(root: Path, readme: str = "# MLOps workshop\n\nStep by step.\n") -> None:
    # The README only names a workshop in its title (weak): the rule on the solution decides here; a
    # README that says so in so many words makes the whole repository teaching material (rule 9,
    # tests/repo/test_material_about_practice.py).
    write(root, {
        "README.md": readme, "pyproject.toml": "[project]\nname = 'housing'\n",
        "src/housing/train.py": SKELETON, "src/housing/data.py": "def load():\n    return []\n",
        "solutions/src/housing/train.py": TRACKED, "solutions/src/housing/data.py": "def load():\n    return [1]\n",
        "solutions/Dockerfile": DOCKERFILE,
    })


def project_with_a_course_folder(root: Path) -> None:
    """A project (a served model with its container) holding a folder named as course material: the
    folder is left out as lessons, the project is credited (verdict `partly`, rule 4 below)."""
    write(root, {
        "README.md": "# My cloud notes\n", "app/serve.py": SERVED, "app/Dockerfile": DOCKERFILE,
        "terraform_course/main.tf": 'resource "google_cloud_run_service" "hello" {\n  name = "hello"\n}\n',
        "W&B_MLOps_Course/lesson2/train.py": TRACKED, "course_stats/count.py": "print(3)\n",
    })


def test_a_workshop_solution_with_a_dockerfile_beside_its_skeleton_is_not_credited(tmp_path: Path) -> None:
    workshop_with_solutions(tmp_path)
    found = findings(tmp_path)
    assert found["tracks_experiments"].outcome.value == "fail"
    assert found["has_container"].outcome.value == "fail"
    for detector in ("tracks_experiments", "has_container"):  # a course as a whole: its lessons are not searched again
        assert "not looked for in learning material: the repository is learning material as a whole and its 5 lesson file(s)" in found[detector].message
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.verdict == "course" and learning.code_share == 1.0
    assert "solutions/Dockerfile" in learning.left_out and "README.md" not in learning.left_out
    assert learning.trees[0].why.startswith("a reference solution beside its skeleton: 2 of its 2 code files mirror src/")


def test_a_solution_beside_a_starter_folder_is_an_exercise_with_it(tmp_path: Path) -> None:
    write(tmp_path, {
        "README.md": "# Pipelines\n", "pyproject.toml": "[project]\nname = 'pipelines'\n",
        "ex1/starter/train.py": SKELETON, "ex1/starter/serve.py": "def serve():\n    raise NotImplementedError\n",
        "ex1/solution/train.py": TRACKED, "ex1/solution/serve.py": SERVED, "ex1/solution/Dockerfile": DOCKERFILE,
    })
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.trees[0].why == "a reference solution beside its skeleton: 2 of its 2 code files mirror ex1/starter/"
    assert {"ex1/starter/train.py", "ex1/solution/Dockerfile"} <= learning.left_out
    assert outcome(tmp_path, "has_container") == "fail"


def test_a_solutions_folder_that_mirrors_nothing_is_the_projects_code(tmp_path: Path) -> None:
    """Near miss: a product's `solutions/` (its solution modules), no skeleton beside it."""
    write(tmp_path, {
        "README.md": "# Retail forecasting\n", "pyproject.toml": "[project]\nname = 'retail'\n",
        "solutions/forecast/train.py": TRACKED, "solutions/forecast/features.py": "X = 1\n", "src/retail/api.py": "Y = 2\n",
    })
    assert_credited(tmp_path, "tracks_experiments")


# --- rule 5: a teaching repository's lesson series holds exercises, not projects ----------------


def book_chapters(root: Path, readme: str, member: str = "chapter-0") -> None:
    files = {"README.md": readme}
    for number in (1, 2, 3):
        files[f"{member}{number}/requirements.txt"] = "mlflow==2.9.0\nscikit-learn==1.4.0\n"
        files[f"{member}{number}/train.py"] = TRACKED
    files |= {f"{member}2/service/Dockerfile": DOCKERFILE, f"{member}2/service/pyproject.toml": "[project]\nname = 'svc'\n", f"{member}2/service/app.py": SERVED}
    write(root, files)


def test_book_chapters_each_with_requirements_and_a_service_are_not_credited(tmp_path: Path) -> None:
    book_chapters(tmp_path, "# ML in Production book\n\nOne folder per chapter.\n")  # a title word only: rule 5, not rule 9
    found = findings(tmp_path)
    for detector in ("tracks_experiments", "has_container", "serves_model"):
        assert found[detector].outcome.value == "fail", detector
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.verdict == "course"
    assert "1 full project folder(s) in them taken as exercises (a teaching repository)" in learning.trees[0].why


def test_chapters_teach_by_their_names_even_without_the_readmes_words(tmp_path: Path) -> None:
    """A book's chapters (and a course's lectures) are lessons by name: a series of them each with its
    requirements is not a series of projects, and a chapter's service is an exercise."""
    book_chapters(tmp_path, "# Churn models\n\nThree churn models.\n")
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.verdict == "course" and learning.trees[0].why.endswith("taken as exercises (chapters or lectures)")
    assert outcome(tmp_path, "has_container") == "fail"


def test_homework_folders_each_with_requirements_without_teaching_words_stay_a_series_of_projects(tmp_path: Path) -> None:
    """Near miss: the same tree named `hw1`..`hw3` under a README that does not present teaching
    material: each homework is a project of its own (session 6's series of projects), so its practice
    keeps its credit."""
    book_chapters(tmp_path, "# Churn models\n\nThree churn models, one per folder.\n", member="hw")
    assert_credited(tmp_path, "tracks_experiments")
    assert outcome(tmp_path, "has_container") == "pass"


@pytest.mark.parametrize("with_dockerfile", [True, False])
def test_a_courses_capstone_member_keeps_its_credit_in_a_teaching_repository(tmp_path: Path, with_dockerfile: bool) -> None:
    """The labs (each with requirements) are exercises; the capstone keeps its code, with or without
    a full project file of its own (then it is no "rest of a course" either)."""
    write(tmp_path, {
        "README.md": "# Course materials for Applied MLOps\n",
        **{f"week-{i}/requirements.txt": "pandas==2.2.0\n" for i in (1, 2, 3)},
        **{f"week-{i}/lab.py": TRACKED for i in (1, 2, 3)},
        "week-4-capstone/train.py": TRACKED, **({"week-4-capstone/Dockerfile": DOCKERFILE} if with_dockerfile else {}),
    })
    learning = RepoIndex(tmp_path).stats.learning
    assert {f"week-{i}/lab.py" for i in (1, 2, 3)} <= learning.left_out
    assert "week-4-capstone/train.py" not in learning.left_out and learning.verdict == "partly"
    assert outcome(tmp_path, "tracks_experiments") == "pass"


# --- the other side: projects with numbered or lesson-looking parts keep their credit -----------


def test_a_capstone_with_numbered_notebooks_a_dockerfile_and_ci_is_credited(tmp_path: Path) -> None:
    write(tmp_path, {
        "README.md": "# Churn prediction\n\nMy final project for the MLOps Zoomcamp course: a churn model served with FastAPI.\n",
        "notebooks/01-eda.ipynb": "{}", "notebooks/02-training.ipynb": "{}", "notebooks/03-evaluation.ipynb": "{}",
        "src/train.py": TRACKED, "src/app.py": SERVED, "Dockerfile": DOCKERFILE, "requirements.txt": "mlflow==2.9.0\n",
        ".github/workflows/ci.yml": CI,
    })
    assert RepoIndex(tmp_path).stats.learning.verdict == "none"
    found = findings(tmp_path)
    for detector in ("tracks_experiments", "has_container", "has_ci_pipeline", "serves_model"):
        assert found[detector].outcome.value == "pass", detector


def test_a_real_project_with_examples_that_are_full_projects_keeps_its_credit(tmp_path: Path) -> None:
    write(tmp_path, {
        "README.md": "# Fraud service\n\nScores card payments. See examples/ for client examples.\n",
        "pyproject.toml": "[project]\nname = 'fraud'\n", "src/fraud/train.py": TRACKED, ".github/workflows/ci.yml": CI,
        "examples/batch-client/pyproject.toml": "[project]\nname = 'client'\n", "examples/batch-client/run.py": "print(1)\n",
        "examples/streaming/Dockerfile": DOCKERFILE, "examples/streaming/app.py": SERVED,
    })
    assert_credited(tmp_path, "tracks_experiments")


def test_a_team_project_whose_folders_are_named_after_lessons_keeps_its_credit(tmp_path: Path) -> None:
    """Folders `lesson-1`..`lesson-3` of one system whose README says it is the team's project, each
    with a full project file: a series of projects, not learning material."""
    write(tmp_path, {
        "README.md": "# Fashion classifier\n\nOur project for the course, carried through its lessons.\n",
        **{f"lesson-{i}/Dockerfile": DOCKERFILE for i in (1, 2, 3)}, **{f"lesson-{i}/train.py": TRACKED for i in (1, 2, 3)},
    })
    assert_credited(tmp_path, "tracks_experiments")


# --- rule 4: folders named as course material ---------------------------------------------------


def test_folders_named_as_course_material_are_left_out_with_their_infrastructure(tmp_path: Path) -> None:
    project_with_a_course_folder(tmp_path)
    learning = RepoIndex(tmp_path).stats.learning
    assert {"terraform_course/main.tf", "W&B_MLOps_Course/lesson2/train.py"} <= learning.left_out
    assert "course_stats/count.py" not in learning.left_out and "app/serve.py" not in learning.left_out  # near misses
    assert learning.verdict == "partly"
    assert outcome(tmp_path, "tracks_experiments") == "fail"


# --- rule 6: a workshop around its reference solution ------------------------------------------


def workshop(root: Path, readme: str) -> None:
    write(root, {
        "README.md": readme, "Dockerfile": DOCKERFILE, "pyproject.toml": "[project]\nname = 'turbine'\n",
        ".github/workflows/ci.yml": CI, "src/turbine/app.py": SERVED, "src/turbine/train.py": TRACKED,
        "exercises/01-explore.md": "# Explore\n", "exercises/02-train.ipynb": "{}", "exercises/03-serve.md": "# Serve\n",
    })


def test_a_workshop_whose_root_project_is_the_exercises_solution_is_not_credited(tmp_path: Path) -> None:
    workshop(tmp_path, "# How to MLOps\n\nWelcome to this workshop! Work through the exercises folder.\n")
    found = findings(tmp_path)
    for detector in ("has_container", "serves_model", "tracks_experiments", "has_ci_pipeline"):
        assert found[detector].outcome.value == "fail", detector
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.verdict == "course" and learning.trees[0].path == ""
    assert "exercises/ holds 3 numbered exercises" in learning.trees[0].why
    assert "exercises/01-explore.md" not in learning.left_out  # documents stay


def test_a_service_with_a_numbered_exercises_folder_but_no_teaching_words_is_credited(tmp_path: Path) -> None:
    workshop(tmp_path, "# Turbine power service\n\nPredicts turbine power for the operations team.\n")
    assert_credited(tmp_path, "has_container")


# --- rule 8: course materials whose only project files are package lists -----------------------


def test_course_materials_with_only_a_requirements_file_are_learning_material_whole(tmp_path: Path) -> None:
    write(tmp_path, {
        "README.md": "# 50.055 Machine Learning Operations\n\nThis repo contains code materials for the MLOps course. What you will learn: tracking.\n",
        "01_train.ipynb": "{}", "python/01_train.py": TRACKED, "scripts/requirements.txt": "wandb\n", "scripts/train.py": TRACKED,
    })
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.verdict == "course" and learning.trees[0].why.startswith("course material with no build, container or CI file")
    assert outcome(tmp_path, "tracks_experiments") == "fail"


def test_course_materials_said_once_keep_their_credit(tmp_path: Path) -> None:
    """Near miss of rule 8 since session 13: one claim of the README is one sign, not enough to take a
    repository whole - the verdict is `partly` (the reason reported) and the code keeps its credit."""
    write(tmp_path, {
        "README.md": "# 50.055 Machine Learning Operations\n\nThis repo contains code materials for the MLOps course.\n",
        "01_train.ipynb": "{}", "python/01_train.py": TRACKED, "scripts/requirements.txt": "wandb\n", "scripts/train.py": TRACKED,
    })
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.verdict == "partly" and learning.left_out == set() and list(learning.signs) == ["README:material"]
    assert outcome(tmp_path, "tracks_experiments") == "pass"


def test_course_materials_with_a_dockerfile_are_not_taken_by_the_package_list_rule(tmp_path: Path) -> None:
    """Near miss of rule 8: a container file makes the repository more than lists of packages. Since
    session 12 rule 9 takes such a repository whole with any code (it needed 3 code files before, so
    this one-script tree kept its credit): its README says in so many words that it is course material."""
    write(tmp_path, {
        "README.md": "# Course\n\nThis repo contains code materials for the MLOps course.\n",
        "scripts/Dockerfile": DOCKERFILE, "scripts/train.py": TRACKED,
    })
    listing = sorted(["README.md", "scripts/Dockerfile", "scripts/train.py"])
    assert coursework.material_without_builds(listing, "a strong sign") is None
    # Since session 13 rule 9 needs a second sign too: the README's one claim leaves the verdict `partly`.
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.verdict == "partly" and learning.left_out == set()


# --- rule 7: a teaching repository's single lesson folders ---------------------------------------


def test_a_graded_assignment_week_is_coursework_but_its_ci_still_counts(tmp_path: Path) -> None:
    write(tmp_path, {
        "README.md": "# MLOps-Course\nThis repository contains the code relevant for the graded assignments for the MLOps course.\n",
        "week-2/train_iris.py": SEEDED, "week-2/requirements.txt": "scikit-learn==1.4.0\n", "week-2/tests/test_train.py": "def test_x():\n    assert 1\n",
        ".github/workflows/ci.yml": CI,
    })
    found = findings(tmp_path)
    assert found["is_reproducible"].outcome.value == "fail"
    assert found["has_ci_pipeline"].outcome.value == "pass"  # the repository's own CI really runs
    # Session 12's rule 9 took the whole repository on the README's strong phrase; since session 13 that
    # is one sign, so rule 7 takes the week's folder (the README says it teaches); the root CI stays the
    # repository's own upkeep either way.
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.verdict == "partly" and learning.trees[0].why.startswith("lesson folders of a teaching repository: 1 numbered lessons (week-2/...)")


def test_a_single_week_folder_of_a_repository_whose_title_names_a_course_is_coursework(tmp_path: Path) -> None:
    """Rule 7 with a weak sign (the title alone names a course; rule 9 needs a strong one)."""
    write(tmp_path, {
        "README.md": "# MLOps-Course\nWeekly hand-ins.\n",
        "week-2/train_iris.py": SEEDED, "week-2/requirements.txt": "scikit-learn==1.4.0\n", "app/serve.py": SERVED,
        ".github/workflows/ci.yml": CI,
    })
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.verdict == "partly" and learning.trees[0].why.startswith("lesson folders of a teaching repository: 1 numbered lessons (week-2/...)")
    assert outcome(tmp_path, "is_reproducible") == "fail" and outcome(tmp_path, "serves_model") == "pass"


def test_a_course_project_with_a_week_folder_keeps_its_credit(tmp_path: Path) -> None:
    """Near miss: a project made in a course says so; its README is not teaching material."""
    write(tmp_path, {
        "README.md": "# MLOps Course Project\n\nLatency prediction on our cloud.\n",
        "week-2/train.py": SEEDED, "week-2/requirements.txt": "scikit-learn==1.4.0\n",
    })
    assert_credited(tmp_path, "is_reproducible")


# --- what presents a repository as teaching material -------------------------------------------


@pytest.mark.parametrize(
    "opening",
    [
        "# Machine Learning Operations - Hands-on workshop\n",
        "# How to MLOps\nWelcome to this tutorial!\n",
        "# ML Engineering with Python\nThis is the code repository for ML Engineering with Python, published by Packt.\n",
        "# Learning MLOps\nMy notes and materials while learning cloud stuff.\n",
        "# IITM-MLOps-Course\nCode for the graded assignments for the MLOps course.\n",
        "# Notebooks\nCompanion notebooks of the book.\n",
        "# Deep learning\nThis repository accompanies our deep learning course.\n",
        "# Kursus\nIn this chapter you will train a model.\n",
        "# PyData 2025\nWelcome to the PyData MLOps workshop!\n",
        "# MLOps Labs\nSix labs.\n",
        "# Serving\nThe workshop notebooks and their data.\n",
        "# Serving\nIn this workshop we deploy a model.\n",
    ],
)
def test_readmes_that_present_teaching_material(opening: str) -> None:
    assert teaching_readme(("README.md", opening)) is not None


@pytest.mark.parametrize(
    "opening",
    [
        "# Solar prediction\nAn end-to-end MLOps project: the final project of the MLOps Zoomcamp course.\n",
        "# MLOps Course Project\nLatency prediction.\n",
        "# CT scans\nThe goal of this project is a classifier; course material is used throughout this project.\n",
        "# Galaxy curves\nNotes and notebooks of an astronomer.\n",  # a notebook is not a book
        "# Fraud detection\nA scoring service with a tutorial section.\n",
        "# Thesis\nMaster's thesis on network measurements; see the lecture notes.\n",
    ],
)
def test_readmes_that_do_not(opening: str) -> None:
    assert teaching_readme(("README.md", opening)) is None


def test_a_repository_taken_whole_keeps_its_root_code_owners_as_upkeep(tmp_path: Path) -> None:
    """Code owners are a fact of the repository (conventions §4), in learning material too: the root
    CODEOWNERS and a Prow OWNERS at the root stay when a repository is taken whole; a lesson
    folder's own OWNERS is the lesson's."""
    owners = "approvers:\n  - alice\n  - bob\n"
    write(tmp_path, {
        # two claims of different families (course material; addressed to learners): two signs (session 13)
        "README.md": "# Examples\n\nCode materials for the MLOps course. You will learn to track experiments.\n", **{f"src/m{i}.py": TRACKED for i in range(3)},
        "OWNERS": owners, "CODEOWNERS": "* @acme/reviewers\n", ".github/CODEOWNERS": "* @acme/reviewers\n",
        "mnist/OWNERS": owners, "mnist/train.py": TRACKED, "mnist/Dockerfile": DOCKERFILE,
    })
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.verdict == "course"
    assert {"mnist/OWNERS", "mnist/train.py", "mnist/Dockerfile"} <= learning.left_out
    assert not {"OWNERS", "CODEOWNERS", ".github/CODEOWNERS"} & learning.left_out
    assert coursework.is_repository_upkeep("CODEOWNERS") and coursework.is_repository_upkeep("docs/CODEOWNERS")
    assert not coursework.is_repository_upkeep("mnist/CODEOWNERS")
    assert findings(tmp_path)["has_code_owners"].outcome.value == "pass"
