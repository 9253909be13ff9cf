"""Rule `saved fitted transformer` (session 17, conventions §17.12) for `defines_features`.

A preprocessing step fitted on the training data that training saves inside the model pipeline or beside
it, and that the prediction path loads and applies to raw inputs, is the one definition of the model's
inputs: both paths use the same fitted object. scikit-learn's user guide says it in so many words
(Dataset transformations: transformers have "a fit method, which learns model parameters ... from a
training set, and a transform method which applies this transformation model to unseen data"; Common
pitfalls, Inconsistent preprocessing: "If these data transforms are used when training a model, they
also must be used on subsequent datasets, whether it's test data or data in a production system"; Model
persistence: the fitted estimator is saved with `pickle`/`joblib` `dump` and loaded back with `load` "in
another Python process"). The mechanism, read from facts the summaries already hold (calls, imports):

- training: a project file (tests, notebooks and examples apart; wherever it sits - a model class in an
  `app/` folder whose `fit` saves the pipeline is training code) that constructs or fits a transformer of
  the inputs - a class of the transformer modules of scikit-learn's Dataset
  transformations chapter (`sklearn.preprocessing`, `.feature_extraction`, `.impute`, `.compose`,
  `.decomposition`, `.feature_selection`, `.kernel_approximation`, `.random_projection`) or of
  `category_encoders` (scikit-learn-compatible encoders), or a Keras preprocessing object learnt from data
  (`Tokenizer` with `fit_on_texts`, the `TextVectorization`/`Normalization`/`StringLookup`/
  `IntegerLookup`/`Discretization` layers with `adapt`) - fits something (`fit`, `fit_transform`,
  `adapt`, `fit_on_texts`) and persists an object that holds the fitted transformer (`joblib`/`pickle`/
  `dill`/`cloudpickle`/`skops.io` `dump`, MLflow's `sklearn`/`pyfunc` `log_model`/`save_model`, or a
  function of the module that dumps its parameter): the dumped value is followed through the module's
  assignments (`_Holders`: a Pipeline, ColumnTransformer or search around it, a bundle dict, a function
  returning it, `self` holding it as an attribute), so a scaler fitted while only the classifier is
  dumped does not count. The object `fit_transform`/`adapt`/`fit_on_texts` is called on is a transformer
  whatever built it (the methods of scikit-learn's TransformerMixin and Keras's preprocessing API).
  Encoders of the prediction target (`LabelEncoder`, `LabelBinarizer`, `MultiLabelBinarizer`: the user
  guide's "Transforming the prediction target (y)") transform no input;
- the prediction path (`_sharedfeatures`: files named for serving or scoring that predict, or import a
  module that does, and fit nothing) loads a persisted object - itself or through a project module it
  imports, one hop - with the loaders matching those dumps (`joblib`/`pickle`/`dill`/`cloudpickle`/
  `skops.io` `load`, MLflow's `sklearn`/`pyfunc` `load_model`), and neither it nor that module (unless
  the module is a training file itself: a model class that saves and restores its pipeline) fits,
  adapts or refits anything (`fit_transform`, `adapt` and `fit_on_texts` included: a transformer fitted
  again on the serving side is a second copy, conventions §16.12).

Which file the prediction path loads is shown only when both sides name the same artefact file
(`linked`: a pass); otherwise the pair is a `partial` finding that says the link is not shown.
Pretrained models' own tokenizers (`from_pretrained`) are none of these calls. Cost: the training side is
parsed only for files whose code mentions `dump`/`log_model`/`save_model` and a fitting call (the one-read
needle scan and a cached text test); their syntax trees only when the summary already shows a transformer,
a fit and a dump.

Session 18 (conventions 17.12 "wherever training runs", 18.12 "any path that predicts on new inputs"): the
mechanism, not the library call, decides -
- the team's own persistence helpers (`_Helpers`): a module-level function of a project module that dumps
  one of its parameters (`save_object(file_path, obj)` over `dill.dump`, `pickle.dumps` written to a file)
  persists, and one calling a loader loads, from whichever module calls it (`from pkg.utils import
  save_object`, `artifact_io.write_artifact(...)`, a package `__init__` re-exporting it; positional or keyword
  argument); a loader kept beside a refit (a module that fits, not a training file) serves a second copy;
- a transformer known by its interface: an object fitted and then applied with `transform` (scikit-learn's
  transformer API: `fit` learns from the training set, `transform` applies it to unseen data), whatever
  built it - the team's own class, `factory().fit(X)`; and a project factory function returning a
  transformer's construction (`build_preprocessor()` returning a ColumnTransformer), called from another module;
- imports of a src-layout package (the Python Packaging User Guide's `src/` layout) resolve under `src/`.
Helper modules are found among the files the dump needles name, their importers through `RepoIndex.importing`;
a helper module is parsed only when its text calls a dump or load or names a transformer library.
"""

