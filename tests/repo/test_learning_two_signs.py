"""A whole-repository `course` verdict needs two independent signs (session 13, `lessons`).

A repository judged learning material as a whole loses every ML-practice finding, so one wrong
verdict on a team's system costs a dozen passes. One sign - a README phrase, a title word, the
classifier just above its threshold - makes the verdict `partly`: the reason is reported, the lesson
trees the structural rules found are still left out, and the repository's own practices are credited.
Two independent signs (README, structure, name, classifier) take it whole. Each combination below has
its pass and its near miss; the assessor's declaration (`--learning-material`) still takes any
repository whole.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops_audit.evidence.repo import lessons, teachingmodel
from mlops_audit.evidence.repo.collect import collect
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.report.console import collect_summary_lines
from mlops_audit.scoring.caveats import learning_material_caveats
from tests.repo.test_coursework import DOCKERFILE, NOW, SERVED, TRACKED, findings
from tests.repo.test_documentation_code import write
from tests.repo.test_repository_name import _git

PHRASE = "# Churn demo\n\nCompanion code for the MLOps book.\n"  # one claim: course material
SECOND_FAMILY = "# Churn demo\n\nCompanion code for the MLOps book. You'll learn to serve a model.\n"  # + addressed to learners
SAME_FAMILY = "# Churn demo\n\nCompanion code for the MLOps book, course materials of chapter 4.\n"  # two phrases, one family
TITLE_WORD_AND_PHRASE = "# Churn tutorial\n\nYou'll learn to serve a model.\n"  # a title word (weak) + one claim


def service(root: Path, readme: str, **extra: str) -> Path:
    """A small working system: tracked training, a served model in a container, pinned packages."""
    write(root, {
        "README.md": readme, "requirements.txt": "mlflow==2.9.2\nfastapi==0.110.0\n",
        "src/train.py": TRACKED, "src/serve.py": SERVED, "Dockerfile": DOCKERFILE, **extra,
    })
    return root


def learning(root: Path) -> lessons.LearningMaterial:
    return RepoIndex(root).stats.learning


# --- README phrases ----------------------------------------------------------------------------------


def test_one_readme_phrase_is_partly_the_reason_reported_the_practices_credited(tmp_path: Path) -> None:
    root = service(tmp_path, PHRASE)
    found = learning(root)
    assert (found.verdict, found.left_out, found.two_signs) == ("partly", set(), False)
    assert list(found.signs) == ["README:material"]
    result = collect(root, now=NOW)
    verdict = result.stats.learning_material
    assert verdict.verdict == "partly" and any(r.startswith("one sign of learning material only (README (") for r in verdict.reasons)
    assert collect_summary_lines(result)[0].startswith("LEARNING MATERIAL: partly - one sign, not enough to set the repository aside: nothing left out")
    outcomes = {f.detector: f.outcome.value for f in result.findings}
    assert outcomes["serves_model"] == "pass" and outcomes["has_container"] == "pass" and outcomes["tracks_experiments"] == "pass"


def test_two_phrases_of_different_families_take_it_whole(tmp_path: Path) -> None:
    found = learning(service(tmp_path, SECOND_FAMILY))
    assert found.verdict == "course" and found.two_signs and set(found.signs) == {"README:material", "README:learners"}
    assert {"src/train.py", "src/serve.py", "Dockerfile"} <= found.left_out and "requirements.txt" not in found.left_out  # upkeep kept
    assert findings(tmp_path)["serves_model"].outcome.value != "pass"


def test_near_miss_two_phrases_of_one_family_are_one_sign(tmp_path: Path) -> None:
    found = learning(service(tmp_path, SAME_FAMILY))
    assert found.verdict == "partly" and found.left_out == set() and list(found.signs) == ["README:material"]


def test_near_miss_a_title_word_never_pairs_with_a_readme_phrase(tmp_path: Path) -> None:
    """The title word is the README's too, and weak: with one phrase it is still one sign."""
    found = learning(service(tmp_path, TITLE_WORD_AND_PHRASE))
    assert found.verdict == "partly" and found.left_out == set() and list(found.signs) == ["README:learners"]


