"""Session 16 (demo16): how demos, vendor samples, getting-started repositories and templates describe
themselves, by genre (README claims with the repository as the subject), and the two-sign verdict they
feed (`lessons`). Each claim: at least two pass fixtures written differently from each other and from
the repositories that prompted the look-up, and near misses taken from how teams' READMEs speak of a
demo, an example or a template (conventions §16.4: a team's system that mentions a demo is a project).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.evidence.repo import coursework
from mlops_audit.evidence.repo.index import RepoIndex
from tests.repo.test_coursework import DOCKERFILE, SERVED, TRACKED, findings
from tests.repo.test_documentation_code import write
from tests.repo.test_repository_name import _git


def signs(text: str) -> set[str]:
    opening = ("README.md", text)
    return set(coursework.readme_signs(opening, coursework.teaching_readme(opening)))


# --- the repository holds examples or demos, or demonstrates a tool (samples) --------------------------


@pytest.mark.parametrize(
    "text",
    [
        "# Feast on Vertex\n\nThis repo holds a few examples for wiring Feast into Vertex pipelines, one per folder.\n",
        "# Ray Serve patterns\n\nSetup first.\n\nOur repository collects demos of Ray Serve deployments: canary, shadow, batch.\n",
        "# Seldon Deploy\n\nThe acme/seldon-recipes repository demonstrates the platform's rollout options end to end.\n",
        "# Tracking on Azure\n\nI use this repo to show how experiment tracking is wired on Azure ML.\n",
        "# Pipelines kit\n\nThis repository is meant to illustrate feature-store patterns on Spark.\n",
    ],
    ids=["holds-examples", "collects-demos", "named-repository-demonstrates", "purpose-show", "purpose-illustrate"],
)
def test_a_repository_that_holds_examples_or_exists_to_demonstrate_is_a_samples_claim(text: str) -> None:
    assert "samples" in signs(text)


@pytest.mark.parametrize(
    "text",
    [
        "# Credit scoring\n\nA lightweight scoring service for our loan desk.\n\nFurthermore, this repository includes examples of request payloads.\n",
        "# Churn API\n\nThe model demonstrates good recall on the holdout set. The repo includes example requests in examples/.\n",
        "# Forecasts\n\nWe use this repository to deploy the forecasting service to Cloud Run.\n",
    ],
    ids=["furthermore-includes-examples", "model-demonstrates", "purpose-deploy"],
)
def test_near_miss_a_project_that_mentions_its_examples_or_what_it_demonstrates_makes_no_claim(text: str) -> None:
    assert signs(text) == set()


# --- a demo or showcase naming itself (samples) ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "# Retail MLOps\n\nAn end-to-end (Kubeflow + KServe) demonstration of continuous training for retail demand.\n",
        "# Streaming features\n\nThis project is a small showcase of real-time feature serving on Redis.\n",
        "# Booth app\n\nThe repository is a proof of concept for visitors of the partner booth.\n",
    ],
    ids=["one-line-demonstration", "project-is-a-showcase", "proof-of-concept"],
)
def test_a_demo_or_showcase_describing_itself_is_a_samples_claim(text: str) -> None:
    assert "samples" in signs(text)


@pytest.mark.parametrize(
    "text",
    [
        "# Fraud scoring\n\nOur fraud scoring service on Kubernetes.\n\nA demo video is on YouTube; see the live demo at https://fraud.example.org.\n",
        "# Cat monitor\n\nThis is a lightweight project for cat recognition, suitable as a small AI demo.\n",
    ],
    ids=["demo-video-live-demo", "suitable-as-a-demo"],
)
def test_near_miss_a_project_that_has_a_demo_makes_no_claim(text: str) -> None:
    assert signs(text) == set()


# --- a getting-started repository, a repository that exists to teach (material) ------------------------


@pytest.mark.parametrize(
    "text",
    [
        "# Kedro quick start\n\nAn example project used in the [Kedro](https://kedro.org)\n[Getting Started](https://docs.kedro.org) pages.\n",
        "# W&B basics\n\nIt is a step-by-step introduction to experiment tracking with Weights & Biases.\n",
        "# Monitoring sessions\n\nWe also use the code in this repo to teach model monitoring to new analysts.\n",
    ],
    ids=["getting-started-pages", "step-by-step-introduction", "purpose-teach"],
)
def test_a_getting_started_or_teaching_repository_is_a_material_claim(text: str) -> None:
    assert "material" in signs(text)


@pytest.mark.parametrize(
    "text",
    [
        "# Churn service\n\nOur churn service.\n\n## Getting started\n\nFollow the step-by-step guide below to deploy it.\n",
        "# Scoring\n\nThis README explains how to run the scoring service.\n",
    ],
    ids=["getting-started-section", "readme-explains"],
)
def test_near_miss_a_projects_getting_started_section_makes_no_claim(text: str) -> None:
    assert signs(text) == set()


# --- a template or starter describing itself (template) ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "# NLP services\n\nThis project is a starter pack for NLP inference services. Fork it.\n",
        "# Model API base\n\nUse this repository as a template for your model APIs.\n",
        "# Lakehouse jobs\n\nThe repo is an opinionated boilerplate for Databricks jobs.\n",
        "# Component hub\n\nReusable steps that make it easier to create your own training pipelines.\n",
    ],
    ids=["starter-pack", "use-as-template", "is-a-boilerplate", "create-your-own-pipelines"],
)
def test_a_template_describing_itself_is_a_template_claim(text: str) -> None:
    assert "template" in signs(text)


@pytest.mark.parametrize(
    "text",
    [
        "# Churn\n\nChurn model service generated from the acme template.\n\nYou can train your own model with make train.\n",
        "# Alerts\n\nThis service renders a Jinja template for every alert e-mail.\n",
    ],
    ids=["generated-from-template-train-your-own-model", "jinja-template"],
)
def test_near_miss_a_generated_project_or_a_template_it_uses_makes_no_claim(text: str) -> None:
    assert signs(text) == set()


# --- "this project" after the claim of what it is ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "# Serving skeleton\n\nThis repo contains a skeleton service to speed up your next ML project. A toy model ships in this project.\n",
        "# Vision starter\n\nThis project is a starting kit for image classifiers; fork it.\n",
    ],
    ids=["claim-then-this-project", "this-project-is-a-starter"],
)
def test_this_project_said_after_the_claim_of_what_it_is_keeps_the_claim(text: str) -> None:
    assert "template" in signs(text)


@pytest.mark.parametrize(
    "text",
    [
        "# Fraud\n\nIn this project we build a fraud model. It is a starting point for new fraud projects of the bank.\n",
        "# Churn\n\nOur project is a churn model. We also use this repository to demonstrate it to customers.\n",
    ],
    ids=["this-project-first", "our-project-first"],
)
def test_near_miss_a_readme_that_calls_itself_a_project_first_makes_no_claim(text: str) -> None:
    assert signs(text) == set()


# --- the two-sign verdict: a claim with a second sign takes the repository whole; one claim does not ----


def _system(root: Path, readme: str) -> Path:
    write(root, {
        "README.md": readme, "requirements.txt": "mlflow==2.9.2\nfastapi==0.110.0\n",
        "app/train.py": TRACKED, "app/serve.py": SERVED, "Dockerfile": DOCKERFILE,
    })
    return root


def test_a_demo_claim_and_a_name_that_says_examples_take_it_whole(tmp_path: Path) -> None:
    root = _system(tmp_path / "repo", "# Vertex patterns\n\nThis repo has several examples for serving models on Vertex AI.\n")
    _git(root, ("origin", "https://github.com/acme-labs/vertex-examples.git"))
    found = RepoIndex(root).stats.learning
    assert found.verdict == "course" and found.two_signs and {"README:samples", "name"} <= set(found.signs)
    assert findings(root)["serves_model"].outcome.value != "pass"  # its service is a lesson: left out


def test_two_claims_of_different_genres_take_it_whole(tmp_path: Path) -> None:
    readme = "# Azure ML aspects\n\nWe use this repository to demonstrate Azure ML features.\n\nI also use this repo to teach MLOps topics in meetups.\n"
    found = RepoIndex(_system(tmp_path, readme)).stats.learning
    assert found.verdict == "course" and {"README:samples", "README:material"} <= set(found.signs)


def test_near_miss_one_demo_claim_alone_keeps_the_practices(tmp_path: Path) -> None:
    """One sign: `partly`, nothing left out - a team may describe its own system as a showcase."""
    root = _system(tmp_path, "# Churn showcase\n\nThis project is a showcase of our churn pipeline on Kubernetes.\n")
    found = RepoIndex(root).stats.learning
    assert found.verdict == "partly" and found.left_out == set() and set(found.signs) == {"README:samples"}
    assert findings(root)["serves_model"].outcome.value == "pass"


def test_near_miss_a_team_repository_named_demo_with_a_project_readme_is_a_project(tmp_path: Path) -> None:
    root = _system(tmp_path / "repo", "# MLOps Cat Demo\n\nThis is a lightweight project for cat recognition. See the demo video.\n")
    _git(root, ("origin", "https://github.com/someone/mlops-demo.git"))
    found = RepoIndex(root).stats.learning
    assert found.verdict == "none" and findings(root)["serves_model"].outcome.value == "pass"


# --- a title naming the repository examples or an example project (a weak sign, as a title word is) ----


@pytest.mark.parametrize(
    "text",
    ["# Example Airflow project\n\nTrains and scores a toy model.\n", "# Vertex AI pipeline samples\n\nOne folder each.\n", "# A sample KServe deployment\n\nApply it.\n"],
    ids=["example-project", "samples", "a-sample-deployment"],
)
def test_a_title_naming_the_repository_examples_is_a_weak_sign(text: str) -> None:
    assert signs(text) == {"weak"}


@pytest.mark.parametrize(
    "text",
    ["# Sample Size Estimator\n\nEstimates how many users a test needs.\n", "# Churn service\n\nSee the examples folder for requests.\n"],
    ids=["sample-size", "examples-folder"],
)
def test_near_miss_a_title_with_sample_as_a_domain_word_is_no_sign(text: str) -> None:
    assert signs(text) == set()


def test_an_example_title_and_a_name_that_says_example_take_it_whole(tmp_path: Path) -> None:
    root = _system(tmp_path / "repo", "# Example Airflow project\n\nTrains and serves a toy model.\n")
    _git(root, ("origin", "https://github.com/toolco/airflow-example.git"))
    found = RepoIndex(root).stats.learning
    assert found.verdict == "course" and set(found.signs) == {"README:weak", "name"}
