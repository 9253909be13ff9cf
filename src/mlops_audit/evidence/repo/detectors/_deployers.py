"""Deployment declarations as deployers (session 15, deploy22): what the repository's deployment
artefacts run, and the deploy commands its scripts send to a platform.

Mechanism: a page, service or script is deployed when a deployment artefact of the repository starts
it, whatever the artefact is - a Kubernetes workload's container (`command`/`args`, or the CMD of the
repository Dockerfile its image is built from), a container service declared in Terraform or Bicep
(`command`/`args`), a platform descriptor (Procfile `web:`, render.yaml `startCommand`, App Engine
`entrypoint`, fly.toml `[processes]`/`cmd` or the Dockerfile fly builds, railway `startCommand`) or a
compose service whose `image:` is the image a build command of the repository tags from one of its
Dockerfiles. And a repository declares a deployment when a committed script (shell script, Makefile
recipe) sends its code or image to a platform with a deploy verb of the platform's CLI.

Everything here is bounded: files over MAX_FILE_BYTES are skipped, texts are cut at MAX_TEXT_CHARS and
the patterns are linear (no nested quantifiers over the same characters).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from typing import Any

from mlops_audit.evidence.repo.catalogue import vocabulary
from mlops_audit.evidence.repo.detectors._compose import command_text
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Kind, Location
from mlops_audit.evidence.repo.registry import at

MAX_FILE_BYTES = 512 * 1024
MAX_TEXT_CHARS = 8192
MAX_VALUE_LINES = 40  # lines of one HCL/Bicep command list
DEMO_FOLDER = re.compile(r"(^|/)(demos?|examples?|samples?|tutorials?|playground|sandbox|scratch)/", re.IGNORECASE)
TEMPLATE_SEGMENT = re.compile(r"(^|/)[^/]*\{\{[^/]*\}\}[^/]*/")


def kept(path: str) -> bool:
    """Project files only: tests, demo/example/tutorial folders and template placeholder trees show
    how to deploy; they deploy nothing of this system."""
    return not (is_test_path(path) or DEMO_FOLDER.search(path) or TEMPLATE_SEGMENT.search(path))


# --- deploy verbs of platform CLIs ---------------------------------------------------------------------
# The deploy commands the catalogue lists for CI (catalogue/deployment.yaml: the operations of each CLI's
# reference that put code or an image into service - `aws ecs register-task-definition`, `gcloud run
# deploy`, `kubectl apply` ...), with the global options a CLI takes before its verb (`aws --region x
# ecs ...`, `kubectl -n prod apply`), and the verb families whose middle words vary: gcloud `<group>
# [<subgroup>] deploy`, Azure CLI `az <service> ... create|update|deploy|up`, kubectl/helm verbs.
_OPTIONS = r"(?:--?[\w-]+(?:[ =][\w.:/-]+)?\s+){0,4}"
_TAKES_OPTIONS = ("aws", "kubectl", "helm", "gcloud")


def _listed(command: str) -> str:
    cli, *rest = command.split()
    return re.escape(cli) + r"\s+" + (_OPTIONS if cli in _TAKES_OPTIONS else "") + r"\s+".join(re.escape(w) for w in rest)


_LISTED = sorted(set(vocabulary(Kind.deployment_manifest).ci_commands), key=lambda c: (-len(c), c))
_AZ_SERVICES = r"webapp|functionapp|containerapp|container|spring\s+app|ml\s+(?:online|batch)-(?:deployment|endpoint)"
_COMMAND_START = (  # one line at a time; a JavaScript package runner may start the CLI (`npx wrangler`, `pnpm exec vercel`)
    r"(?:^|[;&|(`]|\$\(|\bthen\b|\bdo\b|\bexec\b|\bsudo\b)[^\S\n]*[@+-]*[^\S\n]*"
    r"(?:(?:npx|bunx|pnpx)(?:[^\S\n]+(?:-y|--yes))?[^\S\n]+|(?:pnpm|yarn|bun|npm)[^\S\n]+(?:(?:exec|dlx|x)[^\S\n]+)?)?"
)
DEPLOY_VERB = re.compile(
    _COMMAND_START
    + r"("
    + "|".join(_listed(c) for c in _LISTED)
    + r"|gcloud\s+(?:(?:alpha|beta)\s+)?(?:[a-z][\w-]*\s+){1,3}deploy(?:-model)?"
    + r"|gcloud\s+(?:(?:alpha|beta)\s+)?run\s+(?:services\s+(?:replace|update)|jobs\s+(?:create|update))"
    + r"|gcloud\s+deploy\s+(?:releases\s+create|apply)"
    + r"|gcloud\s+compute\s+instances\s+(?:create-with-container|update-container)"
    + rf"|az\s+(?:{_AZ_SERVICES})\s+(?:[a-z][\w-]*\s+){{0,3}}?(?:create|update|deploy|up|config-zip)"
    + r"|kubectl\s+" + _OPTIONS + r"(?:apply|replace|rollout\s+restart|set\s+image|create\s+deployment)"
    + r"|helm\s+" + _OPTIONS + r"(?:upgrade|install)"
    # Session 16: production deploys of the front-end platforms' CLIs (`vercel deploy --prebuilt --prod`, `vercel
    # --prod`, `netlify deploy --dir build --prod`), a git push to a Heroku/Dokku remote (Heroku's "git push heroku
    # main"; the remote's name or its git.heroku.com URL), a Render deploy hook (a POST to api.render.com/deploy/srv-...).
    + r"|vercel(?:@[\w.^~-]+)?(?:[^\S\n]+deploy)?[^\n;&|]{0,300}?[^\S\n]--prod(?:uction)?"
    + r"|netlify(?:-cli)?(?:@[\w.^~-]+)?[^\S\n]+deploy\b[^\n;&|]{0,300}?[^\S\n]--prod"
    + r"|git[^\S\n]+push\b[^\n;&|]{0,300}?(?:[^\S\n](?:heroku|dokku)|git\.heroku\.com\S*)"
    + r"|curl\b[^\n;&|]{0,300}?api\.render\.com/deploy/srv-[^\s\"'`]*"
    # An upload to a Hugging Face Space (`huggingface-cli upload <space> <folder> --repo-type=space`, `hf upload`).
    + r"|(?:huggingface-cli|hf)[^\S\n]+upload\b[^\n;&|]{0,300}?--repo-type[= ]space"
    + r")(?=\s|$|[;&|)\"'`])"
)
# Hugging Face's documented GitHub Actions sync of a Space: a `git push` to (a remote set to) a
# `huggingface.co/spaces/<owner>/<space>` URL, in the same CI step.
_SPACE_URL = "huggingface.co/spaces/"
_GIT_PUSH = re.compile(r"(?:^|[;&|(\s])git[^\S\n]+push\b")


def pushes_to_a_space(text: str) -> bool:
    return _SPACE_URL in text and _GIT_PUSH.search(text) is not None


# Words one of which every deploy command holds (lowercase), to skip most scripts without a search.
DEPLOY_WORDS = ("aws ", "gcloud", "az ", "kubectl", "helm", "skaffold", "fly", "serverless", "sls ", "cdk ", "sam ", "eb ",
                "copilot", "modal ", "railway", "cf push", "docker stack", "wrangler", "vercel", "netlify", "heroku", "firebase",
                "kamal", "doctl", "caprover", "kn ", "truss", "cog ", "bentoml", "gradio", "dokku", "api.render.com", "huggingface-cli", "hf upload")
_ECHOED = re.compile(r"^(?:echo|printf|print|log|info|warn)\b", re.IGNORECASE)


def deploy_command(text: str) -> re.Match[str] | None:
    """The first deploy verb in command position on a line of `text` that is not echoed or printed."""
    for line in text[: MAX_TEXT_CHARS * 4].splitlines():
        line = line.strip()
        if line and not _ECHOED.match(line):
            match = DEPLOY_VERB.search(line)
            if match:
                return match
    return None
_BUILDS = re.compile(r"(?:^|[;&|(\s@])(?:docker\s+(?:buildx\s+)?build|podman\s+build|gcloud\s+builds\s+submit|az\s+acr\s+build|sam\s+build|zip|tar)\s")
_SCRIPT_FILES = ("Makefile", "makefile", "GNUmakefile", "justfile", "Justfile")


def scripts(repo: RepoIndex) -> list[str]:
    """The project's committed scripts that may run commands: shell scripts, Makefiles and justfiles."""
    found = set(repo.with_suffix(".sh", ".bash")) | set(repo.named(*_SCRIPT_FILES))
    return sorted(p for p in found if kept(p) and repo.size(p) <= MAX_FILE_BYTES)


