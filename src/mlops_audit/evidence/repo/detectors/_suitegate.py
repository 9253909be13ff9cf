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

from mlops_audit.evidence.repo.astutil import assigned_names, call_name, dotted, functions, identifiers, statements
from mlops_audit.evidence.repo.detectors._stops import exits_with_failure, stops

# A suite named for the data: `test_data.py`, `tests/data/`, `data_tests/`, `test_dataset.py`, `test_data_quality.py`.
DATA_SUITE = re.compile(r"(?:^|[/_])(?:data(?:set)?s?|data_?quality|data_?validation)(?:[/_.]|$)", re.IGNORECASE)


def _strings(node: ast.AST, values: dict[str, list[ast.AST]], depth: int = 2) -> list[str]:
    """String literals in `node`, and in what the names it reads were assigned in the same scope
    (`path = os.path.join(root, "tests/test_data.py")`; two steps at most)."""
    found = [c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
    if depth:
        for name in identifiers(node):
            for value in values.get(name, ()):
                found += _strings(value, values, depth - 1)
    return found


def _suite_named_for_data(call: ast.Call, values: dict[str, list[ast.AST]]) -> bool:
    return any("test" in s.lower() and DATA_SUITE.search(s) for s in _strings(call, values))


def _runs_suite(call: ast.Call) -> bool:
    if dotted(call.func) == "pytest.main":
        return True
    if call_name(call) in ("run", "check_call", "check_output", "call") and "subprocess" in dotted(call.func):
        first = call.args[0] if call.args else None
        words = [c.value for c in ast.walk(first) if isinstance(c, ast.Constant) and isinstance(c.value, str)] if first is not None else []
        return any(w.split(" ")[0] in ("pytest", "py.test") or w == "pytest" for w in words)
    return False


def _checked(call: ast.Call) -> bool:
    """`subprocess.run([...], check=True)` and `check_call` raise when the suite fails."""
    return call_name(call) == "check_call" or any(k.arg == "check" and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords)


def suite_gates(module: ast.Module) -> list[int]:
    """Lines where a data suite's failure stops the run (see the module's docstring)."""
    scopes: list[ast.AST] = [module, *(func for _, func in functions(module))]
    found: list[int] = []
    for scope in scopes:
        own = list(statements(scope, into_scopes=False))
        values: dict[str, list[ast.AST]] = {}
        for node in own:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    for name in assigned_names(target):
                        values.setdefault(name, []).append(node.value)
        results: set[str] = set()
        for node in own:
            for call in (c for c in ast.walk(node) if isinstance(c, ast.Call) and _runs_suite(c) and _suite_named_for_data(c, values)):
                if _checked(call):
                    found.append(call.lineno)
                elif isinstance(node, ast.Assign) and node.value is call:
                    for target in node.targets:
                        results |= assigned_names(target)
                elif isinstance(node, ast.Expr) and exits_with_failure(node.value) and node.value.args and node.value.args[0] is call:
                    found.append(call.lineno)  # sys.exit(pytest.main([...]))
        if results:
            for node in own:
                if isinstance(node, ast.If) and identifiers(node.test) & results:
                    branches = node.body + node.orelse
                    if any(stops(n) for stmt in branches for n in ast.walk(stmt)):
                        found.append(node.lineno)
                        break
    return sorted(set(found))


def may_gate_suite(text: str) -> bool:
    return ("pytest.main" in text or "pytest" in text and "subprocess" in text) and "data" in text.lower()