from __future__ import annotations

import ast
import re
from itertools import islice
from collections.abc import Container, Iterable, Iterator, Sized
from dataclasses import dataclass

from mlops_audit.evidence.repo.astutil import statements, walk
from mlops_audit.evidence.repo.detectors import _bindings, _inhouse, _sharedfeatures
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex, text_test
from mlops_audit.evidence.repo.pysource import PythonSummary

_SKLEARN_TRANSFORMERS = (
    "sklearn.preprocessing", "sklearn.feature_extraction", "sklearn.impute", "sklearn.compose", "sklearn.decomposition",
    "sklearn.feature_selection", "sklearn.kernel_approximation", "sklearn.random_projection", "category_encoders",
)
_TARGET_TRANSFORMERS = frozenset({"LabelEncoder", "LabelBinarizer", "MultiLabelBinarizer", "label_binarize"})
_KERAS_PREPROCESSING = frozenset({"Tokenizer", "TextVectorization", "Normalization", "StringLookup", "IntegerLookup", "Discretization"})
_KERAS = ("keras.", "tensorflow.keras.", "tf_keras.")
# The transformer API's own fitting methods (scikit-learn's TransformerMixin `fit_transform`, Keras
# preprocessing layers' `adapt`, the Keras Tokenizer's `fit_on_texts`): the object they are called on is a
# transformer, whatever built it (a parameter, a project class, a factory in another module).
_TRANSFORMER_FITS = frozenset({"fit_transform", "adapt", "fit_on_texts"})
_FIT_VERBS = frozenset({"fit", "fit_transform", "adapt", "fit_on_texts"})
_REFITS = frozenset({"fit", "fit_transform", "adapt", "fit_on_texts", "partial_fit", "train", "train_model", "fit_generator", "Trainer"})
_DUMPS = ("joblib.dump", "pickle.dump", "pickle.dumps", "dill.dump", "dill.dumps", "cloudpickle.dump", "cloudpickle.dumps", "skops.io.dump",
          "mlflow.sklearn.log_model", "mlflow.sklearn.save_model", "mlflow.pyfunc.log_model", "mlflow.pyfunc.save_model")
_LOADS = ("joblib.load", "pickle.load", "pickle.loads", "dill.load", "dill.loads", "cloudpickle.load", "cloudpickle.loads", "skops.io.load",
          "mlflow.sklearn.load_model", "mlflow.pyfunc.load_model")
TRAINING_NEEDLES = ("dump", "dumps", "log_model", "save_model")
_MAY_FIT = re.compile(r"\.(fit|fit_transform|adapt|fit_on_texts)\(")
_MAY_FIT_TRANSFORMER = re.compile(r"\.(fit_transform|adapt|fit_on_texts)\(")
_MAY_TRANSFORM = re.compile(r"\b(sklearn|category_encoders|keras)\b")
# Artefact files named in a string: the file name a dump writes and a load reads.
_ARTEFACT = re.compile(r"""["'/\\]([\w.\-]{1,120}\.(?:pkl|pickle|joblib|sav|skops|dill|bin|b|pk))["']""")
MAX_TRAINING_FILES = 40


@dataclass(frozen=True)
class SavedTransformer:
    training: str  # the file fitting and persisting a transformer-bearing object
    training_line: int | None
    transformer: str  # the transformer's class, or the call fitting it
    prediction: str  # the prediction-path file applying what is loaded
    loader: str  # the file calling the loader (the prediction file or a module it imports)
    loader_line: int | None
    linked: tuple[str, ...]  # artefact file names both sides name ('' none)


def _may_fit_transformer(text: str) -> bool:
    return _MAY_FIT_TRANSFORMER.search(text) is not None or (
        _MAY_FIT.search(text) is not None and (_MAY_TRANSFORM.search(text) is not None or ".transform(" in text)
    )


