"""Task runners: what `make check`, `just lint`, `tox`, `nox`, `invoke`, `poe`, npm scripts, `mise run`,
`task` or `pre-commit run` actually run, so CI that calls a task is judged by the task's commands.

Every definition is read as text or parsed data (Makefile/justfile lines, tox.ini as INI, noxfile.py
and tasks.py through `ast`, TOML/JSON/YAML through the safe parsers): nothing is executed. Tasks that
call other tasks are followed to a bounded depth.
"""

from __future__ import annotations

import ast
import configparser
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mlops_audit.evidence.repo.astutil import parse_module, walk
from mlops_audit.evidence.repo.detectors._inhouse import dotted
from mlops_audit.evidence.repo.index import RepoIndex

MAX_DEPTH = 4  # a task calling a task calling a task...: deeper chains are not followed
MAX_TASK_FILE_BYTES = 512 * 1024


@dataclass(frozen=True)
class Command:
    """A command a task runs, where it is written, and the chain of tasks that led to it."""

    text: str
    path: str
    line: int | None
    via: str  # e.g. "make check" or "make check > make lint"


@dataclass(frozen=True)
class Task:
    runner: str
    name: str
    path: str
    line: int | None
    commands: tuple[tuple[str, int | None], ...]  # (command text, line)
    depends: tuple[str, ...] = ()  # other tasks of the same runner it runs first


# -- definitions -------------------------------------------------------------------------------------
_MAKE_TARGET = re.compile(r"^([A-Za-z0-9_.\-/ ]+?)\s*::?(?!=)\s*([^=#;]*?)\s*(?:;(.*))?$")
_JUST_RECIPE = re.compile(r"^@?([A-Za-z0-9_\-]+)(?:\s+[^:=]*)?:(?!=)\s*([^#]*)$")


def _readable(repo: RepoIndex, path: str) -> str | None:
    return repo.text(path) if repo.size(path) <= MAX_TASK_FILE_BYTES else None


_MAKE_DIRECTIVES = (".", "export ", "include ", "-include ", "ifeq", "ifneq", "ifdef", "ifndef", "else", "endif", "define", "endef", "override ")


def _make_tasks(repo: RepoIndex, path: str) -> list[Task]:
    """Targets with their prerequisites and recipe lines (tab-indented, after the rule line)."""
    text = _readable(repo, path)
    if not text:
        return []
    lines = text.splitlines()
    tasks = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line[0] in "\t#" or line.startswith(_MAKE_DIRECTIVES):
            continue
        match = _MAKE_TARGET.match(line)
        if not match:
            continue
        commands: list[tuple[str, int | None]] = []
        if match.group(3) and match.group(3).strip():
            commands.append((match.group(3).strip(), number))
        for inner in range(number, len(lines)):
            body = lines[inner]
            if body.startswith("\t"):
                command = body.strip().lstrip("@-+").strip()
                if command and not command.startswith("#"):
                    commands.append((command, inner + 1))
            elif body.strip() and not body.lstrip().startswith("#"):
                break
        deps = tuple(d for d in match.group(2).split() if not d.startswith("$"))
        tasks += [Task("make", name, path, number, tuple(commands), deps) for name in match.group(1).split()]
    return tasks


def _just_tasks(repo: RepoIndex, path: str) -> list[Task]:
    text = _readable(repo, path)
    if not text:
        return []
    tasks = []
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if not line or line[0] in " \t#" or line.startswith(("set ", "export ", "alias ", "import ", "mod ", "[")) or ":=" in line:
            continue
        match = _JUST_RECIPE.match(line)
        if not match:
            continue
        commands = []
        for inner in range(number, len(lines)):
            body = lines[inner]
            if body.startswith((" ", "\t")):
                command = body.strip().lstrip("@-").strip()
                if command and not command.startswith("#"):
                    commands.append((command, inner + 1))
            elif body.strip():
                break
        deps = tuple(d for d in match.group(2).split() if re.match(r"^[A-Za-z0-9_\-]+$", d))
        tasks.append(Task("just", match.group(1), path, number, tuple(commands), deps))
    return tasks


