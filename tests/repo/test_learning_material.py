"""Teaching and learning material is not a team's practice: the code of lesson series and of
repositories that are course/workshop/book material with no project of their own is left out of the
listing for every detector, counted and named in the collection (`lessons`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mlops_audit.evidence.repo.collect import collect
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.lessons import find_learning_material, lesson_number
from mlops_audit.report.console import collect_summary_lines
from tests.repo.test_documentation_code import write

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TRACKED = (
    "import mlflow\nfrom sklearn.linear_model import LogisticRegression\n\n\ndef train(x, y):\n"
    "    with mlflow.start_run():\n        model = LogisticRegression().fit(x, y)\n"
    "        mlflow.log_metric('accuracy', model.score(x, y))\n    return model\n"
)


def outcome(root: Path, kind: str) -> str:
    return {f.detector: f for f in collect(root, now=NOW).findings}[kind].outcome.value


def decide(files: dict[str, str]):
    listing = sorted(files)
    return find_learning_material(listing, lambda rel: files[rel].encode())


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("day-007-csv", "7"), ("day01", "1"), ("week_3_dvc", "3"), ("lesson03.ipynb", "3"), ("lecture-2", "2"),
        ("chapter_05", "5"), ("ch02_classification.ipynb", "2"), ("workshop-3", "3"), ("exercise_2.py", "2"), ("hw1", "1"), ("homework-4", "4"), ("lab1", "1"),
        ("tutorial-4", "4"), ("session-3", "3"), ("class_2", "2"), ("01-lesson-intro", "1"), ("第二章-支持向量机", "二"),
    ],
)
def test_lesson_names_carry_their_number(name: str, number: str) -> None:
    assert lesson_number(name) == number


@pytest.mark.parametrize(
    "name",
    ["01-intro", "02-eda.ipynb", "module-4", "part_1", "step3", "weekly_report", "daily_2", "label1", "classifier_2",
     "experiment_3", "chart_1", "chunk_2", "2024-week-1", "days", "lesson", "train.py"],
)
def test_near_miss_names_are_not_lessons(name: str) -> None:
    """Bare numbers (a project's numbered notebooks), generic words, words that only start like one."""
    assert lesson_number(name) is None


def test_a_30_day_exercise_tree_with_mlflow_in_each_day_does_not_pass(tmp_path: Path) -> None:
    files = {"README.md": "# 30 days of ML\n", "requirements.txt": "mlflow>=2\n"}
    for day in range(1, 31):
        files[f"days/day-{day:02d}-topic/solution.py"] = TRACKED
        files[f"days/day-{day:02d}-topic/README.md"] = f"# Day {day}\n"
    files["days/day-30-topic/requirements.txt"] = "mlflow==2.9.0\n"  # the capstone day's list of packages
    write(tmp_path, files)
    result = collect(tmp_path, now=NOW)
    assert {f.detector: f for f in result.findings}["tracks_experiments"].outcome.value == "fail"
    stats = result.stats.not_project_code
    assert stats.learning_code_files == 30
    assert [(t.path, t.code_files) for t in stats.learning_trees] == [("days", 30)]
    assert stats.learning_trees[0].why.startswith("lesson series: 30 numbered lessons (day-01-topic/...), 1 with project files")
    assert any("30 Python files and notebooks of 1 learning-material tree(s)" in line for line in collect_summary_lines(result))
    index = RepoIndex(tmp_path)
    assert "days/day-30-topic/requirements.txt" not in index.files and "days/day-01-topic/README.md" in index.files


def test_two_numbered_days_are_not_a_series(tmp_path: Path) -> None:
    write(tmp_path, {"days/day-01/solution.py": TRACKED, "days/day-02/solution.py": TRACKED})
    assert outcome(tmp_path, "tracks_experiments") == "pass"


def test_a_project_with_ci_and_example_tutorials_keeps_the_credit_of_its_own_code(tmp_path: Path) -> None:
    write(tmp_path, {
        "pyproject.toml": "[project]\nname = 'shop'\n", ".github/workflows/ci.yml": "on: push\n",
        "README.md": "# shop\n\nSee the tutorials in examples/.\n", "src/shop/train.py": TRACKED,
        **{f"examples/tutorial_{i}.py": TRACKED for i in (1, 2, 3)},
    })
    found = RepoIndex(tmp_path).stats.learning
    assert found.left_out == {f"examples/tutorial_{i}.py" for i in (1, 2, 3)}
    finding = {f.detector: f for f in collect(tmp_path, now=NOW).findings}["tracks_experiments"]
    assert finding.outcome.value == "pass" and {loc.path for loc in finding.locations} == {"src/shop/train.py"}


def test_a_series_of_homework_projects_keeps_its_code(tmp_path: Path) -> None:
    """hw1..hw3, each with its own requirements: a student's projects, not lessons."""
    write(tmp_path, {
        **{f"hw{i}/requirements.txt": "scikit-learn==1.4.0\n" for i in (1, 2, 3)},
        "hw2/train.py": TRACKED, "hw3/notes.py": "print('x')\n",
    })
    assert RepoIndex(tmp_path).stats.learning.left_out == set()
    assert outcome(tmp_path, "tracks_experiments") == "pass"


def test_a_full_project_inside_a_lesson_series_keeps_its_code(tmp_path: Path) -> None:
    files = {f"lessons/lesson-{i}/exercise.py": TRACKED for i in range(1, 6)}
    files |= {"lessons/lesson-6/Dockerfile": "FROM python:3.12\n", "lessons/lesson-6/app/train.py": TRACKED}
    files |= {"lessons/lesson-5/vendor/lib/setup.py": "", "lessons/lesson-5/vendor/lib/lib.py": ""}
    found = decide(files)
    assert found.left_out == {f"lessons/lesson-{i}/exercise.py" for i in range(1, 6)}  # and not the two project folders' code
    assert found.trees[0].why.endswith("2 full project folder(s) in them kept")


def test_a_course_keeps_its_students_capstone_projects(tmp_path: Path) -> None:
    write(tmp_path, {
        "README.md": "# Machine learning course\n\nLectures and the students' capstone projects.\n",
        **{f"lectures/lecture-{i}/notes.py": "print('lecture')\n" for i in (1, 2, 3)},
        "projects/team-a/pyproject.toml": "[project]\nname = 'team-a'\n", "projects/team-a/src/train.py": TRACKED,
    })
    found = RepoIndex(tmp_path).stats.learning
    assert found.left_out == {f"lectures/lecture-{i}/notes.py" for i in (1, 2, 3)}
    assert outcome(tmp_path, "tracks_experiments") == "pass"


# READMEs that present a repository with no project files as teaching material (rule 2), and why.
NO_PROJECT_FILES_READMES = [
    ("# MLflow workshop materials\n\nFour modules.\n", "README.md speaks of a workshop"),
    ("# 机器学习\n浙江大学《机器学习》课程代码。\n", "README.md speaks of a 课程"),
    ("# Companion notebooks of the book\n", "README.md speaks of a book"),
]


@pytest.mark.parametrize(("readme", "why"), NO_PROJECT_FILES_READMES)
def test_a_teaching_readme_with_no_project_files_is_one_sign_and_the_code_keeps_its_credit(tmp_path: Path, readme: str, why: str) -> None:
    """Session 13: the README's words are one sign; having no project file is no sign of its own (a
    team's research code often has none), so nothing is taken and the verdict says why (`partly`)."""
    write(tmp_path, {"README.md": readme, "tracking/notebooks/tracking.py": TRACKED, "tuning.py": TRACKED})
    found = RepoIndex(tmp_path).stats.learning
    assert found.verdict == "partly" and found.left_out == set() and not found.two_signs
    assert outcome(tmp_path, "tracks_experiments") == "pass"


@pytest.mark.parametrize(("readme", "why"), NO_PROJECT_FILES_READMES)
def test_a_teaching_readme_and_a_lesson_series_with_no_project_files_are_learning_material_whole(tmp_path: Path, readme: str, why: str) -> None:
    """The same README with a second, independent sign - a lesson series in the tree - takes it whole (rule 2)."""
    lessons = {f"lesson-{i}/demo.py": "print(1)\n" for i in (1, 2, 3)}
    write(tmp_path, {"README.md": readme, "tracking/notebooks/tracking.py": TRACKED, "tuning.py": TRACKED, **lessons})
    found = RepoIndex(tmp_path).stats.learning
    assert found.verdict == "course" and found.two_signs
    assert found.left_out == {"tracking/notebooks/tracking.py", "tuning.py", *lessons}
    assert [(t.path, t.why) for t in found.trees] == [("", f"teaching material with no project files: {why}")]
    assert outcome(tmp_path, "tracks_experiments") == "fail"


def test_a_jupyter_book_alone_is_one_sign() -> None:
    """A Jupyter Book is a structural sign (a book's source); a project's documentation can be one too."""
    found = decide({"Readme.md": "# Notes\n", "book/_config.yml": "title: x\n", "book/_toc.yml": "root: index\n", "tuning.ipynb": "{}"})
    assert found.verdict == "partly" and found.left_out == set() and "Jupyter Book (book/_toc.yml)" in found.signs["structure"]


def test_a_jupyter_book_repository_with_no_project_files_and_teaching_words_is_learning_material_whole() -> None:
    found = decide({"Readme.md": "# Notes\n\nThe lectures of the course.\n", "book/_config.yml": "title: x\n", "book/_toc.yml": "root: index\n", "tuning.ipynb": "{}"})
    assert found.verdict == "course" and found.left_out == {"tuning.ipynb"} and "Readme.md speaks of a lectures" in found.trees[0].why


@pytest.mark.parametrize(
    "project_file", ["requirements.txt", "Dockerfile", ".github/workflows/ci.yml", "pyproject.toml", "sub/environment.yml"]
)
def test_a_tutorial_readme_beside_any_project_file_is_a_project(tmp_path: Path, project_file: str) -> None:
    """The near miss of the repository rule: the same README, but the repository builds or runs something."""
    write(tmp_path, {"README.md": "# A tutorial project: churn model\n", project_file: "x\n", "tracking/train.py": TRACKED})
    assert RepoIndex(tmp_path).stats.learning.left_out == set()
    assert outcome(tmp_path, "tracks_experiments") == "pass"


def test_a_repository_without_teaching_words_or_a_book_is_not_taken_whole() -> None:
    assert decide({"README.md": "# Churn model\n", "train.py": TRACKED}).left_out == set()


def test_the_decision_is_deterministic_and_sorted() -> None:
    files = {f"b/week_{i}/x.py": "" for i in (1, 2, 3)} | {f"a/lab{i}/x.py": "" for i in (1, 2, 3)}
    first, second = decide(files), decide(dict(reversed(list(files.items()))))
    assert [t.path for t in first.trees] == ["a", "b"] == [t.path for t in second.trees]
    assert first.left_out == second.left_out


COURSE = {f"days/day-{i:02d}/solution.py": TRACKED for i in range(1, 7)} | {"README.md": "# Days\n", "requirements.txt": "mlflow\n"}


def test_the_helpers_of_a_repository_that_is_mostly_lessons_are_course_material_too() -> None:
    found = decide(COURSE | {"helpers/tracking.py": TRACKED})
    assert "helpers/tracking.py" in found.left_out
    assert ("", "the rest of a course: 6 of 7 code files are lessons and nothing outside them is a project", 1) in [
        (t.path, t.why, t.code_files) for t in found.trees
    ]


@pytest.mark.parametrize("own", [{"Dockerfile": "FROM python:3.12\n"}, {".github/workflows/ci.yml": "on: push\n"}, {"app/pyproject.toml": "[project]\n"}])
def test_a_repository_with_a_project_of_its_own_beside_its_lessons_keeps_that_code(own: dict[str, str]) -> None:
    found = decide(COURSE | {"helpers/tracking.py": TRACKED} | own)
    assert "helpers/tracking.py" not in found.left_out and "days/day-01/solution.py" in found.left_out


def test_a_repository_whose_code_is_mostly_not_lessons_keeps_the_rest() -> None:
    found = decide(COURSE | {f"src/pkg/m{i}.py": TRACKED for i in range(3)})  # 6 of 9 code files: under three quarters
    assert not any(f.startswith("src/") for f in found.left_out) and "days/day-01/solution.py" in found.left_out
