"""Steps of workflows kept outside Python code (session 11): Snakemake rules, Taskcluster task graphs
and cron tables. Read as text or through the safe YAML loader, never run.

- **Snakemake** (`Snakefile`, `*.smk`): each `rule name:` (or `checkpoint name:`) block at the top
  level, with the command it runs (`shell:`, `script:`, `run:`, `notebook:`, `wrapper:`). Two or
  more rules that run something are a multi-step pipeline on a workflow engine
  (`orchestrates_pipeline`), as two DVC stages are. A rule's command names the scripts it runs
  (`python predict.py {input}`, `script: "scripts/predict.py"`): a step of the workflow
  (`serves_model`'s batch scoring rule).
- **Taskcluster task graphs** (a YAML file whose `tasks` list - or JSON-e's `tasks: {$let, in: [...]}`
  - holds task definitions with a `payload` and `dependencies` on other tasks): a task graph of a
  workflow engine, not a CI job list.
- **cron tables** (`crontab`, `*.cron`, `cron.txt`, `cron.d/*`): a schedule line that runs a script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlops_audit.evidence.repo.detectors._compose import command_text
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Location
from mlops_audit.evidence.repo.registry import at

MAX_WORKFLOW_BYTES = 512 * 1024
MAX_WORKFLOW_FILES = 50

# A demo's, example's or tutorial's workflow shows how a pipeline could run (conventions §2/§8).
_DEMO_FOLDER = re.compile(r"(^|/)(demos?|examples?|samples?|tutorials?|playground|sandbox|scratch|templates?)/", re.IGNORECASE)


@dataclass(frozen=True)
class WorkflowRule:
    path: str
    name: str
    line: int
    command: str  # the text of its action (shell command, script path, run block); '' for a rule that only gathers inputs


_RULE_START = re.compile(r"^(rule|checkpoint)\s+([A-Za-z_]\w*)\s*:")
_ACTION = re.compile(r"^\s+(shell|script|run|notebook|wrapper|cwl)\s*:(.*)$")
_DIRECTIVE = re.compile(r"^\s+[A-Za-z_]\w*\s*:")


def _workflow_files(repo: RepoIndex) -> list[str]:
    paths = sorted(set(repo.named("Snakefile")) | set(repo.with_suffix(".smk")))
    return [p for p in paths if not is_test_path(p) and not _DEMO_FOLDER.search(p) and repo.size(p) <= MAX_WORKFLOW_BYTES][:MAX_WORKFLOW_FILES]


def _rules_of(path: str, lines: list[str]) -> list[WorkflowRule]:
    rules: list[WorkflowRule] = []
    current: tuple[str, int] | None = None
    action: list[str] | None = None

    def close() -> None:
        if current is not None:
            rules.append(WorkflowRule(path, current[0], current[1], " ".join(action or []).strip()))

    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        start = _RULE_START.match(line)
        if start or not line[:1].isspace():  # a new rule, or top-level code: the block ends
            close()
            current, action = ((start.group(2), number), None) if start else (None, None)
            continue
        if current is None:
            continue
        found = _ACTION.match(line)
        if found:
            action = [found.group(2).strip()]
        elif action is not None and _DIRECTIVE.match(line) and not line.strip().startswith(("'", '"')):
            rules.append(WorkflowRule(path, current[0], current[1], " ".join(action).strip()))
            current, action = None, None  # its action is over; later directives do not run anything
        elif action is not None:
            action.append(line.strip())
    close()
    return rules


def snakemake_rules(repo: RepoIndex) -> list[WorkflowRule]:
    """Every rule of the project's Snakemake workflows (tests, demos and examples apart)."""

    def find() -> list[WorkflowRule]:
        found: list[WorkflowRule] = []
        for path in _workflow_files(repo):
            text = repo.text(path)
            if text and "rule" in text:
                found += _rules_of(path, text.splitlines())
        return found

    return repo.memo("workflowsteps.snakemake_rules", find)  # type: ignore[no-any-return]


