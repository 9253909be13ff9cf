"""A repository that *talks* about every practice and does none gets no pass and no partial.

The decoy below is written the way showcase repositories are: a README with a section on each
practice, configuration files that are empty or placeholders, tests that check constants, an
autoscaler for a workload that exists nowhere, a DVC file without stages, a parameters file no code
reads, a MkDocs site describing an architecture with no system built, CI that only echoes. Each
detector must see through it (issue 18, "substance over presence").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.evidence.repo.collect import collect
from mlops_audit.evidence.repo.model import FindingOutcome

PRACTICES = (
    "Continuous integration", "Unit tests", "Data validation", "Data versioning", "Feature store",
    "Experiment tracking", "Hyperparameter tuning", "Model registry", "Reproducibility", "Containers",
    "Deployment", "Canary releases", "Model serving", "Monitoring", "Retraining", "Pipelines",
    "Design documents", "Pinned dependencies", "Security scanning", "Code owners",
)

README = "# Mature MLOps platform\n\nEverything a mature ML team does, described below.\n\n" + "\n".join(
    f"## {name}\n\nWe practise {name.lower()} on every model with the best tools (MLflow, DVC, Great Expectations, "
    f"Evidently, Optuna, Feast, Kubeflow, Seldon, Argo Rollouts, Trivy, bandit). Coming soon: more {name.lower()}.\n"
    for name in PRACTICES
)

ARCHITECTURE = """# Architecture

The platform is built from a feature store, a training pipeline, a model registry and a serving layer.

## Components

The training pipeline reads features, trains a gradient-boosted model, evaluates it against the current
champion and registers it; the serving layer exposes a REST API with canary releases; monitoring compares
live traffic with the training data and triggers retraining when drift is detected.

## Design decisions

We chose managed services wherever possible so that a small team can run the whole lifecycle.
"""

DECOY: dict[str, str] = {
    "README.md": README,
    "mkdocs.yml": "site_name: Platform\nnav:\n  - Home: index.md\n  - Architecture: architecture.md\n",
    "docs/index.md": "# Platform\n\nSee the architecture page.\n",
    "docs/architecture.md": ARCHITECTURE,
    ".github/workflows/ci.yml": (
        "name: CI\non: [push, pull_request]\njobs:\n  all:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: echo \"tests, security scans and deployment coming soon\"\n"
        "      - run: make check\n"
    ),
    "Makefile": "check: lint test\n\nlint:\n\t@echo \"lint coming soon\"\n\ntest:\n\t@echo \"TODO: tests\"\n",
    "Dockerfile": "FROM scratch\n",
    "tests/test_placeholder.py": "def test_placeholder():\n    assert 1 + 1 == 2\n",
    "tests/test_todo.py": "def test_model():\n    # TODO\n    pass\n",
    "k8s/hpa.yaml": (
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: model-api\nspec:\n"
        "  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: model-api\n  maxReplicas: 10\n"
    ),
    "k8s/rollout.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: model-api\nspec: {}\n",
    "dvc.yaml": "stages: {}\n",
    # Platform descriptors that deploy nothing: a kustomization over a base that is not here, a RayService
    # without a Serve config, a Procfile with only a worker, an App Engine file without an entrypoint,
    # a Pulumi project without a program, an ARM template creating only storage.
    "deploy/overlays/prod/kustomization.yaml": "resources:\n  - ../../base\n",
    "k8s/rayservice.yaml": (
        "apiVersion: ray.io/v1\nkind: RayService\nmetadata:\n  name: model-api\nspec:\n  rayClusterConfig:\n"
        "    headGroupSpec:\n      template:\n        spec:\n          containers:\n            - {name: head, image: rayproject/ray:2.9.0}\n"
    ),
    "Procfile": "worker: echo \"serving coming soon\"\n",
    "app.yaml": "runtime: python311\n",
    "Pulumi.yaml": "name: platform\nruntime: python\n",
    "infra/azuredeploy.json": (
        '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", '
        '"resources": [{"type": "Microsoft.Storage/storageAccounts", "name": "data"}]}\n'
    ),
    "params.yaml": "learning_rate: 0.1\nseed: 42\nn_estimators: 100\n",
    "feature_repo/feature_store.yaml": "# TODO: configure Feast\n",
    "great_expectations/great_expectations.yml": "# coming soon\n",
    "monitoring/evidently.yaml": "",
    "mlflow/MLproject": "",
    "requirements.txt": "mlflow\ndvc\ngreat-expectations\nevidently\noptuna\nfeast\nkfp\nseldon-core\n",
    ".pre-commit-config.yaml": "repos: []\n",
    "CODEOWNERS": "# owners to be decided\n",
    "src/__init__.py": "",
    "src/train.py": "def train():\n    pass\n",
    "src/serve.py": "# TODO: serve the model\n",
    "src/monitor.py": "def monitor():\n    print(\"monitoring coming soon\")\n",
    "src/pipeline.py": "def pipeline():\n    \"\"\"Prepare, train, evaluate, register.\"\"\"\n",
    "scripts/retrain.sh": "echo retraining coming soon\n",
}


@pytest.fixture
def decoy(tmp_path: Path) -> Path:
    root = tmp_path / "decoy"
    for rel, text in DECOY.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_repository_that_only_talks_about_every_practice_gets_no_pass_and_no_partial(decoy: Path) -> None:
    result = collect(decoy)
    assert len(result.findings) >= 20  # every detector ran (not an empty result passing by default)
    credited = {f.detector: f.message for f in result.findings if f.outcome in (FindingOutcome.pass_, FindingOutcome.partial)}
    assert credited == {}
    errors = {f.detector: f.message for f in result.findings if f.outcome is FindingOutcome.error}
    assert errors == {}


@pytest.mark.parametrize(
    ("detector", "says"),
    [
        ("has_unit_tests", "only constants"),
        ("has_deployment_manifest", "no workload"),
        ("has_ci_pipeline", "do nothing"),
        ("has_container", "only a base image"),
        ("has_design_docs", "no system is built"),
    ],
)
def test_decoy_findings_say_what_was_checked(decoy: Path, detector: str, says: str) -> None:
    finding = next(f for f in collect(decoy).findings if f.detector == detector)
    assert finding.outcome is FindingOutcome.fail
    assert says in finding.message