# --- README and structure ----------------------------------------------------------------------------


def test_a_phrase_and_a_lesson_series_take_it_whole(tmp_path: Path) -> None:
    root = service(tmp_path, PHRASE, **{f"lesson-{i}/demo.py": "print(1)\n" for i in (1, 2, 3)})
    found = learning(root)
    assert found.verdict == "course" and found.two_signs and set(found.signs) == {"README:material", "structure"}
    assert {"src/serve.py", "lesson-1/demo.py"} <= found.left_out
    assert findings(root)["serves_model"].outcome.value != "pass"


def test_near_miss_a_lesson_series_in_the_projects_examples_is_no_sign_of_the_whole(tmp_path: Path) -> None:
    """Numbered tutorials in `examples/` are how a project documents itself: left out as lessons,
    but no sign that the repository as a whole is learning material."""
    root = service(tmp_path, PHRASE, **{f"examples/tutorial_{i}.py": "print(1)\n" for i in (1, 2, 3)})
    found = learning(root)
    assert found.verdict == "partly" and "structure" not in found.signs
    assert found.left_out == {f"examples/tutorial_{i}.py" for i in (1, 2, 3)}  # the tutorials are still lessons
    assert findings(root)["serves_model"].outcome.value == "pass"


# --- README and name ---------------------------------------------------------------------------------


def test_a_phrase_and_the_repositorys_name_take_it_whole(tmp_path: Path) -> None:
    root = service(_git(tmp_path / "named", ("origin", "https://github.com/acme/mlops-examples.git")), PHRASE)
    found = learning(root)
    assert found.verdict == "course" and found.two_signs and set(found.signs) == {"README:material", "name"}


def test_near_miss_a_name_alone_says_nothing(tmp_path: Path) -> None:
    """Session 11: a name alone never decides - and alone it is not even reported."""
    root = service(_git(tmp_path / "named", ("origin", "https://github.com/acme/churn-examples.git")), "# Churn\n\nOur churn service.\n")
    found = learning(root)
    assert found.verdict == "none" and list(found.signs) == ["name"] and found.left_out == set()


# --- the classifier ----------------------------------------------------------------------------------


def _model(monkeypatch: pytest.MonkeyPatch, *, notebooks: float, readme: float = 0.0, threshold: float = 0.5) -> teachingmodel.TeachingModel:
    """A model whose probability is sigmoid(notebooks * notebook_share + readme * teaching_readme):
    what each case needs, independent of the committed model's weights. Its file threshold is below
    the floor on purpose: the classifier acts at THRESHOLD_FLOOR."""
    model = teachingmodel.TeachingModel.model_validate({
        "format": teachingmodel.FORMAT, "intercept": 0.0, "threshold": threshold, "clip": 10.0, "vocabulary": {"course": ["course"]}, "training": {},
        "features": [{"name": "notebook_share", "mean": 0.0, "scale": 1.0, "coef": notebooks}, {"name": "teaching_readme", "mean": 0.0, "scale": 1.0, "coef": readme}],
    })
    monkeypatch.setattr(teachingmodel, "load", lambda: model)
    return model