def acting(rules: list[WorkflowRule]) -> list[WorkflowRule]:
    """The rules that run something (not `rule all:` gathering the targets)."""
    return [r for r in rules if r.command]


# --- Taskcluster task graphs --------------------------------------------------------------------

TASK_WORDS = ("payload", "dependencies", "tasks")  # declared as `words` by the detector reading them


def _task_list(data: object) -> list[dict[str, object]]:
    tasks = data.get("tasks") if isinstance(data, dict) else None
    if isinstance(tasks, dict):  # JSON-e: tasks: {$let: {...}, in: [...]}
        tasks = tasks.get("in")
    return [t for t in tasks if isinstance(t, dict)] if isinstance(tasks, list) else []


MAX_TASK_WORDS = 200  # words of a task's command read (a YAML alias can repeat one 100,000 times)
_TRAINING_TASK = re.compile(r"(^|[\W_])(re)?train(ing|er)?($|[\W_])", re.IGNORECASE)


def _trains(task: dict[str, object]) -> bool:
    """A task whose command or name says it trains (`bugbug-train`, `train_component`)."""
    payload = task.get("payload")
    command = payload.get("command") if isinstance(payload, dict) else None
    words = [command_text(w) for w in command[:MAX_TASK_WORDS]] if isinstance(command, list) else [command_text(command or "")]
    metadata = task.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return any(_TRAINING_TASK.search(w) for w in [*words, str(task.get("ID") or ""), str(name or "")])


def taskcluster_graphs(repo: RepoIndex) -> list[Location]:
    """Task graphs: two or more task definitions (a `payload` to run, a worker to run it on) of which at
    least one depends on another (`dependencies`) and one trains. Taskcluster also runs CI (lint, test,
    build tasks of `.taskcluster.yml`): a graph without a training task is CI, not an ML pipeline."""

    def find() -> list[Location]:
        found = []
        for path in repo.yaml_files():
            if is_test_path(path) or _DEMO_FOLDER.search(path) or repo.size(path) > MAX_WORKFLOW_BYTES:
                continue
            if not all(repo.mentions(path, (word,)) for word in TASK_WORDS):
                continue
            doc = repo.yaml(path)
            tasks = _task_list(doc.data if doc is not None else None)
            runs = [t for t in tasks if isinstance(t.get("payload"), dict) and (t.get("workerType") or t.get("taskQueueId") or t.get("provisionerId"))]
            if len(runs) >= 2 and any(t.get("dependencies") for t in runs) and any(_trains(t) for t in runs):
                pos = doc.locate(("tasks",)) if doc is not None else None
                found.append(at(path, pos[0] if pos else None))
        return found

    return repo.memo("workflowsteps.taskcluster_graphs", find)  # type: ignore[no-any-return]


# --- cron tables ----------------------------------------------------------------------------------

_CRON_FIELD = r"[\d*/,\-]+"
_CRON_LINE = re.compile(r"^\s*(?:@(?:hourly|daily|weekly|monthly|yearly|annually|midnight)|(?:" + _CRON_FIELD + r"\s+){4}[\d*/,\-A-Za-z]+)\s+(\S.*)$")
_CRON_NAMES = ("crontab", "cron.txt", "crontab.txt")


def _cron_files(repo: RepoIndex) -> list[str]:
    # Session 14: a table named for its part of the system (`download-crontab`, `app_crontab`) too.
    paths = set(repo.named(*_CRON_NAMES)) | set(repo.with_suffix(".cron", "crontab")) | set(repo.glob("**/cron.d/*"))
    return sorted(p for p in paths if not is_test_path(p) and not _DEMO_FOLDER.search(p) and repo.size(p) <= MAX_WORKFLOW_BYTES)[:MAX_WORKFLOW_FILES]


