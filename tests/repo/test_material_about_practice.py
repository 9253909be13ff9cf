"""Material ABOUT practice, second round (`coursework` rules 9 and 10, `lessons` rule 11): broad,
repository-level signals rather than shapes. A README that says the repository is a course or a
workshop (in so many words, or a title the text speaks of again), a cookiecutter template's
placeholder tree, a documents-only guide. Each with its near miss (generated trees in tmp_path)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.evidence.repo.collect import collect
from mlops_audit.evidence.repo.coursework import teaching_readme
from mlops_audit.evidence.repo.learning import console_lines
from mlops_audit.evidence.repo.index import RepoIndex
from tests.repo.test_coursework import CI, DOCKERFILE, NOW, SEEDED, SERVED, TRACKED, findings
from tests.repo.test_documentation_code import write

COURSE_README = "# MLOps Course\n\nBy completing this course, you will version data and serve models.\n"
# Two claims of different families (a title said again; course material): two independent signs (session 13).
COURSE_MATERIALS_README = COURSE_README + "These are the course materials of the spring term.\n"
PROJECT_README = "# Churn service\n\nOur team's churn scoring service: training, serving and monitoring.\n"


def labs(root: Path, readme: str) -> None:
    """Unnumbered lab folders, each a small full project (requirements, Dockerfile, FastAPI app),
    a reference project at the top, the repository's own CI and package list at the root."""
    files = {"README.md": readme, "requirements.txt": "fastapi==0.110.0\nscikit-learn==1.4.0\n", ".github/workflows/ci.yml": CI}
    for lab in ("api_lab", "docker_lab", "tracking_lab"):
        files |= {f"labs/{lab}/requirements.txt": "fastapi==0.110.0\n", f"labs/{lab}/Dockerfile": DOCKERFILE, f"labs/{lab}/serve.py": SERVED}
    files |= {"labs/tracking_lab/train.py": TRACKED, "project/src/train.py": SEEDED}
    write(root, files)


# --- rule 9: a repository that says it is teaching material -------------------------------------


def test_a_course_whose_labs_are_small_projects_is_learning_material_whole(tmp_path: Path) -> None:
    labs(tmp_path, COURSE_MATERIALS_README)
    found = findings(tmp_path)
    for detector in ("serves_model", "has_container", "tracks_experiments", "is_reproducible"):
        assert found[detector].outcome.value == "fail", detector
    assert "not looked for in learning material: the repository is learning material as a whole" in found["serves_model"].message  # lessons not searched
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.verdict == "course" and learning.code_share == 1.0 and learning.two_signs
    assert learning.trees[0].why.startswith("teaching material: README.md presents it as teaching material ('course materials')")
    # the course's reference project (`project/`) is the course's; its own upkeep at the root stays
    assert "project/src/train.py" in learning.left_out
    assert "requirements.txt" not in learning.left_out and ".github/workflows/ci.yml" not in learning.left_out
    assert found["has_ci_pipeline"].outcome.value == "pass"


def test_near_miss_the_same_tree_under_a_projects_readme_keeps_its_credit(tmp_path: Path) -> None:
    labs(tmp_path, PROJECT_README)
    found = findings(tmp_path)
    assert RepoIndex(tmp_path).stats.learning.verdict == "none"
    for detector in ("serves_model", "has_container", "tracks_experiments"):
        assert found[detector].outcome.value == "pass", detector


def test_near_miss_the_course_said_once_keeps_its_credit(tmp_path: Path) -> None:
    """Session 13: the title said again is ONE claim of the README, one sign: the verdict is `partly`
    (the reason reported), the labs keep their credit - a whole-repository verdict needs two signs."""
    labs(tmp_path, COURSE_README)
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.verdict == "partly" and learning.left_out == set() and list(learning.signs) == ["README:title"]
    assert findings(tmp_path)["serves_model"].outcome.value == "pass"


def test_a_capstone_in_a_teaching_repository_keeps_its_credit(tmp_path: Path) -> None:
    labs(tmp_path, COURSE_MATERIALS_README)
    write(tmp_path, {"capstone_churn/Dockerfile": DOCKERFILE, "capstone_churn/app.py": SERVED})
    found = findings(tmp_path)
    learning = RepoIndex(tmp_path).stats.learning
    assert "capstone_churn/app.py" not in learning.left_out and "labs/api_lab/serve.py" in learning.left_out
    assert found["serves_model"].outcome.value == "pass"
    assert found["has_container"].outcome.value == "pass"


