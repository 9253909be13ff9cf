"""Per-file facts for the in-house rules, derived from a file's syntax tree while it is summarised.

The in-house rules (`detectors/_inhouse.py`) recognise practices a team built itself, which needs
more than calls and imports: which function checks data values, for instance. What such a rule
decides about one file alone is computed here, once, from the tree `pysource.summarise` already
has, and kept in the `PythonSummary` (so the per-file parse cache serves it and a rule needs no
syntax tree for that file). Pure functions of the tree; the rules combine the facts across files.

Facts:
- `data_checkers`: (name, line) of the functions that check data in at least two ways, at least one
  on the values (the candidates of the in-house data-quality gate rule, `detectors/data.py`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from mlops_audit.evidence.repo.astutil import call_name, functions, parents

CHECK_CALLS = {
    "missing": frozenset({"isna", "isnull", "notna", "notnull"}),
    "duplicates": frozenset({"duplicated", "has_duplicates"}),
    "range": frozenset({"between"}),
}
VALUE_CHECK_CALLS = frozenset().union(*CHECK_CALLS.values())
RANGE_HELPER = re.compile(r"out_of_range|in_range|valid_range|outside_range|range_check|check_range|out_of_bounds", re.IGNORECASE)
VALUE_KINDS = frozenset({"missing", "duplicates", "range"})
_REDUCTIONS = frozenset({"any", "all", "sum", "mean", "max", "min", "count", "item", "nunique"})


def _tested(node: ast.AST, up: dict[ast.AST, ast.AST]) -> bool:
    """A value-level primitive is a check when its result is measured or decided on (`.any()`,
    `.mean()`, a comparison, an `if`), not when it filters or cleans (`df[df.x.notna()]`)."""
    child = node
    while child in up:
        parent = up[child]
        if isinstance(parent, ast.Attribute) and parent.attr in _REDUCTIONS:
            return True
        if isinstance(parent, (ast.Compare, ast.BoolOp, ast.UnaryOp)):
            return True
        if isinstance(parent, (ast.If, ast.While, ast.Assert, ast.IfExp)) and child is parent.test:
            return True
        if isinstance(parent, ast.Call) and call_name(parent) in _REDUCTIONS | {"float", "int", "bool", "round", "len"}:
            return True
        if isinstance(parent, (ast.stmt, ast.Subscript)):
            return False
        child = parent
    return False


def check_kinds(node: ast.AST, up: dict[ast.AST, ast.AST] | None = None) -> set[str]:
    """Kinds of data checks inside `node`. Missing/duplicate/range primitives count when their result
    is measured or decided on; schema, row-count and class checks only inside a comparison (reading
    `.columns` or `len(df)` is not checking them)."""
    kinds: set[str] = set()
    up = parents(node) if up is None else up
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            name = call_name(sub)
            for kind, names in CHECK_CALLS.items():
                if name in names and _tested(sub, up):
                    kinds.add(kind)
            if RANGE_HELPER.search(name) and _tested(sub, up):
                kinds.add("range")
        elif isinstance(sub, ast.Attribute) and sub.attr in ("hasnans", "is_unique") and _tested(sub, up):
            kinds.add("missing" if sub.attr == "hasnans" else "duplicates")
        elif isinstance(sub, ast.Compare):
            for part in ast.walk(sub):
                if isinstance(part, ast.Attribute) and part.attr in ("columns", "dtypes", "dtype"):
                    kinds.add("schema")
                elif isinstance(part, ast.Call) and call_name(part) == "len":
                    kinds.add("rows")
                elif isinstance(part, ast.Attribute) and part.attr == "shape":
                    kinds.add("rows")
                elif isinstance(part, ast.Call) and call_name(part) in ("nunique", "value_counts"):
                    kinds.add("classes")
    return kinds


def is_checker(func: ast.AST) -> bool:
    """Checks data in at least two ways, at least one on the values (missing, duplicates, ranges):
    structural argument checks alone (`len(x)`, `col in df.columns`) are how any library validates
    its arguments, not a data-quality check."""
    kinds = check_kinds(func)
    return len(kinds) >= 2 and bool(kinds & VALUE_KINDS)


def data_checkers(module: ast.Module, call_facts: Iterable[tuple[str, str | None]]) -> list[tuple[str, int]]:
    """(name, line) of the checker functions of a module, in `functions` order. `call_facts` are the
    file's resolved calls as (name, innermost function): only a function named like one that calls
    a value-check primitive is looked at (cheap, and most files have none)."""
    scopes = {
        scope for name, scope in call_facts
        if scope and (name.rsplit(".", 1)[-1] in VALUE_CHECK_CALLS or RANGE_HELPER.search(name))
    }
    if not scopes:
        return []
    return [(func.name, func.lineno) for _, func in functions(module) if func.name in scopes and is_checker(func)]
