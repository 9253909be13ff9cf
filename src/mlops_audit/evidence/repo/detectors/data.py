"""Data: validation of training/input data, data versioning, feature store definitions."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from mlops_audit.evidence.repo import pyfacts
from mlops_audit.evidence.repo.astutil import statements, walk
from mlops_audit.evidence.repo.catalogue import vocabulary
from mlops_audit.evidence.repo.detectors import (
    _driftgate,
    _featurechecks,
    _ingestschema,
    _inhouse,
    _setaside,
    _savedtransformers,
    _sharedfeatures,
    _sqlchecks,
    _suitegate,
    _verdicts,
)
from mlops_audit.evidence.repo.detectors._rcode import r_calls
from mlops_audit.evidence.repo.detectors._stops import STOP_WORDS, stopping_lines, stops
from mlops_audit.evidence.repo.detectors._python import (
    Hits,
    describe,
    is_test_path,
    locations,
    matching,
)
from mlops_audit.evidence.repo.index import NOTEBOOK_SUFFIX, RepoIndex, text_test
from mlops_audit.evidence.repo.model import Confidence, Kind, Location
from mlops_audit.evidence.repo.pysource import Call, PythonSummary
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, Observation, Shape, at, detector, first_passing
from mlops_audit.evidence.repo.treememo import per_tree

# Libraries whose calls are data checks (import alone proves nothing: the call must be there), and the
# rest of the vocabulary of this module: catalogue/data.yaml.
_VALIDATION = vocabulary(Kind.data_validation)
_VERSIONING = vocabulary(Kind.data_versioning)
_FEATURES = vocabulary(Kind.feature_store)


# dbt's data tests (docs.getdbt.com, "Add data tests to your DAG"): generic tests (`unique`, `not_null`,
# `accepted_values`, `relationships`, packages' tests such as dbt-expectations) under `data_tests:` (or the
# older `tests:`) of a model, seed, snapshot or source table and of their columns in a properties file;
# and singular tests, SQL files under the project's `test-paths` (default `tests/`) that select the
# failing rows. `dbt test`/`dbt build` fails on them. Not tests of the data: `unit_tests:` (SQL logic on
# given rows) and generic test *definitions* (`{% test name(model, ...) %}`, `tests/generic/`). Packages
# installed under `dbt_packages/` (`dbt_modules/` before dbt 1.0) are other people's projects.
_DBT_PACKAGES = re.compile(r"(?:^|/)dbt_(?:packages|modules)/")
_DBT_TESTED = ("models", "seeds", "snapshots", "sources")
_DBT_GENERIC_DEFINITION = re.compile(r"{%-?[ \t]*test[ \t]")


def _dbt_tested(entry: dict[str, Any]) -> bool:
    return bool(entry.get("data_tests") or entry.get("tests"))


def _dbt_properties(doc: Any, path: str) -> list[Location]:
    hits = []

    def visit(entry: Any, where: tuple[Any, ...]) -> None:
        if not isinstance(entry, dict):
            return
        if _dbt_tested(entry):
            pos = doc.locate(where)
            hits.append(at(path, pos[0] if pos else None))
        for j, column in enumerate(entry.get("columns") or []):
            if isinstance(column, dict) and _dbt_tested(column):
                pos = doc.locate((*where, "columns", j))
                hits.append(at(path, pos[0] if pos else None))

    for section in _DBT_TESTED:
        entries = doc.data.get(section)
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            visit(entry, (section, i))
            if section == "sources" and isinstance(entry, dict):
                tables = entry.get("tables")
                for k, table in enumerate(tables if isinstance(tables, list) else []):
                    visit(table, (section, i, "tables", k))
    return hits


def _dbt_singular_tests(repo: RepoIndex, project_file: str) -> list[Location]:
    doc = repo.yaml(project_file)
    declared = doc.data.get("test-paths") if doc is not None and isinstance(doc.data, dict) else None
    folders = [str(f).strip("/") for f in declared if isinstance(f, str) and f.strip("/")] if isinstance(declared, list) else ["tests"]
    root = project_file.rpartition("/")[0]
    hits = []
    for folder in folders:
        prefix = f"{root}/{folder}/" if root else f"{folder}/"
        for path in repo.glob(f"{prefix}**/*.sql"):
            if "/generic/" in path[len(prefix) - 1 :]:
                continue
            text = repo.text(path)
            if text and "select" in text.lower() and not _DBT_GENERIC_DEFINITION.search(text):
                hits.append(at(path, 1))
    return hits


def _dbt_tests(repo: RepoIndex) -> list[Location]:
    projects = [p for p in repo.named("dbt_project.yml") if not _DBT_PACKAGES.search(p)]
    if not projects:
        return []
    hits = []
    for path in repo.glob("**/*.yml", "**/*.yaml"):
        if _DBT_PACKAGES.search(path):
            continue
        doc = repo.yaml(path)
        if doc is not None and isinstance(doc.data, dict):
            hits += _dbt_properties(doc, path)
    for project in projects:
        hits += _dbt_singular_tests(repo, project)
    return hits


def _expectation_suites(repo: RepoIndex) -> list[Location]:
    hits = []
    for path in repo.glob("**/expectations/**/*.json"):
        data = repo.json(path)
        if isinstance(data, dict) and isinstance(data.get("expectations"), list) and data["expectations"]:
            hits.append(at(path, 1))
    return hits


# SodaCL (docs.soda.io, "SodaCL reference"): a checks file is any YAML file whose top-level keys are
# `checks for <dataset>:`; its name is the team's choice, so the file's words decide, not its path.
_SODA_WORDS = ("checks for ",)


def _soda_checks(repo: RepoIndex) -> list[Location]:
    hits = []
    for path in repo.glob("**/*.yml", "**/*.yaml"):
        if not repo.mentions(path, _SODA_WORDS):
            continue
        doc = repo.yaml(path)
        if doc is not None and isinstance(doc.data, dict) and any(str(k).startswith("checks for ") for k in doc.data):
            key = next(k for k in doc.data if str(k).startswith("checks for "))
            pos = doc.locate((key,))
            hits.append(at(path, pos[0] if pos else None))
    return hits


# Frame schemas written as classes (pandera `DataFrameModel`/`SchemaModel`, also under `pandera.polars`/
# `pandera.pyspark`; patito `Model`; dataframely `Schema`): the class declares columns, types and checks,
# and the library validates a frame when the project calls the class's `validate` (dataframely's
# `filter` sets failing rows aside). Declaring the class checks nothing; the documented call on the
# system's path (not in tests, which validate frames they build) does.
_FRAME_MODEL_LIBRARIES = ("pandera", "patito", "dataframely")
_FRAME_MODEL_BASES = frozenset({"DataFrameModel", "SchemaModel", "Model", "Schema"})
_FRAME_MODEL_METHODS = frozenset({"validate", "filter"})


def _frame_models_validated(repo: RepoIndex) -> list[Location]:
    models: set[str] = set()
    for summary in repo.python_mentioning(*_FRAME_MODEL_LIBRARIES):
        for name, bases, _, _ in summary.classes:
            if any(b.split(".", 1)[0] in _FRAME_MODEL_LIBRARIES and b.rsplit(".", 1)[-1] in _FRAME_MODEL_BASES for b in bases):
                models.add(name)
    if not models:
        return []
    hits = []
    for summary in repo.python_scan(*sorted(models)).keeping(lambda path: not is_test_path(path) and not outside_system(path)):
        for call in summary.calls:
            owner, _, method = call.name.rpartition(".")
            if method in _FRAME_MODEL_METHODS and owner.rpartition(".")[2] in models:
                hits.append(at(summary.path, call.line))
        if len(hits) >= MAX_LOCATIONS:
            break
    return hits[:MAX_LOCATIONS]


# Candidate files mention a pandas missing-value or duplicate primitive ("between" or "nunique" alone
# are common words in prose and would make every file a candidate).
_CHECK_NEEDLES = ("isna", "isnull", "notna", "notnull", "duplicated")
_RELEASE_WORD = re.compile(
    r"\b(?:raise|exit|register_model|registered_model_name|create_model_version|transition_model_version_stage|set_registered_model_alias"
    r"|abort|status_code|status|ShortCircuitOperator|BranchPythonOperator|short_circuit|branch|add_conditional_edges)\b|,[ \t]*[45]\d\d\b"
).search


def _may_act(text: str) -> bool:
    """A `raise` or an exit (`_stops`), a model release a data-quality verdict may gate (see `_GATED_RELEASE`),
    an error answer or an orchestrator's failure edge (`_verdicts`)."""
    return _RELEASE_WORD(text) is not None


def _gate_raises(func: ast.AST, helpers: set[str]) -> list[int]:
    """Lines of `raise` statements in `func` whose `if` depends on a data-quality check: the test
    checks values itself, or reads a value derived from checks (a helper's report, a `problems`
    list that value checks fill)."""
    derived: set[str] = set()
    up = _inhouse.parents(func)
    # Per expression, what does not depend on `derived` is worked out once: the loop below asks the
    # same expressions again each round until `derived` stops growing (keyed by the node, alive while `func` is).
    checked: dict[int, bool] = {}
    named: dict[int, set[str]] = {}

    def from_checks(expr: ast.AST) -> bool:
        known = checked.get(id(expr))
        if known is None:
            known = checked[id(expr)] = bool(pyfacts.check_kinds(expr, up) & pyfacts.VALUE_KINDS) or any(
                isinstance(c, ast.Call) and _inhouse.call_name(c) in helpers for c in walk(expr)
            )
        if known:
            return True
        if not derived:
            return False
        names = named.get(id(expr))
        if names is None:
            names = named[id(expr)] = _inhouse.identifiers(expr)
        return bool(names & derived)

    for _ in range(4):
        before = len(derived)
        for node in walk(func):
            if isinstance(node, ast.Assign) and from_checks(node.value) and not _passed_through(node):
                for target in node.targets:
                    derived |= _inhouse.assigned_names(target)
            elif isinstance(node, ast.If) and from_checks(node.test):
                for stmt in node.body:
                    for call in _inhouse.calls_in(stmt):
                        if _inhouse.call_name(call) in ("append", "extend", "add") and isinstance(call.func, ast.Attribute):
                            derived.add(_inhouse.last_name(call.func.value))
                    if isinstance(stmt, ast.Assign):
                        for target in stmt.targets:
                            derived |= _inhouse.assigned_names(target)
                            if isinstance(target, ast.Subscript):  # `results["data_quality_passed"] = False` (session 12)
                                derived.add(_inhouse.last_name(target.value))
        if len(derived) == before:
            break
    lines = []
    selections = _selections(func)
    built = _built_by_helpers(func, helpers)
    for node in walk(func):
        if isinstance(node, ast.If) and from_checks(node.test) and not _nothing_left(node.test, selections) and not _nothing_built(node.test, built):
            # The failed verdict takes the `if` (`if problems:`) or the `else` (`if ok: ... else:`, session 15);
            # an `elif` is judged as its own test.
            branches = node.body + (node.orelse if node.orelse and not (len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If)) else [])
            lines += stopping_lines(branches) + _verdicts.error_answer_lines(branches)
            # Rule `data-quality verdict gates the model's release` (session 12, conventions §7 "fail a
            # gate"): the checks' verdict decides whether the model is registered, promoted or deployed
            # (`if meets_criteria: mlflow.sklearn.log_model(..., registered_model_name=...)`).
            lines += [c.lineno for stmt in node.body for c in _inhouse.calls_in(stmt) if _GATED_RELEASE.match(_inhouse.call_name(c))][:1]
    return lines


