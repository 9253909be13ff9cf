"""A check's verdict acted on one hop away (validates_data, conventions §7 "act on a failure", session 15).

A checking function often does not stop anything itself: it returns a verdict - a flag, a report, the
list of problems it found - and what runs it decides. The check acts when its caller stops on a failed
verdict, whichever way the system it runs in stops:
- a script or job exits with a failure status or raises, in the branch the failed verdict takes (the
  `if` of `if problems:` or the `else` of `if ok:`: `_stops`);
- a web handler answers a client or server error instead of the result (`return jsonify(...), 422`,
  `JSONResponse(status_code=400, ...)`, `abort(400)`, Django/DRF `Response(..., status=400)`);
- an orchestrator takes its failure edge: an Airflow `ShortCircuitOperator` (or `@task.short_circuit`)
  whose callable is the check skips everything downstream when it returns a false verdict, a
  `BranchPythonOperator` (`@task.branch`) picks the next task by it, a LangGraph conditional edge
  leaves the node that checks (`add_conditional_edges("check", route)`): the graph routes on the verdict.

Checking functions are the data checkers of `pyfacts` (two kinds of data test, one on values) and the
problem collectors found here: a function that, under two or more tests of what it was given, appends a
message to a list (`problems.append("amount must be positive")`) and returns that list or a verdict
made from it. A validator of settings or arguments (its input named `config`, `args`, `settings`...)
or of an account (password, e-mail) checks no data the system trains on or predicts from.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator

from mlops_audit.evidence.repo.astutil import call_name, dotted, functions, identifiers, last_name, statements, walk

# Text test: a file may hold a problem collector only with a `.append(` of a literal message after an `if`.
_APPEND_MESSAGE = re.compile(r"\.append\([ \t]*f?[\"']")


def may_collect_problems(text: str) -> bool:
    return "def " in text and "if " in text and _APPEND_MESSAGE.search(text) is not None


_SETTINGS = re.compile(r"^(config|cfg|conf|configuration|settings?|args|argv|arguments|options?|opts|params|hparams|hyperparameters|env|environ|credentials|kwargs|self|cls)$", re.IGNORECASE)
_ACCOUNT = re.compile(r"password|passwd|e_?mail|username|login|token|secret", re.IGNORECASE)
MIN_TESTS = 2


def _message(node: ast.AST) -> bool:
    """A message for a person: text with words (`"amount must be positive"`, `f"{n} duplicate rows"`),
    not a token (`"researcher"`: a routing queue's next step)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return " " in node.value.strip()
    return isinstance(node, ast.JoinedStr) and any(
        isinstance(v, ast.Constant) and isinstance(v.value, str) and " " in v.value for v in node.values
    )


def _appended_list(stmt: ast.stmt) -> str | None:
    """`name` of `name.append("message")` / `name.append(f"...")` as a statement."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and call_name(stmt.value) == "append":
        call = stmt.value
        if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) and call.args and _message(call.args[0]):
            return call.func.value.id
    return None


def _data_parameters(func: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = [a.arg for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)]
    return {n for n in names if not _SETTINGS.match(n)}


def collects_problems(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """`func` appends a message to one list under MIN_TESTS or more different tests of what it was
    given (a parameter, or a name derived from one), and returns the list or a verdict made from it."""
    given = _data_parameters(func)
    if not given or any(_SETTINGS.match(a.arg) for a in func.args.args[:1] if a.arg not in ("self", "cls")):
        return False
    if not _appends_under_enough_ifs(func):
        return False  # no list can gather MIN_TESTS tests: the names below need not be followed
    derived = set(given)
    tests: dict[str, set[str]] = {}
    for node in statements(func, into_scopes=False):
        if isinstance(node, ast.Assign) and identifiers(node.value) & derived:
            for target in node.targets:
                derived |= {n.id for n in walk(target) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.If):
            used = identifiers(node.test)
            if not used & derived or any(_ACCOUNT.search(n) for n in used):
                continue
            for stmt in node.body:
                name = _appended_list(stmt)
                if name is not None:
                    tests.setdefault(name, set()).add(ast.dump(node.test))
    collected = {name for name, seen in tests.items() if len(seen) >= MIN_TESTS}
    # Every growth of the list is a finding under a test: a list also grown unconditionally (lines of a
    # rendered text, a header then the rows) is output being built, not problems being collected.
    # (An `else` branch or an `except` handler - a value that failed to parse - finds a problem too.)
    conditional = {id(stmt) for node in statements(func, into_scopes=False) if isinstance(node, ast.If) for stmt in [*node.body, *node.orelse]}
    conditional |= {id(stmt) for node in statements(func, into_scopes=False) if isinstance(node, ast.Try) for h in node.handlers for stmt in h.body}
    for node in statements(func, into_scopes=False):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and call_name(node.value) in ("append", "extend", "insert"):
            grown = node.value.func.value if isinstance(node.value.func, ast.Attribute) else None
            if isinstance(grown, ast.Name) and grown.id in collected and id(node) not in conditional:
                collected.discard(grown.id)
    if not collected:
        return False
    returns = [n for n in walk(func) if isinstance(n, ast.Return) and n.value is not None]
    return any(identifiers(r.value) & collected for r in returns)


def _appends_under_enough_ifs(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Some list gets a message appended (`_appended_list`) in the bodies of MIN_TESTS or more `if`s of
    `func`'s own statements: what `collects_problems` needs before it looks at the tests (each `if`
    gives a list one test at most)."""
    ifs: dict[str, int] = {}
    for node in statements(func, into_scopes=False):
        if isinstance(node, ast.If):
            for name in {name for stmt in node.body if (name := _appended_list(stmt)) is not None}:
                ifs[name] = ifs.get(name, 0) + 1
                if ifs[name] >= MIN_TESTS:
                    return True
    return False


def problem_collectors(module: ast.Module) -> list[tuple[str, int]]:
    """(name, line) of the module-level functions and methods that collect problems (`collects_problems`)."""
    return [(func.name, func.lineno) for _, func in functions(module) if collects_problems(func)]


# --- what acts on a verdict -----------------------------------------------------------------------------

_ERROR_CALLS = frozenset({"abort"})
_STATUS_KEYWORDS = frozenset({"status_code", "status"})
_HTTP_ERROR_NAME = re.compile(r"HTTP_[45]\d\d|BAD_REQUEST|UNPROCESSABLE|NOT_ACCEPTABLE|CONFLICT")


def _error_status(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return 400 <= node.value <= 599
    return isinstance(node, (ast.Attribute, ast.Name)) and _HTTP_ERROR_NAME.search(last_name(node)) is not None


def answers_error(node: ast.AST) -> bool:
    """`node` answers a request with an error: `abort(4xx)`, a `return` of `(body, 4xx)` or of a
    response made with an error status (`JSONResponse(status_code=400)`, `Response(..., status=422)`)."""
    if isinstance(node, ast.Call) and call_name(node) in _ERROR_CALLS:
        return bool(node.args) and _error_status(node.args[0])
    if not isinstance(node, ast.Return) or node.value is None:
        return False
    value = node.value
    if isinstance(value, ast.Tuple) and len(value.elts) >= 2 and _error_status(value.elts[1]):
        return True
    if isinstance(value, ast.Call):
        return any(k.arg in _STATUS_KEYWORDS and _error_status(k.value) for k in value.keywords)
    return False


def error_answer_lines(body: Iterable[ast.stmt]) -> list[int]:
    return [n.lineno for stmt in body for n in walk(stmt) if answers_error(n)]


_SHORT_CIRCUIT = frozenset({"ShortCircuitOperator", "BranchPythonOperator"})
_SHORT_CIRCUIT_DECORATORS = frozenset({"task.short_circuit", "task.branch", "short_circuit", "branch"})
EDGE_WORDS = ("ShortCircuitOperator", "BranchPythonOperator", "short_circuit", "task.branch", "add_conditional_edges")


def _text_arg(call: ast.Call, position: int, keyword: str) -> ast.AST | None:
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def failure_edges(module: ast.Module, checks: set[str]) -> Iterator[int]:
    """Lines where an orchestrator routes on a check of `checks` (see the module's docstring): an
    Airflow short-circuit or branch whose callable is one, a `@task.short_circuit`/`@task.branch`
    function calling one, a LangGraph conditional edge leaving a node whose function is one."""
    nodes: dict[str, str] = {}
    edges: list[tuple[str, int]] = []
    for node in walk(module):
        if isinstance(node, ast.Call):
            name = call_name(node)
            if name in _SHORT_CIRCUIT:
                callable_ = next((k.value for k in node.keywords if k.arg == "python_callable"), None)
                if callable_ is not None and last_name(callable_) in checks:
                    yield node.lineno
            elif name == "add_node":
                key, function = _text_arg(node, 0, "node"), _text_arg(node, 1, "action")
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and function is not None:
                    nodes[key.value] = last_name(function)
                elif isinstance(key, (ast.Name, ast.Attribute)) and function is None:  # `add_node(check_fields)`: named after the function
                    nodes[last_name(key)] = last_name(key)
            elif name == "add_conditional_edges":
                source = _text_arg(node, 0, "source")
                if isinstance(source, ast.Constant) and isinstance(source.value, str):
                    edges.append((source.value, node.lineno))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if any(dotted(d.func if isinstance(d, ast.Call) else d) in _SHORT_CIRCUIT_DECORATORS for d in node.decorator_list):
                if node.name in checks or any(isinstance(c, ast.Call) and call_name(c) in checks for c in walk(node)):
                    yield node.lineno
    for source, line in edges:
        if nodes.get(source) in checks:
            yield line
