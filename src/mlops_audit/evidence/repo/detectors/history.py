"""Git history: separation of duties between training and deployment changes; tagged releases."""

from __future__ import annotations

from mlops_audit.evidence.repo.git import classify_paths
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Confidence, Kind
from mlops_audit.evidence.repo.registry import Observation, detector


@detector(
    id="separates_duties_in_git",
    upkeep=True,
    reads_history=True,
    title="Do different people change training code and deployment configuration?",
    kind=Kind.separation_of_duties,
    remediation=(
        "Separate the roles: have deployment paths (deploy/, k8s/, helm/, Dockerfile, infra) changed or approved "
        "by people other than the model's developers, e.g. enforced with CODEOWNERS and required reviews."
    ),
    confidence=Confidence.medium,
)
def separates_duties_in_git(repo: RepoIndex) -> Observation:
    git = repo.git_signals()
    if not git.present:
        return Observation.not_applicable(git.reason or "no git history")
    training, deployment = git.areas.get("training"), git.areas.get("deployment")
    if not training or not training.commits or not deployment or not deployment.commits:
        missing = "training" if not training or not training.commits else "deployment"
        return Observation.not_applicable(f"no commit in the history changes {missing} paths, so who changes what cannot be compared")
    for side, activity in (("training", training), ("deployment", deployment)):
        if not activity.authors:
            return Observation.not_applicable(
                f"only bots or coding agents changed {side} paths ({activity.commits} commit(s)): "
                "no person on that side, so who changes what cannot be compared"
            )
    now = classify_paths(list(repo.files))
    gone = [area for area in ("training", "deployment") if not now.get(area)]
    if gone:
        # The history's changes concern code that has since left the repository (moved to template
        # or product repositories): who changed it says nothing about who changes this system.
        return Observation.not_applicable(
            f"the repository no longer has {' or '.join(gone)} paths (its history changed some that were removed since), "
            "so duties on this system cannot be compared"
        )
    shared = git.shared_authors.get("training+deployment", 0)
    summary = (
        f"{training.authors} author(s) changed training paths, {deployment.authors} changed deployment paths, "
        f"{shared} changed both"
    )
    shallow = " (shallow clone: history incomplete)" if git.shallow else ""
    if shared < training.authors and shared < deployment.authors:
        return Observation.passed(
            f"{summary}: some people only train, others only deploy{shallow}", confidence=Confidence.low if git.shallow else None
        )
    if training.authors == deployment.authors == shared == 1:
        return Observation.failed(f"{summary}: one person changes both training and deployment{shallow}")
    return Observation.failed(f"{summary}: everyone on one side also works on the other, so no independent deployer or developer{shallow}")


@detector(
    id="tags_releases",
    upkeep=True,
    reads_history=True,
    title="Does the repo tag its releases in git?",
    kind=Kind.release_tagging,
    remediation="Tag every release (e.g. `git tag -a v1.4.0`) so a deployed model and its code can be traced to an exact version.",
)
def tags_releases(repo: RepoIndex) -> Observation:
    git = repo.git_signals()
    if not git.present:
        return Observation.not_applicable(git.reason or "no git history")
    if git.tags:
        return Observation.passed(f"{git.tags} tag(s), {git.release_tags} named like versions; latest: {git.latest_tag}")
    if git.shallow:
        return Observation.not_applicable("shallow clone without tags: tags may exist upstream but were not fetched")
    return Observation.failed(f"no tags in a history of {git.commits} commit(s)")