_GATED_RELEASE = re.compile(r"^(register_model|register|create_model_version|transition_model_version_stage|set_registered_model_alias|promote\w*|deploy\w*|log_model)$")


def _selections(func: ast.AST) -> set[str]:
    """Names assigned a comprehension that keeps what passes a filter (`cols = [c for c in cand if not
    num[c].isna().all()]`: the usable columns, chosen as cleaning chooses)."""
    found: set[str] = set()
    for node in walk(func):
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            if any(g.ifs for g in node.value.generators):
                for target in node.targets:
                    found |= _inhouse.assigned_names(target)
    return found


def _nothing_left(test: ast.AST, selections: set[str]) -> bool:
    """`if not cols:` / `if len(cols) == 0:` on a selection: the code stops because nothing usable was
    left after filtering (a coercion's outcome), not because a check of the data failed. (`if
    missing:` on a comprehension collecting the failing columns is a check's outcome.)"""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return isinstance(test.operand, ast.Name) and test.operand.id in selections
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, right, op = test.left, test.comparators[0], test.ops[0]
        sized = isinstance(left, ast.Call) and _inhouse.call_name(left) == "len" and left.args and isinstance(left.args[0], ast.Name) and left.args[0].id in selections
        if sized and isinstance(right, ast.Constant):
            return (isinstance(op, (ast.Eq, ast.LtE)) and right.value == 0) or (isinstance(op, ast.Lt) and right.value == 1)
    return False


def _nothing_built(test: ast.AST, built: set[str]) -> bool:
    """`if len(X) == 0:` / `if X.empty:` / `if X.shape[0] == 0:` on a name a helper returned: the code
    stops because the helper built nothing (a feature row, a frame), not because a check found a
    problem - a report of problems stops a run when it is NOT empty (`if issues: raise`)."""
    def sized(node: ast.AST) -> str | None:
        if isinstance(node, ast.Call) and _inhouse.call_name(node) == "len" and node.args and isinstance(node.args[0], ast.Name):
            return node.args[0].id
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape" and isinstance(node.value.value, ast.Name):
            return node.value.value.id
        return None

    if isinstance(test, ast.Attribute) and test.attr == "empty" and isinstance(test.value, ast.Name):
        return test.value.id in built
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.comparators[0], ast.Constant):
        name, op, bound = sized(test.left), test.ops[0], test.comparators[0].value
        return name in built and ((isinstance(op, (ast.Eq, ast.LtE)) and bound == 0) or (isinstance(op, ast.Lt) and bound == 1))
    return False


def _built_by_helpers(func: ast.AST, helpers: set[str]) -> set[str]:
    """Names assigned straight from a call of one of `helpers` (`X = build_rows(df)`)."""
    return {
        name for node in walk(func) if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
        and _inhouse.call_name(node.value) in helpers for t in node.targets for name in _inhouse.assigned_names(t)
    }


def _passed_through(node: ast.Assign) -> bool:
    """`df = clean(df)`: the frame handed to a helper comes back (cleaned, renamed, coerced) under its
    own name. That is the data, not a report of checks: what is later tested on it is not a check's
    outcome."""
    targets = set().union(*(_inhouse.assigned_names(t) for t in node.targets))
    value = node.value
    return isinstance(value, ast.Call) and any(isinstance(a, ast.Name) and a.id in targets for a in value.args)


def _data_quality_gates(repo: RepoIndex, enough: int | None = None) -> list[Location]:
    """Rule `in-house data quality gate`: project code checks data in at least two ways, at least one
    on the values (missing values, duplicates, value ranges; besides schema, row count, classes), and
    raises when a value check fails, in the checking function or in a caller (same module, or one
    that imports it) that reads its result. A lone `.isna().sum()` printed, cleaning (`dropna`,
    `drop_duplicates`, filtering on `notna()`), argument checks of a library, or checks whose
    outcome nothing acts on are not a gate.

    `enough`: stop once the hits hold this many distinct locations (what a finding shows at most,
    `registry.MAX_LOCATIONS`): the first ones, in the order found, are then settled, so the finding
    is the same and the files further on are not parsed for it."""
    checkers: dict[str, tuple[str, int]] = {}
    for summary in _inhouse.project_code(repo.python_mentioning(*_CHECK_NEEDLES)):
        # Which functions are checkers is a per-file fact of the summary (`pyfacts.data_checkers`):
        # no syntax tree needed here, and the parse cache serves it.
        for name, line in summary.data_checkers:
            checkers.setdefault(name, (summary.path, line))
    # Functions collecting the problems they find and returning them (session 15, `_verdicts`): checks
    # whose verdict a caller acts on.
    for summary in _inhouse.project_code(repo.python_mentioning("append", where=text_test(_verdicts.may_collect_problems))):
        if outside_system(summary.path):
            continue
        module = _inhouse.tree(repo, summary.path)
        for name, line in _verdicts.problem_collectors(module) if module is not None else ():
            checkers.setdefault(name, (summary.path, line))
    if not checkers:
        return []
    hits: list[Location] = []
    # Only a file defining a checker or importing one by name can reach one (`helpers` below is
    # empty elsewhere): on a large tree this spares parsing every file that merely mentions a name.
    # A gate is a `raise` in the parsed file: files without one are not parsed again. Each file is
    # tested as the loop reaches it (`importing`): once the finding is settled, the rest are not read.
    reachable = repo.importing(*checkers, also={path for path, _ in checkers.values()})
    for summary in _inhouse.project_code(repo.python_scan(*sorted(checkers), within=reachable, where=text_test(_may_act))):
        # Helpers this file can reach: defined here, or imported under that name.
        helpers = {
            name for name, (path, _) in checkers.items()
            if path == summary.path or any(m == name or m.endswith(f".{name}") for m in summary.imports)
        }
        if not helpers:
            continue  # no checker defined or imported here (the text only mentioned a name): nothing can be a gate
        if not helpers.intersection(summary.call_names) and all(path != summary.path for path, _ in checkers.values()) and not any(
            w in (repo.text(summary.path) or "") for w in _verdicts.EDGE_WORDS
        ):
            continue  # defines no checker and calls none (summary facts): no function here can be a gate
        # The exception that still needs the tree: whether a `raise` depends on a check is decided
        # with the set of checkers found across the whole tree.
        module = _inhouse.tree(repo, summary.path)
        if module is None:
            continue
        for line in _verdicts.failure_edges(module, helpers):
            hits.append(at(summary.path, line))  # an orchestrator routes on the check's verdict (`_verdicts`)
        # The script's own top level (`if __name__ == "__main__":`) calls and stops as a function does.
        top = ast.Module(body=[s for s in module.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))], type_ignores=[])
        if helpers.intersection(_inhouse.call_name(c) for c in _inhouse.calls_in(top)) and any(stops(n) for n in walk(top)):
            raises = _gate_raises(top, helpers)
            hits.extend(at(summary.path, line) for line in raises)
            hits.extend(at(*checkers[_inhouse.call_name(c)]) for c in _inhouse.calls_in(top) if raises and _inhouse.call_name(c) in helpers)
        for owner, func in _inhouse.functions(module):
            is_checker = checkers.get(func.name) == (summary.path, func.lineno)
            calls_checker = any(_inhouse.call_name(c) in helpers for c in _inhouse.calls_in(func))
            if not (is_checker or calls_checker):
                continue
            raises = _gate_raises(func, helpers - {func.name})
            if raises and not reached(repo, summary.path, module, owner, func):
                continue  # a gate nothing calls stops no run (`reached`)
            if raises:
                hits.extend(at(summary.path, line) for line in raises)
                if not is_checker:
                    for c in _inhouse.calls_in(func):
                        if _inhouse.call_name(c) in helpers:
                            hits.append(at(*checkers[_inhouse.call_name(c)]))
        if enough is not None and len({(h.path, h.line) for h in hits}) >= enough:
            break  # the finding's locations are settled (see `enough`)
    return hits


_SCHEMA_NEEDLES = pyfacts.SCHEMA_NEEDLES


def _may_check_schema(text: str) -> bool:
    """A necessary condition on a module's code for `pyfacts.schema_checks` to find anything, tested
    before the file is parsed: the code names a pydantic model (`_row_models` needs a base spelled
    `BaseModel`) or the word schema. Code with non-ASCII characters passes (the parser reads
    identifiers NFKC-normalised: a fullwidth `ＢaseModel` is `BaseModel` to it)."""
    # ASCII code names "schema" case-blind exactly when its lowercased text holds it (`casewords`): no case-blind search.
    return "BaseModel" in text or not text.isascii() or "schema" in text.lower()


def _schema_checks(repo: RepoIndex) -> list[Location]:
    """Rule `schema check`: data checked against a declared schema, in project code:
    (a) rows of a data frame validated one by one with a pydantic model the project defines
        (`for r in df.to_dict("records"): RowSchema(**r)`, or a comprehension), or
    (b) a test (`if`/`assert`) comparing a frame's columns, shape or dtypes, in a module that
        reads a schema (its code names one: a schema file, a `schema` mapping or method).
    A pydantic model for API requests, or columns printed or renamed, is not a data check; nor is
    column selection (`if col in df.columns:` without `else`), nor a module whose only "schema" is
    one a reader infers (Spark's `inferSchema`, `df.schema[c].dataType`).
    Each file's hits are a per-file fact of its summary (`pyfacts.schema_checks`, the inferred-schema
    exclusion included): no syntax tree and no text here."""
    hits: list[Location] = []
    for summary in _inhouse.project_code(repo.python_mentioning(*_SCHEMA_NEEDLES, where=text_test(_may_check_schema))):
        lines = summary.schema_checks
        if lines:
            module = _inhouse.tree(repo, summary.path)
            lines = [line for line in lines if module is None or not (_not_a_data_check(module, line) or _unreached(repo, summary.path, module, line))]
        hits.extend(at(summary.path, line) for line in lines)
    return hits


