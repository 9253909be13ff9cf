"""Libraries and tools (conventions §5): a published package's features are not its authors'
practice, its examples are examples, its upkeep is judged as everywhere; a packaged ML project (even
a published one) that runs a system of its own keeps its credit."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.errors import InputError
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.library import judge, library_code, packages, parse_vocabulary, vocabulary
from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_coursework import TRACKED, findings
from tests.repo.test_documentation_code import write

PYPROJECT = '[project]\nname = "drifty"\nversion = "1.2.0"\ndependencies = ["scikit-learn>=1.3"]\n'
PUBLISH = (
    "name: release\non:\n  push:\n    tags: ['v*']\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - uses: actions/checkout@v4\n      - run: python -m build\n      - uses: pypa/gh-action-pypi-publish@release/v1\n"
)
CI = "name: ci\non:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pip install -e . && pytest\n"
SEEDED = "import numpy as np\nfrom sklearn.tree import DecisionTreeClassifier\n\nnp.random.seed(42)\n\n\ndef train(x, y):\n    return DecisionTreeClassifier(random_state=42).fit(x, y)\n"
UNIT_TEST = "from drifty.core import train\n\n\ndef test_train():\n    assert train([[0], [1]], [0, 1]) is not None\n"


def library(root: Path, extra: dict[str, str] | None = None, readme: str = "# drifty\n\n```\npip install drifty\n```\n") -> Path:
    """A published library: a package named after its distribution, a PyPI release workflow, tests."""
    write(root, {
        "pyproject.toml": PYPROJECT, "README.md": readme, "src/drifty/__init__.py": "", "src/drifty/core.py": TRACKED,
        ".github/workflows/release.yml": PUBLISH, ".github/workflows/ci.yml": CI, "tests/test_core.py": UNIT_TEST,
        **(extra or {}),
    })
    return root


def verdict(root: Path):  # noqa: ANN201 - the verdict of a fresh index
    with RepoIndex(root) as index:
        return judge(index)


# --- the verdict ------------------------------------------------------------------------------------


def test_a_package_published_by_a_release_workflow_and_its_readme_is_a_library(tmp_path: Path) -> None:
    judged = verdict(library(tmp_path))
    assert judged.library and judged.own_system == ()
    assert [(p.name, p.sources) for p in judged.packages] == [("drifty", ("src/drifty",))]
    assert judged.published == (
        ".github/workflows/release.yml:11: uploads the distribution (pypa/gh-action-pypi-publish)",
        "README.md:4: installs it by name (pip install drifty)",
    )


@pytest.mark.parametrize("line", ["pip install drifty[all]", "pip install -U drifty==1.2", "    $ python -m pip install 'drifty>=1.0'", "conda install -c conda-forge drifty", "uv add drifty"])
def test_a_readme_installing_the_package_by_its_name_publishes_it(tmp_path: Path, line: str) -> None:
    write(tmp_path, {"pyproject.toml": PYPROJECT, "README.md": f"# drifty\n\n{line}\n", "src/drifty/__init__.py": ""})
    assert verdict(tmp_path).library


@pytest.mark.parametrize("line", [
    "pip install -e .", "pip install -r requirements.txt", "pip install drifty-extras", "pip install 'drifty @ git+https://github.com/acme/drifty'",
    "pip install --editable drifty", "pip install git+https://github.com/acme/drifty",
])
def test_an_editable_url_or_other_install_does_not_publish_it(tmp_path: Path, line: str) -> None:
    write(tmp_path, {"pyproject.toml": PYPROJECT, "README.md": f"# drifty\n\n{line}\n", "src/drifty/__init__.py": ""})
    judged = verdict(tmp_path)
    assert not judged.library and judged.published == ()


def test_a_packaged_project_that_nobody_installs_is_not_a_library(tmp_path: Path) -> None:
    # the usual ML project: src/<pkg>/ and a pyproject, installed by its own CI with `pip install -e .`
    write(tmp_path, {"pyproject.toml": PYPROJECT, "README.md": "# drifty\n", "src/drifty/__init__.py": "", ".github/workflows/ci.yml": CI})
    judged = verdict(tmp_path)
    assert not judged.library and judged.packages and judged.published == ()


@pytest.mark.parametrize(("rel", "text", "why"), [
    ("docker-compose.yml", "services:\n  api:\n    build: .\n", "a deployment of its own services"),
    ("infra/main.tf", 'resource "aws_ecs_service" "api" {}\n', "a deployment of its own services"),
    ("dvc.yaml", "stages:\n  train:\n    cmd: python train.py\n", "a data or training pipeline of its own"),
    ("data/raw.csv.dvc", "outs:\n- md5: 1\n  path: raw.csv\n", "a data or training pipeline of its own"),
    ("models/model.joblib", "binary", "a trained model kept in the repository"),
    ("docs/model_card.md", "# Model card\n", "a model card"),
    ("monitoring/grafana/api.json", '{"panels": []}', "a dashboard of its running services"),
    ("Dockerfile", "FROM python:3.11\nCOPY . .\nEXPOSE 8080\nCMD python -m drifty.api\n", "exposes a service port"),
    ("src/drifty/app/Dockerfile", 'FROM python:3.11\nENTRYPOINT ["streamlit", "run", "app.py"]\n', "starts a service (streamlit run)"),
])
def test_a_published_package_running_a_system_of_its_own_is_not_a_library(tmp_path: Path, rel: str, text: str, why: str) -> None:
    judged = verdict(library(tmp_path, {rel: text}))
    assert not judged.library and judged.published
    assert len(judged.own_system) == 1 and judged.own_system[0].startswith(rel) and why in judged.own_system[0]


@pytest.mark.parametrize(("rel", "text"), [
    ("examples/serving/docker-compose.yml", "services:\n  api:\n    build: .\n"),
    ("examples/churn/dvc.yaml", "stages:\n  train:\n    cmd: python train.py\n"),
    ("tests/fixtures/model.pkl", "binary"),
    ("src/drifty/templates/{{cookiecutter.name}}/Dockerfile", "FROM python:3.11\nEXPOSE 80\n"),
    ("src/drifty/template/Dockerfile", "FROM python:3.11\nCMD uvicorn app:app\n"),
    ("Dockerfile", "FROM python:3.11\nCOPY . .\nRUN pip install .\n"),  # the library in an image: a distribution, no service
])
def test_what_it_shows_or_tests_its_users_is_no_system_of_its_own(tmp_path: Path, rel: str, text: str) -> None:
    judged = verdict(library(tmp_path, {rel: text}))
    assert judged.library and judged.own_system == ()


def test_a_setup_py_naming_its_distribution_through_a_variable_is_read_as_text(tmp_path: Path) -> None:
    setup = 'from setuptools import setup, find_packages\n\nproject = "micro-sage"\nsetup(\n    name=project,\n    packages=find_packages(),\n)\n'
    write(tmp_path, {"setup.py": setup, "micro_sage/__init__.py": "", "tests/__init__.py": "", ".circleci/config.yml": "jobs:\n  release:\n    steps:\n      - run: twine upload dist/*\n"})
    judged = verdict(tmp_path)
    assert judged.library and [(p.name, p.sources) for p in judged.packages] == [("micro-sage", ("micro_sage",))]


def test_a_setup_py_whose_name_is_computed_counts_every_import_package_but_tests(tmp_path: Path) -> None:
    setup = "import setuptools\nabout = {}\nexec(open('wellml/__version__.py').read(), about)\nsetuptools.setup(name=about['__name__'])\n"
    write(tmp_path, {"setup.py": setup, "wellml/__init__.py": "", "tests/__init__.py": "", "README.md": "pip install wellml[all]\n"})
    judged = verdict(tmp_path)
    assert judged.library and [(p.name, p.sources) for p in judged.packages] == [("wellml", ("wellml",))]


def test_a_plugin_set_holds_one_published_package_per_folder(tmp_path: Path) -> None:
    write(tmp_path, {
        "flow-datasets/pyproject.toml": '[project]\nname = "flow-datasets"\n', "flow-datasets/flow_datasets/__init__.py": "",
        "flow-datasets/flow_datasets_experimental/__init__.py": "", "flow-docker/pyproject.toml": '[project]\nname = "flow-docker"\n',
        "flow-docker/flow_docker/__init__.py": "", ".github/workflows/release.yml": PUBLISH,
    })
    with RepoIndex(tmp_path) as index:
        found = packages(index)
        judged = judge(index)
    assert [(p.name, p.sources) for p in found] == [
        ("flow-datasets", ("flow-datasets/flow_datasets", "flow-datasets/flow_datasets_experimental")),
        ("flow-docker", ("flow-docker/flow_docker",)),
    ]
    assert judged.library
    assert library_code(judged, "flow-datasets/flow_datasets_experimental/optuna.py")
    assert not library_code(judged, "tools/release.py")


def test_library_code_is_the_package_with_its_examples_tests_templates_and_documentation_code(tmp_path: Path) -> None:
    judged = verdict(library(tmp_path))
    inside = ["src/drifty/core.py", "examples/train.py", "tests/test_core.py", "docs/notebooks/mnist.ipynb", "src/drifty/templates/app/Dockerfile"]
    outside = ["evals/benchmark.py", "Dockerfile", "docs/architecture.md", "scripts/train.py"]
    assert [p for p in inside if library_code(judged, p)] == inside
    assert [p for p in outside if library_code(judged, p)] == []


# --- what collect does with it ----------------------------------------------------------------------


def test_a_librarys_package_features_and_examples_are_not_credited_but_its_upkeep_is(tmp_path: Path) -> None:
    found = findings(library(tmp_path, {"examples/fit.py": SEEDED}))
    tracked = found["tracks_experiments"]
    assert tracked.outcome is FindingOutcome.fail and tracked.locations == []
    assert tracked.message.startswith("not credited: the repository is a library others install (published package drifty: .github/workflows/release.yml:11")
    assert "(src/drifty/core.py)" in tracked.message and "docs/libraries.md" in tracked.message and "mlflow.log_metric" in tracked.message
    assert found["is_reproducible"].outcome is FindingOutcome.fail and "(examples/fit.py)" in found["is_reproducible"].message
    assert found["has_unit_tests"].outcome is FindingOutcome.pass_ and found["has_ci_pipeline"].outcome is FindingOutcome.pass_


def test_evidence_outside_the_package_keeps_the_credit(tmp_path: Path) -> None:
    # the authors' own evaluation runs (an evals/ folder) are theirs, whatever the package offers
    found = findings(library(tmp_path, {"evals/run.py": TRACKED}))
    assert found["tracks_experiments"].outcome is FindingOutcome.pass_
    assert {loc.path for loc in found["tracks_experiments"].locations} >= {"evals/run.py"}


def test_the_same_code_in_a_packaged_project_nobody_installs_is_credited(tmp_path: Path) -> None:
    found = findings(library(tmp_path, readme="# drifty\n\npip install -e .\n", extra={".github/workflows/release.yml": CI}))
    assert found["tracks_experiments"].outcome is FindingOutcome.pass_


def test_a_published_tool_running_its_own_service_keeps_its_package_credit_but_not_its_examples(tmp_path: Path) -> None:
    compose = "services:\n  api:\n    image: acme/drifty-serving:1.2\n    ports: ['8080:8080']\n"
    found = findings(library(tmp_path, {"docker/docker-compose.yml": compose, "examples/fit.py": SEEDED}))
    assert found["tracks_experiments"].outcome is FindingOutcome.pass_  # src/drifty/core.py: the service's own code
    seeded = found["is_reproducible"]
    assert seeded.outcome is FindingOutcome.fail
    assert seeded.message.startswith("not credited: found only in the examples or templates of a package others install") and "(examples/fit.py)" in seeded.message


# --- the vocabulary is data ---------------------------------------------------------------------------


def test_the_shipped_vocabulary_loads() -> None:
    vocab = vocabulary()
    assert "pypa/gh-action-pypi-publish" in vocab.publish_in_ci and "examples" in vocab.examples_folders


def test_a_vocabulary_with_an_unknown_key_is_refused_naming_file_and_key() -> None:
    text = (Path(__file__).parents[2] / "src/mlops_audit/evidence/repo/library.yaml").read_text(encoding="utf-8") + "publish_commands: [twine]\n"
    with pytest.raises(InputError, match=r"library\.yaml:\d+:\d+: publish_commands: Extra inputs are not permitted"):
        parse_vocabulary(text, "library.yaml")


def test_a_vocabulary_of_another_format_is_refused() -> None:
    text = (Path(__file__).parents[2] / "src/mlops_audit/evidence/repo/library.yaml").read_text(encoding="utf-8")
    with pytest.raises(InputError, match=r"library\.yaml:\d+:\d+: format: Input should be 'mlops-audit/library-vocabulary@1'"):
        parse_vocabulary(text.replace("library-vocabulary@1", "library-vocabulary@2"), "library.yaml")


@pytest.mark.parametrize(
    "pyproject",
    [
        '[tool.poetry]\nname = "drifty"\npackages = 5\n',
        '[project]\nname = "drifty"\n[tool.hatch.build]\ntargets = "x"\n',
        '[project]\nname = 7\n',
    ],
)
def test_a_build_file_shaped_unlike_its_schema_is_read_as_declaring_nothing_and_collect_goes_on(tmp_path: Path, pyproject: str) -> None:
    # review10: such files crashed the whole collection with a stack trace (the verdict runs outside any detector)
    root = library(tmp_path, {"pyproject.toml": pyproject})
    judged = verdict(root)
    assert all(isinstance(p.name, str) for p in judged.packages)
    assert findings(root)  # the collection completes


def test_a_setup_py_of_repeated_package_lists_is_read_in_linear_time(tmp_path: Path) -> None:
    # review10: `# packages=[` repeated made the search quadratic; a hostile file must not stall the verdict
    root = library(tmp_path, {"setup.py": "# packages=[" * 80_000 + "\nfrom setuptools import setup\nsetup(name='drifty')\n"})
    assert verdict(root) is not None
