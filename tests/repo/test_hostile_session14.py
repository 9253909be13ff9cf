"""Session 14's new rules on hostile input: the work a rule does grows linearly with its input.

Each test doubles an input built to make a naive walk repeat itself and counts the syntax-tree nodes
visited (every `ast.walk` step, `astutil.identifiers` included): a count, not a time, so the test
does not depend on the machine's load. Next to each, the cases the rule's result must keep.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

import pytest

from mlops_audit.evidence.repo.detectors import _suitegate


def _visits(monkeypatch: pytest.MonkeyPatch, run: Callable[[], object]) -> int:
    """How many nodes `ast.walk` yields while `run` runs."""
    count = 0
    walk = ast.walk

    def counting(node: ast.AST) -> Iterator[ast.AST]:
        nonlocal count
        for sub in walk(node):
            count += 1
            yield sub

    monkeypatch.setattr(ast, "walk", counting)
    try:
        run()
    finally:
        monkeypatch.setattr(ast, "walk", walk)
    return count


def _grows_linearly(monkeypatch: pytest.MonkeyPatch, make: Callable[[int], str], judge: Callable[[ast.Module], object], n: int = 200) -> None:
    small, large = ast.parse(make(n)), ast.parse(make(2 * n))
    once, twice = _visits(monkeypatch, lambda: judge(small)), _visits(monkeypatch, lambda: judge(large))
    assert twice <= 2.5 * once, (once, twice)


# --- `_suitegate.suite_gates` --------------------------------------------------------------------------


def test_a_suite_gate_judges_a_name_assigned_many_times_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each `x = x + x` is a value of x that reads x: walked per value per value per call, 10 KB took minutes.
    _grows_linearly(monkeypatch, lambda n: "import pytest\nx = 'a'\n" + "x = x + x\n" * n + "pytest.main(x)\n" * n, _suitegate.suite_gates)


def test_a_suite_gate_walks_a_long_elif_chain_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # An `elif` is an `If` nested in the one before: walking every statement's subtree walked the chain n^2/2 times.
    def chain(n: int) -> str:
        arms = "".join(f"elif code == {i}:\n    pytest.main(['tests/test_data.py'])\n" for i in range(n))
        return "import pytest\ncode = pytest.main(['tests/test_data.py'])\nif code == -1:\n    pass\n" + arms

    _grows_linearly(monkeypatch, chain, _suitegate.suite_gates)


def test_a_suite_gate_still_finds_the_suite_through_names_and_enclosing_scopes() -> None:
    two_steps = "import os, sys, pytest\nroot = 'x'\nsuite = os.path.join(root, 'tests/test_data.py')\nargs = [suite]\ncode = pytest.main(args)\nif code:\n    sys.exit(code)\n"
    assert _suitegate.suite_gates(ast.parse(two_steps)) == [6]
    three_steps = two_steps.replace("args = [suite]", "more = [suite]\nargs = more")
    assert _suitegate.suite_gates(ast.parse(three_steps)) == []  # two steps of names at most
    # a checked run in a function, the suite named at module level: the module's scope holds the call
    outer = "import subprocess\nSUITE = 'tests/data/'\n\n\ndef gate():\n    subprocess.run(['pytest', SUITE], check=True)\n"
    assert _suitegate.suite_gates(ast.parse(outer)) == [6]
    exits = "import sys, pytest\n\n\ndef main():\n    sys.exit(pytest.main(['tests/test_dataset.py']))\n"
    assert _suitegate.suite_gates(ast.parse(exits)) == [5]
    unit = exits.replace("test_dataset.py", "test_api.py")
    assert _suitegate.suite_gates(ast.parse(unit)) == []
    ignored = "import pytest\ncode = pytest.main(['tests/test_data.py'])\nif code:\n    print('failed')\nelif code == 2:\n    pass\n"
    assert _suitegate.suite_gates(ast.parse(ignored)) == []
    stopped_late = ignored.replace("    pass\n", "    raise SystemExit(2)\n")
    assert _suitegate.suite_gates(ast.parse(stopped_late)) == [3]
