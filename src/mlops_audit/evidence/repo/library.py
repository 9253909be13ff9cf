"""Libraries and tools: a package's features are not the authors' practice (conventions §5).

A repository that is a library, plugin set or tool others install is a project, but what its
package *offers* (a dataset connector that versions tables, callbacks that log to W&B, a tuning
helper, a model-registry client) is not a practice on a system of the authors' own: the
practice is the users'. Its upkeep (CI, tests, pins, scanners, owners, tags) is judged as
everywhere. This module decides, from the tree alone:

- `packages`: the distributions the repository declares (a `pyproject.toml`, `setup.cfg` or
  `setup.py` at the root or one folder below, read as data, never run) and their library code:
  the import packages named after the distribution (`kedro-datasets` -> `kedro_datasets/`,
  `kedro_datasets_experimental/`, in the build file's folder or its `src/`) and those the build file
  lists;
- `judge`: the repository **is a library** when a declared distribution is **published** to an
  index others install from (a CI or release script uploads it: `pypa/gh-action-pypi-publish`,
  `twine upload`, `poetry publish`...; or its README installs it by its own name: `pip install
  wellcomeml`) **and** nothing shows a **system of its own** outside its library code, examples,
  documentation code, tests and templates: no deployment stack (compose, Helm, Terraform,
  serverless...), no data or training pipeline of its own (DVC, MLproject, params), no trained model
  kept in the tree, no model card, no dashboards of running services, no container image that
  starts a service. Most ML projects are packaged too (`src/<pkg>/`, `setup.py`): they are not
  published by name, or they run a system of their own, and keep all their credit;
- `set_aside_library_features`: in a library, an ML-practice finding that passed (or partly passed)
  only on evidence inside the library code, its examples (§2), documentation code, tests or package
  templates becomes `fail`, its message saying what was found, where, and why it is not credited.
  Evidence anywhere else (a root Dockerfile, an evaluation suite the authors run, design documents)
  keeps the finding as it was.

The words (build files, publish commands, folder names, own-system files) are data:
`library.yaml`. Pure: the index's listing and capped reads in, the verdict out.
"""

from __future__ import annotations

import configparser
import dataclasses
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from mlops_audit.errors import InputError
from mlops_audit.evidence.repo.model import FindingOutcome
from mlops_audit.evidence.repo.places import is_dockerfile

VOCABULARY_FILE = "library.yaml"
MAX_NAMED = 3  # files named in a finding's message
MAX_REASONS = 5  # reasons kept per side of the verdict
BUILD_DEPTH = 1  # build files at the root or one folder below (a plugin set's plugins)
CODE_SUFFIXES = (".py", ".pyw", ".ipynb")
_CI_FILES = frozenset({".gitlab-ci.yml", ".travis.yml", "azure-pipelines.yml", "bitbucket-pipelines.yml", "Jenkinsfile", "cloudbuild.yaml", "Makefile"})
_CI_FOLDERS = (".github/workflows/", ".circleci/", ".gitlab/")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OwnSystem(_Model):
    deployment_names: tuple[str, ...]
    deployment_suffixes: tuple[str, ...]
    pipeline_names: tuple[str, ...]
    pipeline_suffixes: tuple[str, ...]
    model_suffixes: tuple[str, ...]
    model_card_names: tuple[str, ...]
    dashboard_folders: tuple[str, ...]
    service_commands: tuple[str, ...]


class Vocabulary(_Model):
    format: Literal["mlops-audit/library-vocabulary@1"]
    build_files: tuple[str, ...]
    not_library_folders: tuple[str, ...]
    publish_in_ci: tuple[str, ...]
    install_commands: tuple[str, ...]
    readme_names: tuple[str, ...]
    examples_folders: tuple[str, ...]
    docs_folders: tuple[str, ...]
    tests_folders: tuple[str, ...]
    template_folders: tuple[str, ...]
    own_system: OwnSystem


