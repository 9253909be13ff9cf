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
import re
from collections.abc import Iterable, Iterator

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


def _project_path(path: str) -> bool:
    return not is_test_path(path) and not path.endswith(NOTEBOOK_SUFFIX)


def dotted(node: ast.AST) -> str:
    """`a.b.c` for a name or attribute chain; calls in the chain become `()` (`X().get`); else ''."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            inner = dotted(node.func)
            parts.append((inner or "") + "()")
            break
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            break
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            break
    return ".".join(reversed(parts))


def last_name(node: ast.AST) -> str:
    """The final identifier of a name, attribute, subscript or call (`cfg.seed` -> `seed`)."""
    while isinstance(node, (ast.Subscript, ast.Call)):
        node = node.value if isinstance(node, ast.Subscript) else node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def call_name(call: ast.Call) -> str:
    return last_name(call.func)


def identifiers(node: ast.AST) -> set[str]:
    """Every name and attribute identifier inside `node`."""
    found: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            found.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            found.add(sub.attr)
    return found


def words(node: ast.AST) -> set[str]:
    """Identifiers plus short string constants (dict keys such as `"version"`) inside `node`."""
    found = identifiers(node)
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and len(sub.value) <= 64:
            found.add(sub.value)
    return found


def functions(module: ast.Module) -> Iterator[tuple[str | None, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """(enclosing class name or None, function) for every function and method, nested ones included."""
    stack: list[tuple[str | None, ast.AST]] = [(None, module)]
    while stack:
        owner, node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                stack.append((child.name, child))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield owner, child
                stack.append((owner, child))
            else:
                stack.append((owner, child))


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


def calls_in(node: ast.AST) -> list[ast.Call]:
    return [sub for sub in ast.walk(node) if isinstance(sub, ast.Call)]


def parents(node: ast.AST) -> dict[ast.AST, ast.AST]:
    out: dict[ast.AST, ast.AST] = {}
    for parent in ast.walk(node):
        for child in ast.iter_child_nodes(parent):
            out[child] = parent
    return out


def assigned_names(target: ast.AST) -> set[str]:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(assigned_names(e) for e in target.elts)) if target.elts else set()
    if isinstance(target, ast.Starred):
        return assigned_names(target.value)
    return set()


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
        for node in ast.walk(module):
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
