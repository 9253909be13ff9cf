"""Rule `shared feature definitions` (session 14, conventions §14) for `defines_features`.

A system defines its features when the model's inputs are defined once and that definition is used
by more than one path: besides feature-store products (the catalogue's calls), a feature module,
transformer or declared feature list that both the training code and the prediction path import
(`from src.features import build_features` in `retrain.py` and in the service's `app.py`; a
`FEATURE_COLUMNS` list a training script and a batch-scoring script both read). Feature engineering
written inline in one training script, or a module only training imports, is absent.

An import-graph question, answered from the parse facts the index already has:

- the prediction path: project files (tests, notebooks and example folders apart) that call
  `predict`/`predict_proba`, fit nothing, and are named for serving or scoring (a path part such as
  `predict`, `inference`, `serve`, `service`, `score`, `app`, `api`, `handler`, `batch`, `forecast`):
  a service, batch scoring or a pipeline's predict step. Files named for evaluation, back-tests,
  comparisons, sweeps or analysis are offline inference (conventions §8), not a prediction path;
- the definition: a project module either of them imports (absolute imports resolved from the
  importing file's folder upwards, as a script's folder is on its path; relative imports from the
  text of the import lines) whose own name is about features (`features.py`,
  `feature_engineering.py`, `features/__init__.py`; a `load_dataset.py` kept in a cookiecutter's
  `features/` folder is not), or a name imported from a project module that is (`FEATURE_COLS`,
  `build_features`, `FeatureEngineer`);
- the training path: a project file that fits or trains (or is named for training), other than the
  definition's own module, importing the same definition module for a feature-named definition.

Only files the one-read needle scan found mentioning the prediction calls are parsed, and the
training files are looked for only among the files whose import lines name the definition module
(`RepoIndex.importing`): no tree re-walk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from mlops_audit.evidence.repo.detectors import _inhouse
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.pysource import PythonSummary

PREDICTION_NEEDLES = ("predict", "predict_proba")
_PREDICTS = frozenset(PREDICTION_NEEDLES)
_FITS = re.compile(r"(^|\.)(fit|train|train_model|fit_generator|Trainer|partial_fit)$")
_FEATURE = re.compile(r"feature", re.IGNORECASE)
_EXAMPLES = re.compile(r"(^|/)(examples?|samples?|demos?|tutorials?)/", re.IGNORECASE)
# Path parts (split on `/`, `_`, `-`, `.`) naming the prediction path, and those naming offline work.
_SERVING_PARTS = re.compile(r"^(predict\w*|prediction\w*|inference|infer|serve|serving|server|service|services|scor(e|er|ing)|app|apps|api|handlers?|endpoints?|batch|forecast\w*|production|lambda|function_app|worker)$")
_OFFLINE_PARTS = re.compile(r"^(eval\w*|backtest\w*|benchmark\w*|compar\w*|sweep\w*|tun(e|ing)|analysis|analyse|analyze|experiments?|retrospect\w*|explor\w*|notebooks?|scratch|train\w*)$")
# The module after the dots starts with a word character: a run of dots is matched one way only.
_RELATIVE_IMPORT = re.compile(r"from[ \t]+(\.+)(\w[\w.]*)?[ \t]+import[ \t]+(\([^)]{0,2000}\)|[^\n]{0,500})")
MAX_PREDICTION_FILES = 40


@dataclass(frozen=True)
class SharedDefinition:
    module: str  # the definition module's path
    names: tuple[str, ...]  # feature-named definitions imported from it ('' = the module itself is named for features)
    training: str  # a training file importing it
    training_line: int | None
    prediction: str  # a prediction-path file importing it
    prediction_line: int | None


def _parts(path: str) -> list[str]:
    return [p for p in re.split(r"[/_.\-]", path.lower()) if p]


def prediction_path(path: str) -> bool:
    """A file named for serving or scoring and not for offline work (see the module text)."""
    parts = _parts(path.rsplit(".", 1)[0])
    return any(_SERVING_PARTS.match(p) for p in parts) and not any(_OFFLINE_PARTS.match(p) for p in parts)


def _fits(summary: PythonSummary) -> bool:
    return any(_FITS.search(name) for name in summary.resolved_names)


def _module_path(repo: RepoIndex, importer: str, module: str) -> str | None:
    """The project file of an absolute import, looked for from the importer's folder upwards."""
    folders = importer.split("/")[:-1]
    relative = module.replace(".", "/")
    for depth in range(len(folders), -1, -1):
        base = "/".join(folders[:depth])
        for candidate in (f"{relative}.py", f"{relative}/__init__.py"):
            path = f"{base}/{candidate}" if base else candidate
            if path != importer and repo.exists(path):
                return path
    return None