def _logical_lines(repo: RepoIndex, path: str) -> list[tuple[int, str]]:
    """Meaningful lines with backslash continuations joined (a deploy command is often wrapped), each
    logical line at most MAX_TEXT_CHARS (parts are collected and joined once: linear in the file)."""
    out: list[tuple[int, str]] = []
    parts: list[str] = []
    start, size = 0, 0
    for number, line in repo.meaningful_lines(path):
        if not parts:
            start = number
        continued = line.endswith("\\")
        part = line[:-1] if continued else line
        if size < MAX_TEXT_CHARS:
            parts.append(part[: MAX_TEXT_CHARS - size])
            size += len(parts[-1]) + 1
        if not continued:
            out.append((start, " ".join(parts)))
            parts, size = [], 0
    if parts:
        out.append((start, " ".join(parts)))
    return out


def _folders(repo: RepoIndex) -> frozenset[str]:
    def collect() -> frozenset[str]:
        folders: set[str] = set()
        for path in repo.files:
            cut = path.rfind("/")
            while cut > 0 and path[:cut] not in folders:
                folders.add(path[:cut])
                cut = path.rfind("/", 0, cut)
        return frozenset(folders)

    return repo.memo("deployers_folders", collect)  # type: ignore[no-any-return]


def _names_a_repository_path(repo: RepoIndex, folder: str, text: str) -> bool:
    """Whether a command names this repository: a word that is a file or folder of it (as given, or
    relative to the script's folder; `file://`/`fileb://` inputs too), or `.` (the current project)."""
    folders = _folders(repo)
    for word in re.findall(r"[^\s\"'=]+", text[:MAX_TEXT_CHARS]):
        word = word.removeprefix("fileb://").removeprefix("file://")
        if word in (".", "./"):
            return True
        word = word.removeprefix("./").rstrip("/,;")
        if not word or word.startswith(("-", "$", "/")) or "//" in word or ".." in word:
            continue
        for candidate in (word, f"{folder}/{word}") if folder else (word,):
            if repo.exists(candidate) or candidate in folders:
                return True
    return False


