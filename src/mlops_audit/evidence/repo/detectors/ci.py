"""Continuous integration: does a pipeline run automatically on changes?"""

from __future__ import annotations

import re

from mlops_audit.evidence.repo.ciconfig import (
    AUTOMATIC_EVENTS,
    CLOUD_BUILD_WORDS,
    DISPATCH_NEEDLES,
    JOB_SUPPORT_ACTION,
    CiConfig,
    ci_commands,
    ci_configs,
    ci_run_commands,
    is_run_key,
    workflow_triggers,
)
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Confidence, FindingOutcome, Kind
from mlops_audit.evidence.repo.registry import Observation, at, detector
from mlops_audit.evidence.repo.tasks import expand, runs_tasks


@detector(
    id="has_ci_pipeline",
    upkeep=True,
    title="Does the repo have a CI/CD pipeline that runs automatically on changes?",
    kind=Kind.ci_pipeline,
    remediation=(
        "Add a CI workflow (e.g. .github/workflows/ci.yml with `on: [push, pull_request]`, or .gitlab-ci.yml) "
        "that installs the project and runs its tests on every push and pull request."
    ),
    words=CLOUD_BUILD_WORDS,
    needles=DISPATCH_NEEDLES,
)
def has_ci_pipeline(repo: RepoIndex) -> Observation:
    judged = _configured_ci(repo)
    if judged.outcome is FindingOutcome.fail:
        hosted = _pre_commit_ci(repo)
        if hosted is not None:
            return hosted
    return judged


# Rule `pre-commit.ci from its commits` (session 16, role16; conventions §16.5): pre-commit.ci is a
# hosted service connected to the repository outside it; once connected it runs every hook of the root
# `.pre-commit-config.yaml` on each push and pull request and commits as `pre-commit-ci[bot]` (autofix
# and autoupdate commits). Its commits show it ran; a `ci:` block alone may come from a template.
def _pre_commit_ci(repo: RepoIndex) -> Observation | None:
    config = next((p for p in (".pre-commit-config.yaml", ".pre-commit-config.yml") if repo.exists(p)), None)
    if config is None:
        return None
    git = repo.git_signals()
    bot = git.dependency_bots.get("pre-commit-ci") if git.present else None
    if bot is None:
        return None
    return Observation.passed(
        f"pre-commit.ci runs the hooks of {config} on pushes and pull requests: {bot.commits} commit(s) by pre-commit-ci[bot] "
        f"(latest {bot.last_commit})",
        [at(config, 1)],
        confidence=Confidence.medium,
    )


def _configured_ci(repo: RepoIndex) -> Observation:
    configs = ci_configs(repo)
    idle = _placeholder_files(repo, {c.path for c in configs if c.automatic})
    placeholders = [c for c in configs if c.automatic and c.path in idle]
    automatic = [c for c in configs if c.automatic and c.path not in idle]
    # Automatic workflows that are not CI, each rule in turn: when they are all there is, say which.
    for not_ci, why in (
        (_scheduled_jobs, "run only on a schedule or an outside dispatch (repository_dispatch) and run the system's jobs (data, "
                          "training, scoring), not a build, test or check of the repository's content: scheduled jobs, not CI (nothing "
                          "runs on a change)"),
        (_remote_only, "only send their work to another host over SSH (a deployment: `git pull`, restarts, compose on the "
                       "server) and build, test or check nothing of the repository in CI: not CI (conventions §16.5)"),
    ):
        found = not_ci(repo, automatic)
        if found and len(found) == len(automatic):
            return Observation.failed(f"{len(found)} workflow(s) {why}: " + ", ".join(c.path for c in found[:3]), [at(c.path, c.line) for c in found])
        automatic = [c for c in automatic if c not in found]
    if placeholders and not automatic:
        return Observation.failed(
            f"{len(placeholders)} CI configuration(s) run automatically but do nothing: every step only echoes or exits "
            "(no commands, no actions besides checkout/setup): " + ", ".join(c.path for c in placeholders[:3]),
            [at(c.path, c.line) for c in placeholders],
        )
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
        "Cloud Build, CodeBuild, Bitbucket, Travis, Drone, Buildkite, Woodpecker, AppVeyor, Semaphore, Cirrus, Gitea/Forgejo, Tekton, "
        "pre-commit.ci)"
    )