def _relative_imports(text: str, importer: str) -> list[tuple[str, tuple[str, ...], int]]:
    """(dotted module from the repository root, imported names, line) of each relative import."""
    found = []
    folders = importer.split("/")[:-1]
    line, counted = 1, 0
    for match in _RELATIVE_IMPORT.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        dots, rest = len(match.group(1)), match.group(2) or ""
        if dots - 1 > len(folders):
            continue
        base = folders[: len(folders) - (dots - 1)]
        names = tuple(n.split(" as ")[0].strip() for n in match.group(3).strip("()").replace("\\", " ").split(",") if n.strip())
        module = ".".join(base + ([rest] if rest else []))
        found.append((module, tuple(n for n in names if n.isidentifier()), line))
    return found


def _definitions(repo: RepoIndex, summary: PythonSummary) -> dict[str, tuple[set[str], int | None]]:
    """Feature definitions `summary` imports from project modules: module path -> (feature-named
    names imported from it, '' when the module itself is named for features; first line)."""
    found: dict[str, tuple[set[str], int | None]] = {}

    def note(module_path: str, names: Iterable[str], line: int | None) -> None:
        stem = module_path[:-3].split("/")[-2 if module_path.endswith("/__init__.py") else -1]
        own = _FEATURE.search(stem) is not None  # the module's own name: a data loader kept in a `features/` folder is not one
        wanted = {n for n in names if _FEATURE.search(n)} | ({""} if own else set())
        if wanted:
            entry = found.setdefault(module_path, (set(), line))
            entry[0].update(wanted)

    for module, line in summary.imports.items():
        path = _module_path(repo, summary.path, module)
        if path is not None:
            note(path, (), line)
            continue
        head, _, name = module.rpartition(".")
        path = _module_path(repo, summary.path, head) if head else None
        if path is not None:
            note(path, (name,), line)
    if "from ." in (text := repo.text(summary.path) or ""):
        for module, names, line in _relative_imports(text, summary.path):
            path = _module_path(repo, "", module) if module else None
            if path is None:
                continue
            plain = []
            for name in names:  # `from . import features`: the module is the imported name
                sub = _module_path(repo, "", f"{module}.{name}")
                if sub is not None:
                    note(sub, (), line)
                else:
                    plain.append(name)
            note(path, plain, line)
    return {p: v for p, v in found.items() if p != summary.path and not is_test_path(p) and not _EXAMPLES.search(p)}


def shared_definitions(repo: RepoIndex, prediction_files: Iterable[PythonSummary]) -> list[SharedDefinition]:
    """The feature definitions a prediction-path file and a training file both import."""
    found: list[SharedDefinition] = []
    seen: set[str] = set()
    checked = 0
    # A trainer is met again for every definition module and every prediction file: judge its imports once.
    trainers_definitions: dict[str, dict[str, tuple[set[str], int | None]]] = {}
    for summary in _inhouse.project_code(prediction_files):
        if _EXAMPLES.search(summary.path) or not prediction_path(summary.path):
            continue
        if not any(c.name.rsplit(".", 1)[-1] in _PREDICTS for c in summary.calls) or _fits(summary):
            continue
        checked += 1
        if checked > MAX_PREDICTION_FILES:
            break
        for module_path, (names, line) in _definitions(repo, summary).items():
            if module_path in seen:
                continue
            stem = module_path.rsplit("/", 1)[-1][:-3]
            stem = module_path.rsplit("/", 2)[-2] if stem == "__init__" and "/" in module_path else stem
            for trainer in _inhouse.project_code(repo.python_scan(stem, within=repo.importing(stem))):
                if trainer.path in (summary.path, module_path) or _EXAMPLES.search(trainer.path) or prediction_path(trainer.path):
                    continue
                if not (_fits(trainer) or "train" in trainer.path.rsplit("/", 1)[-1].lower()):
                    continue
                if trainer.path not in trainers_definitions:
                    trainers_definitions[trainer.path] = _definitions(repo, trainer)
                theirs = trainers_definitions[trainer.path].get(module_path)
                if theirs is None:
                    continue
                seen.add(module_path)
                shown = sorted((names | theirs[0]) - {""})
                found.append(SharedDefinition(module_path, tuple(shown), trainer.path, theirs[1], summary.path, line))
                break
    return found