def _named(name: str, full: Iterable[str]) -> bool:
    return any(name == f or name.endswith("." + f) for f in full)


def input_transformer(name: str) -> bool:
    """A call constructing a transformer of the model's inputs (see the module text)."""
    last = name.rsplit(".", 1)[-1]
    if last in _TARGET_TRANSFORMERS:
        return False
    if any(name.startswith(m + ".") for m in _SKLEARN_TRANSFORMERS):
        return last[:1].isupper() or last.startswith("make_")
    return last in _KERAS_PREPROCESSING and name.startswith(_KERAS)


def _training(summary: PythonSummary, helpers: _Helpers | None = None) -> tuple[str, int | None] | None:
    """(transformer called, line of the persisting call) when the file fits a transformer and persists
    (`helpers`: the persisting functions and transformer factories it imports from project modules, `_Helpers`)."""
    persisters: Container[str] = helpers.persisters if helpers is not None else ()
    factories: Container[str] = helpers.factories if helpers is not None else ()
    transformer = next((c.name.rsplit(".", 1)[-1] for c in summary.calls if input_transformer(c.name)), None)
    if transformer is None:
        built = next((c.name.rsplit(".", 1)[-1] for c in summary.calls if c.name.rsplit(".", 1)[-1] in factories), None)
        transformer = None if built is None else f"the transformer built by {built}(...)"
    if transformer is None:
        fitting = next((c.name for c in summary.calls if c.name.rsplit(".", 1)[-1] in _TRANSFORMER_FITS), None)
        transformer = None if fitting is None else f"the transformer of {fitting}(...)"
    if transformer is None and any(c.name.rsplit(".", 1)[-1] == "fit" for c in summary.calls):
        # scikit-learn's transformer interface: fitted, then applied with `transform` (`_Holders` checks it is one object)
        applying = next((c.name for c in summary.calls if c.name.endswith(".transform") and c.name != ".transform"), None)
        transformer = None if applying is None else f"the transformer fitted and applied as {applying.lstrip('.')}(...)"
    if transformer is None or not any(c.name.rsplit(".", 1)[-1] in _FIT_VERBS for c in summary.calls):
        return None
    dump = next((c for c in summary.calls if _named(c.name, _DUMPS) or c.name.rsplit(".", 1)[-1] in persisters), None)
    return (transformer, dump.line) if dump is not None else None


# What a transformer's methods return that is data, not the transformer: a value computed by one of
# them (`X = scaler.fit_transform(X)`) does not hold the fitted object.
_DATA_METHODS = frozenset({"transform", "fit_transform", "inverse_transform", "predict", "predict_proba", "decision_function", "score",
                           "texts_to_sequences", "texts_to_matrix", "toarray", "todense", "get_feature_names_out"})
MAX_DATAFLOW_NODES = 200_000


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _resolved(name: str, resolve: dict[str, str]) -> str:
    head, _, rest = name.partition(".")
    return resolve.get(head, head) + ("." + rest if rest else "")


