"""Session 17 (decoy17): signs of a demonstration or template repository by published conventions.

- A project generator's own files (`coursework.generator_templates`): what each generator's documentation
  says a template is - Cookiecutter's `cookiecutter.json` beside a `{{ cookiecutter.x }}` folder, Copier's
  `copier.yml` (`_subdirectory`, `.jinja` files), a Databricks bundle template's
  `databricks_template_schema.json` beside its `template/` folder, `dotnet new`'s
  `.template.config/template.json`, a Backstage software template (`kind: Template` of
  `scaffolder.backstage.io` beside its skeleton), a Yeoman generator (`generators/<name>/index.js` of a
  package that depends on `yeoman-generator`). The template's placeholder tree holds what a generated
  project starts from; at the repository's root the generator's files are a structural sign that the
  repository is a template. A project GENERATED from a template (`.copier-answers.yml`, `.cruft.json`)
  is no template, nor is a library that ships one inside its package.
- A blog by Jekyll's convention (`_posts/` of dated posts beside `_config.yml` at the root).
- README genre statements whose subject is the repository: a demo naming itself to its reader ("In this
  demo, you'll ..."), materials associated with a lab or workshop, a repository that guides its reader
  through a tool, a repository that is a reference architecture.
Each rule: two pass fixtures written differently from each other, and near misses from teams' systems.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.evidence.repo import coursework
from mlops_audit.evidence.repo.index import RepoIndex
from tests.repo.test_coursework import DOCKERFILE, SERVED, TRACKED, findings
from tests.repo.test_documentation_code import write
from tests.repo.test_learning_session16 import signs

K8S = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc\nspec:\n  template:\n    spec:\n      containers:\n        - name: svc\n          image: svc:1\n"


def _generators(root: Path) -> tuple[list[coursework.Judged], str | None]:
    listing = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    return coursework.generator_templates(listing, lambda rel: (root / rel).read_bytes())


# --- a project generator's own files ----------------------------------------------------------------


def test_a_copier_template_with_a_subdirectory_is_a_template_and_its_tree_is_taken(tmp_path: Path) -> None:
    write(tmp_path, {
        "copier.yaml": "_subdirectory: project\nproject_name:\n  type: str\n  default: churn\n",
        "project/Dockerfile.jinja": DOCKERFILE, "project/deploy/{{ project_name }}.yaml.jinja": K8S,
        "project/src/{{ project_name }}/train.py.jinja": TRACKED, "README.md": "# ML service skeleton\n",
    })
    judged, sign = _generators(tmp_path)
    assert sign is not None and "copier" in sign.lower()
    taken = set().union(*(j.files for j in judged))
    assert {"project/Dockerfile.jinja", "project/deploy/{{ project_name }}.yaml.jinja"} <= taken
    assert "copier.yaml" not in taken


def test_a_copier_template_without_a_subdirectory_is_a_template_by_its_rendered_files(tmp_path: Path) -> None:
    write(tmp_path, {
        "copier.yml": "package:\n  type: str\n_templates_suffix: .jinja\n",
        "Dockerfile.jinja": DOCKERFILE, "{{ package }}/serve.py": SERVED, "tests/test_copy.py": "def test_copy():\n    assert True\n",
    })
    judged, sign = _generators(tmp_path)
    assert sign is not None
    assert "Dockerfile.jinja" in set().union(*(j.files for j in judged))


def test_a_databricks_bundle_template_is_a_template(tmp_path: Path) -> None:
    write(tmp_path, {
        "databricks_template_schema.json": '{"properties": {"project_name": {"type": "string"}}}',
        "template/{{.project_name}}/databricks.yml.tmpl": "bundle:\n  name: {{.project_name}}\n",
        "template/{{.project_name}}/resources/train_job.yml.tmpl": "resources:\n  jobs:\n    train: {}\n",
        "template/{{.project_name}}/src/train.py.tmpl": TRACKED,
    })
    judged, sign = _generators(tmp_path)
    assert sign is not None and "databricks" in sign.lower()
    assert "template/{{.project_name}}/resources/train_job.yml.tmpl" in set().union(*(j.files for j in judged))


def test_a_backstage_software_template_with_its_skeleton_is_a_template(tmp_path: Path) -> None:
    write(tmp_path, {
        "template.yaml": (
            "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: model-service\n"
            "spec:\n  steps:\n    - id: fetch\n      action: fetch:template\n      input:\n        url: ./content\n"
        ),
        "content/Dockerfile": DOCKERFILE, "content/k8s/deployment.yaml": K8S, "content/app/serve.py": SERVED,
    })
    judged, sign = _generators(tmp_path)
    assert sign is not None and "backstage" in sign.lower()
    assert {"content/Dockerfile", "content/k8s/deployment.yaml"} <= set().union(*(j.files for j in judged))


def test_a_dotnet_new_template_and_a_yeoman_generator_are_templates(tmp_path: Path) -> None:
    dotnet, yeoman = tmp_path / "dotnet", tmp_path / "yeoman"
    write(dotnet, {".template.config/template.json": '{"identity": "Acme.MlApi", "shortName": "mlapi", "sourceName": "MlApi"}', "MlApi.csproj": "<Project/>", "Dockerfile": DOCKERFILE})
    write(yeoman, {
        "package.json": '{"name": "generator-ml-service", "keywords": ["yeoman-generator"], "dependencies": {"yeoman-generator": "^7.0.0"}}',
        "generators/app/index.js": "const Generator = require('yeoman-generator');\n",
        "generators/app/templates/Dockerfile": DOCKERFILE, "generators/app/templates/app/serve.py": SERVED,
    })
    assert _generators(dotnet)[1] is not None
    judged, sign = _generators(yeoman)
    assert sign is not None and "generators/app/templates/Dockerfile" in set().union(*(j.files for j in judged))


def test_near_miss_a_project_generated_from_a_template_is_no_template(tmp_path: Path) -> None:
    write(tmp_path, {
        ".copier-answers.yml": "_src_path: gh:acme/ml-template\nproject_name: churn\n", ".cruft.json": '{"template": "https://github.com/acme/tpl"}',
        "Dockerfile": DOCKERFILE, "churn/serve.py": SERVED, "catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: churn\n",
        "template.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources: {}\n",
        "package.json": '{"name": "churn-ui", "dependencies": {"react": "^18.0.0"}}',
    })
    assert _generators(tmp_path) == ([], None)


def test_near_miss_a_library_shipping_a_template_keeps_its_system_and_gets_no_sign(tmp_path: Path) -> None:
    """A tool that ships project templates in its package (`mlkit init` renders them): the template's
    container is no container of the tool, but a template inside the package says nothing of the whole."""
    write(tmp_path, {
        "pyproject.toml": "[project]\nname = 'mlkit'\nversion = '1.0'\n", "Dockerfile": DOCKERFILE,
        "mlkit/serve.py": SERVED, "mlkit/train.py": TRACKED,
        "mlkit/templates/basic/cookiecutter.json": '{"app_name": "app"}',
        "mlkit/templates/basic/{{cookiecutter.app_name}}/Dockerfile": DOCKERFILE,
        "mlkit/templates/basic/{{cookiecutter.app_name}}/app.py": SERVED,
        "README.md": "# mlkit\n\nTrain and serve models.\n",
    })
    judged, sign = _generators(tmp_path)
    assert sign is None and "mlkit/templates/basic/{{cookiecutter.app_name}}/Dockerfile" in set().union(*(j.files for j in judged))
    found = RepoIndex(tmp_path).stats.learning
    assert "structure" not in found.signs and found.verdict != "course"
    assert findings(tmp_path)["has_container"].outcome.value == "pass"  # its own root Dockerfile


def test_a_generator_template_with_a_readme_claim_is_taken_whole(tmp_path: Path) -> None:
    write(tmp_path, {
        "copier.yml": "_subdirectory: tpl\nservice:\n  type: str\n",
        "tpl/Dockerfile.jinja": DOCKERFILE, "tpl/{{ service }}/serve.py": SERVED, "tpl/{{ service }}/train.py": TRACKED,
        "serve.py": SERVED, "Dockerfile": DOCKERFILE, "requirements.txt": "fastapi==0.110.0\n",
        "README.md": "# Model service kit\n\nUse this template to start a model service with its own CI and container.\n",
    })
    found = RepoIndex(tmp_path).stats.learning
    assert found.verdict == "course" and "structure" in found.signs and "README:template" in found.signs
    assert findings(tmp_path)["serves_model"].outcome.value not in ("pass", "partial")


# --- a blog by Jekyll's convention --------------------------------------------------------------------


def test_a_jekyll_blog_at_the_root_is_a_structural_sign(tmp_path: Path) -> None:
    write(tmp_path, {
        "_config.yml": "title: Notes\n", "_posts/README.md": "Posts are generated from the notebooks.\n",
        "_notebooks/2023-01-05-autoencoders.ipynb": "{}", "_notebooks/2023-02-11-vae.ipynb": "{}",
        "README.md": "# Deep learning notes\n\nIn this tutorial series, you'll learn to train autoencoders.\n",
    })
    assert "structure" in RepoIndex(tmp_path).stats.learning.signs


def test_a_blog_of_dated_posts_in_markdown_and_html_is_a_sign(tmp_path: Path) -> None:
    write(tmp_path, {"_config.yaml": "theme: minima\n", "_posts/2021-12-24-drift.html": "<p>x</p>", "scripts/plot.py": "print(1)\n"})
    assert "blog" in (coursework.blog_site(sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())) or "")


def test_near_miss_a_projects_docs_blog_or_a_root_config_alone_is_no_blog(tmp_path: Path) -> None:
    assert coursework.blog_site(["docs/_config.yml", "docs/_posts/2023-01-01-release.md", "svc/serve.py"]) is None
    assert coursework.blog_site(["_config.yml", "svc/serve.py", "posts/notes.md"]) is None
    assert coursework.blog_site(["_config.yml", "_posts/README.md", "svc/serve.py"]) is None


# --- README genre statements with the repository as the subject --------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "# Tracking 101\n\nMLOps spans the lifecycle. In this comprehensive data demo, you'll learn how MLflow tracks runs.\n",
        "# KServe rollout\n\nIn this short sample we will deploy a canary with two revisions.\n",
    ],
    ids=["demo-youll", "sample-we-will"],
)
def test_a_demo_speaking_to_its_reader_is_a_samples_claim(text: str) -> None:
    assert "samples" in signs(text)


@pytest.mark.parametrize(
    "text",
    [
        "# Claims triage\n\nThis repository contains the code, instructions and materials associated with the workshop called Claims triage.\n",
        "# Vision on OpenShift\n\nResources and materials used in the lab called 'Vision at the edge'.\n",
        "# Feature store basics\n\nThis repo will guide you through how to use Feast to serve features.\n",
        "# Retraining on Vertex\n\nThe repository walks you through building a retraining loop on Vertex AI.\n",
    ],
    ids=["materials-associated-with-workshop", "materials-used-in-lab", "repo-guides-you", "repository-walks-you"],
)
def test_material_of_a_lab_or_a_repository_that_guides_its_reader_is_a_material_claim(text: str) -> None:
    assert "material" in signs(text)


@pytest.mark.parametrize(
    "text",
    [
        "# Production ML\n\nDesign, develop, deploy.\n\nIn this course, we'll go from experimentation to production.\n",
        "# Serving lab\n\nIn this lab you will deploy a model behind KServe and roll out a canary.\n",
    ],
    ids=["course-we-will", "lab-you-will"],
)
def test_a_course_or_lab_speaking_to_its_learners_is_a_learners_claim(text: str) -> None:
    assert "learners" in signs(text)


@pytest.mark.parametrize(
    "text",
    [
        "# Lakehouse ML\n\nThis repository is a reference architecture for batch scoring on a lakehouse.\n",
        "# Streaming scoring\n\nThis repo provides a reference architecture for real-time scoring with Kafka and Ray.\n",
    ],
    ids=["is-a-reference-architecture", "provides-a-reference-architecture"],
)
def test_a_repository_that_is_a_reference_architecture_is_a_samples_claim(text: str) -> None:
    assert "samples" in signs(text)


@pytest.mark.parametrize(
    "text",
    [
        "# Churn API\n\nOur churn service. In this project, you'll find the API and the training job.\n",
        "# Clickstream\n\nIn this service we will consume events from Kafka and score them.\n",
        "# Fraud\n\nThe fraud service follows the AWS reference architecture for ML inference.\n",
        "# Shipments\n\nThe scoring job reads the materials associated with each shipment.\n",
        "# Scoring\n\nThis guide walks you through setting up the scoring service locally.\n",
        "# Forecasts\n\nThe runbook guides you through a rollback of the forecasting service.\n",
    ],
    ids=["in-this-project-youll", "in-this-service-we-will", "follows-reference-architecture", "materials-of-shipments", "guide-walks-you", "runbook-guides-you"],
)
def test_near_miss_a_teams_readme_makes_no_genre_claim(text: str) -> None:
    assert signs(text) == set()


def test_two_genre_claims_of_a_demo_take_it_whole(tmp_path: Path) -> None:
    write(tmp_path, {
        "README.md": "# Tracking basics\n\nIn this comprehensive data demo, you’ll learn how MLflow tracks runs.\n\nThis repo will guide you through it.\n",
        "requirements.txt": "mlflow==2.9.2\n", "demo.py": TRACKED,
    })
    found = RepoIndex(tmp_path).stats.learning
    assert found.verdict == "course" and {"README:samples", "README:learners"} <= set(found.signs)
    assert findings(tmp_path)["tracks_experiments"].outcome.value not in ("pass", "partial")
