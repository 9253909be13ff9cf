"""Conventions §9: a compose file that runs the project's own workload declares a deployment as code
(partial credit: one host, no orchestrator); compose files of infrastructure, tests, notebooks, idle
shells, examples or scripts that are not here declare nothing of this system."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"
DOCKERFILE = "FROM python:3.12-slim\nCOPY . /app\nCMD [\"uvicorn\", \"app.main:app\"]\n"


def _manifest(root: Path) -> tuple[FindingOutcome, str]:
    return _outcome(root, "has_deployment_manifest")


def test_a_compose_service_built_from_the_repository_is_a_partial_deployment_manifest(tmp_path: Path) -> None:
    compose = "services:\n  api:\n    build: .\n    ports: ['8000:8000']\n  db:\n    image: postgres:16\n"
    outcome, message = _manifest(_tree(tmp_path, {"app/main.py": APP, "Dockerfile": DOCKERFILE, "docker-compose.yml": compose}))
    assert outcome is FindingOutcome.partial
    assert "compose service 'api' built from Dockerfile" in message and "no orchestrator" in message


def test_a_build_context_with_its_own_dockerfile_is_followed_from_the_compose_files_folder(tmp_path: Path) -> None:
    compose = "services:\n  worker:\n    build:\n      context: ../worker\n      dockerfile: Dockerfile.gpu\n"
    root = _tree(tmp_path, {"worker/Dockerfile.gpu": DOCKERFILE, "worker/run.py": APP, "deploy/docker-compose.yaml": compose})
    assert _manifest(root)[0] is FindingOutcome.partial
    # the same compose file pointing at a Dockerfile that is not in the repository builds nothing here
    elsewhere = _tree(tmp_path / "b", {"worker/run.py": APP, "deploy/docker-compose.yaml": compose})
    assert _manifest(elsewhere)[0] is FindingOutcome.fail


def test_a_tool_image_running_the_repositorys_dags_is_the_projects_pipeline(tmp_path: Path) -> None:
    compose = (
        "x-airflow-common: &common\n  image: ${AIRFLOW_IMAGE_NAME:-apache/airflow:2.8.2}\n"
        "  volumes:\n    - ${AIRFLOW_PROJ_DIR:-.}/dags:/opt/airflow/dags\n"
        "services:\n  airflow-scheduler:\n    <<: *common\n    command: scheduler\n  postgres:\n    image: postgres:13\n"
    )
    root = _tree(tmp_path, {"dags/train_dag.py": "from airflow import DAG\n", "docker-compose.yaml": compose})
    outcome, message = _manifest(root)
    assert outcome is FindingOutcome.partial and "running the repository's dags/" in message
    # the same stack with an empty dags folder mounted runs none of the project's code
    empty = _tree(tmp_path / "b", {"dags/README.md": "put DAGs here\n", "docker-compose.yaml": compose})
    assert _manifest(empty)[0] is FindingOutcome.fail


def test_an_image_this_repositorys_ci_builds_is_the_projects_service(tmp_path: Path) -> None:
    workflow = (
        "on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: docker build -t acme/churn-api:latest . && docker push acme/churn-api:latest\n"
    )
    compose = "services:\n  api:\n    image: acme/churn-api:latest\n    restart: always\n"
    root = _tree(tmp_path, {".github/workflows/image.yml": workflow, "Dockerfile": DOCKERFILE, "app/main.py": APP, "docker-compose.yml": compose})
    assert _manifest(root)[0] is FindingOutcome.partial
    # someone else's image is third-party infrastructure
    other = "services:\n  api:\n    image: someone/else-api:latest\n"
    assert _manifest(_tree(tmp_path / "b", {".github/workflows/image.yml": workflow, "docker-compose.yml": other}))[0] is FindingOutcome.fail


def test_a_compose_file_under_another_name_is_recognised_by_its_services(tmp_path: Path) -> None:
    production = "services:\n  flask:\n    build: .\n    command: gunicorn app.main:app\n  worker:\n    build: .\n"
    root = _tree(tmp_path, {"app/main.py": APP, "Dockerfile": DOCKERFILE, "production.yml": production})
    assert _manifest(root)[0] is FindingOutcome.partial
    # a root YAML file whose `services` are not containers is not a compose file
    other = "services:\n  cache:\n    enabled: true\n"
    assert _manifest(_tree(tmp_path / "b", {"app/main.py": APP, "Dockerfile": DOCKERFILE, "settings.yml": other}))[0] is FindingOutcome.fail


def test_infrastructure_tests_notebooks_idle_shells_and_examples_deploy_nothing_of_the_system(tmp_path: Path) -> None:
    files = {"app/main.py": APP, "Dockerfile": DOCKERFILE}
    near_misses = {
        "infrastructure only": {"docker-compose.yml": "services:\n  db:\n    image: postgres:16\n  mlflow:\n    image: ghcr.io/mlflow/mlflow\n"},
        "named for tests": {"docker-compose.test.yml": "services:\n  api:\n    build: .\n"},
        "inside tests": {"tests/docker-compose.yml": "services:\n  api:\n    build: ..\n"},
        "runs the test suite": {"docker-compose.yml": "services:\n  api:\n    build: .\n    command: pytest -q\n"},
        "notebook server": {"docker-compose.yml": "services:\n  lab:\n    build: .\n    command: jupyter lab --ip 0.0.0.0\n"},
        "idle shell": {"docker-compose.yml": "services:\n  app:\n    build: .\n    command: sleep infinity\n"},
        "a development workspace by name": {"docker-compose.yml": "services:\n  workspace:\n    build: .\n"},
        "a development workspace by its Dockerfile's folder": {
            "infrastructure/dev/Dockerfile": DOCKERFILE,
            "docker-compose.yml": "services:\n  env:\n    build:\n      context: .\n      dockerfile: infrastructure/dev/Dockerfile\n",
        },
        "an example's stack": {"examples/spark/docker-compose.yml": "services:\n  spark:\n    build: ../..\n"},
        "a build context outside the repository": {"docker-compose.yml": "services:\n  api:\n    build:\n      context: ../outside\n"},
        "a Dockerfile outside the repository": {"docker-compose.yml": "services:\n  api:\n    build:\n      context: .\n      dockerfile: ../../Dockerfile\n"},
        "an absolute Dockerfile": {"docker-compose.yml": "services:\n  api:\n    build:\n      context: /\n      dockerfile: /Dockerfile\n"},
        "a volume leaving the repository": {"docker-compose.yml": "services:\n  job:\n    image: python:3.12\n    volumes: ['./app/../../x:/y']\n"},
        "a script that is not here": {"docker-compose.yml": "services:\n  app:\n    build: .\n    command: python src/main.py\n"},
    }
    for case, extra in near_misses.items():
        root = _tree(tmp_path / case.replace(" ", "_").replace("'", ""), {**files, **extra})
        assert _manifest(root)[0] is FindingOutcome.fail, case


def test_an_orchestrator_manifest_beside_compose_keeps_the_full_pass(tmp_path: Path) -> None:
    k8s = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - {name: api, image: acme/api:1.0}\n"
    )
    compose = "services:\n  api:\n    build: .\n"
    root = _tree(tmp_path, {"app/main.py": APP, "Dockerfile": DOCKERFILE, "docker-compose.yml": compose, "k8s/deployment.yaml": k8s})
    assert _manifest(root)[0] is FindingOutcome.pass_


def test_a_hostile_streamlit_command_line_is_searched_in_linear_time(tmp_path: Path) -> None:
    # review10: `streamlit run --a\\--a\\...` made the command pattern backtrack exponentially
    command = "streamlit run " + "--a\\" * 60 + "!"
    compose = "services:\n  ui:\n    build: .\n    command: '" + command + "'\n"
    root = _tree(tmp_path, {"app/main.py": APP, "Dockerfile": DOCKERFILE, "docker-compose.yml": compose})
    assert _outcome(root, "serves_model")[0] is FindingOutcome.fail


def test_thousands_of_volumes_in_one_service_are_capped(tmp_path: Path) -> None:
    volumes = "".join(f"      - ./v{n}:/x{n}\n" for n in range(20_000))
    compose = "services:\n  job:\n    image: python:3.12\n    volumes:\n" + volumes
    root = _tree(tmp_path, {"app/main.py": APP, "docker-compose.yml": compose})
    assert _manifest(root)[0] is FindingOutcome.fail