class _Holders:
    """Names (`dv`, `self.vectorizer`) and local functions of one module whose value holds a fitted-transformer
    object: a name a transformer method fits (`ct.fit_transform(X)`), or one assigned from an expression
    holding a transformer's construction or another holder (a Pipeline or ColumnTransformer around it, a
    search over such a pipeline, a bundle dict, `pipe.fit(...)`); a function returning one. `self` holds one
    when one of its attributes does. Values computed by the transformer's data methods are not holders, nor
    encoders of the prediction target. `persisters`: local functions that persist one of their parameters
    (`def save_pkl(obj, path): pickle.dump(obj, ...)`), so their calls are persisting calls."""

    def __init__(self, module: ast.Module, resolve: dict[str, str], imported: _Helpers | None = None) -> None:
        self.names: set[str] = set()
        self.functions: set[str] = set()
        # function name -> (position, name) of the persisted parameter: the module's own, and those it imports (`_Helpers`)
        self.persisters: dict[str, tuple[int, str]] = dict(imported.persisters) if imported is not None else {}
        self._factories = imported.factories if imported is not None else frozenset()
        self._resolve = resolve
        self._budget = MAX_DATAFLOW_NODES
        targets_of_labels: set[str] = set()
        fitted: set[str] = set()
        for node in statements(module):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                called = _dotted(node.value.func)
                if called is not None and called.rsplit(".", 1)[-1] in _TARGET_TRANSFORMERS:
                    targets_of_labels.update(n for n in (_dotted(t) for t in node.targets) if n is not None)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._note_persister(node)
        # scikit-learn's transformer interface without `fit_transform` (session 18): an object fitted (`enc.fit(X)`,
        # or `prep = factory().fit(X)`, fit returning the estimator) and then applied with `transform` is a transformer.
        fit_receivers: set[str] = set()
        applied: set[str] = set()
        for call in (n for n in walk(module) if isinstance(n, ast.Call)):
            if isinstance(call.func, ast.Attribute) and call.func.attr in _TRANSFORMER_FITS:
                receiver = _dotted(call.func.value)
                if receiver is not None and receiver not in targets_of_labels:
                    fitted.add(receiver)
            elif isinstance(call.func, ast.Attribute) and call.func.attr in ("fit", "transform"):
                receiver = _dotted(call.func.value)
                if receiver is not None and receiver not in targets_of_labels:
                    (fit_receivers if call.func.attr == "fit" else applied).add(receiver)
        if applied:
            fitted |= fit_receivers & applied
            for node in statements(module):
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute) \
                        and node.value.func.attr == "fit":
                    fitted.update(n for n in (_dotted(t) for t in node.targets) if n is not None and n in applied and n not in targets_of_labels)
        self.names |= fitted
        known = -1
        while known != len(self.names) + len(self.functions) and self._budget > 0:  # statements come in no order: until nothing is added
            known = len(self.names) + len(self.functions)
            for node in statements(module):
                if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value is not None and self.holds(node.value):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        for part in walk(target) if isinstance(target, (ast.Tuple, ast.List)) else [target]:
                            name = _dotted(part)
                            if name is not None and name not in targets_of_labels:
                                self.names.add(name)
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name not in self.functions:
                    if any(isinstance(r, ast.Return) and r.value is not None and self.holds(r.value) for r in statements(node)):
                        self.functions.add(node.name)
        if any(n.startswith("self.") for n in self.names):
            self.names.add("self")

    def _note_persister(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        parameter = _persisted_parameter(function, self._resolve)
        if parameter is not None:
            self.persisters[function.name] = parameter

    def holds(self, expression: ast.AST) -> bool:
        todo = [expression]
        while todo and self._budget > 0:
            node = todo.pop()
            self._budget -= 1
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in _DATA_METHODS:
                    continue
                name = _dotted(func)
                if name is not None and (
                    input_transformer(_resolved(name, self._resolve)) or name.removeprefix("self.") in self.functions
                    or name.rsplit(".", 1)[-1] in self._factories
                ):
                    return True
            elif isinstance(node, (ast.Name, ast.Attribute)):
                name = _dotted(node)
                if name is not None and self._held(name):
                    return True
            todo.extend(ast.iter_child_nodes(node))
        return False

    def _held(self, name: str) -> bool:
        """`name` or one of its dotted prefixes (`self.search` of `self.search.best_estimator_`) is a holder:
        a set lookup per part, not a scan of every holder."""
        end = name.find(".")
        while end != -1:
            if name[:end] in self.names:
                return True
            end = name.find(".", end + 1)
        return name in self.names

    def persisted(self, call: ast.Call) -> list[ast.expr]:
        """The values a call persists: the object of a dump or MLflow log/save, or the argument a local persister saves."""
        name = _dotted(call.func)
        if name is None:
            return []
        if _named(_resolved(name, self._resolve), _DUMPS):
            return [*call.args[:1], *(k.value for k in call.keywords if k.arg in ("value", "sk_model", "python_model", "obj"))]
        parameter = self.persisters.get(name.rsplit(".", 1)[-1])
        if parameter is None:
            return []
        position, keyword = parameter
        return [call.args[position]] if 0 <= position < len(call.args) else [k.value for k in call.keywords if k.arg == keyword]


def _persisted_parameter(function: ast.FunctionDef | ast.AsyncFunctionDef, resolve: dict[str, str]) -> tuple[int, str] | None:
    """(position, name) of the parameter a function dumps (`def save_pkl(obj, path): pickle.dump(obj, ...)`), or None."""
    parameters = [a.arg for a in function.args.args]
    for call in (n for n in walk(function) if isinstance(n, ast.Call)):
        name = _dotted(call.func)
        if name is None or not _named(_resolved(name, resolve), _DUMPS) or not call.args:
            continue
        first = call.args[0]
        if isinstance(first, ast.Name) and first.id in parameters:
            return parameters.index(first.id) - (1 if parameters[:1] == ["self"] else 0), first.id
    return None


def _persisted_holders(module: ast.Module, resolve: dict[str, str], imported: _Helpers | None = None) -> int | None:
    """Line of the first persisting call whose object holds a fitted transformer, or None."""
    holders = _Holders(module, resolve, imported)
    for call in (n for n in walk(module) if isinstance(n, ast.Call)):
        if any(holders.holds(v) for v in holders.persisted(call)):
            return call.lineno
    return None


def _aliases(module: ast.Module) -> dict[str, str]:
    """Local name -> the module path it stands for, from the module's import statements."""
    found: dict[str, str] = {}
    for node in statements(module):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.setdefault(alias.asname or alias.name.split(".")[0], alias.name if alias.asname else alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                found.setdefault(alias.asname or alias.name, f"{node.module}.{alias.name}")
    return found


@dataclass(frozen=True)
class _Helpers:
    """A project module's own persistence functions (module level): those dumping one of their parameters
    (`def save_object(file_path, obj): dill.dump(obj, f)`: name -> the parameter's position) and those calling
    a loader (`def load_object(file_path): return dill.load(f)`). A team's helper saves or loads the fitted
    object as surely as the library call it wraps, from whichever module calls it. `factories`: functions
    returning a transformer's construction (`def build_preprocessor(...): return ColumnTransformer(...)`), so
    what their callers fit is a transformer."""

    persisters: dict[str, tuple[int, str]]
    loaders: frozenset[str]
    factories: frozenset[str] = frozenset()
    refits: bool = False  # the module fits something itself: its loaders count only when it is a training file (`_loader_of`)


_NO_HELPERS = _Helpers({}, frozenset())
_MAY_PERSIST = re.compile(r"\b(dumps?|loads?|log_model|save_model|load_model)\(")
_PERSISTENCE_LIBRARIES = re.compile(r"\b(joblib|pickle|dill|cloudpickle|skops|mlflow)\b")
MAX_HELPER_MODULES = 20  # persisting-helper modules whose importers are looked at, per scan


def _may_define_persister(text: str) -> bool:
    return "def " in text and ("dump(" in text or "dumps(" in text) and _PERSISTENCE_LIBRARIES.search(text) is not None


def _module_helpers(repo: RepoIndex, path: str, factories: bool = False) -> _Helpers:
    """The module's persisting and loading helpers; with `factories`, its transformer factories too (a dataflow
    pass over the module, asked only for the modules a training candidate imports and calls from)."""
    if factories:
        own = _module_helpers(repo, path)
        found = repo.memo(f"savedtransformers.factories:{path}", lambda: _read_factories(repo, path))
        return _Helpers(own.persisters, own.loaders, found, own.refits) if found else own
    return repo.memo(f"savedtransformers.helpers:{path}", lambda: _read_helpers(repo, path))  # type: ignore[no-any-return]


def _read_helpers(repo: RepoIndex, path: str) -> _Helpers:
    text = repo.text(path) or ""
    if is_test_path(path) or _MAY_PERSIST.search(text) is None or _PERSISTENCE_LIBRARIES.search(text) is None:
        return _NO_HELPERS  # read before parsing: a module calling no dump or load of a persistence library defines none
    summary = repo.python(path)
    if summary is None:
        return _NO_HELPERS
    dumps = any(_named(c.name, _DUMPS) for c in summary.calls)
    loads = any(_named(c.name, _LOADS) for c in summary.calls)
    module = _inhouse.tree(repo, path) if dumps or loads else None
    if module is None:
        return _NO_HELPERS
    resolve = _aliases(module)
    persisters: dict[str, tuple[int, str]] = {}
    loaders: set[str] = set()
    for node in module.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        parameter = _persisted_parameter(node, resolve) if dumps else None
        if parameter is not None:
            persisters[node.name] = parameter
        if loads and any(isinstance(c, ast.Call) and _named(_resolved(_dotted(c.func) or "", resolve), _LOADS) for c in walk(node)):
            loaders.add(node.name)
    if not (persisters or loaders):
        return _NO_HELPERS
    return _Helpers(persisters, frozenset(loaders), frozenset(), _refits(summary))


def _read_factories(repo: RepoIndex, path: str) -> frozenset[str]:
    """Module-level functions returning a transformer's construction (`_Holders.functions`)."""
    if is_test_path(path) or "return" not in (text := repo.text(path) or "") or _MAY_TRANSFORM.search(text) is None:
        return frozenset()
    summary = repo.python(path)
    module = _inhouse.tree(repo, path) if summary is not None and any(input_transformer(c.name) for c in summary.calls) else None
    if module is None:
        return frozenset()
    top = {n.name for n in module.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return frozenset(_Holders(module, _aliases(module)).functions & top)


def _imported_helpers(repo: RepoIndex, summary: PythonSummary, trainers: Container[str] = (), factories: bool = False) -> _Helpers:
    """The persisting and loading helpers (and with `factories` the transformer factories) `summary` imports
    from project modules (`from pkg.utils import save_object`; `from pkg import artifact_io`, its helpers then
    called as `artifact_io.write_artifact`)."""
    persisters: dict[str, tuple[int, str]] = {}
    loaders: set[str] = set()
    built: set[str] = set()
    called = set(summary.call_names)
    through = {c.name.rsplit(".", 2)[-2] for c in summary.calls if c.name.count(".") >= 1}  # `artifact_io` of `...artifact_io.write_artifact`
    for path, names, _ in _bindings.project_imports(repo, summary, src_layout=True):
        wanted = set(names) & called if names else None  # the module itself: any of its helpers, called through it
        if (wanted is not None and not wanted) or (wanted is None and _sharedfeatures._stem(path) not in through):
            continue  # nothing imported from it is called: its helpers are not read (nor parsed)
        for helpers in _package_helpers(repo, path, wanted, factories):
            persisters.update({n: p for n, p in helpers.persisters.items() if wanted is None or n in wanted})
            if not helpers.refits or path in trainers:  # a loader beside a refit serves a second copy (17.12)
                loaders.update(n for n in helpers.loaders if wanted is None or n in wanted)
            built.update(n for n in helpers.factories if wanted is None or n in wanted)
    return _Helpers(persisters, frozenset(loaders), frozenset(built)) if persisters or loaders or built else _NO_HELPERS


def _package_helpers(repo: RepoIndex, path: str, wanted: set[str] | None, factories: bool) -> Iterator[_Helpers]:
    """The helpers of the module at `path`, and for a package's `__init__.py` those of the modules it re-exports
    the `wanted` names from (`from .artifact_registry import export_artifacts`), one level."""
    helpers = _module_helpers(repo, path, factories)
    if helpers is not _NO_HELPERS:
        yield helpers
    if not path.endswith("/__init__.py") or not wanted:
        return
    package = repo.python(path)
    for inner, names, _ in _bindings.project_imports(repo, package) if package is not None else ():
        if inner != path and wanted & set(names):
            helpers = _module_helpers(repo, inner, factories)
            if helpers is not _NO_HELPERS:
                yield helpers


def _refits(summary: PythonSummary) -> bool:
    return any(c.name.rsplit(".", 1)[-1] in _REFITS for c in summary.calls)


def _loads(repo: RepoIndex, summary: PythonSummary, trainers: Container[str] = ()) -> int | None:
    """Line of the first loader call (0 when it has no line) - a library loader, or a loading helper the file
    imports from a project module (`_Helpers`) - None when the file loads nothing."""
    found = next((c for c in summary.calls if _named(c.name, _LOADS)), None)
    if found is None:
        loaders = _imported_helpers(repo, summary, trainers).loaders
        found = next((c for c in summary.calls if c.name.rsplit(".", 1)[-1] in loaders), None) if loaders else None
    return None if found is None else (found.line or 0)


def _artefacts(repo: RepoIndex, path: str) -> set[str]:
    return {m.group(1).lower() for m in _ARTEFACT.finditer(repo.text(path) or "")}


def _training_candidates(repo: RepoIndex, found: Sized) -> Iterator[PythonSummary]:
    """Files that may fit and persist a transformer: those naming a dump and a fitting call, then (session 18)
    those importing a project module whose functions dump their parameter (`_Helpers`) and naming a fitting
    call - read only among the importers of such modules (`RepoIndex.importing`), no tree re-walk, and only
    when the first found no training file (`found`, filled by the caller as it goes): the second costs
    nothing where it would change nothing."""
    seen: set[str] = set()
    for summary in _inhouse.project_code(repo.python_mentioning(*TRAINING_NEEDLES, where=text_test(_may_fit_transformer))):
        seen.add(summary.path)
        yield summary
    if len(found):
        return
    modules = 0
    for helper in _inhouse.project_code(repo.python_mentioning(*TRAINING_NEEDLES, where=text_test(_may_define_persister))):
        if not _module_helpers(repo, helper.path).persisters:
            continue
        modules += 1
        if modules > MAX_HELPER_MODULES:
            return
        stem = _sharedfeatures._stem(helper.path)
        # the package re-exporting it (`from src.registry import export_artifacts`) is imported by its own name
        folder = helper.path.rsplit("/", 1)[0] if "/" in helper.path else ""
        stems = (stem, folder.rsplit("/", 1)[-1]) if folder and repo.exists(f"{folder}/__init__.py") and not helper.path.endswith("/__init__.py") else (stem,)
        for summary in _inhouse.project_code(repo.python_scan(*stems, within=repo.importing(*stems), where=text_test(_may_fit_transformer))):
            if summary.path not in seen:
                seen.add(summary.path)
                yield summary


def _trainers(repo: RepoIndex) -> list[tuple[PythonSummary, str, int | None]]:
    found: list[tuple[PythonSummary, str, int | None]] = []
    for summary in _training_candidates(repo, found):
        if is_test_path(summary.path) or _sharedfeatures._EXAMPLES.search(summary.path):
            continue
        helpers = _imported_helpers(repo, summary, factories=True)
        fitted = _training(summary, helpers)
        module = _inhouse.tree(repo, summary.path) if fitted is not None else None
        line = _persisted_holders(module, _aliases(module), helpers) if module is not None else None
        if fitted is not None and line is not None:
            found.append((summary, fitted[0], line))
            if len(found) >= MAX_TRAINING_FILES:
                break
    return found


def _loader_of(repo: RepoIndex, summary: PythonSummary, trainers: set[str]) -> tuple[str, int | None] | None:
    """(file, line) of the loader the prediction file calls itself or through a project module it
    imports (one hop) that fits nothing - or that is itself a training file found above (a model class
    whose `fit` saves the transformer and whose `load` restores it: the same definition both ways);
    None when neither loads a persisted object."""
    line = _loads(repo, summary, trainers)
    if line is not None:
        return summary.path, line or None
    for path, _, _ in _bindings.project_imports(repo, summary, src_layout=True):
        if is_test_path(path):
            continue
        helper = repo.python(path)
        if helper is None or (path not in trainers and _refits(helper)):
            continue
        line = _loads(repo, helper, trainers)
        if line is not None:
            return path, line or None
    return None


def saved_transformers(repo: RepoIndex) -> list[SavedTransformer]:
    """Fitted transformers training persists and the prediction path loads (see the module text)."""
    # The prediction path first (shared_definitions, tried before, has parsed its files): without one, the training
    # side - and its search through persisting helpers' importers - is not looked for.
    paths = islice(_sharedfeatures._prediction_path_files(repo, _sharedfeatures.prediction_files(repo), []), _sharedfeatures.MAX_PREDICTION_FILES)
    predicting = [s for s in paths if not _refits(s)]
    trainers = _trainers(repo) if predicting else []
    if not trainers:
        return []
    found: list[SavedTransformer] = []
    for summary in predicting:
        loader = _loader_of(repo, summary, {t.path for t, _, _ in trainers})
        if loader is None:
            continue
        loaded = _artefacts(repo, summary.path) | (_artefacts(repo, loader[0]) if loader[0] != summary.path else set())
        for trainer, transformer, line in trainers:
            if trainer.path == summary.path:
                continue
            linked = tuple(sorted(_artefacts(repo, trainer.path) & loaded))
            found.append(SavedTransformer(trainer.path, line, transformer, summary.path, loader[0], loader[1], linked))
    # Linked pairs first, then path order: the finding names the strongest.
    return sorted(found, key=lambda s: (not s.linked, s.training, s.prediction))
