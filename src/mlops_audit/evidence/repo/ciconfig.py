"""CI/CD configuration files: which systems are configured, what triggers them, what they run.

Shared by the detectors that read CI (the CI pipeline itself, security scanning, retraining
triggers). Everything comes from parsed YAML/JSON values, so commented-out lines never count.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.places import CI_FOLDERS
from mlops_audit.util.safeyaml import LocatedDocument

# GitHub Actions events that start a workflow without a person pressing a button.
AUTOMATIC_EVENTS = frozenset(
    {"push", "pull_request", "pull_request_target", "merge_group", "schedule", "workflow_run", "release", "repository_dispatch"}
)
GITLAB_RESERVED = frozenset(
    {"image", "services", "stages", "types", "before_script", "after_script", "variables", "cache", "include", "default", "workflow"}
)


@dataclass(frozen=True)
class CiConfig:
    system: str
    path: str
    line: int | None
    automatic: bool  # runs without manual action (as far as the file says)
    note: str
    confident: bool = True  # False when the trigger lives outside the repository or parsing fell back to text


def _doc_line(doc: LocatedDocument, *key: str | int) -> int | None:
    pos = doc.locate(tuple(key))
    return pos[0] if pos else None


def workflow_triggers(doc: LocatedDocument) -> tuple[set[str], Any, int | None]:
    """GitHub Actions `on:` events. YAML 1.1 reads a bare `on` key as boolean true, hence "True"."""
    data = doc.data if isinstance(doc.data, dict) else {}
    for key in ("on", "True"):
        if key in data:
            value = data[key]
            if isinstance(value, str):
                events = {value}
            elif isinstance(value, list):
                events = {str(v) for v in value}
            elif isinstance(value, dict):
                events = {str(k) for k in value}
            else:
                events = set()
            return events, value, _doc_line(doc, key)
    return set(), None, None


def _github(repo: RepoIndex, path: str) -> CiConfig | None:
    doc = repo.yaml(path)
    if doc is None or not isinstance(doc.data, dict):
        return None
    jobs = doc.data.get("jobs")
    runnable = isinstance(jobs, dict) and any(
        isinstance(j, dict) and ((isinstance(j.get("steps"), list) and j["steps"]) or j.get("uses")) for j in jobs.values()
    )
    if not runnable:
        return None
    events, _, line = workflow_triggers(doc)
    automatic = sorted(events & AUTOMATIC_EVENTS)
    if started_from_outside(repo, events & AUTOMATIC_EVENTS):
        return CiConfig(
            "GitHub Actions", path, line, False,
            "only runs on repository_dispatch, which nothing here that runs on its own sends (a call from outside, or a chain started by hand)",
        )
    if automatic:
        return CiConfig("GitHub Actions", path, line, True, f"runs on {', '.join(automatic)}")
    return CiConfig("GitHub Actions", path, line, False, f"only runs on {', '.join(sorted(events)) or 'no event'}")


# Rule `dispatched from outside`: a workflow started only by `repository_dispatch` runs when someone
# calls GitHub's dispatch API. It is automatic when something of this repository that runs on its own
# sends that call: a workflow with an automatic trigger of its own (the repository-dispatch action,
# `gh api .../dispatches`), or a script of the repository that sends it (PyGithub's
# create_repository_dispatch, curl): who runs the script is not known, so any such script counts. A
# chain started by hand (a `workflow_dispatch` workflow dispatching the next) is manual.
_DISPATCH_SENDERS = ("repository-dispatch@", "/dispatches", "create_repository_dispatch", "repository_dispatch(")
_SELF_STARTING = AUTOMATIC_EVENTS - {"repository_dispatch"}
MAX_SCRIPTS = 500  # shell scripts read for a dispatch call
DISPATCH_NEEDLES = ("create_repository_dispatch", "dispatches")  # declared by has_ci_pipeline for the one scan


def started_from_outside(repo: RepoIndex, triggers: set[str]) -> bool:
    """A workflow's only automatic trigger is `repository_dispatch`, and nothing here that runs on
    its own sends one (the rule above): it runs by hand or at another system's call."""
    return triggers == {"repository_dispatch"} and not sends_dispatches(repo)