def parse_vocabulary(text: str, source: str) -> Vocabulary:
    """Validate the vocabulary; a problem names the file and the key."""
    from mlops_audit.util.safeyaml import load_yaml_text

    doc = load_yaml_text(text, source)
    try:
        vocab = Vocabulary.model_validate(doc.data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = doc.where(tuple(first["loc"]))
        raise InputError(f"{where}: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
    return vocab


@cache
def vocabulary() -> Vocabulary:
    return parse_vocabulary(resources.files(__package__).joinpath(VOCABULARY_FILE).read_text(encoding="utf-8"), VOCABULARY_FILE)


def normalised(name: str) -> str:
    """A distribution or import name compared as Python packaging compares them (PEP 503, with `_`)."""
    return re.sub(r"[-_.]+", "_", name).lower()


@dataclass(frozen=True)
class Package:
    """One declared distribution: its name, the build file declaring it, its library code folders."""

    name: str
    build_file: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class LibraryVerdict:
    """`library`: the repository is a published library with no system of its own. `published` and
    `own_system` say why (file:line and what was seen), each at most `MAX_REASONS` long."""

    library: bool
    packages: tuple[Package, ...] = ()
    published: tuple[str, ...] = ()
    own_system: tuple[str, ...] = ()

    def why(self) -> str:
        names = ", ".join(p.name for p in self.packages[:MAX_NAMED]) + (f" +{len(self.packages) - MAX_NAMED}" if len(self.packages) > MAX_NAMED else "")
        return f"published package {names}: {self.published[0]}" if self.published else f"package {names}"


NOT_A_LIBRARY = LibraryVerdict(library=False)


# Where things are -----------------------------------------------------------------------------------
def _folders(path: str) -> list[str]:
    return path.split("/")[:-1]


def _in_named_folder(path: str, names: tuple[str, ...]) -> bool:
    folder = path.rpartition("/")[0]
    return bool(folder) and _folder_named(folder, names)


@lru_cache(maxsize=8192)
def _folder_named(folder: str, names: tuple[str, ...]) -> bool:
    """Whether a part of `folder` is one of `names`, ignoring case (asked for every listed file by
    `own_system`: once per folder)."""
    wanted = {n.lower() for n in names}
    return any(part.lower() in wanted for part in folder.split("/"))


def _under(path: str, folder: str) -> bool:
    return path.startswith(folder + "/")


def example_or_template(path: str, vocab: Vocabulary) -> bool:
    """An example (at any depth: `examples/`, `demos/`, `samples/`...) or a template the package
    generates for its users (`templates/`, a cookiecutter `{{...}}` folder)."""
    return _in_named_folder(path, (*vocab.examples_folders, *vocab.template_folders)) or "{{" in path


def beside_library(path: str, vocab: Vocabulary) -> bool:
    """Examples, tests and package templates (at any depth), and documentation code: what shows or
    checks a library's use, never a system of its own (conventions §2, §5)."""
    if example_or_template(path, vocab) or _in_named_folder(path, vocab.tests_folders):
        return True
    parts = _folders(path)
    in_docs = bool(parts) and (parts[0].lower() in vocab.docs_folders or (len(parts) > 1 and parts[1].lower() in vocab.docs_folders))
    return in_docs and path.endswith(CODE_SUFFIXES)


def library_code(verdict: LibraryVerdict, path: str, vocab: Vocabulary | None = None) -> bool:
    """Whether `path` is the published package's code (or beside it: examples, tests, templates,
    documentation code) in a repository judged a library."""
    vocab = vocab or vocabulary()
    return any(_under(path, src) for p in verdict.packages for src in p.sources) or beside_library(path, vocab)


# The distributions ----------------------------------------------------------------------------------
_SETUP_NAME = re.compile(r"""\bname\s*=\s*["']([A-Za-z0-9][\w.\-]*)["']""")
_SETUP_NAME_VARIABLE = re.compile(r"\bname\s*=\s*([A-Za-z_]\w*)\s*[,)]")
_SETUP_PACKAGES = re.compile(r"""\bpackages[ \t]*=[ \t]*\[([^\]\[]{0,2000})\]""")
_QUOTED = re.compile(r"""["']([A-Za-z_][\w./]*)["']""")


def _declared(index: Any, build: str) -> tuple[str | None, list[str]]:
    """(distribution name, import packages the build file lists) of one build file, read as data."""
    name: Any = None
    listed: list[str] = []
    base = posixpath.basename(build)
    if base == "pyproject.toml":
        data = index.toml(build) or {}
        project = data.get("project") if isinstance(data.get("project"), dict) else {}
        tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
        poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
        name = project.get("name") or poetry.get("name")
        for entry in poetry.get("packages") or []:
            if isinstance(entry, dict) and isinstance(entry.get("include"), str):
                listed.append(posixpath.join(entry.get("from", "") if isinstance(entry.get("from"), str) else "", entry["include"]))
        hatch = tool.get("hatch", {}) if isinstance(tool.get("hatch"), dict) else {}
        wheel = hatch.get("build", {}).get("targets", {}).get("wheel", {}) if isinstance(hatch.get("build"), dict) else {}
        if isinstance(wheel, dict):
            listed += [p for p in wheel.get("packages") or [] if isinstance(p, str)]
        setuptools = tool.get("setuptools", {}) if isinstance(tool.get("setuptools"), dict) else {}
        if isinstance(setuptools.get("packages"), list):
            listed += [p for p in setuptools["packages"] if isinstance(p, str) and "." not in p]
    elif base == "setup.cfg":
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(index.text(build) or "", source=build)
            name = parser.get("metadata", "name", fallback=None)
        except configparser.Error:
            name = None
    else:  # setup.py: the first `name="..."` and a literal `packages=[...]`, as text
        text = index.text(build) or ""
        found = _SETUP_NAME.search(text)
        if found is None and (variable := _SETUP_NAME_VARIABLE.search(text)) is not None:  # `name=project` and `project = "..."`
            found = re.search(rf"""^{re.escape(variable.group(1))}\s*=\s*["']([A-Za-z0-9][\w.\-]*)["']""", text, re.MULTILINE)
        name = found.group(1) if found else None
        listing = _SETUP_PACKAGES.search(text)
        if listing:
            listed += [q for q in _QUOTED.findall(listing.group(1)) if "." not in q]
    return (name.strip() if isinstance(name, str) and name.strip() else None), listed


def _child_folders(files: Iterable[str]) -> dict[str, set[str]]:
    """folder -> its child folders, for the root and the folders up to two levels below it (where
    build files and their `src/` are), from the listing in one pass."""
    children: dict[str, set[str]] = {}
    for rel in files:
        parts = rel.split("/")[:-1][:3]
        for depth in range(len(parts)):
            children.setdefault("/".join(parts[:depth]), set()).add(parts[depth])
    return children


def packages(index: Any, vocab: Vocabulary | None = None) -> list[Package]:
    """The distributions declared at the root or one folder below, outside examples, tests and
    templates, with their library code folders (a distribution without any is left out)."""
    vocab = vocab or vocabulary()
    builds = [f for f in index.files if f.count("/") <= BUILD_DEPTH and posixpath.basename(f) in vocab.build_files and not beside_library(f, vocab)]
    by_folder: dict[str, list[str]] = {}
    for build in builds:
        by_folder.setdefault(posixpath.dirname(build), []).append(build)
    found: list[Package] = []
    excluded = {n.lower() for n in vocab.not_library_folders}
    children = _child_folders(index.files) if by_folder else {}
    for folder, files in sorted(by_folder.items()):
        name, listed = None, []
        for build in sorted(files, key=lambda b: vocab.build_files.index(posixpath.basename(b))):
            try:
                got, more = _declared(index, build)
            except (TypeError, AttributeError, ValueError):
                # A build file shaped unlike its tool's schema (`packages = 5`, `targets = "x"`)
                # declares nothing we can read; the judgement goes on without it.
                got, more = None, []
            if not isinstance(got, str):
                got = None
            name = name or got
            listed += more
        # A name computed when setup.py runs (read from a version module) is not read: then every
        # top-level import package (a folder with __init__.py) of the build folder is the library.
        wanted = normalised(name) if name else None
        sources: list[str] = []
        for base in (folder, posixpath.join(folder, "src") if folder else "src"):
            for child in sorted(children.get(base, ())):
                key = normalised(child)
                path = posixpath.join(base, child) if base else child
                if child.lower() in excluded or child.startswith("."):
                    continue
                if (key == wanted or key.startswith(f"{wanted}_")) if wanted else index.exists(f"{path}/__init__.py"):
                    sources.append(path)
        for item in listed:
            path = posixpath.normpath(posixpath.join(folder, item.replace(".", "/") if "/" not in item else item))
            top = path.split("/")[-1].lower()
            if top not in excluded and not path.startswith("..") and posixpath.basename(path) in children.get(posixpath.dirname(path), ()):
                sources.append(path)
        sources = sorted(set(sources))
        if sources:
            found.append(Package(name=name or posixpath.basename(sources[0]), build_file=sorted(files)[0], sources=tuple(sources)))
    return found


# Published ------------------------------------------------------------------------------------------
def _release_files(index: Any) -> list[str]:
    return [f for f in index.files if f.startswith(_CI_FOLDERS) or f in _CI_FILES or (("/" not in f) and f.endswith(".sh"))]


def published(index: Any, found: list[Package], vocab: Vocabulary | None = None) -> list[str]:
    """Why the packages are something others install from an index: a CI or release script that
    uploads a distribution, or a README line installing the package by its own name."""
    vocab = vocab or vocabulary()
    reasons: list[str] = []
    words = tuple(w.lower() for w in vocab.publish_in_ci)
    for rel in _release_files(index):
        for number, line in enumerate((index.text(rel) or "").splitlines(), start=1):
            lowered = line.lower()
            hit = next((w for w in words if w in lowered), None)
            if hit and not lowered.lstrip().startswith("#"):
                reasons.append(f"{rel}:{number}: uploads the distribution ({hit})")
                break
    names = {normalised(p.name) for p in found}
    commands = "|".join(re.escape(c) for c in sorted(vocab.install_commands, key=len, reverse=True))
    install = re.compile(rf"(?:^|[\s`$>])(?:{commands})((?:\s+(?:-c|--channel|-i|--index-url|--extra-index-url)\s+\S+|\s+-{{1,2}}[\w-]+)*)\s+['\"]?([A-Za-z0-9][\w.\-]*)(\[[^\]]*\])?([<>=!~]=?[\w.*]+)?['\"]?(?=[\s`'\"]|$)")
    folders = sorted({posixpath.dirname(p.build_file) for p in found})
    readmes = [posixpath.join(folder, name) for folder in folders for name in vocab.readme_names if index.exists(posixpath.join(folder, name))]
    for rel in readmes:
        for number, line in enumerate((index.text(rel) or "").splitlines(), start=1):
            for match in install.finditer(line):
                options, target = match.group(1) or "", match.group(2)
                rest = line[match.end():].lstrip()
                if "-e" in options.split() or "--editable" in options or rest.startswith("@"):
                    continue  # an editable checkout or a direct URL: not an index
                if normalised(target) in names:
                    reasons.append(f"{rel}:{number}: installs it by name ({match.group(0).strip()})")
                    break
    return sorted(dict.fromkeys(reasons))


# A system of its own --------------------------------------------------------------------------------
_SERVICE_LINE = re.compile(r"^[^\S\n]*(?:CMD|ENTRYPOINT)\b(.*)$", re.IGNORECASE | re.MULTILINE)
_EXPOSE = re.compile(r"^[^\S\n]*EXPOSE\s+\S", re.IGNORECASE | re.MULTILINE)


def _service_image(index: Any, rel: str, vocab: Vocabulary) -> str | None:
    text = index.text(rel) or ""
    if (found := _EXPOSE.search(text)) is not None:
        return f"{rel}:{text.count(chr(10), 0, found.start()) + 1}: a container image that exposes a service port"
    for found in _SERVICE_LINE.finditer(text):
        command = " ".join(re.sub(r'[\[\]",]', " ", found.group(1)).lower().split())  # exec form ["streamlit", "run"] as words
        hit = next((c for c in vocab.own_system.service_commands if re.search(rf"(?<![\w-]){re.escape(c.lower())}(?![\w-])", command)), None)
        if hit:
            return f"{rel}:{text.count(chr(10), 0, found.start()) + 1}: a container image that starts a service ({hit})"
    return None


def own_system(index: Any, found: list[Package], vocab: Vocabulary | None = None) -> list[str]:
    """What shows the repository runs a system of its own, outside its library code, examples,
    documentation code, tests and templates (model cards are read in the documentation too)."""
    vocab = vocab or vocabulary()
    own = vocab.own_system
    verdict = LibraryVerdict(library=True, packages=tuple(found))
    reasons: list[str] = []
    dashboards = {d.lower() for d in own.dashboard_folders}
    for rel in index.files:
        base = posixpath.basename(rel)
        lowered = base.lower()
        if beside_library(rel, vocab) or _in_named_folder(rel, vocab.examples_folders):
            continue
        if base in own.model_card_names:
            reasons.append(f"{rel}: a model card (the repository documents a model it trained)")
            continue
        if is_dockerfile(base):
            if (service := _service_image(index, rel, vocab)) is not None:
                reasons.append(service)
            continue
        if library_code(verdict, rel, vocab) or (_folders(rel) and _folders(rel)[0].lower() in vocab.docs_folders):
            continue
        if base in own.deployment_names or lowered.endswith(own.deployment_suffixes):
            reasons.append(f"{rel}: a deployment of its own services")
        elif base in own.pipeline_names or lowered.endswith(own.pipeline_suffixes):
            reasons.append(f"{rel}: a data or training pipeline of its own")
        elif lowered.endswith(own.model_suffixes):
            reasons.append(f"{rel}: a trained model kept in the repository")
        elif lowered.endswith(".json") and any(part.lower() in dashboards for part in _folders(rel)):
            reasons.append(f"{rel}: a dashboard of its running services")
    return reasons


def judge(index: Any, vocab: Vocabulary | None = None) -> LibraryVerdict:
    """Is the repository a published library with no system of its own? (memoised on the index)"""

    def decide() -> LibraryVerdict:
        words = vocab or vocabulary()
        found = packages(index, words)
        if not found:
            return NOT_A_LIBRARY
        why = published(index, found, words)
        if not why:
            return LibraryVerdict(library=False, packages=tuple(found))
        against = own_system(index, found, words)
        return LibraryVerdict(library=not against, packages=tuple(found), published=tuple(why[:MAX_REASONS]), own_system=tuple(against[:MAX_REASONS]))

    return index.memo("library_verdict", decide)  # type: ignore[no-any-return]


# What collect does with it --------------------------------------------------------------------------
def set_aside_library_features(detectors: Iterable[Any], observations: dict[str, Any], verdict: LibraryVerdict) -> None:
    """Turn into `fail` each ML-practice detector's pass or partial pass whose every location is
    - in a library (`verdict.library`): its package's code, examples, tests, templates or
      documentation code: a feature it offers its users, not a practice on a system of its own;
    - in a published package that also runs a system of its own: its examples or templates (what it
      shows its users, conventions §2 and §5); its own code is its system's and stays credited.
    The message says what was found, where, and why it is not credited. `upkeep` detectors,
    findings without locations and findings with evidence elsewhere keep their outcome."""
    if not verdict.published:
        return
    vocab = vocabulary()
    for det in detectors:
        seen = observations[det.id]
        if det.upkeep or seen.outcome not in (FindingOutcome.pass_, FindingOutcome.partial) or not seen.locations:
            continue
        named = list(dict.fromkeys(loc.path for loc in seen.locations))
        inside = (lambda path: library_code(verdict, path, vocab)) if verdict.library else (lambda path: example_or_template(path, vocab))
        if not all(inside(path) for path in named):
            continue
        where = ", ".join(named[:MAX_NAMED]) + (f" +{len(named) - MAX_NAMED}" if len(named) > MAX_NAMED else "")
        if verdict.library:
            why = (
                f"the repository is a library others install ({verdict.why()}) with no system of its own, and this was found only in its "
                f"package's code, examples, tests or templates ({where}): a feature it offers its users, not a practice on a system of its own"
            )
        else:
            why = (
                f"found only in the examples or templates of a package others install ({verdict.why()}): they show its users how to use it ({where})"
            )
        observations[det.id] = dataclasses.replace(
            seen, outcome=FindingOutcome.fail, locations=(), confidence=None,
            message=f"not credited: {why} (docs/libraries.md); what it shows: {seen.message}",
        )
