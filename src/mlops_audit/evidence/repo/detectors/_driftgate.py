"""Rule `a drift check that stops the pipeline` of validates_data (session 14).

Conventions §7 names distributions among the checks of data, and a failed step among the ways to act:
a pipeline task that compares the new data's statistics with a reference (event shares against a
baseline, a population stability index, a two-sample test's statistic, a drift report's verdict) and
raises when they moved too far stops the run before the model trained on that data is swapped in
(TFDV's drift comparator and Evidently's drift tests do the same with a library):

    def validate_distribution(new, reference):
        psi = population_stability_index(new["amount"], reference["amount"])
        if psi > PSI_LIMIT:
            sys.exit(f"amount moved: PSI {psi:.2f}")

What counts: a function named for drift or distribution shift (`check_drift`, `validate_distribution`,
`detect_data_shift`, `psi_gate`) with an `if` whose body raises or exits with a failure status
(`_stops`) and decides on the drift: it compares something with a threshold, a tolerance or a
reference (a name saying so, or a number), or reads a name holding such a comparison's outcome (a list
of alerts filled under one, a flag set by one, a name saying drift: `if report["dataset_drift"]:`).
A `raise` on a missing setting or an empty reference in the same function is a precondition, not the
gate. Not counted: a function checking the model's quality or predictions (its comparisons
name accuracy, loss, error or score - conventions §7: checks of the model's metrics are not data
validation; `prediction_drift`, `concept_drift` and `model_drift` watch the model), or one that only
logs or returns the drift (nothing acts).

Pure functions over a parsed module: the detector (data.py) picks the files, sets tests, notebooks
and examples aside, and keeps only functions the project reaches.
"""

from __future__ import annotations

import ast
import re

from mlops_audit.evidence.repo.astutil import assigned_names, functions, identifiers, last_name, statements, walk
from mlops_audit.evidence.repo.detectors._stops import stops

DRIFT_NAME = re.compile(r"drift|distribution_?shift|data_?shift|covariate_?shift|(?:^|_)psi(?:$|_)|(?:^|_)distributions?(?:$|_)", re.IGNORECASE)
_MODEL_DRIFT = re.compile(r"prediction|concept|model|label|target|output|performance", re.IGNORECASE)
_REFERENCE = re.compile(r"threshold|tolerance|limit|baseline|reference|expected|max_|min_|bound|alpha|p_?val|critical", re.IGNORECASE)
_METRIC = re.compile(r"accuracy|(?:^|_)(?:f1|auc|roc|rmse|mse|mae|mape|r2|loss|score|precision|recall|error)s?(?:$|_)", re.IGNORECASE)


def _threshold_compare(node: ast.Compare) -> bool:
    """An ordering against a threshold or a reference (`deviation > RATIO_THRESHOLD`, `psi >= 0.2`,
    `p_value < alpha`); `is None` or equality tests are preconditions."""
    if not all(isinstance(op, (ast.Gt, ast.GtE, ast.Lt, ast.LtE)) for op in node.ops):
        return False
    names = identifiers(node)
    if any(_METRIC.search(n) for n in names):
        return False
    numbers = any(isinstance(c, ast.Constant) and isinstance(c.value, float) for c in walk(node))
    return numbers or any(_REFERENCE.search(n) for n in names)


def _verdicts(func: ast.AST) -> set[str]:
    """Names holding a drift comparison's outcome in `func`: assigned one (`drifted = psi > 0.2`), or
    filled or set in the body of an `if` on one (`alerts.append(key)`, `failed = True`)."""
    names: set[str] = set()
    for node in walk(func):
        if isinstance(node, ast.Assign) and any(isinstance(c, ast.Compare) and _threshold_compare(c) for c in walk(node.value)):
            for target in node.targets:
                names |= assigned_names(target)
        elif isinstance(node, ast.If) and _compares_threshold(node.test):
            for stmt in node.body:
                for sub in walk(stmt):
                    if isinstance(sub, ast.Assign):
                        for target in sub.targets:
                            names |= assigned_names(target)
                    elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in ("append", "add", "extend"):
                        names.add(last_name(sub.func.value))
    return names


def _compares_threshold(test: ast.AST) -> bool:
    return any(isinstance(c, ast.Compare) and _threshold_compare(c) for c in walk(test))


def _on_drift(test: ast.AST, verdicts: set[str]) -> bool:
    """The `if` decides on the drift: it compares with a threshold, reads a verdict, or a name saying drift."""
    if _compares_threshold(test):
        return True
    names = identifiers(test)
    return bool(names & verdicts) or any(DRIFT_NAME.search(n) and not _MODEL_DRIFT.search(n) for n in names)


def drift_gates(module: ast.Module) -> list[tuple[str | None, ast.FunctionDef | ast.AsyncFunctionDef, int]]:
    """(class, function, line of the stopping `if`) for each drift check that stops the run (see the
    module's docstring)."""
    found = []
    for owner, func in functions(module):
        if not DRIFT_NAME.search(func.name) or _MODEL_DRIFT.search(func.name):
            continue
        compares = [c for c in walk(func) if isinstance(c, ast.Compare)]
        if any(_METRIC.search(n) for c in compares for n in identifiers(c)):
            continue
        verdicts = _verdicts(func)
        stopping = next(
            (node for node in statements(func, into_scopes=False) if isinstance(node, ast.If) and _on_drift(node.test, verdicts)
             and any(stops(n) for stmt in node.body for n in walk(stmt))),
            None,
        )
        if stopping is not None:
            found.append((owner, func, stopping.lineno))
    return found


def may_gate_drift(text: str) -> bool:
    """The text names drift or a distribution check and can stop a run (tested before a file is parsed)."""
    if "def " not in text or not any(word in text for word in _DRIFT_TEXT) or ("raise" not in text and "exit(" not in text):
        return False
    return _DRIFT_DEF.search(text) is not None


# What a drift function's name holds, as written (`check_drift`, `DriftGate`, `validate_distribution`,
# `psi_gate`, `data_shift`): substrings, without lowering the whole text ("psi" alone is in `epsilon`,
# "shift" in every `df.shift(1)`).
_DRIFT_TEXT = ("rift", "RIFT", "istribution", "psi_", "_psi", "_shift", "Shift")
# A function whose name holds one of them (`def check_drift(`, `def validate_distribution(`); bounded: linear.
_DRIFT_DEF = re.compile(r"def[ \t]+\w{0,80}?(?:[dD]rift|DRIFT|[dD]istribution|psi|PSI|_shift|Shift)")
