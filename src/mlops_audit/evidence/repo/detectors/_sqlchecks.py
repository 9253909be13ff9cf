"""Rule `a hand-written SQL data check` of validates_data (session 18).

Airflow's SQL check operators (`SQLCheckOperator`, `SQLColumnCheckOperator`...: catalogue entry
`airflow_sql_checks`) run a query that measures the data and fail the task when the answer is not the
expected one ("each value on the first row is evaluated using Python bool casting; if any is False the
check fails"). Teams write the same by hand in a task or a pipeline step: a query counting missing or
repeated values (`WHERE label IS NULL`, `COUNTIF(price IS NULL)`, `COUNT(*) - COUNT(DISTINCT id)`,
`HAVING COUNT(*) > 1`), and an `assert` on the answer or a test that raises or exits with a failure
(`_stops`), so the run stops on bad data (conventions §7).

What counts, in one function: a SQL text that selects such a measure (a string in the function, or a
module-level constant the function names), and after it an `assert`, or an `if` whose body stops the
run, testing a name assigned from a call at or after the query (the answer). Not counted: a count that
is only printed or logged, a row count alone (`COUNT(*)` says nothing about missing or repeated values),
and SQL that only filters nulls out of what it reads without a test of the result.

Pure functions over a parsed module; the caller keeps functions the project reaches.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mlops_audit.evidence.repo.astutil import assigned_names, functions, identifiers, walk
from mlops_audit.evidence.repo.detectors._stops import stopping_lines

_MEASURE = re.compile(r"\bis[ \t\r\n]+null\b|\bcount[ \t\r\n]*\([ \t\r\n]*distinct\b|\bhaving[ \t\r\n]+count\b", re.IGNORECASE)
_SELECT = re.compile(r"\bselect\b", re.IGNORECASE)


# The measures' keywords as SQL is written (upper, lower or title case): plain substring tests, so the
# pattern runs only on the few files that hold one.
_MEASURE_WORDS = ("NULL", "null", "Null", "DISTINCT", "distinct", "Distinct", "HAVING", "having", "Having")


def may_check(text: str) -> bool:
    """Text prefilter: the file names a missing- or repeated-value measure of SQL somewhere."""
    return any(word in text for word in _MEASURE_WORDS) and _MEASURE.search(text) is not None


def _measuring_query(value: object) -> bool:
    return isinstance(value, str) and _SELECT.search(value) is not None and _MEASURE.search(value) is not None


def _query_constants(module: ast.Module) -> set[str]:
    names: set[str] = set()
    for stmt in module.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant) and _measuring_query(stmt.value.value):
            for target in stmt.targets:
                names |= assigned_names(target)
    return names


def _answers(func: ast.AST, after: int) -> set[str]:
    """Names the function assigns from a call at or after line `after` (a query's answer)."""
    names: set[str] = set()
    for node in walk(func):
        if isinstance(node, ast.Assign) and node.lineno >= after and any(isinstance(n, ast.Call) for n in walk(node.value)):
            for target in node.targets:
                names |= assigned_names(target)
        elif isinstance(node, ast.AnnAssign) and node.value is not None and node.lineno >= after and any(isinstance(n, ast.Call) for n in walk(node.value)):
            names |= assigned_names(node.target)
    return names


def sql_checks(module: ast.Module) -> Iterator[tuple[str | None, ast.FunctionDef | ast.AsyncFunctionDef, int]]:
    """(owner class, function, line of the first acting test) for each function holding a SQL data check."""
    constants = _query_constants(module)
    for owner, func in functions(module):
        queries = [
            n.lineno for n in walk(func)
            if (isinstance(n, ast.Constant) and _measuring_query(n.value)) or (isinstance(n, ast.Name) and n.id in constants)
        ]
        if not queries:
            continue
        answers = _answers(func, min(queries))
        if not answers:
            continue
        for node in walk(func):
            if isinstance(node, ast.Assert) and identifiers(node.test) & answers:
                yield owner, func, node.lineno
                break
            if isinstance(node, ast.If) and identifiers(node.test) & answers and stopping_lines(node.body):
                yield owner, func, node.lineno
                break