# What an HTTP handler raises or calls to answer a bad request (FastAPI/Starlette, Flask, Django REST).
_HTTP_ERRORS = re.compile(r"^(HTTPException|RequestValidationError|BadRequest\w*|abort|HttpResponseBadRequest|JSONResponse)$")
_VALIDATION_ERRORS = re.compile(r"ValidationError|ValueError|Exception$")


# A storage connector's class (Kedro's `AbstractDataset`, `AbstractVersionedDataset[...]`): checks in
# its methods are the connector's preconditions on what a caller saves or loads (a library's feature,
# conventions §5), not a pipeline checking its data.
_CONNECTOR_BASE = re.compile(r"^Abstract\w*Data[sS]et$")


def _in_dataset_connector(module: ast.Module, line: int) -> bool:
    return any(start <= line <= end for start, end in _connector_spans(module))


@per_tree  # asked per function of a module: each module walked once, not once per function
def _connector_spans(module: ast.Module) -> tuple[tuple[int, int], ...]:
    """The lines (first, last) of each storage connector's class in `module`."""
    return tuple(
        (node.lineno, node.end_lineno or node.lineno) for node in walk(module)
        if isinstance(node, ast.ClassDef) and any(_CONNECTOR_BASE.match(_inhouse.last_name(b)) for b in node.bases)
    )


def _not_a_data_check(module: ast.Module, line: int) -> bool:
    """A schema-check hit (`pyfacts.schema_checks`) that is not data validation (conventions §7):
    - a request's fields checked in an API handler that answers with an HTTP error (`if missing:
      raise HTTPException(422)`): a request model written by hand;
    - rows turned into pydantic objects that the code keeps and uses (`[AOI(**row) for row in
      df.to_dict("records")]`): a conversion, unless a `try` around it handles the validation error
      (then a failing row is acted on);
    - a check in a storage connector's class (`_in_dataset_connector`);
    - two inputs' shapes compared with each other (`_shapes_compared`)."""
    if _in_dataset_connector(module, line):
        return True
    at_line = [n for n in walk(module) if isinstance(n, (ast.If, ast.Assert, ast.While, ast.Call)) and getattr(n, "lineno", None) == line]
    test = next((n for n in at_line if isinstance(n, (ast.If, ast.While, ast.Assert))), None)
    if test is not None and _shapes_compared(test.test):
        return True
    if isinstance(test, (ast.If, ast.While)):
        return any(_HTTP_ERRORS.match(_inhouse.call_name(c)) for stmt in test.body for c in _inhouse.calls_in(stmt))
    if test is not None:
        return False
    models = {n.name for n in walk(module) if isinstance(n, ast.ClassDef)}
    made = [c for c in at_line if isinstance(c, ast.Call) and (_inhouse.call_name(c) in models or _inhouse.dotted(c.func).split(".")[0] in models)]
    return bool(made) and all(_kept_conversion(c, _inhouse.parents(module)) for c in made)


def _unreached(repo: RepoIndex, path: str, module: ast.Module, line: int) -> bool:
    """The check at `line` is in a module-level function nothing reaches (`reached`)."""
    enclosing = enclosing_function(module, line)
    return enclosing is not None and not reached(repo, path, module, *enclosing)


def _shapes(node: ast.AST) -> bool:
    return isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape" or (
        isinstance(node, ast.Attribute) and node.attr == "shape"
    )


def _shapes_compared(test: ast.AST) -> bool:
    """`if X.shape[1] != Y.shape[1]: raise`: two inputs' shapes compared with each other is a function
    checking that its arguments fit together (a similarity, a matrix product), not data against a
    declared schema."""
    compares = [c for c in walk(test) if isinstance(c, ast.Compare)]
    return bool(compares) and all(all(_shapes(o) for o in [c.left, *c.comparators]) for c in compares)


def _kept_conversion(node: ast.Call, up: dict[ast.AST, ast.AST]) -> bool:
    """The object a model builds from a row is kept (collected or assigned), and no `try` around it
    handles a validation error (which would act on a failing row)."""
    child: ast.AST = node
    kept = False
    while child in up:
        parent = up[child]
        if isinstance(parent, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)) or (
            isinstance(parent, ast.Assign) and parent.value is child
        ) or (isinstance(parent, ast.Call) and _inhouse.call_name(parent) in ("append", "extend", "add")):
            kept = True
        if isinstance(parent, ast.Try):
            handled = any(
                h.type is None or any(_VALIDATION_ERRORS.search(_inhouse.last_name(t)) for t in (h.type.elts if isinstance(h.type, ast.Tuple) else [h.type]))
                for h in parent.handlers
            )
            return kept and not handled
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
            break
        child = parent
    return kept


def _test_module(path: str) -> bool:
    return is_test_path(path) and not path.endswith(NOTEBOOK_SUFFIX)


def _data_tests(repo: RepoIndex) -> list[Location]:
    """Rule `data checks written as tests`: in the project's test files, a test asserts on the data
    itself - missing values, duplicates, ranges (isna/isnull/duplicated/between) or its columns and
    dtypes - in a module that reads a dataset (read_csv, read_parquet, load_dataset...). Tests of
    a cleaning function on a frame built in the test, or on files written to a temporary folder,
    check code, not data, and do not count."""
    hits = []
    # Only test modules are read here: the others are not parsed for this rule.
    for summary in repo.python_mentioning(*_CHECK_NEEDLES, "columns").keeping(_test_module):
        if not is_test_path(summary.path) or summary.is_notebook:
            continue
        # The asserting lines are a per-file fact of the summary (`pyfacts.data_test_asserts`,
        # kept only for modules that read a dataset); the few modules with one are parsed to set
        # fixtures aside (`_on_fixtures`).
        lines = summary.data_test_asserts
        if lines:
            module = _inhouse.tree(repo, summary.path)
            if module is not None:
                lines = [line for line in lines if not _on_fixtures(module, line)]
        hits.extend(at(summary.path, line) for line in lines)
    return hits


# Rule `data tests on fixtures` (session 11): a test of the data checks the project's data; a test
# asserting on a frame a pytest fixture builds (`def sample_dataframe(): return pd.DataFrame({...})`),
# or in a module whose only reads are of files kept beside the tests (`Path(__file__).parent / "data"`,
# `"tests/data/x.csv"`), checks what the project's code does to made-up data: a contract test of
# cleaning code, not a check of the data the system trains on (conventions §7).
_READ_CALL = re.compile(r"^(read_\w+|load_dataset)$")
_TEST_FOLDER_LITERAL = re.compile(r"^(\./)?tests?/")


def _frame_fixtures(module: ast.Module) -> set[str]:
    """Names of the module's pytest fixtures that build a frame or a temporary file."""
    found = set()
    for _, func in _inhouse.functions(module):
        if any("fixture" in _inhouse.dotted(d.func if isinstance(d, ast.Call) else d) for d in func.decorator_list):
            if any(_inhouse.call_name(c) in pyfacts.BUILDS_FRAME for c in _inhouse.calls_in(func)):
                found.add(func.name)
    return found


def _beside_tests(module: ast.Module) -> bool:
    """Every dataset read in `module` reads a file kept beside the tests: its path derives from
    `__file__` (through names assigned from it, anywhere in the module) or is a literal under
    `tests/`."""
    derived: set[str] = {"__file__"}
    assigns = [n for n in walk(module) if isinstance(n, ast.Assign)]
    for _ in range(4):
        before = len(derived)
        for node in assigns:
            if _inhouse.identifiers(node.value) & derived:
                for target in node.targets:
                    derived |= _inhouse.assigned_names(target)
        if len(derived) == before:
            break
    reads = [c for c in walk(module) if isinstance(c, ast.Call) and _READ_CALL.match(_inhouse.call_name(c)) and c.args]
    return bool(reads) and all(
        bool(_inhouse.identifiers(c.args[0]) & derived)
        or (isinstance(c.args[0], ast.Constant) and isinstance(c.args[0].value, str) and bool(_TEST_FOLDER_LITERAL.match(c.args[0].value)))
        for c in reads
    )


def _reading_names(module: ast.Module) -> set[str]:
    """Names that may hold a dataset the module reads: functions holding a read call, and names
    assigned (at any depth, through other such names) from a read or from one of them."""
    found = {func.name for _, func in _inhouse.functions(module) if any(_READ_CALL.match(_inhouse.call_name(c)) for c in _inhouse.calls_in(func))}
    assigns = [n for n in walk(module) if isinstance(n, ast.Assign)]
    for _ in range(4):
        before = len(found)
        for node in assigns:
            reads = any(isinstance(c, ast.Call) and _READ_CALL.match(_inhouse.call_name(c)) for c in walk(node.value))
            if reads or _inhouse.identifiers(node.value) & found:
                for target in node.targets:
                    found |= _inhouse.assigned_names(target)
        if len(found) == before:
            break
    return found


def _on_fixtures(module: ast.Module, line: int) -> bool:
    """The data test asserting at `line` checks fixture data (see the rule above), or no data at all:
    its test reads nothing, takes no fixture that could, and uses no name holding what the module
    reads (`assert encoding["input_ids"].shape[1] == 128` on a tokenised literal)."""
    if _beside_tests(module):
        return True
    enclosing = enclosing_function(module, line)
    if enclosing is None:
        return False
    func = enclosing[1]
    params = {a.arg for a in func.args.args + func.args.kwonlyargs} - {"self", "cls"}
    made_up = _frame_fixtures(module)
    if params & made_up:
        return True
    if params:
        return False  # a fixture from elsewhere (conftest) may read the data
    reads_itself = any(_READ_CALL.match(_inhouse.call_name(c)) for c in _inhouse.calls_in(func))
    return not reads_itself and not (_inhouse.identifiers(func) & _reading_names(module))


