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
  comparisons, sweeps or analysis are offline inference (conventions §8), not a prediction path. A
  Streamlit or Gradio app that predicts is one whatever its name (session 18, conventions 18.12: "a demo
  page");
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
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass

from mlops_audit.evidence.repo.detectors import _bindings, _inhouse
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.pysource import PythonSummary

# Session 15: a file predicts when it calls the model's predict, or loads a trained model's weights for
# use (it fits nothing): a network restored with `load_state_dict` and called as `model(x)`, a
# Hugging Face model `from_pretrained`, a Keras `load_model`, a Lightning `load_from_checkpoint`, a
# fastai `load_learner`, an ONNX Runtime session. Loaders that read any pickle (`joblib.load`) are
# not enough alone: they read data as well.
_PREDICTS = frozenset({"predict", "predict_proba"})
_LOADS_WEIGHTS = frozenset({"load_state_dict", "from_pretrained", "load_model", "load_from_checkpoint", "load_learner", "InferenceSession"})
PREDICTION_NEEDLES = (*sorted(_PREDICTS), *sorted(_LOADS_WEIGHTS))
_FITS = re.compile(r"(^|\.)(fit|train|train_model|fit_generator|Trainer|partial_fit)$")
_FEATURE = re.compile(r"feature", re.IGNORECASE)
_EXAMPLES = re.compile(r"(^|/)(examples?|samples?|demos?|tutorials?)/", re.IGNORECASE)
# Path parts (split on `/`, `_`, `-`, `.`) naming the prediction path, and those naming offline work.
_SERVING_PARTS = re.compile(r"^(predict\w*|prediction\w*|inference|infer|serve|serving|server|service|services|scor(e|er|ing)|app|apps|api|handlers?|endpoints?|batch|forecast\w*|production|lambda|function_app|worker)$")
_OFFLINE_PARTS = re.compile(r"^(eval\w*|backtest\w*|benchmark\w*|compar\w*|sweep\w*|tun(e|ing)|analysis|analyse|analyze|experiments?|retrospect\w*|explor\w*|notebooks?|scratch|train\w*)$")
MAX_PREDICTION_FILES = 40
MAX_HELPER_MODULES = 40  # predicting modules whose importers are looked at (one hop), per scan


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


# Session 18 (conventions 18.12: "a demo page" is a prediction path): a Streamlit app (`import streamlit`, run
# with `streamlit run page.py`) or a Gradio app (`gr.Interface`/`gr.Blocks` over a predict function) whose code
# predicts is a page where people type new inputs for the model, whatever its file is called.
_DEMO_FRAMEWORKS = ("streamlit", "gradio")


def demo_page(summary: PythonSummary) -> bool:
    """A Streamlit or Gradio app not named for offline work (see `_DEMO_FRAMEWORKS`)."""
    return any(m in summary.imports for m in _DEMO_FRAMEWORKS) and not any(_OFFLINE_PARTS.match(p) for p in _parts(summary.path.rsplit(".", 1)[0]))


def _fits(summary: PythonSummary) -> bool:
    return any(_FITS.search(name) for name in summary.resolved_names)


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

    for path, names, line in _bindings.project_imports(repo, summary):
        note(path, names, line)
    return {p: v for p, v in found.items() if p != summary.path and not is_test_path(p) and not _EXAMPLES.search(p)}


def prediction_files(repo: RepoIndex) -> Iterator[PythonSummary]:
    """The candidates of the prediction path: files mentioning predict, and files mentioning a weights
    loader only when named for serving or scoring: a loader-only file named otherwise (training's
    checkpoint reload, a notebook helper) is not parsed for this rule (parsing is what a tree costs)."""
    seen: set[str] = set()
    for summary in repo.python_mentioning(*sorted(_PREDICTS)):
        seen.add(summary.path)
        yield summary
    for summary in repo.python_mentioning(*sorted(_LOADS_WEIGHTS)).keeping(lambda path: path not in seen and prediction_path(path)):
        yield summary


def _predicts(summary: PythonSummary) -> bool:
    """The file predicts or loads a trained model for use (see PREDICTION_NEEDLES), and fits nothing."""
    return any(c.name.rsplit(".", 1)[-1] in _PREDICTS or c.name.rsplit(".", 1)[-1] in _LOADS_WEIGHTS for c in summary.calls) and not _fits(summary)


def _stem(module_path: str) -> str:
    stem = module_path.rsplit("/", 1)[-1][:-3]
    return module_path.rsplit("/", 2)[-2] if stem == "__init__" and "/" in module_path else stem


def _prediction_path_files(repo: RepoIndex, prediction_files: Iterable[PythonSummary], found: list[SharedDefinition]) -> Iterator[PythonSummary]:
    """The prediction path's files: those named for serving or scoring that predict themselves, then
    (session 15, one hop) those named so that import a project module which predicts - a service that
    calls `decide(...)` of a policy module calling `predict_proba`, a handler calling `run_model` of
    a runner module. The predicting module must not be named for offline work. The importers of
    predicting modules are looked for only when the files predicting themselves shared nothing
    (`found`, filled by the caller as it goes): the one hop costs nothing where it changes nothing."""
    predictors = [s for s in _inhouse.project_code(prediction_files) if not _EXAMPLES.search(s.path) and _predicts(s)]
    yielded: set[str] = set()
    for summary in predictors:
        if prediction_path(summary.path) or demo_page(summary):
            yielded.add(summary.path)
            yield summary
    if found:
        return
    helpers = [h for h in predictors if not any(_OFFLINE_PARTS.match(p) for p in _parts(h.path.rsplit(".", 1)[0]))]
    for helper in helpers[:MAX_HELPER_MODULES]:
        stem = _stem(helper.path)
        for importer in _inhouse.project_code(repo.python_scan(stem, within=_ServingImporters(repo.importing(stem)))):
            if importer.path in yielded or _EXAMPLES.search(importer.path) or _fits(importer):
                continue
            if any(path == helper.path for path, _, _ in _bindings.project_imports(repo, importer)):
                yielded.add(importer.path)
                yield importer


class _ServingImporters:
    """The importers of a module (`RepoIndex.importing`) that are named for serving or scoring: the name is
    tested first, so the one hop reads and parses no file that could not be on the prediction path."""

    def __init__(self, importing: Container[str]) -> None:
        self._importing = importing

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and prediction_path(path) and path in self._importing


def shared_definitions(repo: RepoIndex, prediction_files: Iterable[PythonSummary]) -> list[SharedDefinition]:
    """The feature definitions a prediction-path file and a training file both import."""
    found: list[SharedDefinition] = []
    seen: set[str] = set()
    checked = 0
    # A trainer is met again for every definition module and every prediction file: judge its imports once.
    trainers_definitions: dict[str, dict[str, tuple[set[str], int | None]]] = {}
    for summary in _prediction_path_files(repo, prediction_files, found):
        checked += 1
        if checked > MAX_PREDICTION_FILES:
            break
        for module_path, (names, line) in _definitions(repo, summary).items():
            if module_path in seen:
                continue
            stem = _stem(module_path)
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
