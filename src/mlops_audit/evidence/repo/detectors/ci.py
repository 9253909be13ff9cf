"""Continuous integration: does a pipeline run automatically on changes?"""

from __future__ import annotations

from mlops_audit.evidence.repo.ciconfig import CLOUD_BUILD_WORDS, ci_configs
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Confidence, Kind
from mlops_audit.evidence.repo.registry import Observation, at, detector


@detector(
    id="has_ci_pipeline",
    title="Does the repo have a CI/CD pipeline that runs automatically on changes?",
    kind=Kind.ci_pipeline,
    remediation=(
        "Add a CI workflow (e.g. .github/workflows/ci.yml with `on: [push, pull_request]`, or .gitlab-ci.yml) "
        "that installs the project and runs its tests on every push and pull request."
    ),
    words=CLOUD_BUILD_WORDS,
)
def has_ci_pipeline(repo: RepoIndex) -> Observation:
    configs = ci_configs(repo)
    automatic = [c for c in configs if c.automatic]
    if automatic:
        systems = sorted({c.system for c in automatic})
        confident = any(c.confident for c in automatic)
        return Observation.passed(
            f"{len(automatic)} automatic CI configuration(s) ({', '.join(systems)}): "
            + "; ".join(f"{c.path} {c.note}" for c in automatic[:3]),
            [at(c.path, c.line) for c in automatic],
            confidence=None if confident else Confidence.medium,
        )
    if configs:
        return Observation.failed(
            "CI is configured but never runs on its own: " + "; ".join(f"{c.path} {c.note}" for c in configs[:3]),
            [at(c.path, c.line) for c in configs],
        )
    return Observation.failed(
        "no CI configuration found (looked for GitHub Actions, GitLab CI, Azure Pipelines, Jenkins, CircleCI, "
        "Cloud Build, CodeBuild, Bitbucket, Travis, Drone, Buildkite)"
    )
