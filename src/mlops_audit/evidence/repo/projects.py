"""Repositories holding several projects: find each sub-project from its own build, CI or pipeline
files, collect evidence for each, and keep the whole repository's collection as the roll-up."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from mlops_audit.evidence.repo.collect import collect_with_index
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.model import CollectionResult, ProjectCollection, ProjectsCollection
from mlops_audit.rubric.loader import LoadedRubric

# Files that make a folder a project of its own: how it is built, installed, run in CI or as a pipeline.
PROJECT_MARKERS = (
    "pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "environment.yml", "environment.yaml", "package.json",
    "dvc.yaml", "MLproject", "Dockerfile", "Jenkinsfile", "azure-pipelines.yml", ".gitlab-ci.yml", "kustomization.yaml",
)
MAX_PROJECT_DEPTH = 3
MAX_PROJECTS = 50


def find_projects(files: list[str]) -> list[tuple[str, list[str]]]:
    """(folder, markers) of the outermost sub-folders (depth <= 3, not test or fixture folders)
    holding a project marker of their own; folders inside a found project belong to it."""
    found: dict[str, list[str]] = {}
    for path in files:
        folder, _, name = path.rpartition("/")
        if not folder or name not in PROJECT_MARKERS or folder.count("/") >= MAX_PROJECT_DEPTH or is_test_path(path + "/"):
            continue
        if any(part.startswith(".") for part in folder.split("/")) or is_test_path(folder + "/x.py"):
            continue
        found.setdefault(folder, []).append(name)
    outermost = [f for f in sorted(found) if not any(f.startswith(other + "/") for other in found)]
    return [(folder, sorted(found[folder])) for folder in outermost[:MAX_PROJECTS]]


def collect_projects(
    repo_path: str | os.PathLike[str],
    *,
    rubric: LoadedRubric | None = None,
    now: datetime | None = None,
    count_learning_material: bool = False,
    declared_learning_material: bool = False,
) -> ProjectsCollection:
    """The whole repository's collection (the roll-up) and one collection per sub-project (those in
    learning material only when `count_learning_material`: an exercise is not a sub-project). A
    repository the assessor declared learning material is declared so in its roll-up; the
    sub-projects left in it (capstones and final projects, which its rules spare) are judged as found."""
    overall, index = collect_with_index(
        repo_path, rubric=rubric, now=now, count_learning_material=count_learning_material, declared_learning_material=declared_learning_material
    )
    projects = []
    for folder, markers in find_projects(list(index.files)):
        result, _ = collect_with_index(Path(repo_path) / folder, rubric=rubric, now=now, count_learning_material=count_learning_material)
        projects.append(ProjectCollection(path=folder, markers=markers, result=result))
    return ProjectsCollection(repo=overall.repo, overall=overall, projects=projects, truncated=len(projects) >= MAX_PROJECTS)


def summary_line(collection: ProjectsCollection) -> str:
    def passed(result: CollectionResult) -> int:
        return sum(1 for f in result.findings if f.outcome.value == "pass")

    parts = [f"{p.path}: {passed(p.result)} pass" for p in collection.projects]
    return f"{len(collection.projects)} sub-project(s)" + (f" ({'; '.join(parts)})" if parts else "") + f"; roll-up: {passed(collection.overall)} pass"