# Rule `data checks on the pipeline path` (session 10): inference apps and batch pipelines written by
# teams check the batch they are about to use and stop when it is bad, with no library: `if
# np.isnan(ds[v].values).any(): raise ValueError(...)` on the weather inputs, `if (batch["nwp"] ==
# 0).all(): raise`, a `validate_io` module asserting dtypes and value ranges of the arrays before
# training or predicting, `check_incoming_data` asserting the input's frequency, length and
# variables. A function counts when it acts on a failed test of the data's values (missing values,
# ranges, constant inputs) or, when its name says it checks, on two tests of its structure (dtypes,
# columns, frequency, shape, row count) with at least one beyond shape and length; and the project's
# own code (not only its tests) calls it. Tensor shape assertions in a model's `forward`, argument
# checks without a value test, and a training loss tested for NaN are not data checks.
_VALUE_TESTS = frozenset({"isnan", "isna", "isnull", "isinf", "isfinite", "notna", "notnull", "isnat"})
_CHECK_NAME = re.compile(r"^_*(check|validate|validation|verify|sanity|ensure|assert)|_(check|validate|validation|verify|sanity)(_|$)|(^|_)valid(ate|ation)?(_|$)", re.IGNORECASE)
_NOT_DATA = re.compile(r"^(loss(es)?|\w*_loss|grads?|gradients?|lr|learning_rate|weights?|params?|parameters|self|cls|args|kwargs|config|cfg|options?|version|path|url|model)$", re.IGNORECASE)
_NOT_CHECKERS = frozenset({"forward", "__init__", "__call__", "call", "build", "__post_init__", "__new__"})
_DATA_CHECK_NEEDLES = ("raise", "assert", "exit")
# The shapes a qualifying function's text has (a necessary condition, tested before a file is parsed):
# an `assert` line holding a data test, an `if` line holding a value test with a `raise` within the
# next few lines, or a function named for checking. Literal prefixes keep the scan fast.
_TESTED = r"(?:isnan|isna\(|isnull|isinf|isfinite|hasnans|\.dtypes?\b|\.min\(|\.max\(|\.all\(|\.any\(|issubset|infer_freq|isin\(|duplicated|is_unique)"
_TESTED_RE = re.compile(_TESTED)
_RAISE_LINE = re.compile(r"[ \t]*(?:raise\b|(?:sys\.|os\._)?exit\()")
_CHECK_DEF = re.compile(r"def _*(?:check|validate|verify|sanity|ensure|assert)")


def _line_end(text: str, at: int) -> int:
    """Where the line holding position `at` ends (its `\\n`, or the end of the text)."""
    end = text.find("\n", at)
    return len(text) if end == -1 else end


def _asserted_test(text: str) -> bool:
    """An `assert ` line holding a data test after it. Line by line, one search from the first
    `assert ` of each line holding one (the lines are found with `str.find`, not split): linear in the
    text (a hostile line of `assert assert ...` cannot make it quadratic)."""
    at = text.find("assert ")
    while at != -1:
        end = _line_end(text, at)
        if _TESTED_RE.search(text, at + 7, end):  # the line ends the search as if it were the text
            return True
        at = text.find("assert ", end)
    return False


def _raised_test(text: str) -> bool:
    """An `if ` line holding a data test after it, with a line starting with `raise` or an exit among the next four."""
    at = text.find("if ")
    while at != -1:
        end = _line_end(text, at)
        if _TESTED_RE.search(text, at + 3, end) and _raise_follows(text, end):
            return True
        at = text.find("if ", end)
    return False


def _raise_follows(text: str, end: int, lines: int = 4) -> bool:
    """One of the `lines` lines after the line ending at `end` starts with `raise` or an exit."""
    for _ in range(lines):
        if end >= len(text):
            return False
        start = end + 1
        end = _line_end(text, start)
        if _RAISE_LINE.match(text, start, end):
            return True
    return False


# The tests `_derived_tests` carries through a name (not dtypes or `.any()`/`.all()` alone: they are on
# most lines of numeric code, and a file is parsed for each line that passes).
_DERIVED_TESTED = re.compile(r"isnan|isna\(|isnull|isinf|isfinite|hasnans|isin\(|duplicated|is_unique|between\(|\.min\(|\.max\(")


def _assigned_test(text: str) -> bool:
    """A line assigning a data test's result to a name (`missing = df.isnull().sum()`): the first `= `
    of each line holding one, as in `line.find("= ")`."""
    start = 0  # the start of a line
    while (at := text.find("= ", start)) != -1:
        newline = text.rfind("\n", start, at)
        line_start = start if newline == -1 else newline + 1
        end = _line_end(text, at)
        if at > line_start and text[at - 1] not in "=!<>" and _DERIVED_TESTED.search(text, at + 2, end):
            return True
        start = end + 1
    return False


def _may_check_data(text: str) -> bool:
    """Every file with a qualifying function passes (see the shapes above; a test computed into a
    name first: an assignment holding a data test, and a `raise` or an `assert`)."""
    if "assert " in text and _asserted_test(text):
        return True
    acts = "if " in text and any(w in text for w in STOP_WORDS)
    if acts and _raised_test(text):
        return True
    if (acts or "assert " in text) and _assigned_test(text):
        return True
    return bool("def " in text and _CHECK_DEF.search(text))


def _test_kinds(
    test: ast.AST, outputs: frozenset[str] = frozenset(), derived: Mapping[str, frozenset[str]] | None = None,
    extremes: frozenset[str] = frozenset(), *, selections: bool = True,
) -> set[str]:
    """Kinds of data test in a condition (see the rule above); empty when what it tests is named like
    a training quantity or a setting (`loss`, `lr`, `config`) rather than data, or is one of
    `outputs` (names holding a model's output). `derived` and `extremes`: names the function assigned
    a data test's result or the data's minimum/maximum (`_derived_tests`). `selections=False` leaves
    out what stands in subscripts and comprehensions (rows or columns picked by a test are not its result)."""
    kinds: set[str] = set()
    subjects: set[str] = set()
    for node in walk(test) if selections else _outside_selections(test):
        if derived and isinstance(node, ast.Name) and node.id in derived:
            kinds |= derived[node.id]
        elif isinstance(node, ast.Call):
            name = _inhouse.call_name(node)
            if name in _VALUE_TESTS:
                kinds.add("missing")
                tested = node.args[0] if node.args else node.func.value if isinstance(node.func, ast.Attribute) else None
                if tested is not None:
                    subjects.add(_inhouse.last_name(tested))
            elif name in ("issubset", "issuperset"):
                kinds.add("columns")
            elif name == "isin":
                kinds.add("domain")
                if isinstance(node.func, ast.Name) or _inhouse.dotted(node.func) in _ARRAY_ISIN:  # `np.isin(element, test_elements)`
                    tested = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "element"), None)
                else:  # `series.isin(values)`
                    tested = node.func.value if isinstance(node.func, ast.Attribute) else None
                if tested is not None:
                    subjects.add(_inhouse.last_name(tested))
            elif name == "duplicated" and isinstance(node.func, ast.Attribute):
                kinds.add("duplicates")
                subjects.add(_inhouse.last_name(node.func.value))
            elif name == "infer_freq":
                kinds.add("frequency")
            elif name in ("all", "any") and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Compare):
                if any(isinstance(c, ast.Constant) for c in [node.func.value.left, *node.func.value.comparators]):
                    kinds.add("constant")
            elif name == "between" or pyfacts.RANGE_HELPER.search(name):
                kinds.add("range")
        elif isinstance(node, ast.Attribute) and node.attr == "hasnans":
            kinds.add("missing")
        elif isinstance(node, ast.Attribute) and node.attr == "is_unique":
            kinds.add("duplicates")
        elif isinstance(node, ast.Compare):
            for part in walk(node):
                if isinstance(part, ast.Call) and isinstance(part.func, ast.Attribute) and _inhouse.call_name(part) in ("min", "max", "nanmin", "nanmax", "amin", "amax"):
                    # `arr.min()`, `np.max(arr)`; the builtin `max(sizes.values())` picks a limit, it tests no data
                    kinds.add("range")
                    inner = part.func.value if isinstance(part.func, ast.Attribute) and _inhouse.call_name(part) in ("min", "max") and not part.args else (part.args[0] if part.args else None)
                    if inner is not None:
                        subjects.add(_inhouse.last_name(inner))
                elif isinstance(part, ast.Attribute) and part.attr in ("dtype", "dtypes"):
                    kinds.add("dtype")
                elif isinstance(part, ast.Attribute) and part.attr == "columns":
                    kinds.add("columns")
                elif isinstance(part, ast.Attribute) and part.attr == "shape":
                    kinds.add("shape")
                elif isinstance(part, ast.Call) and _inhouse.call_name(part) == "len":
                    kinds.add("rows")
                elif isinstance(part, ast.Name) and part.id in extremes:
                    kinds.add("range")
    if subjects and all(_NOT_DATA.match(n) or n in outputs for n in subjects if n):
        return set()
    return kinds


# Rule `values checked against an expected set` (session 13): `isin` tests that the data's values
# (or the timestamps, ids or categories it holds) are those expected - pandera's `Check.isin` and
# Great Expectations' `expect_column_values_to_be_in_set` written by hand, e.g. `if not
# np.isin(expected_times, ds.time.values).all(): raise` (required inputs missing) or
# `if (~df["country"].isin(KNOWN)).any(): raise`. A value test like the others: it counts when the
# function acts on it (raise/assert) and the project calls the function.
# Rule `duplicate records rejected` (session 13): `df.duplicated()` / `.is_unique` tested and acted on,
# the uniqueness check of every data-validation library (pandera `unique`, Great Expectations
# `expect_column_values_to_be_unique`).
_VALUE_KINDS = frozenset({"missing", "range", "constant", "domain", "duplicates"})
_ARRAY_ISIN = frozenset({"np.isin", "numpy.isin", "isin"})
_EXTREMES = frozenset({"min", "max", "nanmin", "nanmax", "amin", "amax"})


# Rule `a test computed first, acted on after` (session 13): teams compute the test into a name and
# act on the name - `missing = df.isnull().sum()` ... `if missing.any(): raise`, `available =
# np.isin(expected, ds.time.values)` ... `if not available.all(): raise`, `latest = df["ts"].max()`
# ... `if latest < cutoff: raise`. The name carries the kinds of the test it holds (chains of such
# names too, in source order); a name holding a model's output or a training quantity carries none
# (`_test_kinds` judges the assigned expression as it judges a condition).
# Rows or columns picked by a test (`valid = x[~np.isnan(x)]`, `cols = [c for c in df if not
# df[c].isna().all()]`) are data, not the test's result: a later `if len(valid) == 0: raise` checks
# that something is left, not the data. A minimum or maximum (`latest = df["ts"].max()`) is a value of
# the data: it counts as a range test only where an acting condition compares it, and it carries
# nothing into further assignments (`rows = df[df["ts"] == latest]` is a selection).
def _derived_tests(func: ast.AST, outputs: frozenset[str]) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    derived: dict[str, frozenset[str]] = {}
    extremes: set[str] = set()
    assigns = sorted((n for n in _own_statements(func) if isinstance(n, ast.Assign)), key=lambda n: (n.lineno, n.col_offset))
    for node in assigns:
        value = node.value
        kinds = _test_kinds(value, outputs, derived, selections=False)
        names = {name for target in node.targets for name in _inhouse.assigned_names(target)}
        if kinds:
            derived.update((name, frozenset(kinds)) for name in names)
        elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and _inhouse.call_name(value) in _EXTREMES:
            tested = _inhouse.last_name(value.args[0] if value.args else value.func.value)  # `df["ts"].max()`, `np.nanmax(arr)`
            if not (_NOT_DATA.match(tested) or tested in outputs):
                extremes |= names
    return derived, frozenset(extremes)


