"""Helpers for rules that recognise in-house implementations of a practice (no named tool).

Recognising "the team built it themselves" needs a little more than the call facts `PythonSummary`
keeps: which value a keyword gets, what a loop iterates over, whether a comparison with a
threshold leads to an action. These helpers parse the few candidate files again with `ast` (never
importing or running them; the index keeps the trees within a memory bound) and answer those
questions. Notebooks are not read here (their code cells carry no stable line numbers); the
named-tool rules still see them.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Callable, Iterable, Iterator

from mlops_audit.evidence.repo.astutil import (  # noqa: F401  (re-exported for the rules)
    assigned_names,
    call_name,
    calls_in,
    dotted,
    functions,
    identifiers,
    last_name,
    parents,
    walk,
)
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import NOTEBOOK_SUFFIX, Candidates, RepoIndex
from mlops_audit.evidence.repo.pysource import PythonSummary

MAX_CONFIG_BYTES = 256 * 1024


def tree(repo: RepoIndex, path: str) -> ast.Module | None:
    """The parsed module of a Python file (cached by the index within a memory bound); None for
    notebooks and bad code."""
    return repo.syntax_tree(path)


def project_code(summaries: Iterable[PythonSummary]) -> Iterator[PythonSummary]:
    """Summaries of the project's own code: tests and notebooks left out. Lazy: a rule that asks for
    each file's syntax tree right after its summary finds it still cached (never all at once).
    Candidates of an index query are narrowed by path first: tests and notebooks are not parsed."""
    if isinstance(summaries, Candidates):
        summaries = summaries.keeping(_project_path)
    return (s for s in summaries if not is_test_path(s.path) and not s.is_notebook)


def named_or_mentioning(
    repo: RepoIndex, named: set[str], identifiers: tuple[str, ...], needles: tuple[str, ...], where: Callable[[str], bool]
) -> Iterator[PythonSummary]:
    """Project code, each file once: the files of `named` (paths a rule picked by their names) that
    mention one of `identifiers`, then the files mentioning a declared needle whose text passes `where`."""
    by_name = project_code(repo.python_scan(*identifiers, within=named)) if named else iter(())
    seen: set[str] = set()
    for summary in itertools.chain(by_name, project_code(repo.python_mentioning(*needles, where=where))):
        if summary.path not in seen:
            seen.add(summary.path)
            yield summary


def asking(summaries: Iterable[PythonSummary], *facts: str) -> Iterator[PythonSummary]:
    """The summaries, each with the per-file `facts` computed as it is reached: right after its
    parse, from the tree still in the tree cache. (A rule that reads facts only after gathering every
    candidate would find most trees evicted and make the index parse those files again.)"""
    for summary in summaries:
        for name in facts:
            summary.fact(name)
        yield summary


def _project_path(path: str) -> bool:
    return not is_test_path(path) and not path.endswith(NOTEBOOK_SUFFIX)


def words(node: ast.AST) -> set[str]:
    """Identifiers plus short string constants (dict keys such as `"version"`) inside `node`."""
    found = identifiers(node)
    for sub in walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and len(sub.value) <= 64:
            found.add(sub.value)
    return found


def functions_of(repo: RepoIndex, path: str) -> Iterator[tuple[str | None, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """`functions` of a Python file's parsed module; nothing for notebooks and bad code."""
    module = tree(repo, path)
    return functions(module) if module is not None else iter(())


HANDLER_DECORATORS = ("functions_framework.cloud_event", "functions_framework.http")


def event_handler(func: ast.FunctionDef | ast.AsyncFunctionDef, decorators: set[str]) -> bool:
    """A function a cloud platform calls on an event or request: the (event, context) signature of
    AWS Lambda and Google Cloud Functions background functions, a functions-framework handler, or
    an Azure Functions `main(req: func.HttpRequest)`."""
    params = [a.arg for a in func.args.posonlyargs + func.args.args]
    if params[:2] in (["event", "context"], ["data", "context"]) or decorators & set(HANDLER_DECORATORS):
        return True
    first = (func.args.posonlyargs + func.args.args)[:1]
    return bool(first) and first[0].annotation is not None and dotted(first[0].annotation).endswith("HttpRequest")


def yaml_mappings(repo: RepoIndex, words: tuple[str, ...], pattern: re.Pattern[str] | None = None) -> list[tuple[str, object]]:
    """(path, LocatedDocument) of project YAML files whose text holds any of `words` (lowercase,
    case ignored) and, when given, matches `pattern` too (CI definitions, tests and large files
    left out: they are not the project's own configuration)."""
    found = []
    for path in repo.with_suffix(".yaml", ".yml"):
        if not repo.mentions(path, words):  # from the word facts: most files are settled without a system call
            continue
        if is_test_path(path) or path.startswith((".github/", ".gitlab", ".circleci/")) or repo.size(path) > MAX_CONFIG_BYTES:
            continue
        if pattern is not None and not pattern.search(repo.text(path) or ""):
            continue
        for doc in repo.yaml_documents(path):
            if isinstance(doc.data, dict):
                found.append((path, doc))
    return found


def walk_mapping(data: object, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], object]]:
    """(key path, value) for every entry of nested mappings and lists."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, key), value
            yield from walk_mapping(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from walk_mapping(value, (*path, i))


def code_reads_key(repo: RepoIndex, key: str) -> list[tuple[str, int]]:
    """(path, line) where project code reads a configuration key: `x.key`, `x["key"]` or `x.get("key")`."""
    found = []
    for summary in project_code(repo.python_scan(key)):
        module = tree(repo, summary.path)
        if module is None:
            continue
        for node in walk(module):
            if isinstance(node, ast.Attribute) and node.attr == key and isinstance(node.ctx, ast.Load):
                found.append((summary.path, node.lineno))
            elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value == key:
                found.append((summary.path, node.lineno))
            elif isinstance(node, ast.Call) and call_name(node) == "get" and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value == key:
                found.append((summary.path, node.lineno))
    return found


# The mlops-audit audit-trail SDK (`mlops_audit.evidence.trail`): `AuditTrail.record(clause=, action=,
# actor=, role=, inputs=, outputs=, params=, metrics=)` appends a hash-chained event per pipeline step.
TRAIL_NEEDLES = ("AuditTrail", "mlops_audit", ".record(")
_TRAIL_IMPORTS = ("mlops_audit.evidence.trail.AuditTrail", "mlops_audit.evidence.trail.writer.AuditTrail")


def audit_trail_use(repo: RepoIndex, *wanted: str) -> tuple[list[tuple[str, int | None]], list[tuple[str, int | None, bool]]]:
    """Where project code imports the SDK's `AuditTrail`, and its `record(clause=..., action=..., ...)`
    calls that pass any of the `wanted` keywords (params/metrics for tracking, inputs/outputs for
    lineage). Each call says whether its file also imports the SDK (a direct use) or goes through a
    project wrapper that the importing code hands the trail to."""
    imports: list[tuple[str, int | None]] = []
    calls: list[tuple[str, int | None, bool]] = []
    for summary in project_code(repo.python_mentioning(*TRAIL_NEEDLES)):
        direct = False
        for module in _TRAIL_IMPORTS:
            if module in summary.imports:
                imports.append((summary.path, summary.imports[module]))
                direct = True
        for call in summary.calls_named("record"):
            if call.has_keyword("clause") and call.has_keyword("action") and any(call.has_keyword(k) for k in wanted):
                calls.append((summary.path, call.line, direct))
    return imports, calls