def sends_dispatches(repo: RepoIndex) -> bool:
    def sends(path: str) -> bool:
        text = repo.text(path) or ""
        return any(sender in text for sender in _DISPATCH_SENDERS)

    def find() -> bool:
        for path in repo.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
            doc = repo.yaml(path)
            if doc is not None and workflow_triggers(doc)[0] & _SELF_STARTING and sends(path):
                return True
        # Python through the needle scan (no file read twice); shell scripts by text, at most MAX_SCRIPTS.
        if any(sends(summary.path) for summary in repo.python_mentioning(*DISPATCH_NEEDLES)):
            return True
        return any(sends(path) for path in repo.with_suffix(".sh")[:MAX_SCRIPTS])

    return bool(repo.memo("ciconfig.sends_dispatches", find))


def _gitlab_jobs(doc: LocatedDocument | None) -> list[str]:
    if doc is None or not isinstance(doc.data, dict):
        return []
    return [
        k
        for k, v in doc.data.items()
        if k not in GITLAB_RESERVED and not k.startswith(".") and isinstance(v, dict) and ({"script", "trigger", "extends", "run"} & set(v))
    ]


def _gitlab(repo: RepoIndex, path: str) -> CiConfig | None:
    doc = repo.yaml(path)
    if doc is not None and isinstance(doc.data, dict):
        jobs = _gitlab_jobs(doc)
        if jobs:
            return CiConfig("GitLab CI", path, _doc_line(doc, jobs[0]), True, f"{len(jobs)} job(s)")
        if doc.data.get("include"):
            included = [rel for rel in repo.ci_included_files([path]) if _gitlab_jobs(repo.yaml(rel))]
            if included:
                return CiConfig("GitLab CI", path, _doc_line(doc, "include"), True, f"jobs in included {', '.join(included[:3])}")
            return CiConfig("GitLab CI", path, _doc_line(doc, "include"), True, "jobs come from included files", confident=False)
        return None
    # YAML that did not parse (a syntax error, a refused expansion): fall back to the text.
    for number, line in repo.meaningful_lines(path):
        if line.startswith("script:"):
            return CiConfig("GitLab CI", path, number, True, "job scripts found (file not parsed as YAML)", confident=False)
    return None


def _azure(repo: RepoIndex, path: str) -> CiConfig | None:
    doc = repo.yaml(path)
    if doc is None or not isinstance(doc.data, dict) or not ({"steps", "jobs", "stages", "extends"} & set(doc.data)):
        return None
    named_as_pipeline = path.rsplit("/", 1)[-1].startswith("azure-pipelines")
    if not named_as_pipeline and not ({"trigger", "pr", "schedules", "pool", "resources"} & set(doc.data)):
        return None  # a template included by other pipelines, not a pipeline of its own
    trigger, pr = doc.data.get("trigger", "default"), doc.data.get("pr", "default")
    manual = trigger == "none" and pr in ("none", "default") and not doc.data.get("schedules")
    line = _doc_line(doc, "trigger") or _doc_line(doc, next(iter(doc.data)))
    if manual:
        return CiConfig("Azure Pipelines", path, line, False, "trigger: none (manual only)")
    return CiConfig("Azure Pipelines", path, line, True, "runs on push/PR (Azure Pipelines defaults)")


def _mapping_with(system: str, keys: set[str], *, confident: bool = True, note: str = "") -> Callable[[RepoIndex, str], CiConfig | None]:
    def check(repo: RepoIndex, path: str) -> CiConfig | None:
        data: Any
        if path.endswith(".json"):
            data, line = repo.json(path), 1
        else:
            doc = repo.yaml(path)
            data = doc.data if doc else None
            line = None
            if isinstance(data, dict):
                found = sorted(keys & set(data))
                line = _doc_line(doc, found[0]) if found and doc else None
        if isinstance(data, dict) and keys & set(data) and any(data[k] for k in keys & set(data)):
            return CiConfig(system, path, line, True, note or f"defines {', '.join(sorted(keys & set(data)))}", confident)
        return None

    return check


def _jenkins(repo: RepoIndex, path: str) -> CiConfig | None:
    lines = repo.meaningful_lines(path, comment="//")
    text = "\n".join(line for _, line in lines)
    if ("pipeline" in text or "node" in text) and "stage" in text:
        return CiConfig("Jenkins", path, lines[0][0], True, "declares stages (trigger configured in Jenkins)", confident=False)
    return None