def test_near_miss_a_workshop_of_documents_and_sample_manifests_keeps_its_manifests(tmp_path: Path) -> None:
    """Fewer than 3 code files: the workshop's content is its pages and sample configs, judged by the
    other rules (a sample manifest is still a manifest)."""
    write(tmp_path, {
        "README.md": "# kserve-workshop\n\nHands-on workshop for deploying models on KServe.\n",
        "docs/01-setup.md": "# Setup\n", "scratch/check.py": "print('ok')\n",
        "configs/samples/inferenceservice.yaml": (
            "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: granite\nspec:\n"
            "  predictor:\n    model:\n      modelFormat:\n        name: vLLM\n      storageUri: oci://quay.io/models/granite\n"
        ),
    })
    learning = RepoIndex(tmp_path).stats.learning
    assert not any(t.why.startswith("teaching material:") for t in learning.trees)
    assert "configs/samples/inferenceservice.yaml" not in learning.left_out


@pytest.mark.parametrize(
    "readme",
    [
        "# Churn service\n\nOur team's churn service. The tutorial notebooks in examples/ show the API.\n",  # a generic phrase
        "# Multi-class churn classifier\n\nPredicts the class of each customer.\n",  # 'class' is no title noun
        "# Vision Labs platform\n\nThe lab's models are trained nightly.\n",  # nor 'lab'
        "# Course recommender\n\nRecommends the course a student should take next.\n",  # the noun names the domain
    ],
)
def test_near_miss_a_projects_readme_with_teaching_looking_words_keeps_its_credit(tmp_path: Path, readme: str) -> None:
    labs(tmp_path, readme)
    assert not any(t.why.startswith("teaching material:") for t in RepoIndex(tmp_path).stats.learning.trees)
    assert findings(tmp_path)["serves_model"].outcome.value == "pass"


def test_a_project_made_in_a_course_is_never_teaching_material(tmp_path: Path) -> None:
    labs(tmp_path, "# MLOps Course final project\n\nThis course project builds one churn service; by completing this course we ship it.\n")
    assert RepoIndex(tmp_path).stats.learning.verdict == "none"
    assert findings(tmp_path)["serves_model"].outcome.value == "pass"


def test_the_override_counts_a_teaching_repository_back(tmp_path: Path) -> None:
    labs(tmp_path, COURSE_README)
    found = findings(tmp_path, count_learning_material=True)
    assert found["serves_model"].outcome.value == "pass" and found["has_container"].outcome.value == "pass"


@pytest.mark.parametrize(
    ("opening", "said"),
    [
        (COURSE_README, "this course"),
        ("# MLOps Workshop\n\nFür den Workshop sollten folgende Vorbereitungen getroffen werden.\n", "den workshop"),
        ("# Continuous Delivery Workshop\n\nThis workshop contains the sample application.\n", "this workshop"),
        ("# MLOps Course\n\nThis repository contains hands-on projects; below are the projects included in this course.\n", "this course"),
        ("# A guide to MLOps\n\nA simple yet complete guide to MLOps tools. The guide is deployed continuously.\n", "the guide"),
        ("# Serving tutorial\n\nWhat you'll learn: serving a model.\n", "you'll learn"),  # since session 12 a strong phrase by itself
        ("## Continuous Delivery Workshop for ML teams\n\nThe workshop has four modules.\n", "the workshop"),
    ],
)
def test_a_title_said_again_is_a_strong_sign(opening: str, said: str) -> None:
    why = teaching_readme(("README.md", opening), strong_only=True)
    assert why is not None and said in why


@pytest.mark.parametrize(
    "opening",
    [
        "# MLOps Workshop\n\nA Flask service and its Dockerfile.\n",  # a title word alone stays weak
        "# Churn models\n\nThis course of action was chosen by the team.\n",  # 'this course' without a title naming one
        "# Feature Store Workshop\n\nPlease clone with --recursive; the notebooks need the submodule.\n",
        # says it is a project made in a course (a course README asking for "a final project" is the course: session 8)
        "# MLOps Zoomcamp: A Free Course\n\nThe course ends with this final project: our churn service.\n",
    ],
)
def test_near_miss_openings_that_are_not_a_strong_sign(opening: str) -> None:
    assert teaching_readme(("README.md", opening), strong_only=True) is None


# --- rule 10: a project template's placeholder tree ---------------------------------------------