def _tox_tasks(repo: RepoIndex, path: str) -> list[Task]:
    text = _readable(repo, path)
    if not text:
        return []
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(text, source=path)
    except configparser.Error:
        return []
    lines = text.splitlines()
    tasks = []
    envlist = parser.get("tox", "envlist", fallback="") if parser.has_section("tox") else ""
    if envlist.strip():
        items = re.findall(r"(?:[^,\s{]+|\{[^}]*\})+", envlist)  # commas inside {311,312} do not split
        names = [e for item in items for e in (_tox_env_names(item)[1:] or [item])]
        tasks.append(Task("tox", "", path, _line_of(lines, "envlist", None), (), tuple(dict.fromkeys(names))))
    for section in parser.sections():
        if section != "testenv" and not section.startswith("testenv:"):
            continue
        commands = parser.get(section, "commands", fallback="")
        header = next((i for i, line in enumerate(lines, start=1) if line.strip() == f"[{section}]"), None)
        found = [(c.strip(), _line_of(lines, c.strip(), header)) for c in commands.splitlines() if c.strip() and not c.strip().startswith("#")]
        name = section.split(":", 1)[1] if ":" in section else "testenv"
        for env in _tox_env_names(name):
            tasks.append(Task("tox", env, path, header, tuple(found)))
    return tasks


def _tox_env_names(name: str) -> list[str]:
    """`py{39,310}-unit` names py39-unit and py310-unit; the section name itself is kept too."""
    match = re.search(r"\{([^}]*)\}", name)
    if not match:
        return [name]
    return [name] + [name[: match.start()] + part + name[match.end():] for part in match.group(1).split(",")]


def _line_of(lines: list[str], fragment: str, start: int | None) -> int | None:
    for number in range(start or 1, len(lines) + 1):
        if fragment and fragment in lines[number - 1]:
            return number
    return start