def _gitea(repo: RepoIndex, path: str) -> CiConfig | None:
    """Gitea and Forgejo Actions run `.gitea/workflows/` and `.forgejo/workflows/` with GitHub's
    workflow syntax (their documentation: "compatible with GitHub Actions")."""
    config = _github(repo, path)
    return dataclasses.replace(config, system="Gitea/Forgejo Actions") if config is not None else None


def _cirrus(repo: RepoIndex, path: str) -> CiConfig | None:
    """Cirrus CI runs `.cirrus.yml`: tasks are top-level keys named `task` or ending in `_task`."""
    doc = repo.yaml(path)
    data = doc.data if doc is not None else None
    tasks = [k for k in data if isinstance(k, str) and (k == "task" or k.endswith("_task"))] if isinstance(data, dict) else []
    if not tasks or doc is None:
        return None
    return CiConfig("Cirrus CI", path, _doc_line(doc, tasks[0]), True, f"{len(tasks)} task(s) run on pushes/PRs (Cirrus CI)")


_PAC_EVENT = "pipelinesascode.tekton.dev/on-event"
_PAC_CEL = "pipelinesascode.tekton.dev/on-cel-expression"


def _tekton(repo: RepoIndex, path: str) -> CiConfig | None:
    """Pipelines-as-Code runs the PipelineRuns of `.tekton/` whose annotations name the repository
    events that start them (`pipelinesascode.tekton.dev/on-event: "[pull_request, push]"`, or an
    `on-cel-expression`); a PipelineRun without one is started by hand or by another system."""
    for doc in repo.yaml_documents(path):
        data = doc.data if isinstance(doc.data, dict) else {}
        metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        annotations = metadata.get("annotations") if isinstance(metadata.get("annotations"), dict) else {}
        if data.get("kind") == "PipelineRun" and (annotations.get(_PAC_EVENT) or annotations.get(_PAC_CEL)):
            events = str(annotations.get(_PAC_EVENT) or "a CEL expression")
            return CiConfig("Tekton Pipelines-as-Code", path, _doc_line(doc, "metadata"), True, f"PipelineRun started on {events}")
    return None


CI_SYSTEMS: tuple[tuple[tuple[str, ...], Callable[[RepoIndex, str], CiConfig | None]], ...] = (
    ((".github/workflows/*.yml", ".github/workflows/*.yaml"), _github),
    ((".gitlab-ci.yml", ".gitlab-ci.yaml"), _gitlab),
    (("azure-pipelines.yml", "azure-pipelines.yaml", "**/azure-pipelines*.yml", "**/azure-pipelines*.yaml", ".azure-pipelines/**/*.yml", ".azuredevops/**/*.yml",
      ".pipelines/**/*.yml", ".pipelines/**/*.yaml", *(f"{d}/**/*.{e}" for d in CI_FOLDERS for e in ("yml", "yaml"))), _azure),
    (("Jenkinsfile", "**/Jenkinsfile", "**/*.jenkinsfile"), _jenkins),
    ((".circleci/config.yml", ".circleci/config.yaml"), _mapping_with("CircleCI", {"jobs", "workflows"})),
    (("cloudbuild.yaml", "cloudbuild.yml", "cloudbuild.json", "**/cloudbuild*.yaml", "**/cloudbuild*.yml"),
     _mapping_with("Google Cloud Build", {"steps"}, confident=False, note="build steps (trigger configured in Cloud Build)")),
    (("buildspec.yml", "buildspec.yaml", "**/buildspec*.yml", "**/buildspec*.yaml"),
     _mapping_with("AWS CodeBuild", {"phases"}, confident=False, note="build phases (trigger configured in CodePipeline/CodeBuild)")),
    (("bitbucket-pipelines.yml",), _mapping_with("Bitbucket Pipelines", {"pipelines"})),
    ((".travis.yml",), _mapping_with("Travis CI", {"script", "language", "jobs", "install"})),
    ((".drone.yml",), _mapping_with("Drone", {"steps", "pipeline"})),
    ((".buildkite/*.yml", ".buildkite/*.yaml"), _mapping_with("Buildkite", {"steps"})),
    # Session 16 (role16), hosted CI services by the files they run by convention once connected to the
    # repository (conventions §4, §16.5): Woodpecker (`.woodpecker.yaml` or every file of `.woodpecker/`),
    # AppVeyor (`appveyor.yml` / `.appveyor.yml`), Semaphore (`.semaphore/semaphore.yml`), Cirrus CI
    # (`.cirrus.yml`), Gitea/Forgejo Actions, Tekton Pipelines-as-Code (`.tekton/` PipelineRuns).
    ((".woodpecker.yml", ".woodpecker.yaml", ".woodpecker/*.yml", ".woodpecker/*.yaml"), _mapping_with("Woodpecker", {"steps", "pipeline"})),
    (("appveyor.yml", ".appveyor.yml"), _mapping_with("AppVeyor", {"build_script", "test_script", "install", "build", "before_build", "deploy_script", "on_finish"})),
    ((".semaphore/semaphore.yml", ".semaphore/semaphore.yaml"), _mapping_with("Semaphore", {"blocks"})),
    ((".cirrus.yml", ".cirrus.yaml"), _cirrus),
    ((".gitea/workflows/*.yml", ".gitea/workflows/*.yaml", ".forgejo/workflows/*.yml", ".forgejo/workflows/*.yaml"), _gitea),
    ((".tekton/*.yaml", ".tekton/*.yml"), _tekton),
    # Taskcluster's GitHub integration: `.taskcluster.yml` tasks created on pushes, pull requests and releases.
    ((".taskcluster.yml", ".taskcluster.yaml"), _mapping_with("Taskcluster", {"tasks"}, note="tasks created on GitHub pushes/PRs (Taskcluster)")),
    (("prow_config.yaml",), _mapping_with("Prow", {"workflows", "presubmits", "postsubmits"}, confident=False, note="Prow workflows (triggers configured in the Prow cluster)")),
)


