"""Rule `required features checked, missing ones rejected` of validates_data (session 12).

Conventions §7 (settled in session 11): hand-written checks of a request against the model's inputs
that reject it are data validation on the serving path; a pipeline that stops when its input lacks
the columns the model needs checks its data's schema the same way. Teams write it without a library:

    missing = [f for f in model_features if f not in payload.features]
    if missing:
        raise HTTPException(status_code=400, detail=...)        # or `return jsonify(...), 400`, abort(422)

    missing_cols = set(REQUIRED_COLUMNS) - set(df.columns)
    if missing_cols:
        raise ValueError(...)

What counts: a name assigned the features or columns (named so) that the data lacks - a
comprehension over a collection named for features or columns keeping those `not in` the data, or
a set difference whose left side is such a collection - and an `if` on that name whose body acts:
raises, aborts, or returns an HTTP client error (4xx). Not counted: the same list only printed,
logged or filled in (`df[missing] = 0`: cleaning that silently fixes values, §7); lists of settings,
keys or environment variables (not named for features or columns); a single literal column looked
up (`if "label" not in df.columns`: a program's argument check as often as a data check).

Pure functions over a parsed module: the detector (data.py) picks the files, sets tests, notebooks
and examples aside, and keeps only checks the project reaches.
"""

from __future__ import annotations

import ast
import re

from mlops_audit.evidence.repo.astutil import assigned_names, call_name, functions, identifiers, last_name, walk
from mlops_audit.evidence.repo.detectors._stops import stops

# A collection of the model's inputs by its name: `model_features`, `FEATURE_COLUMNS`,
# `expected_cols`, `REQUIRED_COLUMNS`, `self.feature_names_in_`.
_INPUTS = re.compile(r"feature|column|(?:^|_)cols?(?:$|_)", re.IGNORECASE)
# Collections of settings are not data: `required_env_vars`, `config_columns` is rare but `CONFIG_KEYS` is not.
_SETTINGS = re.compile(r"env|config|setting|secret|param|option|(?:^|_)(?:args?|keys?)(?:$|_)", re.IGNORECASE)
# The model used on the data in the same function (`model.predict(X)`, `pipe.predict_proba(df)`).
_PREDICTS = re.compile(r"^(predict\w*|infer\w*|classify\w*|forecast\w*|run_inference)$", re.IGNORECASE)
_HTTP_ABORT = frozenset({"abort", "HTTPException", "BadRequest", "HttpResponseBadRequest"})


def _names_inputs(node: ast.AST) -> bool:
    """The expression names a collection of features or columns (and not of settings)."""
    names = [n for n in identifiers(node) if _INPUTS.search(n)]
    return bool(names) and not any(_SETTINGS.search(n) for n in identifiers(node))


def _missing_comprehension(value: ast.AST) -> bool:
    """`[f for f in FEATURES if f not in data]` (list, set or generator)."""
    if not isinstance(value, (ast.ListComp, ast.SetComp, ast.GeneratorExp)) or len(value.generators) != 1:
        return False
    gen = value.generators[0]
    if not _names_inputs(gen.iter):
        return False
    targets = assigned_names(gen.target)
    return any(
        isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.NotIn)
        and isinstance(test.left, ast.Name) and test.left.id in targets
        for test in gen.ifs
    )


def _set_of_inputs(node: ast.AST) -> bool:
    if isinstance(node, ast.Call) and call_name(node) in ("set", "frozenset") and node.args:
        return _names_inputs(node.args[0])
    return isinstance(node, (ast.Name, ast.Attribute)) and _names_inputs(node)


def _missing_difference(value: ast.AST) -> bool:
    """`set(REQUIRED_COLUMNS) - set(df.columns)` or `set(FEATURES).difference(payload)`."""
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Sub):
        return _set_of_inputs(value.left)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "difference":
        return _set_of_inputs(value.func.value)
    if isinstance(value, ast.Call) and call_name(value) in ("sorted", "list") and value.args:
        return _missing_difference(value.args[0])
    return False


def _client_error(node: ast.AST) -> bool:
    """A 4xx status: `return ..., 400`, `JSONResponse(status_code=422)`, `abort(400)`."""
    for sub in walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, int) and not isinstance(sub.value, bool) and 400 <= sub.value < 500:
            return True
        if isinstance(sub, ast.Attribute) and re.match(r"HTTP_4\d\d", sub.attr):
            return True
    return False


def _acts(body: list[ast.stmt]) -> bool:
    for stmt in body:
        for node in walk(stmt):
            if stops(node):
                return True
            if isinstance(node, ast.Return) and node.value is not None and _client_error(node.value):
                return True
            if isinstance(node, ast.Call) and last_name(node.func) in _HTTP_ABORT:
                return True
    return False


def _tests_name(test: ast.AST, names: set[str]) -> bool:
    """`if missing:`, `if len(missing) > 0:`, `if missing and strict:` - the test reads the name."""
    return bool(identifiers(test) & names)


def _uses_the_model(func: ast.AST) -> bool:
    return any(isinstance(c, ast.Call) and _PREDICTS.match(call_name(c)) for c in walk(func))


def missing_input_rejections(module: ast.Module) -> list[tuple[str | None, ast.FunctionDef | ast.AsyncFunctionDef, int]]:
    """(class, function, line of the `if`) for each rejection of data lacking the model's inputs: the
    collection is named for features (`model_features`, `FEATURE_COLUMNS`), or it names columns and
    the same function then uses the model (`model.predict(df[EXPECTED_COLUMNS])`). Required columns of
    an upload or an evaluation set checked away from the model are a program's preconditions as often
    as a data check, and are left to the other rules."""
    found = []
    for owner, func in functions(module):
        missing: set[str] = set()
        featured = False
        for node in walk(func):
            if isinstance(node, ast.Assign) and (_missing_comprehension(node.value) or _missing_difference(node.value)):
                for target in node.targets:
                    missing |= assigned_names(target)
                featured = featured or any("feature" in n.lower() for n in identifiers(node.value))
        if not missing or not (featured or _uses_the_model(func)):
            continue
        for node in walk(func):
            if isinstance(node, ast.If) and _tests_name(node.test, missing) and _acts(node.body):
                found.append((owner, func, node.lineno))
                break
    return found


def may_reject_missing(text: str) -> bool:
    """A line holding a comprehension keeping what is `not in` something, or a set difference of a
    collection named for features or columns (tested before a file is parsed; linear in the text)."""
    if " not in " not in text and ".difference(" not in text and " - set(" not in text:
        return False
    for line in text.split("\n"):
        if (" not in " in line and " for " in line) or ".difference(" in line or " - set(" in line:
            lowered = line.lower()
            if "feature" in lowered or "col" in lowered:
                return True
    return False