def _python_tasks(repo: RepoIndex, path: str, runner: str, namespace: str = "") -> list[Task]:
    """noxfile.py sessions (`session.run("pytest", ...)`) and invoke tasks (`c.run("pytest ...")`,
    `@task(pre=[lint, test], default=True)`); tasks of a tasks/ package module are named
    `module.task`, and the module's default task answers to `module` alone."""
    text = _readable(repo, path)
    if not text:
        return []
    try:
        module, _blanked = parse_module(text, path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    tasks = []
    prefix = f"{namespace}." if namespace else ""
    for func in (n for n in module.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
        decorators = {_decorator_name(d) for d in func.decorator_list}
        if runner == "nox" and not decorators & {"nox.session", "session"}:
            continue
        if runner == "invoke" and not decorators & {"task", "invoke.task"}:
            continue
        name = func.name if runner == "invoke" else _nox_name(func) or func.name
        commands = []
        for node in walk(func):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("run", "run_always", "sudo"):
                words = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if words:
                    commands.append((" ".join(words), node.lineno))
        pre, default = _invoke_options(func) if runner == "invoke" else ((), False)
        depends = tuple(prefix + p for p in pre)
        names = [prefix + name] + ([prefix + name.replace("_", "-")] if "_" in name else []) + ([namespace] if default and namespace else [])
        tasks += [Task(runner, n, path, func.lineno, tuple(commands), depends) for n in names]
    return tasks


def _invoke_options(func: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[tuple[str, ...], bool]:
    """The `pre=[...]` tasks and `default=True` of an invoke `@task(...)` decorator."""
    pre: list[str] = []
    default = False
    for dec in func.decorator_list:
        if not isinstance(dec, ast.Call):
            continue
        pre += [n.id for n in dec.args if isinstance(n, ast.Name)]
        for keyword in dec.keywords:
            if keyword.arg in ("pre", "post") and isinstance(keyword.value, (ast.List, ast.Tuple)):
                pre += [n.id for n in keyword.value.elts if isinstance(n, ast.Name)]
            if keyword.arg == "default" and isinstance(keyword.value, ast.Constant) and keyword.value.value is True:
                default = True
    return tuple(pre), default


def _decorator_name(node: ast.AST) -> str:
    return dotted(node.func if isinstance(node, ast.Call) else node)


def _nox_name(func: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    for dec in func.decorator_list:
        if isinstance(dec, ast.Call):
            for keyword in dec.keywords:
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                    return keyword.value.value
    return None


def _script_strings(value: Any) -> list[str]:
    """The commands of a poe/pdm/hatch/taskipy/mise task value: a string, a list, or a table with
    cmd/shell/run/cmds/sequence/composite."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _script_strings(item)]
    if isinstance(value, dict):
        out: list[str] = []
        for key in ("cmd", "shell", "run", "cmds", "sequence", "composite", "call"):
            if key in value:
                out += _script_strings(value[key])
        return out
    return []


def _table_tasks(path: str, runner: str, table: Any, lines: list[str]) -> list[Task]:
    if not isinstance(table, dict):
        return []
    tasks = []
    for name, value in table.items():
        commands = tuple((c, _line_of(lines, c.splitlines()[0] if c else c, None)) for c in _script_strings(value) if c)
        tasks.append(Task(runner, str(name), path, _line_of(lines, str(name), None), commands))
    return tasks


def _pyproject_tasks(repo: RepoIndex, path: str) -> list[Task]:
    data = repo.toml(path)
    if not isinstance(data, dict):
        return []
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    lines = (repo.text(path) or "").splitlines()
    tasks = _table_tasks(path, "poe", (tool.get("poe") or {}).get("tasks") if isinstance(tool.get("poe"), dict) else None, lines)
    tasks += _table_tasks(path, "pdm", (tool.get("pdm") or {}).get("scripts") if isinstance(tool.get("pdm"), dict) else None, lines)
    tasks += _table_tasks(path, "taskipy", (tool.get("taskipy") or {}).get("tasks") if isinstance(tool.get("taskipy"), dict) else None, lines)
    envs = (tool.get("hatch") or {}).get("envs") if isinstance(tool.get("hatch"), dict) else None
    for env in (envs or {}).values() if isinstance(envs, dict) else []:
        if isinstance(env, dict):
            tasks += _table_tasks(path, "hatch", env.get("scripts"), lines)
    tox = tool.get("tox")
    if isinstance(tox, dict) and isinstance(tox.get("legacy_tox_ini"), str):
        tasks += _tox_from_text(path, tox["legacy_tox_ini"])
    return tasks


def _tox_from_text(path: str, text: str) -> list[Task]:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(text, source=path)
    except configparser.Error:
        return []
    tasks = []
    for section in parser.sections():
        if section == "testenv" or section.startswith("testenv:"):
            commands = tuple((c.strip(), None) for c in parser.get(section, "commands", fallback="").splitlines() if c.strip())
            name = section.split(":", 1)[1] if ":" in section else "testenv"
            tasks += [Task("tox", env, path, None, commands) for env in _tox_env_names(name)]
    return tasks


def _npm_tasks(repo: RepoIndex, path: str) -> list[Task]:
    data = repo.json(path)
    scripts = data.get("scripts") if isinstance(data, dict) else None
    lines = (repo.text(path) or "").splitlines()
    return _table_tasks(path, "npm", scripts, lines) if isinstance(scripts, dict) else []


def _mise_tasks(repo: RepoIndex, path: str) -> list[Task]:
    data = repo.toml(path)
    lines = (repo.text(path) or "").splitlines()
    return _table_tasks(path, "mise", data.get("tasks"), lines) if isinstance(data, dict) else []


def _taskfile_tasks(repo: RepoIndex, path: str) -> list[Task]:
    doc = repo.yaml(path)
    tasks = doc.data.get("tasks") if doc is not None and isinstance(doc.data, dict) else None
    lines = (repo.text(path) or "").splitlines()
    return _table_tasks(path, "task", tasks, lines)


def _precommit_tasks(repo: RepoIndex, path: str) -> list[Task]:
    """`pre-commit run` runs every hook: one task per hook (its id, or the entry of a local hook),
    and the task "" that stands for all of them."""
    doc = repo.yaml(path)
    repos = doc.data.get("repos") if doc is not None and isinstance(doc.data, dict) else None
    tasks = []
    everything: list[tuple[str, int | None]] = []
    for i, entry in enumerate(repos or []):
        for j, hook in enumerate(entry.get("hooks") or [] if isinstance(entry, dict) else []):
            if not isinstance(hook, dict) or not isinstance(hook.get("id"), str):
                continue
            pos = doc.locate(("repos", i, "hooks", j)) if doc is not None else None
            line = pos[0] if pos else None
            command = str(hook["entry"]) if isinstance(hook.get("entry"), str) else hook["id"]
            args = " ".join(str(a) for a in hook.get("args") or [] if isinstance(a, (str, int)))
            text = f"{command} {args}".strip()
            tasks.append(Task("pre-commit", hook["id"], path, line, ((text, line),)))
            everything.append((text, line))
    if everything:
        tasks.append(Task("pre-commit", "", path, 1, tuple(everything)))
    return tasks


def task_definitions(repo: RepoIndex) -> dict[str, dict[str, Task]]:
    """runner -> task name -> Task, for every task file at the root (and pre-commit's own file)."""

    def build() -> dict[str, dict[str, Task]]:
        found: list[Task] = []
        for path in repo.named("Makefile", "makefile", "GNUmakefile"):
            found += _make_tasks(repo, path) if path.count("/") == 0 else []
        for path in repo.glob("*.mk"):
            found += _make_tasks(repo, path)
        for path in ("justfile", "Justfile", ".justfile"):
            if repo.exists(path):
                found += _just_tasks(repo, path)
        if repo.exists("tox.ini"):
            found += _tox_tasks(repo, "tox.ini")
        if repo.exists("noxfile.py"):
            found += _python_tasks(repo, "noxfile.py", "nox")
        if repo.exists("tasks.py"):
            found += _python_tasks(repo, "tasks.py", "invoke")
        for path in repo.glob("tasks/*.py"):
            name = path.rsplit("/", 1)[-1][:-3]
            found += _python_tasks(repo, path, "invoke", "" if name == "__init__" else name)
        if repo.exists("pyproject.toml"):
            found += _pyproject_tasks(repo, "pyproject.toml")
        if repo.exists("package.json"):
            found += _npm_tasks(repo, "package.json")
        for path in ("mise.toml", ".mise.toml"):
            if repo.exists(path):
                found += _mise_tasks(repo, path)
        for path in ("Taskfile.yml", "Taskfile.yaml", "taskfile.yml"):
            if repo.exists(path):
                found += _taskfile_tasks(repo, path)
        for path in (".pre-commit-config.yaml", ".pre-commit-config.yml"):
            if repo.exists(path):
                found += _precommit_tasks(repo, path)
        by_runner: dict[str, dict[str, Task]] = {}
        for task in found:
            by_runner.setdefault(task.runner, {}).setdefault(task.name, task)
        return by_runner

    return repo.memo("task_definitions", build)  # type: ignore[no-any-return]


# -- invocations -------------------------------------------------------------------------------------
_SEPARATORS = re.compile(r"\s*(?:&&|\|\||;|\n|\|)\s*")
_RUNNER_PREFIX = ("python -m ", "python3 -m ", "uv run ", "poetry run ", "pipx run ", "uvx ", "pdm run ", "hatch run ", "npx ", "sudo ")
_DEFAULT_TASK = {"make": None, "just": None, "tox": "testenv", "nox": None, "pre-commit": ""}


_RUNNER_WORD = re.compile(r"\b(g?make|MAKE|just|tox|nox|invoke|inv|poe|task|npm|yarn|pnpm|bun|mise|pre-commit|pdm|hatch)\b")


def _words(command: str) -> list[str]:
    try:
        return shlex.split(command, comments=False, posix=True)
    except ValueError:
        return command.split()


def _invoked(command: str, tasks: dict[str, dict[str, Task]]) -> list[tuple[str, list[str]]]:
    """(runner, task names) a single command invokes; [] when it runs no task runner."""
    text = command.strip()
    for prefix in _RUNNER_PREFIX:
        if text.startswith(prefix):
            text = text[len(prefix):]
    words = _words(text)
    if not words:
        return []
    head, rest = words[0].rsplit("/", 1)[-1], words[1:]
    if head in _MAKE_VARIABLE:
        head = "make"
    folders = _option_values(rest, ("-C", "--directory")) + [w[2:] for w in rest if w.startswith("-C") and len(w) > 2]
    if folders and head in ("make", "gmake"):
        # `make -C lib security`, `$(MAKE) -C $$package security` in a loop: the targets of the
        # Makefile(s) in that folder (every sub-folder's Makefile when the folder is a variable);
        # without a target, make runs that Makefile's first.
        names = [w for i, w in enumerate(rest) if not w.startswith("-") and "=" not in w and (i == 0 or rest[i - 1] not in ("-C", "--directory"))]
        folder = folders[0].strip("/").removeprefix("./")
        if folder in ("", "."):
            return [("make", names or [_first_make_target(tasks)])]
        return [(f"{_SUB_MAKE}{'*' if '$' in folder else folder}", names or [_FIRST_TARGET])]
    plain = [w for w in rest if not w.startswith("-") and "=" not in w]
    if head in ("make", "gmake"):
        names = plain or [_first_make_target(tasks)]
        return [("make", [n for n in names if n])]
    if head == "just":
        return [("just", plain[:1] or [_first(tasks, "just")])]
    if head == "tox":
        envs = _option_values(rest, ("-e", "--env")) or ["" if "" in tasks.get("tox", {}) else "testenv"]
        return [("tox", [e for part in envs for e in part.split(",")])]
    if head == "nox":
        sessions = _option_values(rest, ("-s", "--session", "--sessions")) or list(tasks.get("nox", {}))
        return [("nox", sessions)]
    if head in ("invoke", "inv"):
        return [("invoke", plain)]
    if head == "poe":
        return [("poe", plain[:1])]
    if head == "poetry" and plain[:1] == ["poe"]:  # Poe the Poet as a Poetry plugin: `poetry poe <task>`
        return [("poe", plain[1:2])]
    if head == "task":
        return [("task", plain[:1] or ["default"])] + ([("taskipy", plain[:1])] if plain else [])
    if head in ("npm", "yarn", "pnpm", "bun"):
        if plain[:1] == ["run"] or plain[:1] == ["run-script"]:
            return [("npm", plain[1:2])]
        return [("npm", plain[:1])] if plain else []
    if head == "mise" and plain[:1] == ["run"]:
        return [("mise", plain[1:2])]
    if head == "pre-commit" and plain[:1] == ["run"]:
        return [("pre-commit", plain[1:2] or [""])]
    if head == "pdm" and plain:
        return [("pdm", plain[:1])]
    if head == "hatch" and plain[:1] == ["run"]:
        return [("hatch", [plain[1].split(":")[-1]] if len(plain) > 1 else [])]
    return []


_MAKE_VARIABLE = frozenset({"$(MAKE)", "${MAKE}", "$$(MAKE)"})
_SUB_MAKE = "make@"  # runner key of a sub-folder's Makefile: make@lib/core, make@* for any
_FIRST_TARGET = ""  # `make -C lib` without a target: that Makefile's first
MAX_SUB_MAKEFILES = 200


def sub_make_tasks(repo: RepoIndex, folder: str) -> dict[str, Task]:
    """The targets of `folder/Makefile` (`*`: of every Makefile below the root, first definition
    of a name wins, at most MAX_SUB_MAKEFILES files read), for `make -C folder target`."""

    def build() -> dict[str, Task]:
        if folder == "*":
            paths = [p for p in repo.named("Makefile", "makefile", "GNUmakefile") if "/" in p][:MAX_SUB_MAKEFILES]
        else:
            paths = [f"{folder}/{name}" for name in ("GNUmakefile", "makefile", "Makefile") if repo.exists(f"{folder}/{name}")][:1]
        found: dict[str, Task] = {}
        for path in paths:
            for task in _make_tasks(repo, path):
                found.setdefault(task.name, task)
        return found

    return repo.memo(f"tasks.sub_make:{folder}", build)  # type: ignore[no-any-return]


def _runner_tasks(repo: RepoIndex, tasks: dict[str, dict[str, Task]], runner: str) -> dict[str, Task]:
    if runner.startswith(_SUB_MAKE):
        found = sub_make_tasks(repo, runner[len(_SUB_MAKE):])
        first = next((task for name, task in found.items() if not name.startswith(".")), None)
        return {**found, _FIRST_TARGET: first} if first is not None else found
    return tasks.get(runner, {})


def _option_values(words: list[str], names: tuple[str, ...]) -> list[str]:
    values = []
    for i, word in enumerate(words):
        if word in names and i + 1 < len(words):
            values.append(words[i + 1])
        for name in names:
            if word.startswith(name + "="):
                values.append(word.split("=", 1)[1])
    return values


def _first(tasks: dict[str, dict[str, Task]], runner: str) -> str:
    return next(iter(tasks.get(runner, {})), "")


def _first_make_target(tasks: dict[str, dict[str, Task]]) -> str:
    return next((n for n in tasks.get("make", {}) if not n.startswith(".")), "")


def runs_tasks(repo: RepoIndex, command: str) -> bool:
    """Whether `command` calls a task this repository defines (`make check` with a `check` target)."""
    if not _RUNNER_WORD.search(command):
        return False
    tasks = task_definitions(repo)
    return any(
        name in _runner_tasks(repo, tasks, runner) or runner == "tox" and "testenv" in tasks.get("tox", {})
        for part in _SEPARATORS.split(command) for runner, names in _invoked(part, tasks) for name in names
    )


def expand(repo: RepoIndex, command: str) -> Iterator[Command]:
    """The commands that running `command` runs through task runners (not `command` itself), each
    with where it is written and the chain of tasks that led to it."""
    if not _RUNNER_WORD.search(command):
        return  # most CI strings call no task runner: settled without tokenising them
    tasks = task_definitions(repo)
    if not tasks:
        return
    seen: set[tuple[str, str]] = set()
    stack: list[tuple[str, str, int]] = [(command, "", 0)]
    while stack:
        text, via, depth = stack.pop()
        if depth >= MAX_DEPTH:
            continue
        for part in _SEPARATORS.split(text):
            for runner, names in _invoked(part, tasks):
                for name in names:
                    task = _runner_tasks(repo, tasks, runner).get(name)
                    if task is None and runner == "tox":
                        task = tasks["tox"].get("testenv")  # an env without a section of its own runs [testenv]
                    if task is None or (task.path, task.runner, task.name) in seen:
                        continue
                    seen.add((task.path, task.runner, task.name))
                    label = f"{runner} {name}".strip() if runner != "pre-commit" else f"pre-commit run {name}".strip()
                    if runner.startswith(_SUB_MAKE):
                        label = f"make -C {task.path.rsplit('/', 1)[0]} {name}"
                    chain = f"{via} > {label}" if via else label
                    for dep in reversed(task.depends):  # the stack pops them in their written order
                        if runner.startswith(_SUB_MAKE):
                            stack.append((f"make -C {task.path.rsplit('/', 1)[0]} {dep}", chain, depth + 1))
                        else:
                            stack.append((f"{runner} -e {dep}" if runner == "tox" else f"{runner} {dep}", chain, depth + 1))
                    for sub, line in task.commands:
                        if runner in ("poe", "mise", "task") and sub in tasks[runner]:
                            stack.append((f"{runner} {sub}", chain, depth + 1))  # a sequence item naming another task
                            continue
                        yield Command(sub, task.path, line, chain)
                        stack.append((sub, chain, depth + 1))