def cron_commands(repo: RepoIndex) -> list[tuple[str, Location]]:
    """(command, where) for each schedule line of the project's cron tables (comments apart)."""

    def find() -> list[tuple[str, Location]]:
        found = []
        for path in _cron_files(repo):
            for number, line in repo.meaningful_lines(path):
                match = _CRON_LINE.match(line)
                if match:
                    found.append((match.group(1), at(path, number)))
        return found

    return repo.memo("workflowsteps.cron_commands", find)  # type: ignore[no-any-return]


_SCRIPT = re.compile(r"(?<![\w./-])([\w./-]{1,300}\.py)(?![\w.])|(?<![\w-])-m\s+([A-Za-z_][\w.]{0,200})")


def scripts_named(command: str) -> list[str]:
    """The Python files a command runs, as path tails (`python predict.py {input}` -> `predict.py`,
    `python -m pkg.score` -> `pkg/score.py`, `script: "scripts/predict.py"`), quoted or not."""
    return [(m.group(1) or m.group(2).replace(".", "/") + ".py").removeprefix("./") for m in _SCRIPT.finditer(command)]


# --- GitHub Actions workflows run on a schedule or by dispatch -------------------------------------

# A workflow started on a clock or on demand (from the Actions UI, another workflow, an API call) is a
# job of the system; one that runs on pull requests checks a change (a test, not an operation).
_OPERATED = frozenset({"schedule", "workflow_dispatch", "workflow_call", "repository_dispatch", "workflow_run"})
_CHECKS_CHANGES = frozenset({"pull_request", "pull_request_target", "merge_group"})


def operated_workflow_commands(repo: RepoIndex) -> list[tuple[str, Location]]:
    """(command, where) for each run command of a GitHub Actions workflow (or what the task runners it
    calls run) that starts on a schedule or by dispatch and never on pull requests."""
    from mlops_audit.evidence.repo.ciconfig import ci_run_commands, workflow_triggers

    def find() -> list[tuple[str, Location]]:
        operated: dict[str, bool] = {}
        found = []
        for command in ci_run_commands(repo):
            workflow = command.ci_path or command.path
            if not workflow.startswith(".github/workflows/"):
                continue
            if workflow not in operated:
                doc = repo.yaml(workflow)
                events = workflow_triggers(doc)[0] if doc is not None else set()
                operated[workflow] = bool(events & _OPERATED) and not events & _CHECKS_CHANGES
            if operated[workflow]:
                found.append((command.text, at(command.path, command.line)))
        return found

    return repo.memo("workflowsteps.operated_workflow_commands", find)  # type: ignore[no-any-return]


# --- docker compose services' commands -------------------------------------------------------------

_TEST_OR_CI = re.compile(r"(^|[./_-])(test|tests|testing|ci|e2e|integration)([./_-]|$)", re.IGNORECASE)
MAX_SERVICES = 200


def compose_commands(repo: RepoIndex) -> list[tuple[str, Location]]:
    """(command, where) of every service `command`/`entrypoint` of the project's compose files (test,
    CI and example compose files apart): what the system's own services run."""
    from mlops_audit.evidence.repo.detectors._compose import COMPOSE_FILES

    def find() -> list[tuple[str, Location]]:
        found = []
        for path in repo.glob(*COMPOSE_FILES):
            name = path.rsplit("/", 1)[-1]
            if is_test_path(path) or _DEMO_FOLDER.search(path) or _TEST_OR_CI.search(name.split("compose", 1)[-1]) or _TEST_OR_CI.search(name.split("compose", 1)[0]):
                continue
            doc = repo.yaml(path)
            services = doc.data.get("services") if doc is not None and isinstance(doc.data, dict) else None
            for service_name, service in list(services.items())[:MAX_SERVICES] if isinstance(services, dict) else []:
                if not isinstance(service, dict):
                    continue
                for key in ("command", "entrypoint"):
                    value = service.get(key)
                    text = command_text(value) if value else ""
                    if text:
                        pos = doc.locate(("services", service_name, key)) if doc is not None else None
                        found.append((text, at(path, pos[0] if pos else None)))
        return found

    return repo.memo("workflowsteps.compose_commands", find)  # type: ignore[no-any-return]
