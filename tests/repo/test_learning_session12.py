"""Learning material, session 12: code written FOR a piece of media (a blog post or series, an article,
videos, a playlist, a talk) is material about practice - conventions §2's tutorial series - however much
of a working system it holds; a team's system that merely has a blog post or a demo video about it is
not. Pass and near-miss READMEs, and a companion tree taken whole next to the same tree as a project."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.evidence.repo.coursework import teaching_readme
from mlops_audit.evidence.repo.index import RepoIndex
from tests.repo.test_coursework import CI, DOCKERFILE, SERVED, TRACKED, findings
from tests.repo.test_documentation_code import write


@pytest.mark.parametrize(
    ("opening", "said"),
    [
        ("# E2E MLOps demo\nThis is the source code for the E2E MLOps on Databricks blogpost series.\n", "source code for the E2E MLOps on Databricks blogpost series"),
        ("# MLflow for ML development\nThis repository is part of the playlist on Youtube named MLflow for ML.\n", "part of the playlist"),
        ("# Free resources\nEach folder corresponds to a YouTube video or Medium blog series.\n", "Each folder corresponds to a YouTube video"),
        ("# Secure MLOps\nThis GitHub repository is for the two-part series of blog posts on the ML blog.\n", "repository is for the two-part series of blog posts"),
        ("# Vertex-AI\nThis is the repository for my series on Vertex AI on my blog at example.org\n", "repository for my series on Vertex AI on my blog"),
        ("# Notebook to microservice\nThe code that accompanies my article on shipping notebooks.\n", "code that accompanies my article"),
        ("# Talks\nExamples for the PyCon video series on feature stores.\n", "Examples for the PyCon video series"),
        # addressed to learners
        ("# Navigating MLOps\nIn this comprehensive data demo, you'll learn how MLOps spans the lifecycle.\n", "In this comprehensive data demo, you'll"),  # session 17: first a demo naming itself
        ("# Navigating MLOps\nBy the end you'll learn how MLOps spans the lifecycle.\n", "you'll learn"),
        ("# Train and deploy\n## What you will learn\n- feature pipelines\n", "you will learn"),
        # a vendor's or author's sample code
        ("# Federated learning\nThis repo provides some code samples for running a federated pipeline.\n", "This repo provides some code samples for"),  # session 16: the sentence read from its subject
        ("# Azure ML with R\nThis repository includes sample code how to interact with Azure ML.\n", "repository includes sample code"),
        # templates and starter kits, a vendor's sample metadata
        ("# ML school\nAn end-to-end system that you can use as a starting point for your own projects.\n", "starting point for your own projects"),
        ("# FastAPI skeleton\nA skeleton app which can be used to speed-up your next machine learning project.\n", "your next machine learning project"),
        ("# MLOps Playbook\nA production-ready starter template for building ML systems.\n", "starter template"),
        ("---\npage_type: sample\nlanguages:\n- python\n---\n# MLOps with Azure ML\n", "page_type: sample"),
        # Korean: practice material, lecture material
        ("# SageMaker E2E\n파인튜닝과 서빙을 다루는 한국어 실습 자료입니다.\n", "실습 자료"),
        ("# DevOps to MLOps\n강의 자료와 과제 안내.\n", "강의 자료"),
    ],
)
def test_code_written_for_a_blog_series_a_playlist_or_videos_presents_teaching_material(opening: str, said: str) -> None:
    why = teaching_readme(("README.md", opening), strong_only=True, whole=True)  # strong: rule 9 takes such a repository whole
    assert why is not None and f"('{said}')" in why


@pytest.mark.parametrize(
    "opening",
    [
        "# Price alchemy\nPredicts prices. There is a blog post based on this service, find it on Medium.\n",
        "# FrontShiftAI\nAn enterprise assistant.\n## Video Demo\nWatch it on YouTube.\n",
        "# Auto MLOps\nA platform for training.\n## Demo\nWatch the full tutorial on YouTube.\n",
        "# Recommender\nThe end-to-end logic for producing recommendations using article data and user histories.\n",
        "# Cloud forecasting\nCheck out our blog for updates, and watch the talk at the energy conference.\n",
        "# Churn service\nPart of a series of experiments on churn; the code for the scoring service is in app/.\n",
        "# Parcel boundaries\nThis project is part of our blog series on field delineation.\n",  # says it is a project
        "# Pipelines\nEach folder corresponds to a microservice of the platform.\n",
        "# Preferences\nOur service learns each user's preferences from clicks.\n",  # learns, no reader addressed
        "# Scoring API\nA churn scoring service.\n## Code samples\ncurl -X POST localhost:8000/predict\n",  # how to call the service
        "# Churn\nThe repository contains sample data and example configs for the tests.\n",
        "# 추천 서비스\n실시간 추천 서비스입니다. 팀의 운영 시스템.\n",  # Korean: a real-time recommendation service of a team
        "# fastfeat\nA feature library. Install it and use it in your own projects.\n",  # a library's README
        "# RunPod worker\nA simple worker that can be used as a starting point to build your own custom endpoint.\n",
        "# nanoGPT\nThe biggest checkpoint available as a starting point would be GPT-2 XL.\n",
    ],
)
def test_a_project_with_a_blog_post_or_a_demo_video_about_it_is_not_teaching_material(opening: str) -> None:
    assert teaching_readme(("README.md", opening)) is None


def _demo_service(root: Path, readme: str) -> Path:
    """A working demonstration system: a tracked training, a served model in a container, CI."""
    write(root, {
        "README.md": readme, "requirements.txt": "mlflow==2.9.2\nfastapi==0.110.0\nscikit-learn==1.4.0\n",
        "src/train.py": TRACKED, "src/serve.py": SERVED, "src/features.py": "def build(rows):\n    return rows\n",
        "Dockerfile": DOCKERFILE, ".github/workflows/ci.yml": CI, "tests/test_features.py": "from src.features import build\n\n\ndef test_build():\n    assert build([1]) == [1]\n",
    })
    return root


def test_the_code_of_a_blog_post_series_said_once_keeps_its_credit(tmp_path: Path) -> None:
    """Session 13: one claim of the README (companion of media) is one sign: `partly`, reported, credited."""
    root = _demo_service(tmp_path / "once", "# E2E MLOps demo\n\nThis is the source code for the E2E MLOps on Databricks blogpost series.\n")
    learning = RepoIndex(root).stats.learning
    assert learning.verdict == "partly" and learning.left_out == set() and list(learning.signs) == ["README:media"]
    assert findings(root)["serves_model"].outcome.value == "pass"


def test_the_code_of_a_blog_post_series_is_taken_whole_and_credits_no_ml_practice(tmp_path: Path) -> None:
    # two claims of different families (companion of media; addressed to learners): two signs (session 13)
    root = _demo_service(tmp_path / "series", "# E2E MLOps demo\n\nThis is the source code for the E2E MLOps on Databricks blogpost series. You'll learn to serve a model.\n")
    learning = RepoIndex(root).stats.learning
    assert learning.verdict == "course" and "blogpost series" in learning.trees[0].why
    found = findings(root)
    for kind in ("serves_model", "tracks_experiments"):  # not credited, and the finding says the lessons were not searched
        assert found[kind].outcome.value == "fail" and "not looked for in learning material: the repository is learning material as a whole" in found[kind].message, kind
    assert found["has_ci_pipeline"].outcome.value == "pass"  # the repository's own upkeep is still judged


def test_the_same_service_with_a_blog_post_about_it_keeps_its_credit(tmp_path: Path) -> None:
    root = _demo_service(tmp_path / "project", "# Churn scoring\n\nOur scoring service. There is a blog post based on it on Medium, and a demo video.\n")
    assert RepoIndex(root).stats.learning.verdict == "none"
    found = findings(root)
    assert found["serves_model"].outcome.value == "pass" and found["tracks_experiments"].outcome.value == "pass"


# --- rule 9 with little code: a hands-on workshop of one notebook and its sample manifests -------------

INFERENCE_SERVICE = (
    "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: sklearn-iris\nspec:\n"
    "  predictor:\n    model:\n      modelFormat:\n        name: sklearn\n      storageUri: gs://bucket/models/iris\n"
)


def _kserve(root: Path, readme: str) -> Path:
    write(root, {
        "README.md": readme, "notebooks/train.py": TRACKED, "configs/model-deploy/inferenceservice.yaml": INFERENCE_SERVICE,
        "configs/Dockerfile": DOCKERFILE,  # a project file: rule 2 (no project files at all) does not take the tree
    })
    return root


def test_a_hands_on_workshop_of_one_script_and_its_manifests_is_material_whole(tmp_path: Path) -> None:
    root = _kserve(tmp_path / "w", "# KServe\n\nHands-on workshop: deploy a model with KServe on OpenShift AI. You will learn to serve a model.\n")
    learning = RepoIndex(root).stats.learning
    assert learning.verdict == "course" and "'Hands-on workshop'" in learning.trees[0].why
    assert findings(root)["has_deployment_manifest"].outcome.value != "pass"


def test_the_same_script_and_manifest_of_a_team_keep_their_credit(tmp_path: Path) -> None:
    root = _kserve(tmp_path / "t", "# Iris scoring\n\nWe deploy our iris model with KServe on the team's cluster.\n")
    assert RepoIndex(root).stats.learning.verdict == "none"
    assert findings(root)["has_deployment_manifest"].outcome.value == "pass"


# --- a repository taken whole keeps the CI its tools read from root folders other than .github/ -------

AZURE_PR = "trigger:\n  - main\npool:\n  vmImage: ubuntu-latest\nsteps:\n  - script: pip install -r requirements.txt && pytest\n    displayName: tests\n"


def _sample_with_azure_pipeline(root: Path, ci_path: str) -> Path:
    write(root, {
        # two claims (a vendor's sample; addressed to learners): two signs (session 13)
        "README.md": "---\npage_type: sample\n---\n# MLOps with Azure ML\nCode which sets up an MLOps flow; you'll learn to run it.\n",
        "requirements.txt": "scikit-learn==1.4.0\npytest==8.0.0\n", "src/train.py": TRACKED, "src/serve.py": SERVED, ci_path: AZURE_PR,
    })
    return root


def test_a_samples_root_azure_pipeline_is_its_upkeep_and_still_counts(tmp_path: Path) -> None:
    root = _sample_with_azure_pipeline(tmp_path / "s", ".pipelines/pr.yml")
    learning = RepoIndex(root).stats.learning
    assert learning.verdict == "course" and "'page_type: sample'" in learning.trees[0].why
    found = findings(root)
    assert found["has_ci_pipeline"].outcome.value == "pass" and found["serves_model"].outcome.value != "pass"


def test_a_lessons_own_azure_pipeline_is_the_lessons(tmp_path: Path) -> None:
    root = _sample_with_azure_pipeline(tmp_path / "l", "src/.pipelines/pr.yml")
    assert RepoIndex(root).stats.learning.verdict == "course"
    assert findings(root)["has_ci_pipeline"].outcome.value != "pass"


# --- a title noun that is a system's domain ------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "names_it"),
    [
        ("Book Recommendation System", False), ("Course-Recommender", False), ("Book Store API", False), ("Course Search Engine", False),
        ("Deep Learning In Production Book", True), ("MLOps Course", True), ("Course Overview", True), ("Cookiecutter Data Science", True),
        ("rag-book-code", True), ("Tutorial: serving a model", True), ("Lab 3", True),
    ],
)
def test_a_title_noun_followed_by_what_a_system_does_names_its_domain(title: str, names_it: bool) -> None:
    from mlops_audit.evidence.repo import coursework, teachingmodel

    match = coursework._TITLE.search(title) or teachingmodel._MATERIAL_TITLE.search(title)
    assert match is not None and coursework.noun_names_the_repository(title, match.end()) is names_it


def test_a_book_recommender_is_no_book_and_its_name_is_no_material(tmp_path: Path) -> None:
    from mlops_audit.evidence.repo import teachingmodel

    readme = "# Book Recommendation System\n\nRecommends books to readers from their ratings; authors and publishers as features.\n"
    assert teaching_readme(("README.md", readme)) is None
    assert teaching_readme(("README.md", "# Deep Learning In Production Book\n\nChapters and code.\n")) is not None  # the near miss
    features = teachingmodel._readme_features(readme, teachingmodel.RuleSignals(), {})
    assert features["material_title"].value == 0.0
    assert teachingmodel.name_says(teachingmodel.load(), ("simon", "book-recommendation-platform")) == ()
