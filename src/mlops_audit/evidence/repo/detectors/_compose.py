"""Compose files that run the project's own workload (conventions §9): a deployment declared as code.

A docker-compose service is the project's workload when it is built from this repository (a `build:`
whose context holds a Dockerfile here), runs an image this repository's CI builds, or runs a
repository folder of code mounted into a tool's image (a scheduler running the project's DAGs). A
stack of third-party services alone (a database, a broker, an MLflow server) deploys none of the
project; neither does a service that only runs the tests, a notebook server or an idle shell.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from mlops_audit.evidence.repo.ciconfig import ci_commands
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Location
from mlops_audit.evidence.repo.registry import at

COMPOSE_FILES = ("**/*docker-compose*.yml", "**/*docker-compose*.yaml", "**/compose.yml", "**/compose.yaml", "**/compose.*.yml", "**/compose.*.yaml")
# A compose file named for tests or CI runs the test suite, not the system.
_TEST_COMPOSE = re.compile(r"(^|[._-])(test|tests|testing|ci|e2e|integration)([._-]|$)", re.IGNORECASE)
# What a service runs when it is not the system: the test suite, a notebook server, an idle or
# interactive shell.
_NOT_THE_SYSTEM = re.compile(
    r"\b(pytest|tox|nox|unittest|jupyter|jupyterlab|notebook)\b|sleep\s+infinity|tail\s+-f\s+/dev/null"
    r"|^\s*(ba|z)?sh\s*$|^\s*/bin/(ba)?sh\s*$",
    re.IGNORECASE,
)
_NOTEBOOK_IMAGE = re.compile(r"jupyter/|jupyterhub|/notebook|datascience-notebook", re.IGNORECASE)
_CODE_SUFFIXES = (".py", ".R", ".scala", ".java", ".go", ".js", ".ts", ".sql")
# Compose files of examples show how to run something (conventions §2, §5): not this system's deployment.
_EXAMPLE_PATH = re.compile(r"(^|/)(examples?|samples?|demos?|tutorials?|docs?)/", re.IGNORECASE)
_SCRIPT = re.compile(r"\bpython[\d.]*\s+(?:-u\s+)?([\w./-]+\.py)\b")
# A development environment kept as a container (a workspace the developer shells into), by the
# service's name or the folder of the Dockerfile it builds: not the system.
_DEV_ENVIRONMENT = re.compile(r"^(dev|devel|develop|development|devcontainer|workspace|sandbox|shell|toolbox)$", re.IGNORECASE)
_DEFAULTED = re.compile(r"\$\{\w+:?-([^}]*)\}")  # ${AIRFLOW_PROJ_DIR:-.}: compose substitutes the default when unset
_IMAGE_NAME = re.compile(r"[\w.\-]+(?:/[\w.\-]+)+")  # owner/name or registry/owner/name, without a tag
MAX_SERVICES = 200  # per compose file: a hostile file cannot make the rule walk without end
MAX_VOLUMES = 100  # per service, likewise


MAX_COMMAND_CHARS = 4096  # a compose command, entrypoint or image read as text (longer ones are cut)


def command_text(value: object) -> str:
    """A compose `command`/`entrypoint`/`image` (a string or a list of words) as one line of text, at
    most MAX_COMMAND_CHARS. Bounded because the safe loader still expands YAML aliases: `[*a, *a, ...]`
    can repeat a 200 KB item 100,000 times, and joining it whole would build a 20 GB string. Only
    scalar items are words; a mapping or a nested list is no command."""
    if isinstance(value, list):
        words: list[str] = []
        size = 0
        for item in value:
            if isinstance(item, (str, int, float, bool)) or item is None:
                words.append(str(item)[:MAX_COMMAND_CHARS])
                size += len(words[-1]) + 1
                if size > MAX_COMMAND_CHARS:
                    break
        return " ".join(words)[:MAX_COMMAND_CHARS]
    if value is None or not isinstance(value, (str, int, float, bool)):
        return ""
    return str(value)[:MAX_COMMAND_CHARS]


def _runs_the_system(repo: RepoIndex, service: dict[str, Any]) -> bool:
    """Not the test suite, a notebook server or an idle shell, and no script that is not here."""
    command = f"{command_text(service.get('entrypoint'))} {command_text(service.get('command'))}".strip()
    if command and _NOT_THE_SYSTEM.search(command):
        return False
    return not _NOTEBOOK_IMAGE.search(command_text(service.get("image"))) and not _runs_a_missing_script(repo, command)


def _runs_a_missing_script(repo: RepoIndex, command: str) -> bool:
    """The command runs a Python script that is nowhere in the repository: it runs nothing of this
    repository (a compose file copied from elsewhere, or ahead of the code)."""
    scripts = _SCRIPT.findall(command)
    if not scripts:
        return False
    for script in scripts:
        parts = [p for p in script.split("/") if p not in ("", ".")]
        # `src/main.py` relative to the working directory, or `/app/src/main.py` inside the image:
        # some tail of the path must be a file here (the image copies the repository somewhere)
        tails = ["/".join(parts[i:]) for i in range(len(parts))]
        if any(f == tail or f.endswith("/" + tail) for tail in tails[: max(1, len(tails) - 1)] for f in repo.named(parts[-1])):
            return False
    return True


def _built_here(repo: RepoIndex, folder: str, build: object) -> str | None:
    """The Dockerfile a `build:` entry builds from this repository, or None (a context outside the
    repository, a URL, or a Dockerfile that is not here: nothing of this repository is built)."""
    if isinstance(build, str):
        context, dockerfile = build, "Dockerfile"
    elif isinstance(build, dict):
        context, dockerfile = command_text(build.get("context") or "."), command_text(build.get("dockerfile") or "Dockerfile")
    else:
        return None
    if "://" in context or context.startswith(("git@", "/", "$")):
        return None
    base = posixpath.normpath(posixpath.join(folder, context))
    if base == ".." or base.startswith("../"):
        return None
    path = posixpath.normpath(posixpath.join(base, dockerfile)) if base != "." else posixpath.normpath(dockerfile)
    return build_file(repo, path)


def build_file(repo: RepoIndex, path: str) -> str | None:
    """The file Docker builds for a build file path, if it is here: the path itself, or, for the
    default name `Dockerfile`, the lowercase `dockerfile` in the same context (Docker reads either)."""
    if repo.exists(path):
        return path
    folder, _, name = path.rpartition("/")
    lowered = f"{folder}/dockerfile" if folder else "dockerfile"
    return lowered if name == "Dockerfile" and repo.exists(lowered) else None


def _code_folders(repo: RepoIndex) -> frozenset[str]:
    """Every folder (and its ancestors) holding a code file outside tests, computed once per index."""

    def compute() -> frozenset[str]:
        folders: set[str] = set()
        for f in repo.files:
            if f.endswith(_CODE_SUFFIXES) and not is_test_path(f):
                folder = posixpath.dirname(f)
                while folder and folder not in folders:
                    folders.add(folder)
                    folder = posixpath.dirname(folder)
        return frozenset(folders)

    return repo.memo("compose_code_folders", compute)  # type: ignore[no-any-return]


def _mounted_code(repo: RepoIndex, folder: str, volumes: object) -> str | None:
    """A repository folder of code bind-mounted into the service (`./dags:/opt/airflow/dags`,
    `${AIRFLOW_PROJ_DIR:-.}/dags:...`)."""
    for volume in volumes[:MAX_VOLUMES] if isinstance(volumes, list) else []:
        raw = command_text(volume.get("source")) if isinstance(volume, dict) else command_text(volume)
        source = _DEFAULTED.sub(r"\1", raw).split(":", 1)[0]  # defaults first: `${X:-.}` holds a colon
        if source and not source.startswith((".", "/", "$", "~")) and "/" in source:
            source = "./" + source  # `dags/x` is relative to the compose file too
        if not source.startswith("."):
            continue  # named volumes and absolute host paths are not this repository's code
        base = posixpath.normpath(posixpath.join(folder, source))
        if base in (".", "..") or base.startswith("../"):
            continue  # the whole repository mounted as a workspace says nothing about what runs
        if base in _code_folders(repo):
            return base
    return None


def _images_built_in_ci(repo: RepoIndex) -> set[str]:
    """Image names (without registry tag) that CI commands or actions of this repository name: an
    image the repository publishes can be matched by name in a compose file."""
    return {name.lower() for _, _, _, text in ci_commands(repo) for name in _IMAGE_NAME.findall(text)}


# Compose files under other names, at the root or named for a stack or an environment
# (`production.yml`, `docker-stack.yml`, `deploy/prod.yaml`): recognised by their content.
_OTHER_NAMES = re.compile(r"(^|/)[^/]*(stack|prod|production|staging|deploy)[^/]*\.ya?ml$|^[^/]+\.ya?ml$", re.IGNORECASE)


def _compose_services(repo: RepoIndex, path: str, named_as_compose: bool) -> tuple[Any, dict[str, Any]] | None:
    doc = repo.yaml(path)
    services = doc.data.get("services") if doc is not None and isinstance(doc.data, dict) else None
    if not isinstance(services, dict) or not services:
        return None
    if not named_as_compose and not all(isinstance(s, dict) and ("image" in s or "build" in s) for s in services.values()):
        return None  # another tool's `services:` key (CI services, Serverless, ...), not a compose file
    return doc, services


def compose_project_workloads(repo: RepoIndex) -> list[tuple[str, Location]]:
    """Rule `compose runs the project`: (description, where) of every compose service that runs this
    repository's own workload, in compose files outside tests that are not named for tests or CI."""
    found: list[tuple[str, Location]] = []
    ci_images: set[str] | None = None
    named = repo.glob(*COMPOSE_FILES)
    seen = set(named)
    others = [p for p in repo.yaml_files() if _OTHER_NAMES.search(p) and p not in seen and not p.startswith(".")]
    for path, named_as_compose in [(p, True) for p in named] + [(p, False) for p in others]:
        name = path.rsplit("/", 1)[-1]
        stem = name.split("compose", 1)
        if is_test_path(path) or _EXAMPLE_PATH.search(path) or any(_TEST_COMPOSE.search(part) for part in stem):
            continue
        parsed = _compose_services(repo, path, named_as_compose)
        if parsed is None:
            continue
        doc, services = parsed
        folder = posixpath.dirname(path)
        for service_name, service in list(services.items())[:MAX_SERVICES]:
            if not isinstance(service, dict) or not _runs_the_system(repo, service):
                continue
            pos = doc.locate(("services", service_name)) if doc is not None else None
            where = at(path, pos[0] if pos else None)
            built = _built_here(repo, folder, service.get("build"))
            if _DEV_ENVIRONMENT.match(str(service_name)) or (built is not None and _DEV_ENVIRONMENT.match(posixpath.basename(posixpath.dirname(built)))):
                continue
            if built is not None:
                found.append((f"compose service '{service_name}' built from {built}", where))
                continue
            mounted = _mounted_code(repo, folder, service.get("volumes"))
            if mounted is not None:
                found.append((f"compose service '{service_name}' running the repository's {mounted}/", where))
                continue
            image = command_text(service.get("image")).lower().rsplit(":", 1)[0].split("@", 1)[0]
            if "/" in image and "${" not in image:
                if ci_images is None:
                    ci_images = _images_built_in_ci(repo)
                if image in ci_images:
                    found.append((f"compose service '{service_name}' running {image}, an image this repository's CI builds", where))
    return found
