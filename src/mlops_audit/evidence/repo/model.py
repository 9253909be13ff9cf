"""The collector's contract: findings and the collection result (published as a JSON Schema)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FindingOutcome(StrEnum):
    pass_ = "pass"
    partial = "partial"  # the practice is there but incomplete; the message says what is missing, with counts
    fail = "fail"
    not_applicable = "not_applicable"  # cannot be observed from the files (reason in the message)
    error = "error"  # the detector crashed; the message says how


class Confidence(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


class Kind(StrEnum):
    """What a finding is evidence of (issue 8 §3; two more for git history signals)."""

    ci_pipeline = "ci_pipeline"
    unit_tests = "unit_tests"
    data_validation = "data_validation"
    data_versioning = "data_versioning"
    experiment_tracking = "experiment_tracking"
    hyperparameter_tuning = "hyperparameter_tuning"
    model_registry = "model_registry"
    containerization = "containerization"
    deployment_manifest = "deployment_manifest"
    progressive_delivery = "progressive_delivery"
    model_serving = "model_serving"
    monitoring = "monitoring"
    retraining_trigger = "retraining_trigger"
    pipeline_orchestration = "pipeline_orchestration"
    feature_store = "feature_store"
    design_docs = "design_docs"
    dependency_pinning = "dependency_pinning"
    security_scanning = "security_scanning"
    code_ownership = "code_ownership"
    reproducibility = "reproducibility"
    separation_of_duties = "separation_of_duties"  # git: different people change training and deployment
    release_tagging = "release_tagging"  # git: tagged releases


class Location(Model):
    path: Annotated[str, Field(min_length=1, description="repository-relative, '/'-separated")]
    line: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="1-based line; absent for whole-file evidence and notebook cells"
    )


class Finding(Model):
    detector: str
    kind: Kind
    outcome: FindingOutcome
    title: str
    locations: list[Location] = Field(default_factory=list)
    criteria: list[str] = Field(default_factory=list, description="rubric criterion ids this detector evidences")
    confidence: Confidence
    message: str
    hints: list[str] = Field(
        default_factory=list,
        description="declared dependencies of tools for this kind ('evidently (requirements.txt:3)'): hints for a person, never evidence",
    )


class AreaActivity(Model):
    commits: int
    authors: int


class BotActivity(Model):
    commits: int
    last_commit: str  # ISO time of the latest one


class GitSignals(Model):
    """History signals; `present` is false (with the reason) when the root is not a git work tree."""

    present: bool
    reason: str | None = None
    head: str | None = None
    shallow: bool = False
    commits: int = 0
    commits_last_90_days: int = 0
    commits_last_365_days: int = 0
    history_truncated: bool = False
    contributors: int = 0
    contributors_last_365_days: int = 0
    first_commit: str | None = None
    last_commit: str | None = None
    tags: int = 0
    release_tags: int = 0  # tags named like versions (v1.2, 1.2.3, release-1.0)
    registry_tags: int = 0  # GTO model-registry tags (name@v1.2.3, name#stage#1)
    latest_tag: str | None = None
    # area -> how many commits touched it and how many distinct authors made them
    areas: dict[str, AreaActivity] = Field(default_factory=dict)
    # pairs "a+b" -> authors who changed both areas
    shared_authors: dict[str, int] = Field(default_factory=dict)
    # bot -> commits of a dependency-update service known by its address ("dependabot", "snyk"): Dependabot's
    # without a version-update configuration can only be security updates; Snyk's come from its scanning
    dependency_bots: dict[str, BotActivity] = Field(default_factory=dict)


class DocumentationTree(Model):
    """A documentation site's source tree (or built site) whose code was left out: illustrations, not the project's practice."""

    path: str = Field(description="the folder, repository-relative ('' = the repository root)")
    config: str = Field(description="the site configuration that makes it one (mkdocs.yml, a Sphinx conf.py, _toc.yml, _quarto.yml)")
    why: str = Field(description="which part of the site it is: 'MkDocs docs_dir', 'Sphinx built site', 'MkDocs site with no project files (whole folder)'...")
    code_files: int = Field(description="Python files and notebooks of it left out")


class LearningTree(Model):
    """A tree of teaching or learning material whose code was left out: lessons show a practice, they are not a team's practice."""

    path: str = Field(description="the folder, repository-relative ('' = the whole repository)")
    why: str = Field(description="which rule took it: 'lesson series: 100 numbered lessons (day-001/...)...', 'teaching material with no project files: README.md speaks of a workshop', 'a reference solution beside its skeleton: ...'")
    code_files: int = Field(description="Python files and notebooks of it left out")
    other_files: int = Field(
        default=0, description="other files of it left out: a lesson's dependency list; every non-document file (Dockerfile, manifests, CI) of an exercise"
    )