# Rule `placeholder CI`: a workflow whose every command only prints, waits or exits (also through the
# task runners it calls: `make check` whose recipe only echoes), and that uses no action besides
# checking out and setting up, runs nothing of the project.
# Session 13 (precision13): commands that only show the runner's environment are idle too - the
# starter workflow's "Display Python version" step (`python -c "import sys; print(sys.version)"`),
# `python --version`, `pip list`, `ls`, `pwd`, `env`: they build, test or check nothing of the
# repository (conventions §4), so a workflow of only these is a placeholder.
_SHOWS_ENVIRONMENT = (
    r"(python[\d.]*|pip[\d.]*|node|npm|java|go|uv|poetry|conda|git|docker) (--version|-V|-v|version)"
    r"|python[\d.]* -c [\"'](import (sys|platform|os) *; *)?print\((sys\.version|sys\.version_info|platform\.\w+\(\)|os\.getcwd\(\))\)[\"']"
    r"|pip[\d.]* (list|freeze)|(ls|pwd|printenv|whoami|date|uname|which)\b[^;&|$`]*|env"
)
# `env` is idle only bare (`env PYTHONPATH=src pytest` runs pytest), and the other commands only with
# plain arguments (`ls $(python train.py)` runs the training): review13.
_IDLE_COMMAND = re.compile(rf"^(echo\b.*|printf\b.*|true|:|exit 0|sleep \d+|#.*|{_SHOWS_ENVIRONMENT}|)$", re.IGNORECASE)
_SETUP_ACTION = re.compile(r"^actions/(checkout|setup-\w+|cache)@", re.IGNORECASE)


# Rule `scheduled jobs are not CI` (session 15, decoy22; conventions §4): CI builds, tests or checks
# the repository's content. A GitHub workflow that starts only on a schedule (besides by hand) and
# whose commands - followed through the task runners - run none of a build, test or check, using no
# action besides checking out, setting up, logging in and moving artifacts, runs the system's own jobs
# (ingestion, training, scoring on a timer): operations, not CI. A scheduled test run, lint, link
# check, docs or image build, or a workflow doing its work through other actions (a scanner, a
# document build, a reusable workflow) is still CI.
_CHECKS = re.compile(
    r"(?<![\w-])(?:pytest|py\.test|unittest|nose2|tox|nox|coverage|ruff|flake8|pylint|black|isort|mypy|pyright|pre-commit|"
    r"bandit|pip-audit|safety|semgrep|trivy|gitleaks|lychee|markdown-link-check|linkchecker?|mkdocs|sphinx-build|jupyter-book|"
    r"pandoc|hadolint|shellcheck|yamllint|codespell|nbval|nbmake)(?![\w-])"
    r"|\bdocker(?:[- ]compose)?[^\S\n]+(?:buildx?|build)\b|\bpython[\d.]*[^\S\n]+-m[^\S\n]+build\b"
    r"|\b(?:npm|yarn|pnpm)[^\S\n]+(?:test|run[^\S\n]+(?:test|lint|build|check))",
    re.IGNORECASE,
)


# Session 16 (role16): a `repository_dispatch` is a call of GitHub's API from outside (new data, another
# system), no more a change of the repository than a timer is: a workflow started only by these two and
# running none of a build, test or check is the system's job as well.
_NOT_A_CHANGE = frozenset({"schedule", "repository_dispatch"})


def _scheduled_jobs(repo: RepoIndex, configs: list[CiConfig]) -> list[CiConfig]:
    """The GitHub workflows among `configs` that run only on a schedule and neither build, test nor
    check anything (the rule above)."""
    jobs = []
    for config in configs:
        doc = repo.yaml(config.path) if config.system == "GitHub Actions" else None
        events = workflow_triggers(doc)[0] & AUTOMATIC_EVENTS if doc is not None else set()
        if not events or not events <= _NOT_A_CHANGE:
            continue
        works = any(
            path == config.path and ((key_path[-1] if key_path else None) == "uses" and not JOB_SUPPORT_ACTION.match(text.strip()))
            for path, _, key_path, text in ci_commands(repo)
        )
        checks = any((c.ci_path or c.path) == config.path and _CHECKS.search(c.text) for c in ci_run_commands(repo))
        if not works and not checks:
            jobs.append(config)
    return jobs