# Verbs that apply declarations kept elsewhere in the repository - manifests or charts (kubectl, helm,
# helmfile, skaffold) and infrastructure code (sam, cdk, serverless/sls: a SAM/CDK/Serverless template) -
# do not count in a script by themselves: what they apply is judged where it is declared (the manifest and
# infrastructure rules: a stack of buckets deploys nothing), and setup scripts install third-party charts
# with them (`helm install prometheus ...`).
_APPLIES_FILES = re.compile(r"(?:kubectl|helm|helmfile|skaffold|sam|cdk|serverless|sls)\b")


def script_deployments(repo: RepoIndex) -> list[tuple[str, Location]]:
    """Rule `deploy command in a script`: a committed shell script or Makefile/justfile recipe runs a
    platform CLI's deploy verb (in command position, not echoed; not the verbs applying manifests, charts
    or infrastructure code, judged where those are declared), and the script names this
    repository - the deploy command or a build/package command of the same script (`docker build`,
    `gcloud builds submit`, `zip`, `sam build`) names a file or folder of the repository or the
    project itself (`.`, `--source .`). A script in a test, demo, example or template folder, a
    README's instructions and the CLI's other verbs (`describe-services`, `s3 cp`, `group create`)
    declare nothing."""
    found: list[tuple[str, Location]] = []
    for path in scripts(repo):
        if not repo.mentions(path, DEPLOY_WORDS):
            continue
        lines = _logical_lines(repo, path)
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        deploys = [(n, line, m) for n, line in lines if not _ECHOED.match(line) for m in [DEPLOY_VERB.search(line)] if m and not _APPLIES_FILES.match(m.group(1))]
        if not deploys:
            continue
        builds = [line for _, line in lines if _BUILDS.search(" " + line)]
        for number, line, match in deploys:
            if _names_a_repository_path(repo, folder, line[match.end():]) or any(_names_a_repository_path(repo, folder, b) for b in builds):
                found.append((f"deploy command `{' '.join(match.group(1).split())}` in a script", at(path, number)))
                break
    return found


