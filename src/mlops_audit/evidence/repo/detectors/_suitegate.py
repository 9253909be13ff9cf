"""Rule `a data test suite run as a gate` of validates_data (session 14).

Conventions §7 counts checks of the data in the pipeline or its tests that act on a failure (stop
the run). Some teams keep their data checks as a pytest suite (duplicates, overlap of the train, test
and validation sets, missing values, a schema) and have the training or optimisation script run it
first and stop when it fails, with pytest's documented entry point for calling it from code
(`pytest.main(args)` returns the exit code):

    code = pytest.main([os.path.join(root, "tests/test_data.py")])
    if code != 0:
        sys.exit(code)

What counts: project code outside the tests calls `pytest.main` (or runs `pytest` through
`subprocess` with `check=True`) on a suite named for data (`tests/test_data.py`, `tests/data/`,
`test_dataset_quality.py`: a path segment saying data, dataset or data quality), and stops the run on
its result (`_stops`: raise or a failure exit; `sys.exit(pytest.main(...))`; `check=True` raises).
Not counted: a script that only runs the project's unit tests (no data suite named), or one that
prints the result and goes on.

Pure functions over a parsed module.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mlops_audit.evidence.repo.astutil import assigned_names, call_name, dotted, functions, identifiers, statements, walk
from mlops_audit.evidence.repo.detectors._stops import exits_with_failure, stops

# A suite named for the data: `test_data.py`, `tests/data/`, `data_tests/`, `test_dataset.py`, `test_data_quality.py`.
DATA_SUITE = re.compile(r"(?:^|[/_])(?:data(?:set)?s?|data_?quality|data_?validation)(?:[/_.]|$)", re.IGNORECASE)


def _names_suite(text: object) -> bool:
    return isinstance(text, str) and "test" in text.lower() and DATA_SUITE.search(text) is not None


class _SuiteNames:
    """Whether a call names a data suite (`_names_suite`): in a string literal of its own, or in one
    of what the names it reads were assigned in the same scope (`path = os.path.join(root,
    "tests/test_data.py")`; two steps at most). Each value and each (name, steps) is judged once per
    scope: a name assigned n times and read by each of its values (`x = x + x`) is not walked n^2 times
    per call."""

    def __init__(self, values: dict[str, list[ast.AST]]) -> None:
        self._values = values
        self._literal: dict[int, bool] = {}  # id of a value -> a string literal in it names a suite
        self._named: dict[tuple[str, int], bool] = {}

    def _literal_in(self, node: ast.AST) -> bool:
        known = self._literal.get(id(node))
        if known is None:
            known = self._literal[id(node)] = any(isinstance(c, ast.Constant) and _names_suite(c.value) for c in walk(node))
        return known

    def _name(self, name: str, steps: int) -> bool:
        key = (name, steps)
        known = self._named.get(key)
        if known is None:
            known = any(
                self._literal_in(value) or (steps > 0 and any(self._name(read, steps - 1) for read in identifiers(value)))
                for value in self._values.get(name, ())
            )
            self._named[key] = known
        return known

    def call(self, call: ast.Call) -> bool:
        return self._literal_in(call) or any(self._name(name, 1) for name in identifiers(call))


def _runs_suite(call: ast.Call) -> bool:
    if dotted(call.func) == "pytest.main":
        return True
    if call_name(call) in ("run", "check_call", "check_output", "call") and "subprocess" in dotted(call.func):
        first = call.args[0] if call.args else None
        words = [c.value for c in walk(first) if isinstance(c, ast.Constant) and isinstance(c.value, str)] if first is not None else []
        return any(w.split(" ")[0] in ("pytest", "py.test") or w == "pytest" for w in words)
    return False


def _checked(call: ast.Call) -> bool:
    """`subprocess.run([...], check=True)` and `check_call` raise when the suite fails."""
    return call_name(call) == "check_call" or any(k.arg == "check" and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords)


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _scope_values(scope: ast.AST) -> tuple[list[ast.AST], dict[str, list[ast.AST]]]:
    """A scope's own statements and what each name is assigned in them."""
    own = list(statements(scope, into_scopes=False))
    values: dict[str, list[ast.AST]] = {}
    for node in own:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for name in assigned_names(target):
                    values.setdefault(name, []).append(node.value)
    return own, values


def _calls_in_scopes(module: ast.Module, names: dict[int, _SuiteNames]) -> Iterator[tuple[ast.Call, tuple[_SuiteNames, ...]]]:
    """Every call of the module with the scopes whose bodies hold it (the module, enclosing
    functions): one walk, each call met once, however deep the `elif` chains and functions nest."""
    stack: list[tuple[ast.AST, tuple[_SuiteNames, ...]]] = [(module, (names[id(module)],))]
    while stack:
        node, chain = stack.pop()
        if isinstance(node, ast.Call):
            yield node, chain
        inner = (*chain, names[id(node)]) if isinstance(node, _FUNCTIONS) else chain
        for field, value in ast.iter_fields(node):
            within = inner if field == "body" else chain
            for child in value if isinstance(value, list) else (value,):
                if isinstance(child, ast.AST):
                    stack.append((child, within))


def _stopping(module: ast.Module) -> set[int]:
    """Ids of the nodes holding a stop (`_stops.stops`) at any depth, itself included: one walk."""
    order: list[tuple[ast.AST, ast.AST | None]] = []
    stack: list[tuple[ast.AST, ast.AST | None]] = [(module, None)]
    while stack:
        node, parent = stack.pop()
        order.append((node, parent))
        stack.extend((child, node) for child in ast.iter_child_nodes(node))
    found: set[int] = set()
    for node, parent in reversed(order):  # children before their parents
        if id(node) in found or stops(node):
            found.add(id(node))
            if parent is not None:
                found.add(id(parent))
    return found


def suite_gates(module: ast.Module) -> list[int]:
    """Lines where a data suite's failure stops the run (see the module's docstring). A checked run
    counts when a scope holding it (the module or an enclosing function) names the suite; a result
    assigned or passed to an exit, in the scope of its statement. Linear in the module (each call,
    value and name judged once per scope holding it)."""
    scopes: list[ast.AST] = [module, *(func for _, func in functions(module))]
    owned = {id(scope): _scope_values(scope) for scope in scopes}
    names = {key: _SuiteNames(values) for key, (_, values) in owned.items()}
    found: list[int] = []
    for call, chain in _calls_in_scopes(module, names):
        if _runs_suite(call) and _checked(call) and any(scope.call(call) for scope in chain):
            found.append(call.lineno)
    stopping: set[int] | None = None
    for scope in scopes:
        own, _ = owned[id(scope)]
        suite = names[id(scope)]
        results: set[str] = set()
        for node in own:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and not _checked(node.value) and _runs_suite(node.value) and suite.call(node.value):
                for target in node.targets:
                    results |= assigned_names(target)
            elif isinstance(node, ast.Expr) and exits_with_failure(node.value) and isinstance(node.value, ast.Call):
                call = node.value.args[0]
                if isinstance(call, ast.Call) and not _checked(call) and _runs_suite(call) and suite.call(call):
                    found.append(call.lineno)  # sys.exit(pytest.main([...]))
        if results:
            if stopping is None:
                stopping = _stopping(module)
            for node in own:
                if isinstance(node, ast.If) and identifiers(node.test) & results and any(id(stmt) in stopping for stmt in node.body + node.orelse):
                    found.append(node.lineno)
                    break
    return sorted(set(found))


def may_gate_suite(text: str) -> bool:
    return ("pytest.main" in text or "pytest" in text and "subprocess" in text) and "data" in text.lower()