def _outside_selections(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of `node` (as `ast.walk`) outside subscripts' slices, comprehensions and lambdas."""
    todo = [node]
    while todo:
        current = todo.pop()
        yield current
        if isinstance(current, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda)):
            continue
        if isinstance(current, ast.Subscript):
            todo.append(current.value)
            continue
        todo.extend(ast.iter_child_nodes(current))
_STRUCTURE_BEYOND_SIZE = frozenset({"dtype", "columns", "frequency"})


# Checks of a model rather than of data (conventions §7: checks of the model are not data validation,
# session 11): a function named for the model or its output (`validate_model_output`, `check_model`;
# `validate_model_input` checks data),
# or a test of a name holding what a model returned (`out = model(x)`, `preds = net.predict(x)`): a
# model's sanity check on random input, its predictions tested for NaN; a function named for a metric or
# a score (`metric_result_value`, `check_scores`: an evaluation's numbers tested for NaN, session 14).
_MODEL_CHECKER = re.compile(r"(^|_)(models?|model_outputs?|outputs?|predictions?|preds|logits)$|(^|_)(metrics?|scores?)(_|$)", re.IGNORECASE)
_MODEL_CALL = re.compile(r"^(model|net|network|classifier|regressor|estimator|predictor|\w*_model|predict\w*|forward)$", re.IGNORECASE)


def _model_outputs(func: ast.AST) -> frozenset[str]:
    """Names assigned what a model call returns in `func`'s own body (`out = model(x)`, `y = self.model.predict(x)`)."""
    found: set[str] = set()
    for node in _own_statements(func):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and _MODEL_CALL.match(_inhouse.call_name(node.value)):
            for target in node.targets:
                found |= _inhouse.assigned_names(target)
    return frozenset(found)


def _own_statements(func: ast.AST) -> Iterator[ast.stmt]:
    """The statements of `func`'s own body (nested blocks included, not the bodies of the functions
    and classes defined in it: review13 - each enclosing function walked them again, depth times,
    and took a nested helper's checks as its own even when nothing calls the helper)."""
    return statements(func, into_scopes=False)  # type: ignore[return-value]


def _acting_tests(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[int, set[str]]]:
    """(line, kinds) of each assert, and of each `if` whose body raises or exits (`_stops`), in `func` (not in functions
    nested in it); tests of a model's output are not data tests (`_model_outputs`)."""
    found = []
    outputs: frozenset[str] = frozenset()
    derived: tuple[dict[str, frozenset[str]], frozenset[str]] | None = None
    for node in _own_statements(func):
        if not (isinstance(node, ast.Assert) or (isinstance(node, ast.If) and any(stops(r) for stmt in node.body for r in walk(stmt)))):
            continue
        if derived is None:  # worked out for the first acting test only: most functions have none
            outputs = _model_outputs(func)
            derived = _derived_tests(func, outputs)
        kinds = _test_kinds(node.test, outputs, *derived)
        if kinds:
            found.append((node.lineno, kinds))
    return found


# A module named for validating data (`data_validation_step.py`, `validate_data.py`, `data_quality/`):
# each of its functions that raises on a test of the data it is given is a check, whatever its name
# (`at_least_one_user`: `if len(data) < 1: raise NoUserInDatasetError()`).
_VALIDATION_MODULE = re.compile(r"data_?validat|validat\w*_data|data_?quality|data_?checks?(?![a-z])", re.IGNORECASE)


def _checks_data(func: ast.FunctionDef | ast.AsyncFunctionDef, validation_module: bool = False) -> list[int]:
    if func.name in _NOT_CHECKERS or func.name.startswith("test") or _MODEL_CHECKER.search(func.name):
        return []
    tests = _acting_tests(func)
    value = [line for line, kinds in tests if kinds & _VALUE_KINDS or validation_module]
    if value:
        return value
    if not _CHECK_NAME.search(func.name) or len(tests) < 2:
        return []
    kinds = set().union(*(k for _, k in tests))
    return [line for line, _ in tests] if kinds & _STRUCTURE_BEYOND_SIZE and len(kinds) >= 2 else []


def _called_by_project(repo: RepoIndex, path: str, module: ast.Module, func: ast.AST, name: str) -> bool:
    """The project's own code (not its tests) calls `name`: in its module (outside the function
    itself), or in a module importing it or its module."""
    inside = {id(c) for c in _inhouse.calls_in(func)}
    if any(_inhouse.call_name(c) == name and id(c) not in inside for c in _inhouse.calls_in(module)):
        return True
    return _called_elsewhere(repo, path, name)


def _called_elsewhere(repo: RepoIndex, path: str, name: str) -> bool:
    """A project module other than `path` that imports `name` or `path`'s module calls `name`."""
    stem = path.rsplit("/", 1)[-1].removesuffix(".py")
    for summary in _inhouse.project_code(repo.python_scan(name, within=repo.importing(name, stem))):
        if summary.path != path and any(n.rsplit(".", 1)[-1] == name for n in summary.resolved_names):
            return True
    return False


@per_tree  # asked per function of a module: each module walked once, not once per function
def _name_uses(module: ast.AST) -> dict[str, tuple[int, ...]]:
    """The nodes (by id) of `module` that use each name: `name` or `x.name`."""
    uses: dict[str, list[int]] = {}
    for node in walk(module):
        used = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        if used is not None:
            uses.setdefault(used, []).append(id(node))
    return {used: tuple(ids) for used, ids in uses.items()}


def _referenced(module: ast.AST, name: str, outside: ast.AST | None = None) -> bool:
    """`name` is used in `module` (called, or passed on as a callback: `python_callable=validate`),
    not counting uses inside `outside` (the function itself, whose recursion reaches nothing)."""
    uses = _name_uses(module).get(name, ())
    if not uses:
        return False
    inside = {id(n) for n in walk(outside)} if outside is not None else set()
    return any(use not in inside for use in uses)


_PACKAGE_METADATA = ("pyproject.toml", "setup.cfg", "setup.py")  # where console scripts are declared