# --- CodeDeploy AppSpec by content ---------------------------------------------------------------------
# AWS CodeDeploy reads `appspec.yml` from the revision: `version: 0.0`, `os: linux|windows` and the
# `files` to copy and/or the lifecycle `hooks` (ApplicationStart, AfterInstall ...) to run. Recognised
# by those keys, whatever the file is called (CI may copy it into place under its name).
APPSPEC_WORDS = ("os: linux", "os: windows")
_APPSPEC_HOOKS = frozenset({"ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService",
                            "BeforeAllowTraffic", "AfterAllowTraffic", "BeforeBlockTraffic", "AfterBlockTraffic", "DownloadBundle", "Install"})


def is_appspec(data: object) -> bool:
    if not isinstance(data, dict) or "version" not in data or str(data.get("os")).lower() not in ("linux", "windows"):
        return False
    hooks, files = data.get("hooks"), data.get("files")
    named_hooks = isinstance(hooks, dict) and bool(_APPSPEC_HOOKS & set(hooks))
    copied = isinstance(files, list) and any(isinstance(f, dict) and "source" in f and "destination" in f for f in files)
    return named_hooks or copied


def appspecs(repo: RepoIndex) -> list[tuple[str, Location]]:
    """Rule `CodeDeploy AppSpec`: a YAML file whose content is an AppSpec (see is_appspec)."""
    found = []
    for path in repo.yaml_files():
        if not kept(path) or path.startswith(".github/") or not repo.mentions(path, APPSPEC_WORDS):
            continue
        doc = repo.yaml(path)
        if doc is not None and is_appspec(doc.data):
            found.append(("CodeDeploy AppSpec", at(path, 1)))
    return found


# --- what deployment artefacts run ---------------------------------------------------------------------

_RUN_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Rollout", "ReplicaSet", "Pod"})
WORKLOAD_TEXT = re.compile(r"kind[\"']?\s*:\s*[\"']?(?:Deployment|StatefulSet|DaemonSet|Job|CronJob|Rollout|ReplicaSet|Pod)\b")
_CONTAINER_LISTS = ("containers", "initContainers")