class LearningMaterialVerdict(Model):
    """The repository-level judgement an assessor sees first: is this repository (or part of it)
    teaching or learning material rather than a team's system?"""

    verdict: Literal["course", "partly", "none"] = Field(
        default="none",
        description="course: the repository is learning material (a repository-level rule, or all its code is lessons); partly: some trees are; none",
    )
    reasons: list[str] = Field(default_factory=list, description="why: the README's own words and each rule that took a tree (first 20)")
    code_share: float = Field(default=0.0, ge=0, le=1, description="share of the repository's Python files and notebooks judged learning material")
    code_files: int = Field(default=0, description="Python files and notebooks judged learning material")
    other_files: int = Field(default=0, description="other files judged learning material (dependency lists, exercises' Dockerfiles, manifests, CI)")
    counted: bool = Field(
        default=False,
        description="true when the assessor chose to count learning material as project code (collect --count-learning-material): nothing was left out and the verdict is shown only",
    )
    declared: bool = Field(
        default=False,
        description="true when the assessor declared the repository learning material (collect --learning-material): it is taken whole whatever the rules decided",
    )


class NotProjectCode(Model):
    """Other people's code found in the tree and left out of the listing for every detector."""

    installed_distributions: int = Field(default=0, description="installed distributions whose files were left out (their RECORD / installed-files.txt checked out)")
    installed_files: int = Field(default=0, description="files of those distributions left out")
    installed_python_files: int = Field(default=0, description="of which Python files and notebooks")
    vendored_folders: int = Field(default=0, description="vendored or environment folders not entered (vendor/, third_party/, node_modules/, site-packages/, .venv/...)")
    folders: list[str] = Field(
        default_factory=list,
        description="the installed distributions' metadata folders, then the vendored folders, each in path order (first 200)",
    )
    documentation_code_files: int = Field(
        default=0, description="Python files and notebooks left out because they live in a documentation site's source tree or built site"
    )
    documentation_trees: list[DocumentationTree] = Field(
        default_factory=list, description="the documentation trees whose code was left out, in path order (first 200)"
    )
    learning_code_files: int = Field(
        default=0, description="Python files and notebooks left out as teaching or learning material (lesson series, a course or workshop repository with no project files)"
    )
    learning_trees: list[LearningTree] = Field(default_factory=list, description="the learning-material trees whose code was left out, in path order (first 200)")


class CollectionStats(Model):
    listing: str
    listing_note: str | None = None
    files_listed: int
    truncated: bool
    skipped_links_or_special: int
    files_read: int
    bytes_read: int
    skipped_too_large: int
    unreadable: int
    parse_problems: int
    problems: list[str] = Field(default_factory=list, description="files that could not be parsed (the first 200 met, in path order)")
    not_project_code: NotProjectCode = Field(default_factory=NotProjectCode, description="installed distributions and vendored folders left out")
    learning_material: LearningMaterialVerdict = Field(
        default_factory=LearningMaterialVerdict, description="whether the repository is teaching or learning material (its trees: not_project_code.learning_trees)"
    )


class CollectionResult(Model):
    repo: str = Field(description="the scanned folder's name")
    tool_version: str
    rubric: dict[str, str] | None = Field(default=None, description="id, version and digest of the rubric used")
    findings: list[Finding]
    git: GitSignals
    stats: CollectionStats


class ProjectCollection(Model):
    path: str = Field(description="the sub-project's folder, repository-relative")
    markers: list[str] = Field(description="the build/CI/pipeline files that make it a project")
    result: CollectionResult


class ProjectsCollection(Model):
    """`collect --per-project`: the whole repository (roll-up) and each sub-project found in it."""

    format: str = "mlops-audit/projects@1"
    repo: str
    overall: CollectionResult = Field(description="the roll-up: the whole repository scanned as one")
    projects: list[ProjectCollection]
    truncated: bool = Field(default=False, description="more sub-projects than are reported")