def reached(repo: RepoIndex, path: str, module: ast.Module, owner: str | None, func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Rule `a check nobody calls` (session 11): a module-level function holding checks must be
    reached for its checks to act on data (conventions §7): the project's code (not its tests)
    calls it or hands it on (a callback, a pipeline's list of steps) in its module or in one importing
    it or its module. A check function whose only call is commented out (`# validate_schema(df,
    Prediction)`), or a `load_and_validate` nothing calls, checks no data. Entry points are reached:
    a decorated function (a CLI command, a task, a route, a pipeline step), a cloud function's
    handler, a console script the package metadata names (`tune = "pkg.tune:main"`), and methods (a
    framework or a base class calls them)."""
    if owner is not None or func.decorator_list or _inhouse.event_handler(func, set()):
        return True
    name = func.name
    if _referenced(module, name, outside=func):
        return True
    stem = path.rsplit("/", 1)[-1].removesuffix(".py")
    if any(f"{stem}:{name}" in (repo.text(meta) or "") for meta in _PACKAGE_METADATA if repo.exists(meta)):
        return True
    for summary in _inhouse.project_code(repo.python_scan(name, within=repo.importing(name, stem))):
        if summary.path == path:
            continue
        if any(n.rsplit(".", 1)[-1] == name for n in summary.resolved_names):
            return True
        other = _inhouse.tree(repo, summary.path)
        if other is not None and _referenced(other, name):
            return True
    return False


def enclosing_function(module: ast.Module, line: int) -> tuple[str | None, ast.FunctionDef | ast.AsyncFunctionDef] | None:
    """The innermost function (with its class) holding `line`; None at module level."""
    found = None
    for owner, func in _inhouse.functions(module):
        if func.lineno <= line <= (func.end_lineno or func.lineno):
            if found is None or func.lineno >= found[1].lineno:
                found = (owner, func)
    return found


# Rule `a network's own invariants` (session 13, precision13): the methods of a neural network class
# (a subclass of torch's `nn.Module`, Lightning's `LightningModule`, Hugging Face's `PreTrainedModel`,
# a Keras `Model`/`Layer`, Flax's `Module`, directly or through a project class of a module it
# imports) check tensors of the model's own computation - index windows, posterior NaNs, shapes - as
# `forward` does: not the data the system trains on or predicts from (conventions §7).
_NETWORK_BASE = re.compile(
    r"^(torch\.nn\.(modules\.module\.)?Module|(pytorch_)?lightning(\.pytorch)?(\.core(\.module)?)?\.LightningModule"
    r"|transformers\.(modeling_utils\.)?PreTrainedModel|(tensorflow\.)?keras\.(models\.)?Model|(tensorflow\.)?keras\.layers\.Layer|flax\.linen\.Module)$"
)
MAX_BASE_HOPS = 2


class _Networks:
    """Which project classes are neural networks (see the rule above), remembered per repository run:
    each (base, hops) is judged once and each module's classes are read once (review13: without the
    memo, n classes of bases defined in a module of n classes took n^2 module reads and scans)."""

    def __init__(self, repo: RepoIndex) -> None:
        self._repo = repo
        self._judged: dict[tuple[str, int], bool] = {}
        self._bases: dict[str, dict[str, list[str]] | None] = {}

    def classes(self, summary: PythonSummary) -> set[str]:
        """The module's classes that are neural networks, following project base classes through at
        most MAX_BASE_HOPS modules."""
        return {name for name, bases, _, _ in summary.classes if any(self.is_network(b, MAX_BASE_HOPS) for b in bases)}

    def _module_bases(self, path: str) -> dict[str, list[str]] | None:
        if path not in self._bases:
            other = self._repo.python(path) if self._repo.exists(path) else None
            table: dict[str, list[str]] | None = None
            if other is not None:
                table = {}
                for cls, bases, _, _ in other.classes:
                    table.setdefault(cls, []).extend(bases)
            self._bases[path] = table
        return self._bases[path]

    def is_network(self, base: str, hops: int) -> bool:
        key = (base, hops)
        if key not in self._judged:  # (no cycle: each step down a base has one hop fewer)
            self._judged[key] = self._judge(base, hops)
        return self._judged[key]

    def _judge(self, base: str, hops: int) -> bool:
        if _NETWORK_BASE.match(base):
            return True
        module, _, name = base.rpartition(".")
        if not hops or not module:
            return False
        table = self._module_bases(module.replace(".", "/") + ".py")
        return table is not None and any(self.is_network(b, hops - 1) for b in table.get(name, ()))


def _data_check_functions(repo: RepoIndex) -> list[Location]:
    hits: list[Location] = []
    named = {p for p in repo.python_files() if _VALIDATION_MODULE.search(p)}
    judge = _Networks(repo)
    for summary in _inhouse.named_or_mentioning(repo, named, _DATA_CHECK_NEEDLES, _DATA_CHECK_NEEDLES, text_test(_may_check_data)):
        if outside_system(summary.path):
            continue
        module = _inhouse.tree(repo, summary.path)
        if module is None:
            continue
        validation_module = summary.path in named
        networks = judge.classes(summary) if summary.classes else set()
        for owner, func in _inhouse.functions(module):
            if owner in networks:
                continue
            lines = _checks_data(func, validation_module)
            if lines and not _in_dataset_connector(module, func.lineno) and _called_by_project(repo, summary.path, module, func, func.name):
                hits.extend(at(summary.path, line) for line in lines[:2])
        if len(hits) >= MAX_LOCATIONS:
            break
    return hits[:MAX_LOCATIONS]


# Rule `records checked one by one, failures quarantined` (session 10): a pipeline step walks records
# (chunks, rows, files), asks a project function named for checking (`validate_chunk`,
# `check_record`) for the record's problems, and writes the failing records to a set-aside sink
# (`invalid_out.write(...)`, `rejected.append(...)`, `quarantine_rows.to_csv(...)`): the skip/quarantine
# of conventions §7. The checking function must test the record at least twice, collecting problems
# (`issues.append(...)`). A validator of an API request or of a configuration routes nothing aside.
_SET_ASIDE_SINK = re.compile(r"(^|_)(invalid|rejected?|quarantined?|bad|corrupt(ed)?)(_|$)", re.IGNORECASE)
_PROBLEMS = re.compile(r"error|issue|problem|violation|failure|invalid", re.IGNORECASE)
_QUARANTINE_NEEDLES = ("issues", "errors", "problems", "violations", "failures")  # the checking function's list of problems
_SINK_WORDS = ("invalid", "reject", "quarantin", "bad", "corrupt", "Invalid", "Reject", "Quarantin", "Bad", "Corrupt")
_QUARANTINE_TEXT = re.compile(r"(?<![a-z])(?:invalid|reject|quarantin|bad|corrupt)\w{0,60}[ \t]*\.[ \t]*(?:write|append|to_csv|to_parquet|to_json|put|insert)", re.IGNORECASE)
_WRITES = frozenset({"write", "writelines", "append", "extend", "to_csv", "to_parquet", "to_json", "put", "insert", "insert_one", "dump"})


def _may_quarantine(text: str) -> bool:
    return "def " in text and any(w in text for w in _SINK_WORDS) and _QUARANTINE_TEXT.search(text) is not None


def _collects_problems(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    appends = [
        node for node in walk(func) if isinstance(node, ast.If) and any(
            _inhouse.call_name(c) in ("append", "add", "extend") and isinstance(c.func, ast.Attribute)
            and _PROBLEMS.search(_inhouse.last_name(c.func.value)) for stmt in node.body for c in _inhouse.calls_in(stmt)
        )
    ]
    return len(appends) >= 2


def _quarantined_records(repo: RepoIndex) -> list[Location]:
    hits: list[Location] = []
    for summary in _inhouse.project_code(repo.python_mentioning(*_QUARANTINE_NEEDLES, where=text_test(_may_quarantine))):
        module = _inhouse.tree(repo, summary.path)
        if module is None:
            continue
        checkers = {f.name for _, f in _inhouse.functions(module) if _CHECK_NAME.search(f.name) and _collects_problems(f)}
        if not checkers:
            continue
        for loop in (n for n in statements(module) if isinstance(n, ast.For)):
            verdicts = {
                name for node in walk(loop) if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and _inhouse.call_name(node.value) in checkers for t in node.targets for name in _inhouse.assigned_names(t)
            }
            for node in (n for n in walk(loop) if isinstance(n, ast.If) and _inhouse.identifiers(n.test) & verdicts):
                sinks = [
                    c for stmt in node.body for c in _inhouse.calls_in(stmt)
                    if _inhouse.call_name(c) in _WRITES and isinstance(c.func, ast.Attribute) and _SET_ASIDE_SINK.search(_inhouse.last_name(c.func.value))
                ]
                if sinks:
                    hits += [at(summary.path, node.lineno), at(summary.path, sinks[0].lineno)]
                    break
        if len(hits) >= MAX_LOCATIONS:
            break
    return hits[:MAX_LOCATIONS]


# Rule `required features checked, missing ones rejected` (session 12, `_featurechecks`): a route
# answering a request that lacks the model's features with a client error, or a pipeline step
# raising when its frame lacks the required columns (conventions §7: checks of a request against the
# model's inputs that reject it count). Files are those whose text has the comprehension or set
# difference; the check must be in the project's code (tests, notebooks and examples apart) and
# reached (`reached`: a route is decorated, a helper is called).
_REJECT_NEEDLES = ("abort", "HTTPException", "jsonify", "JSONResponse", "Response")


def _reached_in(repo: RepoIndex, candidates: Iterable[PythonSummary], finds: Callable[[ast.Module], Iterable[tuple[Any, ...]]]) -> list[Location]:
    """Locations of an in-house rule's rows `(owner, function, line, ...)` (`finds` over a module's syntax
    tree) whose function the system reaches, in the candidates' own modules outside examples and docs;
    at most MAX_LOCATIONS, modules taken in order."""
    hits: list[Location] = []
    for summary in _inhouse.project_code(candidates):
        if outside_system(summary.path):
            continue
        module = _inhouse.tree(repo, summary.path)
        if module is None:
            continue
        for owner, func, *lines in finds(module):
            if reached(repo, summary.path, module, owner, func):
                hits += [at(summary.path, line) for line in lines]
        if len(hits) >= MAX_LOCATIONS:
            break
    return hits[:MAX_LOCATIONS]


def _missing_inputs_rejected(repo: RepoIndex) -> list[Location]:
    candidates = repo.python_mentioning(*_DATA_CHECK_NEEDLES, *_REJECT_NEEDLES, where=text_test(_featurechecks.may_reject_missing))
    return _reached_in(repo, candidates, _featurechecks.missing_input_rejections)


# Rule `records routed to a quarantine` (session 14, `_setaside`): a loop judges each record and writes
# the failing ones to a quarantine or rejects sink beside the kept set (conventions §7, §14: a check
# that quarantines bad records out of a training set acts).
_SET_ASIDE_NEEDLES = ("write", "writerow", "append", "to_csv", "to_parquet", "to_json")


def _records_routed_aside(repo: RepoIndex) -> list[Location]:
    candidates = repo.python_mentioning(*_SET_ASIDE_NEEDLES, where=text_test(_setaside.may_set_aside))
    return _reached_in(repo, candidates, _setaside.records_set_aside)


def _records_rejected(repo: RepoIndex) -> list[Location]:
    candidates = repo.python_mentioning("append", where=text_test(_setaside.may_reject_records))
    return _reached_in(repo, candidates, _setaside.records_rejected_with_reasons)


# Rule `fetched records validated against a schema model` (session 14, `_ingestschema`): an ingestion
# step validates the JSON it fetched or read against a pydantic model the project declares before it
# stores or indexes the records (conventions §7, §13: the schema of extracted records).
_VALIDATING_NEEDLES = tuple(sorted(_ingestschema.VALIDATING_CALLS))
_MODEL_NEEDLES = ("BaseModel",)


def _project_models(repo: RepoIndex) -> set[str]:
    """Names of the project's pydantic models (subclasses of `BaseModel`, through project models too)."""
    classes = [c for s in _inhouse.project_code(repo.python_mentioning(*_MODEL_NEEDLES)) for c in s.classes]
    models: set[str] = set()
    for _ in range(4):
        found = _ingestschema.pydantic_models(classes, models)
        if found == models:
            break
        models = found
    return models


def _validated_payloads(repo: RepoIndex) -> list[Location]:
    models: list[set[str]] = []  # gathered on the first question only

    def is_model(name: str) -> bool:
        if not models:
            models.append(_project_models(repo))
        return name in models[0]

    candidates = repo.python_mentioning(*_VALIDATING_NEEDLES, *_ingestschema.JSON_SCHEMA_MODULES)
    return _reached_in(repo, candidates, lambda module: _ingestschema.payload_validations(module, is_model))


# Rule `a drift check that stops the pipeline` (session 14, `_driftgate`): a task compares the new data's
# statistics with a reference and raises or exits when they moved too far (conventions §7: distributions).
def _drift_gates(repo: RepoIndex) -> list[Location]:
    candidates = repo.python_mentioning(*_DATA_CHECK_NEEDLES, where=text_test(_driftgate.may_gate_drift))
    return _reached_in(repo, candidates, _driftgate.drift_gates)


# Rule `a data test suite run as a gate` (session 14, `_suitegate`): the training or optimisation
# script runs the project's data test suite with `pytest.main` and stops when it fails.
_SUITE_NEEDLES = ("pytest",)


def _suite_gates(repo: RepoIndex) -> list[Location]:
    hits: list[Location] = []
    for summary in _inhouse.project_code(repo.python_mentioning(*_SUITE_NEEDLES, where=text_test(_suitegate.may_gate_suite))):
        if outside_system(summary.path):
            continue
        module = _inhouse.tree(repo, summary.path)
        if module is not None:
            hits += [at(summary.path, line) for line in _suitegate.suite_gates(module)]
        if len(hits) >= MAX_LOCATIONS:
            break
    return hits[:MAX_LOCATIONS]


def _sql_checks(repo: RepoIndex) -> list[Location]:
    """Rule `a hand-written SQL data check` (`_sqlchecks`), in project code the system reaches."""
    return _reached_in(repo, repo.python_mentioning(*_DATA_CHECK_NEEDLES, where=text_test(_sqlchecks.may_check)), _sqlchecks.sql_checks)


_UI_PAGES = ("streamlit", "gradio")


# The in-house shapes of data validation, strongest first (after tool calls and declared checks).
_IN_HOUSE_VALIDATION: tuple[Shape, ...] = (
    (
        "in-house data quality gate: checks of several kinds (schema, missing values, duplicates, ranges, row "
        "counts, classes) whose failure raises and stops the pipeline, or keeps the model from being registered or deployed",
        lambda repo: _data_quality_gates(repo, enough=MAX_LOCATIONS),
    ),
    (
        "in-house SQL data check: a pipeline task runs a query counting missing or repeated values (IS NULL, "
        "COUNT(DISTINCT ...), HAVING COUNT) and asserts on the answer or stops the run, as Airflow's SQL check operators do",
        _sql_checks,
    ),
    (
        "in-house data checks on the pipeline path: project functions test the data they are given (missing values, "
        "value ranges, constant inputs, values outside an expected set, or dtypes/columns/frequency; any test in a module named for data validation) "
        "and raise or assert, and the project's code calls them",
        _data_check_functions,
    ),
    (
        "in-house record checks: each record is checked by a project function collecting its problems, and failing "
        "records are written to a quarantine/invalid sink",
        _quarantined_records,
    ),
    (
        "in-house quarantine: a loop judges each record and routes the failing ones to a quarantine or rejects sink "
        "(a file opened on a quarantine path, a `rejected` list) instead of the kept set",
        _records_routed_aside,
    ),
    (
        "in-house row rejection: a load loop checks each record two or more ways, records the reason and skips a failing "
        "record, and keeps the rest apart",
        _records_rejected,
    ),
    (
        "in-house schema validation of ingested records: JSON fetched from a source or read from a file is validated "
        "against a pydantic model the project declares or a JSON Schema (a failing payload raises) before the records are stored or indexed",
        _validated_payloads,
    ),
    (
        "in-house drift gate: a pipeline step compares the new data's distribution with a reference (shares against a "
        "baseline, a stability index, a test statistic) and raises or exits when it moved past a threshold",
        _drift_gates,
    ),
    (
        "in-house data test gate: the pipeline runs the project's data test suite (pytest on a suite named for the data) "
        "and stops when it fails",
        _suite_gates,
    ),
    (
        "in-house data checks: rows validated with a pydantic model, a frame's columns or dtypes compared with a "
        "declared schema, or tests that assert on the dataset itself (missing values, duplicates, columns)",
        lambda repo: _schema_checks(repo) + _data_tests(repo),
    ),
    (
        "in-house input check: data lacking the model's required features or columns is rejected (a route answers a "
        "client error, a pipeline step raises)",
        _missing_inputs_rejected,
    ),
)