def template(root: Path, top: str) -> None:
    write(root, {
        "README.md": "# Cookiecutter for MLOps projects\n\nRun cookiecutter to start a project.\n",
        "cookiecutter.json": '{"repo_name": "mlops"}\n',
        "hooks/post_gen_project.py": "import os\n\nprint(os.getcwd())\n",
        f"{top}/Dockerfile": "FROM python:{{ cookiecutter.python_version }}-slim\nCOPY . /app\nCMD [\"python\", \"/app/api.py\"]\n",
        f"{top}/requirements.txt": "fastapi\n",
        f"{top}/src/api.py": "",
        f"{top}/README.md": "# {{ cookiecutter.repo_name }}\n",
    })


def test_a_cookiecutter_placeholder_trees_container_is_not_the_teams(tmp_path: Path) -> None:
    template(tmp_path, "{{ cookiecutter.repo_name }}")
    found = findings(tmp_path)
    assert found["has_container"].outcome.value == "fail"
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.verdict == "partly"
    assert "{{ cookiecutter.repo_name }}/Dockerfile" in learning.left_out
    # its placeholder code, its README and the template's own hooks stay
    assert "{{ cookiecutter.repo_name }}/src/api.py" not in learning.left_out
    assert "{{ cookiecutter.repo_name }}/README.md" not in learning.left_out and "hooks/post_gen_project.py" not in learning.left_out


def test_a_template_heads_the_table_with_its_placeholder_files(tmp_path: Path) -> None:
    template(tmp_path, "{{ cookiecutter.repo_name }}")
    lines = console_lines(collect(tmp_path, now=NOW).stats.learning_material)
    assert lines[0] == (
        "LEARNING MATERIAL: partly - no Python files or notebooks; 2 other file(s) left out as lessons, exercises or "
        "template placeholders (--count-learning-material to count them)"
    )


def test_near_miss_a_folder_not_named_by_a_template_variable_keeps_its_container(tmp_path: Path) -> None:
    template(tmp_path, "service")
    assert RepoIndex(tmp_path).stats.learning.verdict == "none"
    assert findings(tmp_path)["has_container"].outcome.value == "pass"


# --- rule 11: a documents-only guide ------------------------------------------------------------

ARCHITECTURE = (
    "# Architecture\n\n## Components\n\nThe training pipeline writes a model to the registry; the API loads it.\n\n"
    "## Data flow\n\nRaw data is validated, features are computed, the model is trained and served.\n"
    + "\n".join(f"The {part} is described here: its inputs, its outputs and who runs it." for part in ("ingestion job", "trainer", "registry", "API", "monitor"))
    + "\n"
)


SITE_DOCKERFILE = "FROM python:3.11-slim\nRUN pip install mkdocs-material\nCOPY docs /site/docs\nWORKDIR /site\nRUN mkdocs build\n"


def guide(root: Path, readme: str) -> None:
    """Pages and the Dockerfile that builds the site (something built here: not 'no system')."""
    write(root, {"README.md": readme, "docs/architecture.md": ARCHITECTURE, "docs/index.md": "# Home\n", "Dockerfile": SITE_DOCKERFILE})


def test_a_documents_only_guide_is_a_course_and_its_pages_are_no_design(tmp_path: Path) -> None:
    guide(tmp_path, "# A guide to MLOps\n\nA simple yet complete guide to MLOps. The guide is deployed continuously.\n")
    learning = RepoIndex(tmp_path).stats.learning
    assert learning.verdict == "course" and learning.trees[0].why.startswith("teaching material with no code:")
    found = findings(tmp_path)
    assert found["has_design_docs"].outcome.value == "fail"
    assert "learning material (verdict 'course')" in found["has_design_docs"].message
    # counted at the assessor's request, the pages are read as design documents again
    assert findings(tmp_path, count_learning_material=True)["has_design_docs"].outcome.value == "pass"


def test_near_miss_the_same_documents_of_a_project_are_design_documents(tmp_path: Path) -> None:
    guide(tmp_path, PROJECT_README)
    assert RepoIndex(tmp_path).stats.learning.verdict == "none"
    assert findings(tmp_path)["has_design_docs"].outcome.value == "pass"


def test_a_documents_only_course_heads_the_table_without_a_share_of_no_code(tmp_path: Path) -> None:
    guide(tmp_path, "# A guide to MLOps\n\nA simple yet complete guide to MLOps. The guide is deployed continuously.\n")
    lines = console_lines(collect(tmp_path, now=NOW).stats.learning_material)
    assert lines[0] == "LEARNING MATERIAL: course - no code; its documents are read as lessons (--count-learning-material to count them)"
    assert lines[1] == "  - README.md's title names a guide and its text speaks of 'the guide'"
    assert console_lines(collect(tmp_path, now=NOW, count_learning_material=True).stats.learning_material)[0] == (
        "LEARNING MATERIAL: course - no code; counted as project documents at your request"
    )
