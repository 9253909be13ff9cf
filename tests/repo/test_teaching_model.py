"""The learnt classifier of material about practice (`teachingmodel`, hooked into `lessons`): its
features on small generated trees, the committed model file (loads; a tampered copy fails with the
file and the key named), deterministic pure-Python inference, the verdict's reason in words, the
override, and a project's collection unchanged by it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from mlops_audit.errors import InputError
from mlops_audit.evidence.repo import lessons, teachingmodel
from mlops_audit.evidence.repo.collect import collect
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.util.jsonio import canonical_json
from tests.repo.test_coursework import CI, DOCKERFILE, NOW, SERVED, TRACKED
from tests.repo.test_documentation_code import write

NOTES_README = "# MLOps Tutorials\n\nThis course contains tutorials for Docker, K8s, model deployment and monitoring.\n"
# Since session 8 the rules take the README above whole (a title naming tutorials, then "this course"); one
# with weaker words is left to the model.
WEAK_NOTES_README = "# MLOps notes\n\nDocker, K8s, model deployment and monitoring, one folder a topic.\n"


def notes_course(root: Path, readme: str = NOTES_README, topics: tuple[str, ...] = ("docker", "k8s", "mlflow", "monitoring")) -> None:
    """Study notes per topic, each with a demo script (MLflow tracking, a Dockerfile), a root
    requirements list and CI: with WEAK_NOTES_README no rule takes it whole (the README's words are
    weak, project files stop rule 2, there is no lesson series)."""
    files = {"README.md": readme, "requirements.txt": "mlflow==2.9.0\n", ".github/workflows/ci.yml": CI, "docker_notes/Dockerfile": DOCKERFILE}
    for topic in topics:
        files |= {f"{topic}_notes/note_{i}.md": f"# {topic} {i}\n\nWhat I wrote down.\n" for i in range(4)}
        files[f"{topic}_notes/demo.py"] = TRACKED
    write(root, files)


TUTORIAL_README = "# Prompt engineering tutorial\n\nRead them in order: one chapter of the book each.\n"


# Ten lessons: the model judges trees of teachingmodel.MIN_CODE code files or more (the size of what it learnt from).
TUTORIAL_TOPICS = ("basics", "tracking", "serving", "monitoring", "data", "features", "training", "evaluation", "deployment", "review")


def tutorial_notebooks(root: Path) -> None:
    """Numbered notebook folders (bare numbers: no lesson series for the rules), a title naming a
    tutorial (a weak sign only), a demo Dockerfile, a root requirements list and CI (no rule 2)."""
    files = {"README.md": TUTORIAL_README, "requirements.txt": "mlflow==2.9.0\n", ".github/workflows/ci.yml": CI, "03-serving/Dockerfile": DOCKERFILE}
    for i, topic in enumerate(TUTORIAL_TOPICS, 1):
        cells = [{"cell_type": "code", "source": TRACKED if topic == "tracking" else "print('hello')\n", "metadata": {}, "outputs": [], "execution_count": None}]
        files[f"{i:02d}-{topic}/{topic}.ipynb"] = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
        files[f"{i:02d}-{topic}/README.md"] = f"# {topic}\n"
    write(root, files)


def capstone(root: Path, modules: int = 0) -> None:
    """A student's final project: one service, packaged, tested, containerised, with CI (and
    `modules` more modules in its package: the model judges trees of 10 code files or more)."""
    write(root, {**{f"src/churn/step_{i}.py": "def run(frame):\n    return frame\n" for i in range(modules)},
        "README.md": "# Churn prediction service\n\nMy final project for the MLOps course: a churn model served with FastAPI, tested and deployed by our CI.\n",
        "src/churn/__init__.py": "", "src/churn/train.py": TRACKED, "src/churn/app.py": SERVED,
        "tests/test_app.py": "from churn.app import predict\n\n\ndef test_predict():\n    assert predict\n",
        "Dockerfile": DOCKERFILE, "requirements.txt": "mlflow==2.9.0\n", "pyproject.toml": "[project]\nname = 'churn'\n", ".github/workflows/ci.yml": CI,
    })


def template(root: Path) -> None:
    """A cookiecutter template: placeholder tree, its hooks and its own tests."""
    write(root, {
        "README.md": "# Cookiecutter MLOps template\n\nA template to start a project from.\n", "cookiecutter.json": "{}",
        "hooks/post_gen_project.py": "print('done')\n", "tests/test_bake.py": "def test_bake():\n    assert True\n",
        "{{ cookiecutter.repo_name }}/Dockerfile": DOCKERFILE, "{{ cookiecutter.repo_name }}/src/train.py": TRACKED,
        "{{ cookiecutter.repo_name }}/requirements.txt": "mlflow\n",
    })


def feature_values(root: Path) -> dict[str, teachingmodel.Feature]:
    index = RepoIndex(root, count_learning_material=True)
    try:
        ruled = lessons.find_learning_material(index.files, index.read_bytes, classify=False)
        return lessons.classifier_features(index.files, index.read_bytes, ruled, teachingmodel.load().vocabulary)
    finally:
        index.close()


# --- features ---------------------------------------------------------------------------------------


def test_the_features_of_a_notes_course_read_its_shape_and_words(tmp_path: Path) -> None:
    notes_course(tmp_path)
    found = feature_values(tmp_path)
    assert found["code_files"].value == pytest.approx(math.log1p(4)) and found["code_files"].says == "4 code files"
    assert found["notes_share"].says == "21 of 24 files in notes folders"
    assert found["document_share"].says == "18 of 24 files are documents"
    assert found["material_title"].value == 1.0 and found["material_title"].says == "the README's title names 'tutorials'"
    assert found["test_files"].value == 0.0 and found["root_ci"].value == 1.0 and found["root_package"].value == 0.0
    assert found["words:course"].says == "README words 'course' x1"
    assert found["teaching_readme"].value == 1.0  # the rules' weak sign ("this course")
    assert set(found) == {w.name for w in teachingmodel.load().features}


def test_the_features_of_a_capstone_read_a_project(tmp_path: Path) -> None:
    capstone(tmp_path)
    found = feature_values(tmp_path)
    assert found["root_package"].value == 1.0 and found["test_files"].value == pytest.approx(math.log1p(1))
    assert found["package_code_share"].says == "3 of 4 Python files inside packages"  # __init__, train, app; not the test
    assert found["project_of_a_course"].value == 1.0
    assert found["notes_share"].value == 0.0 and found["numbered_top_share"].value == 0.0


def test_the_features_of_a_template_see_its_placeholders(tmp_path: Path) -> None:
    template(tmp_path)
    found = feature_values(tmp_path)
    assert found["template_placeholders"].value == 1.0 and found["material_title"].says == "the README's title names 'cookiecutter'"
    assert found["words:template"].says == "README words 'template' x2, 'cookiecutter' x1"


def test_numbered_lesson_folders_at_the_top_are_counted(tmp_path: Path) -> None:
    write(tmp_path, {**{f"0{i}-topic/lab.py": TRACKED for i in range(1, 5)}, "week-5/lab.py": TRACKED, "src/x.py": "x = 1\n", "README.md": "# Labs\n"})
    found = feature_values(tmp_path)
    assert found["numbered_top_share"].says == "5 of 6 top folders numbered or named as lessons"
    assert found["lesson_folders"].says.startswith("1 folders named as lessons")


# --- the verdict ---------------------------------------------------------------------------------------


def test_tutorial_notebooks_the_rules_miss_are_taken_whole_by_the_classifier(tmp_path: Path) -> None:
    tutorial_notebooks(tmp_path)
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.verdict == "course" and learning.code_share == 1.0
    assert learning.probability is not None and learning.probability >= teachingmodel.load().threshold
    (tree,) = learning.trees
    assert tree.path == "" and tree.why.startswith(f"classifier: p={learning.probability:.2f} (")
    for words in ("the README's title names 'tutorial'", "10 of 10 top folders numbered or named as lessons", "10 of 10 code files are notebooks"):
        assert words in tree.why
    assert "requirements.txt" not in learning.left_out and ".github/workflows/ci.yml" not in learning.left_out  # upkeep kept
    assert {"02-tracking/tracking.ipynb", "03-serving/Dockerfile"} <= learning.left_out
    assert "01-basics/README.md" not in learning.left_out  # documents stay for a reader
    found = {f.detector: f for f in collect(tmp_path, now=NOW).findings}
    assert found["tracks_experiments"].outcome.value == "fail" and "not looked for in learning material: the repository is learning material as a whole" in found["tracks_experiments"].message
    assert found["has_container"].outcome.value == "fail"


def test_the_verdicts_reason_in_the_collection_json_names_the_features(tmp_path: Path) -> None:
    tutorial_notebooks(tmp_path)
    verdict = collect(tmp_path, now=NOW).stats.learning_material
    assert verdict.verdict == "course"
    classifier = [r for r in verdict.reasons if "classifier: p=" in r]
    assert len(classifier) == 1 and classifier[0].startswith("(whole repository): classifier: p=")
    # the probability, then the features that pushed it up most, in words (which ones depends on the trained weights)
    p, _, because = classifier[0].removeprefix("(whole repository): classifier: p=").partition(" (")
    assert float(p) >= teachingmodel.load().threshold
    assert "code files are notebooks" in because or "top folders numbered or named as lessons" in because or "README words" in because


def test_the_rules_alone_leave_the_tutorial_its_credit(tmp_path: Path) -> None:
    tutorial_notebooks(tmp_path)
    index = RepoIndex(tmp_path, count_learning_material=True)
    ruled = lessons.find_learning_material(index.files, index.read_bytes, classify=False)
    index.close()
    # the title word is one sign (session 13): reported as `partly`, nothing taken
    assert ruled.verdict == "partly" and ruled.left_out == set() and ruled.probability is None


def test_a_notes_course_below_the_threshold_keeps_its_credit(tmp_path: Path) -> None:
    """The model only acts at or above its threshold (chosen to flag no labelled project)."""
    notes_course(tmp_path, WEAK_NOTES_README, topics=("docker", "k8s", "mlflow", "monitoring", "airflow", "dvc", "feast", "kserve", "bentoml", "evidently"))
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.probability is not None and learning.probability < teachingmodel.load().threshold and learning.verdict == "none"


def test_a_capstone_with_one_service_is_not_flagged(tmp_path: Path) -> None:
    capstone(tmp_path, modules=8)
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.verdict == "none" and learning.probability is not None and learning.probability < teachingmodel.load().threshold
    assert {f.detector: f for f in collect(tmp_path, now=NOW).findings}["serves_model"].outcome.value == "pass"


def test_a_projects_collection_is_byte_identical_with_and_without_the_classifier(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capstone(tmp_path, modules=8)
    with_model = canonical_json(collect(tmp_path, now=NOW).model_dump(mode="json"))
    monkeypatch.setattr(RepoIndex, "classify_learning_material", False)
    without = canonical_json(collect(tmp_path, now=NOW).model_dump(mode="json"))
    assert with_model == without


def test_a_tiny_tree_is_never_asked(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": "# Notes\n\nMy notes.\n", "notes/a.md": "x\n", "notes/demo.py": TRACKED, "requirements.txt": "mlflow\n"})
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.probability is None and learning.verdict == "none"


def test_the_rules_course_is_never_overridden(tmp_path: Path) -> None:
    readme = "# Churn service\n\nCode materials for the MLOps course. You'll learn to track runs.\n"  # two claims: two signs
    write(tmp_path, {"README.md": readme, **{f"src/m{i}.py": TRACKED for i in range(12)}, "Dockerfile": DOCKERFILE})
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.verdict == "course" and learning.probability is None  # rule 9 decided on two signs; the model was not asked


def test_the_override_counts_what_the_classifier_took(tmp_path: Path) -> None:
    tutorial_notebooks(tmp_path)
    result = collect(tmp_path, now=NOW, count_learning_material=True)
    assert result.stats.learning_material.verdict == "course" and result.stats.learning_material.counted
    found = {f.detector: f for f in result.findings}
    assert found["tracks_experiments"].outcome.value == "pass" and found["has_container"].outcome.value == "pass"


# --- the model file and inference -------------------------------------------------------------------


def test_the_committed_model_loads_and_agrees_with_its_training_summary() -> None:
    model = teachingmodel.load()
    assert 0.5 <= model.threshold < 1 and len(model.features) <= 60
    assert model.training["lobo_projects_flagged"] == sum(b.projects_flagged for b in model.lobo) == 0
    assert model.training["lobo_decoys_caught"] == sum(b.decoys_caught for b in model.lobo)
    assert all(len(str(w.coef).split(".")[-1]) <= 6 for w in model.features)  # rounded: a deterministic file


def _tampered(tmp_path: Path, change) -> Path:
    doc = json.loads(teachingmodel.MODEL_FILE.read_text(encoding="utf-8"))
    change(doc)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda d: d["features"][0].update(coef="big"), "features.0.coef: Input should be a valid number"),
        (lambda d: d.update(threshold=1.5), "threshold: Input should be less than 1"),
        (lambda d: d["features"][1].update(name="stars_on_github"), "unknown feature 'stars_on_github'"),
        (lambda d: d["features"][2].update(scale=0), "features.2.scale: Input should be greater than 0"),
        (lambda d: d.update(weights=[]), "weights: unknown key (check the spelling)"),
        (lambda d: d.pop("intercept"), "intercept: Field required"),
        (lambda d: d.update(format="mlops-audit/teaching-model@9"), "format: Input should be 'mlops-audit/teaching-model@3'"),
    ],
)
def test_a_tampered_model_fails_with_the_file_and_key_named(tmp_path: Path, change, said: str) -> None:
    path = _tampered(tmp_path, change)
    with pytest.raises(InputError) as err:
        teachingmodel.load(path)
    assert str(path) in str(err.value) and said in str(err.value)


def test_a_model_that_is_not_json_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text('{"format": ', encoding="utf-8")
    with pytest.raises(InputError, match="model.json: not valid JSON"):
        teachingmodel.load(path)
    with pytest.raises(InputError, match="cannot read the learning-material model"):
        teachingmodel.load(tmp_path / "absent.json")


def _tiny_model(**update) -> teachingmodel.TeachingModel:
    doc = {
        "format": teachingmodel.FORMAT, "intercept": -1.0, "threshold": 0.6, "clip": 3.0, "vocabulary": {"course": ["course", "week"]}, "training": {},
        "features": [{"name": "notes_share", "mean": 0.1, "scale": 0.2, "coef": 2.0}, {"name": "words:course", "mean": 0.0, "scale": 1.0, "coef": 0.5}, {"name": "root_ci", "mean": 0.5, "scale": 0.5, "coef": -1.0}],
    }
    return teachingmodel.TeachingModel.model_validate(doc | update)


def test_inference_is_a_dot_product_and_a_sigmoid_with_the_top_features_in_words() -> None:
    found = {
        "notes_share": teachingmodel.Feature(0.5, "10 of 20 files in notes folders"),
        "words:course": teachingmodel.Feature(math.log1p(3), "README words 'course' x3"),
        "root_ci": teachingmodel.Feature(1.0, "CI at the root"),
    }
    logit = -1.0 + 2.0 * (0.5 - 0.1) / 0.2 + 0.5 * math.log1p(3) - 1.0 * (1.0 - 0.5) / 0.5
    judged = teachingmodel.judge(_tiny_model(), found)
    assert judged.probability == round(1 / (1 + math.exp(-logit)), 3) and judged.flagged
    assert judged.reason == f"classifier: p={judged.probability:.2f} (10 of 20 files in notes folders; README words 'course' x3)"  # root_ci pulled down: not named
    assert [teachingmodel.judge(_tiny_model(), found) for _ in range(3)] == [judged] * 3
    assert not teachingmodel.judge(_tiny_model(threshold=0.99), found).flagged


def test_the_collection_of_a_flagged_tree_is_deterministic(tmp_path: Path) -> None:
    tutorial_notebooks(tmp_path)
    first = canonical_json(collect(tmp_path, now=NOW).model_dump(mode="json"))
    assert canonical_json(collect(tmp_path, now=NOW).model_dump(mode="json")) == first


def test_collect_never_imports_scikit_learn() -> None:
    import subprocess
    import sys

    code = "import sys; from mlops_audit.evidence.repo import lessons; lessons.teachingmodel.load(); print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"


def test_collect_on_a_tampered_model_exits_2_naming_the_file_and_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from mlops_audit.cli import cli

    bad = _tampered(tmp_path, lambda d: d["features"][3].update(scale=-1))
    uncached = teachingmodel.load.__wrapped__  # the loader without its cache, on the tampered copy
    monkeypatch.setattr(teachingmodel, "load", lambda: uncached(bad))
    repo = tmp_path / "repo"
    tutorial_notebooks(repo)
    result = CliRunner().invoke(cli, ["collect", str(repo), "--format", "json"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{bad}: features.3.scale: Input should be greater than 0" in result.output