@detector(
    id="validates_data",
    title="Does the repo validate its training or input data?",
    kind=Kind.data_validation,
    remediation=(
        "Check data before training and serving: a pandera schema or Great Expectations suite on the training "
        "table, TFDV/ExampleValidator in a TFX pipeline, or dbt tests; fail the pipeline when checks fail."
    ),
    words=_SODA_WORDS,
    needles=_VALIDATION.needles + _CHECK_NEEDLES + _SCHEMA_NEEDLES + _DATA_CHECK_NEEDLES + _QUARANTINE_NEEDLES + _REJECT_NEEDLES + _SET_ASIDE_NEEDLES + _VALIDATING_NEEDLES + _ingestschema.JSON_SCHEMA_MODULES + _MODEL_NEEDLES + _SUITE_NEEDLES,
)
def validates_data(repo: RepoIndex) -> Observation:
    # Rule `checks shown on a dashboard page` (session 12): a Streamlit or Gradio page running a test
    # suite for a viewer renders its results; nothing in the pipeline acts on them (conventions §7).
    hits = Hits(
        (s, c) for s, c in matching(repo, _VALIDATION.needles, _VALIDATION.code_hits, include_tests=True)
        if not s.imports_module(*_UI_PAGES)
    )
    configs = _expectation_suites(repo) + _dbt_tests(repo) + _soda_checks(repo)
    if not hits and not configs:
        configs = _frame_models_validated(repo)
    if hits or configs:
        parts = []
        if hits:
            parts.append(f"calls {describe(hits)}")
        if configs:
            parts.append(f"{len(configs)} declarative data check(s) (expectation suites, dbt tests, Soda checks, frame schema classes validated)")
        return Observation.passed("; ".join(parts), locations(hits) + configs)
    in_house = first_passing(repo, _IN_HOUSE_VALIDATION, confidence=Confidence.medium)
    if in_house is not None:
        return in_house
    in_r = r_calls(repo, _VALIDATION.r_calls)  # session 18: R's validation packages (catalogue `r_calls`)
    if in_r:
        return Observation.passed(f"R code calls {', '.join(dict.fromkeys(f'{name}()' for _, name in in_r))}", [loc for loc, _ in in_r])
    return Observation.failed(
        "no data validation found: no calls to Great Expectations, pandera, TFDV, deepchecks, Soda or similar, "
        "no expectation suites, dbt tests or Soda checks"
    )


# A folder of examples or demos (`examples/simple-feast/feature_repo/`): feature views there show how a
# feature store would be used (conventions §2, §5: examples are examples); the project defines its
# features where its own code reads them.
_EXAMPLE_FOLDER = re.compile(r"(^|/)(examples?|samples?|demos?|tutorials?)/", re.IGNORECASE)


def in_examples(path: str) -> bool:
    return _EXAMPLE_FOLDER.search(path) is not None


# Rule `checks in documentation folders` (session 14): scripts under a documentation site or a blog's
# folder (`docs/`, `blog/part-2/assets/make_figure.py`) draw figures and check the numbers a post
# quotes; like examples (conventions §2), they are not the system's pipeline checking its data.
_DOCUMENTATION_FOLDER = re.compile(r"(^|/)(docs?|blog|posts)/", re.IGNORECASE)


def outside_system(path: str) -> bool:
    """Examples (`in_examples`) or documentation folders: code that is not the system's pipeline."""
    return in_examples(path) or _DOCUMENTATION_FOLDER.search(path) is not None


def _dvc_tracked(repo: RepoIndex) -> list[Location]:
    hits = []
    for path in repo.glob("**/*.dvc"):
        if is_test_path(path):
            continue  # test snapshots kept in DVC (evidently's UI tests) are not the project's data
        doc = repo.yaml(path)
        outs = doc.data.get("outs") if doc and isinstance(doc.data, dict) else None
        if isinstance(outs, list) and any(isinstance(o, dict) and o.get("path") for o in outs):
            pos = doc.locate(("outs",)) if doc else None
            hits.append(at(path, pos[0] if pos else None))
        elif doc is None and repo.size(path) > repo.max_file_bytes and repo.exists(".dvc/config"):
            # A pointer file too large to read (session 11): with a version-aware remote DVC lists
            # every file of a tracked folder with its version id (1.6 MB for an image folder). In a
            # DVC-initialised repository only DVC writes `.dvc` files: it tracks that folder.
            hits.append(at(path, 1))
    for path in repo.named("dvc.yaml", "dvc.lock"):
        doc = repo.yaml(path)
        stages = doc.data.get("stages") if doc and isinstance(doc.data, dict) else None
        if not isinstance(stages, dict):
            continue
        for name, stage in stages.items():
            if isinstance(stage, dict) and stage.get("outs"):
                pos = doc.locate(("stages", name, "outs")) if doc else None
                hits.append(at(path, pos[0] if pos else None))
    return hits


_DELTA_FORMAT = ('"delta"', "'delta'")


# A W&B "dataset" artifact named for a run's results (`wandb.Artifact(f"validation_results_{epoch}",
# type="dataset")`, predictions, metrics, an evaluation report) holds outputs, not versioned input data.
_RESULTS_ARTIFACT = re.compile(
    r"Artifact\(\s*f?[\"'][^\"']*(result|prediction|metric|evaluation|eval_|report|score)", re.IGNORECASE
)


def _results_artifact(repo: RepoIndex, summary: PythonSummary, call: Call) -> bool:
    if not call.name.endswith(".Artifact") or summary.is_notebook or not call.line:
        return False
    lines = (repo.text(summary.path) or "").splitlines()
    text = " ".join(lines[call.line - 1 : call.line + 1])  # the name may follow on the next line
    return bool(_RESULTS_ARTIFACT.search(text))


def _versioning_calls(repo: RepoIndex) -> list[tuple[PythonSummary, Call]]:
    def predicate(summary: PythonSummary) -> list[Call]:
        found = [c for c in _VERSIONING.code_hits(summary) if not _results_artifact(repo, summary, c)]
        # Spark writes in Delta format: `df.write.format("delta")`.
        found += [c for c in summary.calls_named("format") if c.args[:1] == ("delta",)]
        return found

    return matching(repo, _VERSIONING.needles + _DELTA_FORMAT, predicate)


# Rule `Delta versions read back` (session 15, decoy22): every write to a Delta table adds a version
# to its transaction log, so writing Delta tables is not yet versioning data - the versions are kept
# until VACUUM whether anyone wants them or not. The data is versioned when the project reads or
# restores a version (Delta's time travel: the `versionAsOf`/`timestampAsOf` read options, SQL
# `VERSION AS OF`/`TIMESTAMP AS OF`, `restoreToVersion`/`restoreToTimestamp`, `RESTORE TABLE`; the
# deltalake package's `DeltaTable(uri, version=...)`, `load_as_version`/`load_version`, polars'
# `read_delta`/`scan_delta(..., version=...)`) or asks a table's history or current version
# (`DeltaTable...history()`, `DeltaTable(uri).version()`) to record which version a run used. Delta writes with none of these are `fail`, saying so.
# (Needles for the one-read scan: identifiers of the time-travel API and SQL written in capitals, as
# Delta's documentation writes it; `history()`/`version()` are looked for only in files naming DeltaTable -
# common words like `history` or `version` as needles would make every file a candidate.)
_DELTA_VERSION_NEEDLES = (
    "versionAsOf", "timestampAsOf", "restoreToVersion", "restoreToTimestamp", "load_as_version", "load_version",
    "VERSION AS OF", "TIMESTAMP AS OF", "RESTORE TABLE",
)
_DELTA_VERSION_TEXT = re.compile(
    r"versionAsOf|timestampAsOf|restoreTo(?:Version|Timestamp)|\bload_(?:as_)?version\b"
    r"|\b(?:VERSION|TIMESTAMP)[^\S\n]+AS[^\S\n]+OF\b|\bRESTORE[^\S\n]+TABLE\b",
    re.IGNORECASE,
)
_DELTA_READERS = ("DeltaTable", "read_delta", "scan_delta")


def _is_delta(call: Call) -> bool:
    """A call that writes or opens a Delta table (Spark's format("delta"), the delta/deltalake packages)."""
    return call.args[:1] == ("delta",) or call.name.split(".", 1)[0] in ("delta", "deltalake")


def _delta_versions_read(repo: RepoIndex) -> list[Location]:
    """Where the project's code (not examples, tests or notebooks of documentation) reads, restores or
    records a Delta table version (the rule above)."""
    hits: list[Location] = []
    for summary in repo.python_mentioning(*_DELTA_VERSION_NEEDLES, *_DELTA_READERS).keeping(lambda path: not is_test_path(path) and not in_examples(path)):
        text = repo.text(summary.path) or ""
        versioned = [c for c in summary.calls_named(*_DELTA_READERS) if c.has_keyword("version")]
        if "DeltaTable" in text:
            versioned += summary.calls_named("history", "version")  # a table's log, or its current version recorded for a run
        match = _DELTA_VERSION_TEXT.search(text)
        if versioned:
            hits.append(at(summary.path, versioned[0].line))
        elif match is not None:
            hits.append(at(summary.path, None if summary.is_notebook else text.count("\n", 0, match.start()) + 1))
    return hits