# Rule `work sent to another host is a deployment` (session 16, role16; conventions §16.5: "a workflow
# that ... only runs a deploy command on code it does not build is not CI"): a GitHub workflow whose
# every step is job support, an idle command, an SSH client action (ssh-agent, ssh/scp actions: their
# `script` runs on the server) or a command block that opens an SSH session (`ssh`, `scp`, `rsync`,
# `sshpass`; with its key set-up lines) and builds, tests or checks nothing itself runs the repository
# nowhere in CI, whatever the server then does. One step building, testing or checking in CI, or an
# action doing other work, makes it CI again.
_REMOTE_ACTION = re.compile(r"^[\w.-]+/[\w.-]*(?:ssh|scp|rsync)[\w.-]*@", re.IGNORECASE)
_REMOTE_COMMAND = re.compile(r"^(?:sudo[^\S\n]+)?(?:ssh|scp|rsync|sshpass)\b")


def _remote_only(repo: RepoIndex, configs: list[CiConfig]) -> list[CiConfig]:
    remote = []
    for config in configs:
        doc = repo.yaml(config.path) if config.system == "GitHub Actions" else None
        jobs = doc.data.get("jobs") if doc is not None and isinstance(doc.data, dict) else None
        if not isinstance(jobs, dict) or not jobs:
            continue
        steps = [step for job in jobs.values() if isinstance(job, dict) and not job.get("uses") for step in job.get("steps") or [] if isinstance(step, dict)]
        if len(steps) != sum(1 for job in jobs.values() if isinstance(job, dict) for _ in (job.get("steps") or [])) or not steps:
            continue  # a job calling a reusable workflow, or a step that is not a mapping: not judged
        sends = False
        for step in steps:
            uses, run = step.get("uses"), step.get("run")
            if isinstance(uses, str) and _REMOTE_ACTION.match(uses.strip()):
                sends = True
            elif isinstance(uses, str) and not JOB_SUPPORT_ACTION.match(uses.strip()):
                break  # an action doing work in CI
            elif isinstance(run, str):
                lines = [line.strip() for line in run.splitlines() if line.strip() and not _IDLE_COMMAND.match(line.strip())]
                if any(_REMOTE_COMMAND.match(line) for line in lines) and not _CHECKS.search(run):
                    sends = True
                elif lines:
                    break  # a command run in CI
        else:
            if sends:
                remote.append(config)
    return remote


def _idle(repo: RepoIndex, command: str) -> bool:
    """An idle command, or a call to a task of this repository (`make check`) whose commands, followed
    through the task runners, are all idle. A task the repository does not define is not judged."""
    if _IDLE_COMMAND.match(command):
        return True
    if not runs_tasks(repo, command):
        return False
    return all(_IDLE_COMMAND.match(c.text.strip()) or runs_tasks(repo, c.text) for c in expand(repo, command))


def _placeholder_files(repo: RepoIndex, paths: set[str]) -> set[str]:
    """The YAML CI files among `paths` that do nothing (see the rule above); files that include,
    extend or call other files (templates, local actions) are not judged here."""
    working: set[str] = set()
    seen: set[str] = set()
    for path, _, key_path, text in ci_commands(repo):
        if path not in paths or path in working or path.endswith(("Jenkinsfile", ".jenkinsfile")):
            continue
        seen.add(path)
        key = key_path[-1] if key_path else None
        keys = {k for k in key_path if isinstance(k, str)}
        if keys & {"include", "template", "extends", "trigger"} or key == "uses" and not _SETUP_ACTION.match(text.strip()):
            working.add(path)
        elif key != "uses" and key_path and is_run_key(key_path) and key not in ("name", "cache"):
            named = tuple(k for k in key_path if isinstance(k, str))
            if isinstance(key, int) and not (named and is_run_key(named)):
                continue  # list items that are not commands (branches, tags)
            if any(not _idle(repo, line.strip()) for line in text.splitlines()):
                working.add(path)
    return {p for p in seen if p not in working and not p.endswith(("Jenkinsfile", ".jenkinsfile"))}