_STEPS_TEXT = re.compile(r"^steps\s*:", re.MULTILINE)
CLOUD_BUILD_WORDS = ("steps",)  # declared by the detectors that look for Cloud Build configs by content


def cloud_build_by_content(repo: RepoIndex, exclude: set[str]) -> list[CiConfig]:
    """Cloud Build configs not named cloudbuild*.yaml: top-level `steps` of {name, args|entrypoint|script}."""
    found = []
    for path in repo.with_suffix(".yaml", ".yml"):
        # The word test comes from the YAML word facts (no read here); only candidates are read.
        if path in exclude or not repo.mentions(path, CLOUD_BUILD_WORDS) or repo.size(path) > 256 * 1024:
            continue
        if not _STEPS_TEXT.search(repo.text(path) or ""):
            continue
        doc = repo.yaml(path)
        steps = doc.data.get("steps") if doc and isinstance(doc.data, dict) else None
        if isinstance(steps, list) and steps and all(
            isinstance(s, dict) and isinstance(s.get("name"), str) and ({"args", "entrypoint", "script"} & set(s)) for s in steps
        ):
            found.append(CiConfig("Google Cloud Build", path, _doc_line(doc, "steps") if doc else None, True,
                                  "build steps (trigger configured in Cloud Build)", confident=False))
    return found


def ci_configs(repo: RepoIndex) -> list[CiConfig]:
    found: list[CiConfig] = []
    for patterns, check in CI_SYSTEMS:
        for path in repo.glob(*patterns):
            config = check(repo, path)
            if config is not None:
                found.append(config)
    return found + cloud_build_configs(repo)


def cloud_build_configs(repo: RepoIndex) -> list[CiConfig]:
    """`cloud_build_by_content` of the YAML files that are not CI files by name and place (three rules
    ask): found once per index, each caller getting its own list."""
    return list(repo.memo("cloud_build_configs", lambda: tuple(cloud_build_by_content(repo, set(ci_file_paths(repo))))))


def ci_file_paths(repo: RepoIndex) -> list[str]:
    """CI files by name and place, and the files they include (`include:`, `template:`): found once per
    index (`RepoIndex.memo`: nine rules ask, some several times), each caller getting its own list."""
    return list(repo.memo("ci_file_paths", lambda: _ci_file_paths(repo)))


def _ci_file_paths(repo: RepoIndex) -> tuple[str, ...]:
    paths: list[str] = []
    for patterns, _ in CI_SYSTEMS:
        paths += repo.glob(*patterns)
    return tuple(sorted(set(paths) | set(repo.ci_included_files(sorted(set(paths))))))