def notebooks(root: Path, readme: str = "# Churn\n\nOur scoring notebooks.\n") -> Path:
    """Twelve notebooks (the model judges trees of MIN_CODE code files or more) and a package list."""
    cell = json.dumps({"cells": [{"cell_type": "code", "source": TRACKED, "metadata": {}, "outputs": [], "execution_count": None}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    write(root, {"README.md": readme, "requirements.txt": "mlflow==2.9.2\n", **{f"nb/n{i:02d}.ipynb": cell for i in range(12)}})
    return root


def test_the_threshold_has_a_floor(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    model = _model(monkeypatch, notebooks=1.39)  # p = 0.80: above the file's 0.5, below the floor
    assert teachingmodel.threshold(model) == teachingmodel.THRESHOLD_FLOOR == 0.88
    found = learning(notebooks(tmp_path))
    assert found.probability == 0.801 and found.verdict == "none" and found.signs == {}


def test_the_classifier_just_above_its_threshold_is_one_sign(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _model(monkeypatch, notebooks=2.2)  # p = 0.90
    found = learning(notebooks(tmp_path))
    assert found.probability == 0.9 and found.verdict == "partly" and found.left_out == set() and list(found.signs) == ["classifier"]


def test_the_classifier_far_above_its_threshold_is_two_signs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _model(monkeypatch, notebooks=3.5)  # p = 0.97, with no README claim to discount
    found = learning(notebooks(tmp_path))
    assert found.probability == 0.971 and found.verdict == "course" and found.two_signs and list(found.signs) == ["classifier:certain"]
    assert {f"nb/n{i:02d}.ipynb" for i in range(12)} <= found.left_out and "requirements.txt" not in found.left_out


LEARNERS_ONLY = "# Churn service\n\nIn this walkthrough you'll learn how our scoring runs.\n"  # a claim addressed to a reader only


def test_near_miss_a_classifier_that_rests_on_a_readers_address_is_the_same_sign(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """p = 0.92 with the README's "you'll learn", 0.38 without it (below even odds): a team's walkthrough says
    that too (session 12), so the address and the classifier say one thing."""
    _model(monkeypatch, notebooks=-0.5, readme=3.0)
    found = learning(notebooks(tmp_path, LEARNERS_ONLY))
    assert found.probability == 0.924 and found.verdict == "partly" and found.left_out == set()
    assert set(found.signs) == {"README:learners", "README:classifier"}


# Session 15: a claim of what the repository IS, with the classifier at its threshold on it, is two signs
# (`lessons._WHAT_IT_IS`) - written three ways: book material, a vendor's sample code, a blog series' code.
@pytest.mark.parametrize(
    ("readme", "family"),
    [
        (PHRASE, "material"),
        ("# Fraud scoring on Vertex\n\nThis repository provides sample code for serving fraud models.\n", "samples"),
        ("# Lakehouse MLOps\n\nThe source code for the lakehouse MLOps blog series.\n", "media"),
    ],
    ids=["book-material", "vendor-samples", "blog-series"],
)
def test_a_claim_of_what_it_is_and_the_classifier_on_it_take_it_whole(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, readme: str, family: str) -> None:
    _model(monkeypatch, notebooks=-0.5, readme=3.0)  # 0.92 with the claim, 0.38 without it
    found = learning(notebooks(tmp_path, readme))
    assert found.verdict == "course" and found.two_signs
    assert set(found.signs) == {f"README:{family}", "README:classifier"}
    assert {f"nb/n{i:02d}.ipynb" for i in range(12)} <= found.left_out


def test_near_miss_a_claim_of_what_it_is_with_the_classifier_below_its_threshold_is_one_sign(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _model(monkeypatch, notebooks=-0.5, readme=2.0)  # 0.82 with the claim: below the 0.88 floor
    found = learning(notebooks(tmp_path, PHRASE))
    assert found.verdict == "partly" and not found.two_signs and list(found.signs) == ["README:material"]


def test_a_phrase_and_a_classifier_that_stands_without_it_take_it_whole(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _model(monkeypatch, notebooks=0.2, readme=2.0)  # 0.90 with the phrase, 0.55 without it: even odds from the files alone
    found = learning(notebooks(tmp_path, PHRASE))
    assert found.verdict == "course" and found.two_signs and set(found.signs) == {"README:material", "classifier"}


# --- documents only, and the assessor's declaration ---------------------------------------------------


def test_documents_only_and_a_phrase_are_course(tmp_path: Path) -> None:
    """No code of any language: no system runs here - a sign of its own beside the README's."""
    write(tmp_path, {"README.md": PHRASE, "chapters/01.md": "# Serving\n", "chapters/02.md": "# Monitoring\n"})
    found = learning(tmp_path)
    assert found.verdict == "course" and set(found.signs) == {"README:material", "structure"}


def test_near_miss_a_system_in_another_language_with_a_phrase_is_partly(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": PHRASE, "go.mod": "module acme/churn\n", "main.go": "package main\n", "docs/design.md": "# Design\n"})
    found = learning(tmp_path)
    assert found.verdict == "partly" and list(found.signs) == ["README:material"]


def test_the_assessors_declaration_still_takes_a_one_sign_repository_whole(tmp_path: Path) -> None:
    root = service(tmp_path, PHRASE)
    found = RepoIndex(root, declared_learning_material=True).stats.learning
    assert found.verdict == "course" and found.declared and "src/serve.py" in found.left_out
    assert findings(root, declared_learning_material=True)["serves_model"].outcome.value != "pass"


def test_the_assessment_caveat_of_one_sign_says_nothing_was_left_out(tmp_path: Path) -> None:
    from mlops_audit.workflow import _learning_material_note

    note = _learning_material_note(collect(service(tmp_path, PHRASE), now=NOW))
    assert note is not None and note.verdict == "partly"
    (caveat,) = learning_material_caveats([type("Repo", (), {"name": "churn", "learning_material": note})()])
    assert caveat.severity == "info" and "nothing was left out and its practices were credited" in caveat.message.en


# --- session 15: an example collection or a demo naming itself is the README's "samples" claim --------


@pytest.mark.parametrize(
    "text",
    [
        "# Forecasting notes\n\nThis repository is a curated collection of time-series articles, each with its code.\n",
        "# Vision kit\n\nA growing collection of computer vision notebooks for the YOLO family.\n",
        "# Churn on Azure\n\nSetup steps first.\n\nThis demo walks through registering a dataset and deploying an endpoint.\n",
        "# Feature store on GCP\n\nThe sample demonstrates a streaming feature pipeline with Dataflow.\n",
    ],
    ids=["article-collection", "notebook-collection", "demo-paragraph", "sample-paragraph"],
)
def test_an_example_collection_or_a_demo_naming_itself_is_a_samples_claim(text: str) -> None:
    from mlops_audit.evidence.repo import coursework

    opening = ("README.md", text)
    assert "samples" in coursework.readme_signs(opening, coursework.teaching_readme(opening))


@pytest.mark.parametrize(
    "text",
    [
        "# Churn service\n\nSee the examples/ folder for requests. A collection of utilities lives in src/common.\n",
        "# Scoring API\n\nOur service scores loans.\n\nFor example, this shows a request:\n\n    curl localhost:8000/score\n",
    ],
    ids=["examples-folder-and-utilities", "for-example"],
)
def test_near_miss_a_projects_examples_folder_or_usage_example_is_no_claim(text: str) -> None:
    from mlops_audit.evidence.repo import coursework

    opening = ("README.md", text)
    assert coursework.readme_signs(opening, coursework.teaching_readme(opening)) == {}


@pytest.mark.parametrize(
    "text",
    [
        "# govkit\n\nA cookiecutter template for analytical Python projects in government.\n",
        "# mlkit\n\nJumpstart with this comprehensive Copier template.\n",
        "# Retail forecasting on GCP: solution accelerator\n\nDeploy it in your own project.\n",
    ],
    ids=["cookiecutter", "copier", "solution-accelerator"],
)
def test_a_project_generator_naming_itself_is_a_template_claim(text: str) -> None:
    from mlops_audit.evidence.repo import coursework

    opening = ("README.md", text)
    assert "template" in coursework.readme_signs(opening, coursework.teaching_readme(opening))


def test_near_miss_a_generated_projects_cookiecutter_footer_is_no_claim() -> None:
    from mlops_audit.evidence.repo import coursework

    opening = ("README.md", "# churn\n\nChurn model service.\n\nProject based on the cookiecutter data science project template.\n")
    assert coursework.readme_signs(opening, coursework.teaching_readme(opening)) == {}