def _containers(node: object, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 12:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _CONTAINER_LISTS and isinstance(value, list):
                yield from (c for c in value if isinstance(c, dict))
            elif isinstance(value, (dict, list)):
                yield from _containers(value, depth + 1)
    elif isinstance(node, list):
        for item in node:
            yield from _containers(item, depth + 1)


def kubernetes_launches(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(container command line, image) of each container of a Kubernetes workload."""
    if data.get("kind") not in _RUN_KINDS:
        return
    for container in _containers(data.get("spec")):
        line = f"{command_text(container.get('command') or '')} {command_text(container.get('args') or '')}".strip()
        yield line, str(container.get("image") or "")


_HCL_COMMAND = re.compile(r"^(?:command|commands|args|entrypoint|startup_command|app_command_line|cmd)[\"']?\s*[=:]", re.IGNORECASE)
_QUOTED = re.compile(r"\"([^\"\n]{0,300})\"|'([^'\n]{0,300})'")


def iac_commands(repo: RepoIndex, path: str) -> list[tuple[int, str]]:
    """(line, command words) of the container commands a Terraform/Bicep file declares: the quoted
    words of each `command = [...]` / `args = [...]` (a one-line string too) joined per resource
    block's commands in file order, comments left out."""
    lines = repo.meaningful_lines(path, comment="#" if path.endswith(".tf") else "//")
    out: list[tuple[int, str]] = []
    index = 0
    while index < len(lines):
        number, line = lines[index]
        if _HCL_COMMAND.match(line):
            value = line.split("=", 1)[1] if "=" in line.split(":", 1)[0] or ":" not in line else line.split(":", 1)[1]
            depth = value.count("[") - value.count("]")
            taken = 0
            while depth > 0 and index + 1 < len(lines) and taken < MAX_VALUE_LINES:
                index += 1
                taken += 1
                nxt = lines[index][1]
                value += " " + nxt
                depth += nxt.count("[") - nxt.count("]")
            words = [a or b for a, b in _QUOTED.findall(value[:MAX_TEXT_CHARS])]
            if words:
                if out and out[-1][0] >= number - 3:  # command and args of one container, written together
                    out[-1] = (out[-1][0], f"{out[-1][1]} {' '.join(words)}")
                else:
                    out.append((number, " ".join(words)))
        index += 1
    return out


_PROCESS_LINE = re.compile(r"^([A-Za-z0-9_-]{1,100})\s*:\s*(\S.*)$")


def platform_launches(repo: RepoIndex, web_only: bool = True) -> Iterator[tuple[str, Location, str]]:
    """(platform, where, command) of the processes platform descriptors start: a Procfile's `web:`
    process (any process but the one-off `release:` with `web_only=False`), render.yaml's
    `startCommand` (web services, workers and cron jobs), App Engine's `entrypoint`, railway's
    `startCommand`, fly.toml's `[processes]`, `[experimental] cmd` and, without a command, the
    Dockerfile fly builds (its CMD/ENTRYPOINT)."""
    for path in repo.named("Procfile"):
        if kept(path):
            for number, line in repo.meaningful_lines(path):
                match = _PROCESS_LINE.match(line)
                if match and (match.group(1) == "web" if web_only else match.group(1) != "release"):
                    yield "Procfile", at(path, number), match.group(2)[:MAX_TEXT_CHARS]
    for path in repo.named("render.yaml", "render.yml", "app.yaml", "app.yml"):
        if not kept(path) or repo.size(path) > MAX_FILE_BYTES:
            continue
        doc = repo.yaml(path)
        data = doc.data if doc is not None else None
        if not isinstance(data, dict):
            continue
        if path.endswith(("render.yaml", "render.yml")):
            services = data.get("services") if isinstance(data.get("services"), list) else []
            for i, service in enumerate(services):
                if isinstance(service, dict):
                    for key in ("startCommand", "dockerCommand"):
                        if isinstance(service.get(key), str):
                            pos = doc.locate(("services", i, key)) if doc is not None else None
                            yield "Render", at(path, pos[0] if pos else None), service[key][:MAX_TEXT_CHARS]
        elif isinstance(data.get("runtime"), str) and isinstance(data.get("entrypoint"), str):
            pos = doc.locate(("entrypoint",)) if doc is not None else None
            yield "App Engine", at(path, pos[0] if pos else None), data["entrypoint"][:MAX_TEXT_CHARS]
    for path in repo.named("railway.json", "railway.toml", "fly.toml"):
        if not kept(path) or repo.size(path) > MAX_FILE_BYTES:
            continue
        data = _structured(repo, path)
        if path.endswith(("railway.json", "railway.toml")):
            deploy = data.get("deploy") if isinstance(data.get("deploy"), dict) else {}
            if isinstance(deploy.get("startCommand"), str):
                yield "Railway", at(path, 1), deploy["startCommand"][:MAX_TEXT_CHARS]
            continue
        processes = data.get("processes") if isinstance(data.get("processes"), dict) else {}
        commands = [v for v in processes.values() if isinstance(v, str)]
        experimental = data.get("experimental") if isinstance(data.get("experimental"), dict) else {}
        commands += [command_text(experimental.get("cmd"))] if experimental.get("cmd") else []
        if not commands:
            folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
            build = data.get("build") if isinstance(data.get("build"), dict) else {}
            dockerfile = folder + str(build.get("dockerfile") or "Dockerfile")
            commands = [dockerfile_starts(repo, dockerfile)] if repo.exists(dockerfile) else []
        for command in commands:
            if command:
                yield "Fly.io", at(path, 1), command[:MAX_TEXT_CHARS]


def _structured(repo: RepoIndex, path: str) -> dict[str, Any]:
    text = repo.text(path) or ""
    try:
        if path.endswith(".toml"):
            data: Any = tomllib.loads(text)
        else:
            import json

            data = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def dockerfile_starts(repo: RepoIndex, path: str) -> str:
    """The CMD and ENTRYPOINT instructions of a Dockerfile, as one text."""
    if repo.size(path) > MAX_FILE_BYTES:
        return ""
    lines = repo.meaningful_lines(path)
    return " ".join(line for _, line in lines if line.split(None, 1)[0].upper() in ("CMD", "ENTRYPOINT"))[:MAX_TEXT_CHARS]


# --- images the repository builds ------------------------------------------------------------------------
_DOCKER_BUILD = re.compile(r"(?:^|[;&|(\s@])(?:docker\s+(?:buildx\s+)?build|podman\s+build)\s+(.{1,2000})")


def _image_name(reference: str) -> str:
    """An image reference without its tag or digest (`acme/ui:0.3` -> `acme/ui`), lowercase."""
    reference = reference.strip("\"'").split("@", 1)[0]
    last = reference.rsplit("/", 1)
    if ":" in last[-1]:
        reference = reference[: len(reference) - len(last[-1])] + last[-1].split(":", 1)[0]
    return reference.lower()


def built_images(repo: RepoIndex) -> dict[str, str]:
    """image name -> repository Dockerfile, from the `docker build -t NAME -f FILE CONTEXT` commands
    of the project's scripts (shell, Makefile, justfile) and CI run steps. A name whose tag is only
    a variable (`$IMAGE`) is left out: it cannot be matched to a service."""
    return repo.memo("deployers_built_images", lambda: _built_images(repo))  # type: ignore[no-any-return]


def _built_images(repo: RepoIndex) -> dict[str, str]:
    from mlops_audit.evidence.repo.ciconfig import ci_run_commands

    texts: list[tuple[str, str]] = []
    for path in scripts(repo):
        if repo.mentions(path, ("build",)):
            texts += [(path, line) for _, line in _logical_lines(repo, path)]
    texts += [(c.path, c.text) for c in ci_run_commands(repo) if "build" in c.text]
    images: dict[str, str] = {}
    for path, text in texts:
        for match in _DOCKER_BUILD.finditer(text):
            words = match.group(1).split()
            tags, dockerfile, context = [], None, "."
            i = 0
            while i < len(words) and i < 200:
                word = words[i]
                if word in ("-t", "--tag") and i + 1 < len(words):
                    tags.append(words[i + 1])
                    i += 2
                    continue
                if word.startswith(("--tag=", "-t=")):
                    tags.append(word.split("=", 1)[1])
                elif word in ("-f", "--file") and i + 1 < len(words):
                    dockerfile = words[i + 1].strip("\"'")
                    i += 2
                    continue
                elif word.startswith("--file="):
                    dockerfile = word.split("=", 1)[1].strip("\"'")
                elif word in (";", "&&", "||", "|"):
                    break
                elif word.startswith("--") and "=" not in word and i + 1 < len(words) and word in ("--build-arg", "--target", "--platform", "--label", "--cache-from", "--network", "--secret", "--ssh"):
                    i += 2
                    continue
                elif not word.startswith("-"):
                    context = word.strip("\"'")
                i += 1
            context = context.removeprefix("./").rstrip("/") or "."
            file = dockerfile.removeprefix("./") if dockerfile else (f"{context}/Dockerfile" if context != "." else "Dockerfile")
            if not repo.exists(file):
                continue
            for tag in tags:
                name = _image_name(tag)
                if name and "$" not in name and "{" not in name:
                    images.setdefault(name, file)
    return images


def built_dockerfile(repo: RepoIndex, image: str) -> str | None:
    """The repository Dockerfile an image reference is built from, when a build command tags it."""
    name = _image_name(image) if image else ""
    return built_images(repo).get(name) if name and "$" not in name and "{" not in name else None


_TOKEN = re.compile(r"[a-z0-9]+")
_DOCKERFILE_NAME = re.compile(r"^(?:dockerfile|containerfile)[._-](.+)$|^(.+)[._-](?:dockerfile|containerfile)$", re.IGNORECASE)


def named_dockerfiles(repo: RepoIndex, image: str, service: str) -> list[str]:
    """Repository Dockerfiles that a local image (no registry or namespace: `llm_module_base:0.1`) is
    named after when no build command tags it: the variant part of the Dockerfile's name
    (`Dockerfile.llm`, `ui.Dockerfile`) or its folder (`docker/ui/Dockerfile`) is made of words of the
    image or the service name. Teams build such images by hand (`docker build -f Dockerfile.llm -t
    llm_module_base .`) and name both after the part of the system they run."""
    name = _image_name(image) if image else ""
    if not name or "/" in name or "$" in name or "{" in name:
        return []
    words = set(_TOKEN.findall(name)) | set(_TOKEN.findall(service.lower()))
    found = []
    for path in repo.memo("deployers_dockerfiles", lambda: sorted(
        p for p in repo.files if kept(p) and ("dockerfile" in p.rsplit("/", 1)[-1].lower() or "containerfile" in p.rsplit("/", 1)[-1].lower())
    )):
        base = path.rsplit("/", 1)[-1]
        match = _DOCKERFILE_NAME.match(base)
        variant = (match.group(1) or match.group(2)) if match else (path.rsplit("/", 2)[-2] if path.count("/") >= 1 and base.lower() in ("dockerfile", "containerfile") else "")
        tokens = set(_TOKEN.findall(variant.lower())) - {"dockerfile", "containerfile"}
        if tokens and tokens <= words:
            found.append(path)
    return found


# --- platform specs by content -----------------------------------------------------------------------------
# Cloud Foundry app manifest (`cf push` reads it): `applications:`, a list of apps each with a `name`
# and the attributes the platform runs it with (cf docs, "App manifest attribute reference").
PLATFORM_WORDS = ("applications", "bundle")
# The attributes only Cloud Foundry gives an app (a `command` or a `path` alone is any tool's).
_CF_ATTRIBUTES = frozenset({"memory", "instances", "buildpacks", "buildpack", "disk_quota", "docker", "routes", "random-route",
                            "no-route", "health-check-type", "health-check-http-endpoint"})


def _cloud_foundry(data: object) -> bool:
    apps = data.get("applications") if isinstance(data, dict) else None
    return isinstance(apps, list) and any(isinstance(a, dict) and a.get("name") and _CF_ATTRIBUTES & set(a) for a in apps)


def _databricks_bundle(path: str, data: object) -> bool:
    """A Databricks asset bundle (`databricks bundle deploy` reads `databricks.yml`): a `bundle` mapping
    and the jobs/pipelines it deploys (`resources`, or `include`d resource files) or its `targets`."""
    return (path.rsplit("/", 1)[-1] in ("databricks.yml", "databricks.yaml") and isinstance(data, dict) and isinstance(data.get("bundle"), dict)
            and any(data.get(k) for k in ("resources", "include", "targets")))


def platform_specs(repo: RepoIndex) -> list[tuple[str, Location]]:
    """Rules `Cloud Foundry manifest` and `Databricks asset bundle`, recognised by content."""
    found = []
    for path in repo.yaml_files():
        if not kept(path) or path.startswith(".github/") or repo.size(path) > MAX_FILE_BYTES or not repo.mentions(path, PLATFORM_WORDS):
            continue
        doc = repo.yaml(path)
        data = doc.data if doc is not None else None
        if _cloud_foundry(data):
            found.append(("Cloud Foundry app manifest", at(path, 1)))
        elif _databricks_bundle(path, data):
            found.append(("Databricks asset bundle", at(path, 1)))
    return found


# --- platform descriptors a platform deploys the repository from (session 16, role16) -------------------
# Each platform's documented configuration file, counted when it declares something that runs: Cloudflare
# Workers/Pages (`wrangler.toml`/`.json`/`.jsonc`: a `name` and the Worker's `main` script or the Pages
# `pages_build_output_dir`), Fly.io (`fly.toml`: an `app` with its `http_service`, `services`, `processes`,
# `build` or `deploy`), Render Blueprints (`render.yaml`: a `services` entry of type web, pserv, worker or
# cron), Railway (`railway.json`/`.toml` with `build` or `deploy`), DigitalOcean App Platform (`.do/app.yaml`:
# services, workers, jobs or functions), Vercel (`vercel.json` declaring server-side `functions`, `crons` or
# a non-static `builds` runtime: rewrites or headers alone configure a static site).
_RENDER_RUNNING = frozenset({"web", "pserv", "worker", "cron", "background worker", "private service"})
_DO_COMPONENTS = ("services", "workers", "jobs", "functions")
_JSONC_COMMENT = re.compile(r"^[^\S\n]*//[^\n]*$", re.MULTILINE)


def _descriptor(repo: RepoIndex, path: str) -> dict[str, Any]:
    if path.endswith(".jsonc"):
        import json

        try:
            data = json.loads(_JSONC_COMMENT.sub("", (repo.text(path) or "")[: MAX_FILE_BYTES]))
        except (ValueError, RecursionError):
            return {}
        return data if isinstance(data, dict) else {}
    if path.endswith((".yaml", ".yml")):
        doc = repo.yaml(path)
        return doc.data if doc is not None and isinstance(doc.data, dict) else {}
    return _structured(repo, path)


def _declares_running(name: str, data: dict[str, Any]) -> bool:
    if name.startswith("wrangler."):
        return bool(data.get("name")) and bool(data.get("main") or data.get("pages_build_output_dir"))
    if name == "fly.toml":
        return bool(data.get("app")) and any(data.get(k) for k in ("http_service", "services", "processes", "build", "deploy"))
    if name in ("render.yaml", "render.yml"):
        services = data.get("services") if isinstance(data.get("services"), list) else []
        return any(isinstance(s, dict) and str(s.get("type", "")).lower() in _RENDER_RUNNING for s in services)
    if name.startswith("railway."):
        return any(isinstance(data.get(k), dict) and data[k] for k in ("build", "deploy"))
    if name in ("app.yaml", "app.yml"):  # .do/app.yaml only (see platform_descriptors)
        return any(isinstance(data.get(k), list) and data[k] for k in _DO_COMPONENTS)
    if name == "vercel.json":
        builds = data.get("builds") if isinstance(data.get("builds"), list) else []
        server_build = any(isinstance(b, dict) and isinstance(b.get("use"), str) and "static" not in b["use"] for b in builds)
        return bool(data.get("functions") or data.get("crons")) or server_build
    return False


_DESCRIPTOR_NAMES = ("wrangler.toml", "wrangler.json", "wrangler.jsonc", "fly.toml", "render.yaml", "render.yml",
                     "railway.json", "railway.toml", "vercel.json", "app.yaml", "app.yml")
_DESCRIPTOR_PLATFORM = {"wrangler": "Cloudflare Workers/Pages (wrangler)", "fly": "Fly.io (fly.toml)", "render": "Render Blueprint (render.yaml)",
                        "railway": "Railway", "vercel": "Vercel (vercel.json)", "app": "DigitalOcean App Platform (.do/app.yaml)"}


def platform_descriptors(repo: RepoIndex) -> list[tuple[str, Location]]:
    """Rule `platform descriptor` (above): the named files that declare something the platform runs."""
    found = []
    for path in repo.named(*_DESCRIPTOR_NAMES):
        name = path.rsplit("/", 1)[-1]
        if name.startswith("app.") and not (path == f".do/{name}" or path.endswith(f"/.do/{name}")):
            continue  # App Engine's app.yaml is judged by the catalogue's `app_engine` entry
        if not kept(path) or repo.size(path) > MAX_FILE_BYTES:
            continue
        if _declares_running(name, _descriptor(repo, path)):
            found.append((_DESCRIPTOR_PLATFORM[name.split(".", 1)[0]], at(path, 1)))
    return found


# --- a batch workload declared through a reusable action ----------------------------------------------------
# A CI job or step `uses:` a reusable workflow or action and passes it the compute the job runs with
# (vCPUs and memory, a job queue, an instance or machine type): the workload's resources are declared in
# committed CI while its definition lives in the shared action - partial evidence of a deployment.
_COMPUTE_INPUT = re.compile(r"^(?:v?cpus?|vcpu_?count|memory(?:_?(?:mb|mib|gb|size))?|mem|gpus?|job_?queue|instance_?type|machine_?type|compute_?type)$")


def reusable_compute_declarations(repo: RepoIndex) -> list[tuple[str, Location]]:
    from mlops_audit.evidence.repo.ciconfig import ci_file_paths

    found = []
    for path in ci_file_paths(repo):
        if not path.endswith((".yml", ".yaml")):
            continue
        for doc in repo.yaml_documents(path):
            jobs = doc.data.get("jobs") if isinstance(doc.data, dict) else None
            for job_name, job in jobs.items() if isinstance(jobs, dict) else []:
                if not isinstance(job, dict):
                    continue
                users = [((("jobs", job_name)), job)] + [
                    (("jobs", job_name, "steps", i), step) for i, step in enumerate(job.get("steps") or [] if isinstance(job.get("steps"), list) else [])
                ]
                for key_path, user in users:
                    uses, inputs = (user.get("uses"), user.get("with")) if isinstance(user, dict) else (None, None)
                    if not isinstance(uses, str) or not isinstance(inputs, dict) or uses.lower().startswith("actions/"):
                        continue
                    compute = {str(k).lower().replace("-", "_") for k in inputs if _COMPUTE_INPUT.match(str(k).lower().replace("-", "_"))}
                    if len(compute) >= 2:
                        pos = doc.locate(key_path + ("uses",))
                        found.append((f"{uses.split('@', 1)[0]} with {', '.join(sorted(compute))}", at(path, pos[0] if pos else None)))
    return found