@detector(
    id="versions_data",
    title="Does the repo version its datasets (DVC, lakeFS, Delta, versioned data assets)?",
    kind=Kind.data_versioning,
    remediation=(
        "Version datasets outside git with content hashes: `dvc add data/raw` (commit the .dvc file and "
        "dvc.lock), a lakeFS branch/commit, Delta tables or versioned cloud data assets."
    ),
    needles=_VERSIONING.needles + _DELTA_FORMAT + _DELTA_VERSION_NEEDLES + _DELTA_READERS,
)
def versions_data(repo: RepoIndex) -> Observation:
    # DVC stages and versioning calls under an examples/demos folder show how the tool would be used
    # (conventions §2 and §5, session 11), as for feature definitions (`in_examples`).
    dvc = [loc for loc in _dvc_tracked(repo) if not in_examples(loc.path)]
    found = [(s, c) for s, c in _versioning_calls(repo) if not in_examples(s.path)]
    delta = [(s, c) for s, c in found if _is_delta(c)]
    read_back = _delta_versions_read(repo) if delta else []
    calls = Hits((s, c) for s, c in found if read_back or not _is_delta(c))
    if delta and not read_back and not dvc and not calls:
        written = sorted({s.path for s, _ in delta})
        shown = ", ".join(written[:3]) + (f" and {len(written) - 3} more file(s)" if len(written) > 3 else "")
        return Observation.failed(
            f"Delta tables are written ({len(delta)} write(s) in {shown}), but no version is ever read "
            "back, restored or recorded (no versionAsOf/timestampAsOf, VERSION AS OF, restore, history() or version()): a Delta write "
            "keeps a log, it does not version the data a run uses",
            [at(s.path, c.line) for s, c in delta][:MAX_LOCATIONS],
        )
    if dvc or calls:
        parts = []
        if dvc:
            parts.append(f"{len(dvc)} DVC-tracked output(s)")
        if calls:
            parts.append(f"calls {describe(calls)}")
        if read_back:
            parts.append(f"Delta table versions read back ({', '.join(sorted({loc.path for loc in read_back})[:3])})")
        return Observation.passed("; ".join(parts), dvc + locations(calls) + read_back)
    if repo.exists(".dvc/config"):
        return Observation.failed("DVC is initialised (.dvc/config) but no data is tracked (no .dvc files or stage outputs)", [at(".dvc/config")])
    return Observation.failed("no data versioning found (no DVC-tracked data, lakeFS, Delta tables or versioned data assets)")


# Words of in-house feature stores and feature-store products the catalogue's calls need not name.
_FEATURE_WORDS = ("feature_store", "FeatureStore", "FeatureRegistry", "FeatureRepository")


_STORE_CLASS = re.compile(r"Feature(Store|Registry|Repository)$")
_STORE_WRITES = frozenset({"put", "write", "save", "ingest", "materialize", "materialise", "register", "add", "push", "store"})
_STORE_READS = frozenset({"get", "read", "load", "fetch", "get_features", "get_historical_features", "get_online_features", "pull"})


def _in_house_feature_store(repo: RepoIndex) -> list[Location]:
    """Rule `in-house feature store`: a project class named like a feature store (`FeatureStore`,
    `FeatureRegistry`) with write and read methods, whose code hashes what it stores (content
    addresses or digests), numbers versions and keeps an index; and project code outside the class
    both writes and reads through it. A class defined but never used, a cache, or a pandas table
    saved to disk are not a feature store. Low confidence: it is a store of versioned feature
    sets, not the shared declarative definitions a feature-store product adds."""
    hits: list[Location] = []
    for summary in _inhouse.project_code(repo.python_mentioning("FeatureStore", "FeatureRegistry", "FeatureRepository")):
        module = _inhouse.tree(repo, summary.path)
        if module is None:
            continue
        for node in walk(module):
            if not isinstance(node, ast.ClassDef) or not _STORE_CLASS.search(node.name):
                continue
            methods = {m.name for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))}
            if not (methods & _STORE_WRITES and methods & _STORE_READS):
                continue
            lines = {c.lineno for c in _inhouse.calls_in(node)}
            names = {c.name for c in summary.calls if c.line in lines}
            words = {w.lower() for w in _inhouse.words(node)}
            digests = any(re.search(r"sha256|sha1|md5|blake2|hashlib|digest", n, re.IGNORECASE) for n in names)
            versions = any("version" in w for w in words)
            indexed = any("index" in w or "manifest" in w or "catalog" in w for w in words)
            if not (digests and versions and indexed):
                continue
            users = _store_users(repo, node.name, summary.path)
            wrote = [loc for loc, method in users if method in _STORE_WRITES]
            read = [loc for loc, method in users if method in _STORE_READS]
            if wrote and read:
                hits.append(at(summary.path, node.lineno))
                hits.extend(wrote[:3] + read[:3])
    return hits


def _store_users(repo: RepoIndex, class_name: str, defined_in: str) -> list[tuple[Location, str]]:
    """(where, method) for write/read method calls in project files (other than the class's own)
    that use the class: `FeatureStore(root).get(...)`, or `store = FeatureStore(root); store.put(...)`."""
    found = []
    for summary in _inhouse.project_code(repo.python_scan(class_name)):
        if summary.path == defined_in:
            continue
        made = [c for c in summary.calls if c.name.rsplit(".", 1)[-1] == class_name]
        if not made:
            continue
        module = _inhouse.tree(repo, summary.path)
        holders = set()
        if module is not None:
            for node in walk(module):
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and _inhouse.call_name(node.value) == class_name:
                    for target in node.targets:
                        holders |= _inhouse.assigned_names(target)
        for call in summary.calls:
            receiver, _, method = call.name.rpartition(".")
            if method not in _STORE_WRITES | _STORE_READS:
                continue
            if receiver.endswith(f"{class_name}()") or receiver.split(".")[-1] in holders:
                found.append((at(summary.path, call.line), method))
    return found


# Rule `dbt feature layer` (session 14, conventions §14: "a dbt feature layer" is a feature store's
# definitions): a dbt project of this repository whose models include a layer named for features - a
# folder under its `models/` (`models/features/`), or models named so (`feat_station_snapshot.sql`,
# `customer_features.sql`) - defines the features once in SQL for every model that reads the tables
# dbt builds (Feast's dbt integration imports exactly such models as feature views). A dbt project of
# staging and marts only, or one in an examples folder, defines none.
_FEATURE_MODEL = re.compile(r"^(feat|features?)_|_features?$|^features?$", re.IGNORECASE)


def _dbt_feature_models(repo: RepoIndex) -> list[Location]:
    roots = [p.rsplit("/", 1)[0] + "/" if "/" in p else "" for p in repo.named("dbt_project.yml") if not in_examples(p)]
    # A file's project is found from its own folders (each `models/` in its path), not by testing every
    # dbt project against every SQL file; the first project in `roots` order wins, as before.
    order = {r: i for i, r in reversed(list(enumerate(roots)))}
    found = []
    for path in repo.with_suffix(".sql"):
        candidates = [path[:i] for i in range(len(path)) if path.startswith("models/", i) and (i == 0 or path[i - 1] == "/")]
        root = min((r for r in candidates if r in order), key=order.__getitem__, default=None)
        if root is None or in_examples(path):
            continue
        parts = path[len(root) + len("models/"):-len(".sql")].split("/")
        if any(_FEATURE_MODEL.search(part) for part in parts):
            found.append(at(path, 1))
    return found


@detector(
    id="defines_features",
    title="Does the repo define its features once for training and prediction (a feature store or shared feature definitions)?",
    kind=Kind.feature_store,
    remediation=(
        "Define shared features declaratively in a feature store (Feast FeatureViews with a feature_store.yaml, "
        "SageMaker/Vertex/Databricks feature groups) so training and serving use the same definitions."
    ),
    confidence=Confidence.high,
    needles=_FEATURES.needles + _FEATURE_WORDS + _sharedfeatures.PREDICTION_NEEDLES + _savedtransformers.TRAINING_NEEDLES,
)
def defines_features(repo: RepoIndex) -> Observation:
    hits = Hits((s, c) for s, c in matching(repo, _FEATURES.needles, _FEATURES.code_hits) if not in_examples(s.path))
    stores = []
    for path in repo.named("feature_store.yaml", "feature_store.yml"):
        if in_examples(path):
            continue
        doc = repo.yaml(path)
        if doc is not None and isinstance(doc.data, dict) and doc.data.get("project") and ({"provider", "registry"} & set(doc.data)):
            stores.append(at(path, 1))
    if hits:
        return Observation.passed(f"feature definitions: {describe(hits)}", locations(hits) + stores)
    in_house = _in_house_feature_store(repo)
    if in_house:
        return Observation.passed(
            "in-house feature store: a store class keeps versioned, content-addressed (digest-checked) feature sets "
            "with an index, and pipeline code both writes and reads versions through it (no declarative feature "
            "definitions of a feature-store product)",
            in_house, confidence=Confidence.low,
        )
    dbt = _dbt_feature_models(repo)
    if dbt:
        return Observation.passed(
            f"dbt feature layer: {len(dbt)} dbt model(s) of this repository's project define feature tables "
            "in SQL (a models folder or models named for features), built into tables by dbt",
            dbt[:MAX_LOCATIONS], confidence=Confidence.medium,
        )
    shared = _sharedfeatures.shared_definitions(repo, _sharedfeatures.prediction_files(repo))
    if shared:
        first = shared[0]
        names = f" ({', '.join(first.names[:3])})" if first.names else ""
        return Observation.passed(
            f"shared feature definitions: {len(shared)} project module(s) of feature definitions imported by both training "
            f"and the prediction path, e.g. {first.module}{names} by {first.training} and {first.prediction} "
            "(no feature-store product)",
            [loc for d in shared[:3] for loc in (at(d.module, 1), at(d.training, d.training_line), at(d.prediction, d.prediction_line))],
            confidence=Confidence.medium,
        )
    saved = _savedtransformers.saved_transformers(repo)
    if saved:
        first = saved[0]
        where = [at(first.training, first.training_line), at(first.loader, first.loader_line), at(first.prediction, 1)]
        told = (
            f"a fitted transformer saved by training and loaded by the prediction path: {first.training} fits {first.transformer} "
            f"and persists it, {first.prediction} loads the persisted object"
            + (f" (through {first.loader})" if first.loader != first.prediction else "")
            + " and applies it without fitting again"
        )
        if first.linked:
            return Observation.passed(f"{told}; both name the artefact {', '.join(first.linked[:3])} (conventions §17.12)", where, confidence=Confidence.medium)
        return Observation.partly(
            f"{told} (conventions §17.12); missing: no artefact file named by both sides, so which object the prediction path "
            f"loads is not shown ({len(saved)} training/prediction pair(s) of this shape)",
            where, confidence=Confidence.low,
        )
    if stores:
        return Observation.failed("a Feast feature_store.yaml exists but no feature views or entities are defined in code", stores)
    return Observation.failed(
        "no feature definitions found: no feature-store product (Feast, Tecton, Hopsworks, SageMaker/Vertex/Databricks/Azure ML "
        "feature stores), and no feature module or feature list imported by both training and the prediction path"
    )