def strings(doc: LocatedDocument) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string value (and key path) in a parsed document, depth-first, iteratively."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), doc.data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict):
            stack.extend((path + (k,), v) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((path + (i,), v) for i, v in reversed(list(enumerate(value))))


def ci_commands(repo: RepoIndex) -> Iterator[tuple[str, int | None, tuple[str | int, ...], str]]:
    """(path, line, key path, text) of every string in every CI file; Jenkinsfiles line by line."""
    for path in ci_file_paths(repo):
        if path.endswith(("Jenkinsfile", ".jenkinsfile")):
            for number, line in repo.meaningful_lines(path, comment="//"):
                yield path, number, (), line
            continue
        for doc in repo.yaml_documents(path) if not path.endswith(".json") else []:
            for key_path, text in strings(doc):
                yield path, _doc_line(doc, *key_path), key_path, text


# Actions that only prepare a job (by their name's shape): checkout, setup-x, install-x, cache,
# up/downloading artifacts, logging in, configuring credentials (shared by the CI and scanning rules).
JOB_SUPPORT_ACTION = re.compile(
    r"^(?:[\w.-]+/)*(?:checkout|setup-[\w.-]+|install-[\w.-]+|cache|(?:upload|download)-artifact|auth|login(?:-action)?|"
    r"configure-[\w-]*credentials)@",
    re.IGNORECASE,
)
_RUN_KEYS = frozenset({"run", "script", "command", "commands", "args", "cmd", "before_script", "after_script", "entrypoint",
                       # the build phases of Travis CI and AppVeyor, each a list of commands (session 16)
                       "install", "before_install", "build_script", "test_script", "deploy_script", "before_build", "after_build",
                       "before_test", "after_test", "before_deploy", "after_deploy", "after_success", "on_success", "on_failure", "on_finish",
                       # Azure CLI's inline script (Azure Pipelines AzureCLI@2, the azure/cli GitHub action)
                       "inlineScript"})
PRE_COMMIT_ACTIONS = ("pre-commit/action", "pre-commit-ci/lite-action")


@dataclass(frozen=True)
class CiCommand:
    """A command CI runs: written in a CI file, or reached through a task runner the CI calls."""

    path: str
    line: int | None
    text: str
    via: str | None = None  # the task chain ("make check > make lint"); None when written in CI itself
    ci_path: str | None = None  # the CI file that starts the chain
    ci_line: int | None = None


def is_run_key(key_path: tuple[str | int, ...]) -> bool:
    key = key_path[-1] if key_path else None
    return key is None or isinstance(key, int) or key in _RUN_KEYS or any(k in _RUN_KEYS for k in key_path if isinstance(k, str))


def ci_run_commands(repo: RepoIndex) -> list[CiCommand]:
    """`_ci_run_commands`, worked out once per scan for every detector that asks."""
    return repo.memo("ci_run_commands", lambda: list(_ci_run_commands(repo)))  # type: ignore[no-any-return]


def _ci_run_commands(repo: RepoIndex) -> Iterator[CiCommand]:
    """Every command CI runs as far as the files say: the run/script strings of CI files, and what
    the task-runner calls among them (make, just, tox, nox, invoke, poe, npm, mise, task,
    `pre-commit run`, the pre-commit GitHub action) run in turn. pre-commit.ci (a `ci:` section in
    .pre-commit-config.yaml) runs every hook on pull requests: its hooks count as CI commands too."""
    from mlops_audit.evidence.repo.tasks import expand

    for path, line, key_path, text in ci_commands(repo):
        key = key_path[-1] if key_path else None
        if key == "uses" and text.strip().lower().startswith(PRE_COMMIT_ACTIONS):
            text = "pre-commit run --all-files"
        elif not is_run_key(key_path):
            continue
        else:
            yield CiCommand(path, line, text)
        for command in expand(repo, text):
            yield CiCommand(command.path, command.line, command.text, command.via, path, line)
    for path in repo.named(".pre-commit-config.yaml", ".pre-commit-config.yml"):
        doc = repo.yaml(path)
        if path.count("/") == 0 and doc is not None and isinstance(doc.data, dict) and isinstance(doc.data.get("ci"), dict):
            pos = doc.locate(("ci",))
            for command in expand(repo, "pre-commit run --all-files"):
                yield CiCommand(command.path, command.line, command.text, "pre-commit.ci > " + command.via, path, pos[0] if pos else None)
