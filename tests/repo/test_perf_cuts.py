"""Cuts in what the collector parses and reads on big trees (docs/benchmarks.md, "Big trees"): each
must leave findings exactly as they were. Pass cases and near misses for every text filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.evidence.repo.collect import build_index, run_detector
from mlops_audit.evidence.repo.detectors import data as data_detectors
from mlops_audit.evidence.repo.index import _IDENTIFIER_RUN, _IMPORT_STATEMENT, RepoIndex, imports_any
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, get_detector
from tests.portfolio.parses import count_parses


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _reference_imports_any(text: str, wanted: set[str]) -> bool:
    """What `python_importing` tested before: every `_IMPORT_STATEMENT` match, found by `finditer`."""
    return any(not wanted.isdisjoint(_IDENTIFIER_RUN.findall(m.group(0))) for m in _IMPORT_STATEMENT.finditer(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from pkg import check\n", True),
        ("import pkg.check as c\n", True),
        ("from pkg import (\n    other,\n    check,\n)\n", True),  # a parenthesised list over lines
        ("from pkg import other, \\\n    check\n", True),  # a backslash continuation
        ("def f():\n    from pkg import check\n", True),  # indented
        ("x = 1; from pkg import check\n", True),  # after a semicolon
        ("raise ValueError(check) from error\n", True),  # `from` as a word: the superset the rule always used
        ("imported = check\n", False),  # `import` inside a longer word is no statement
        ("fromage = 1\ncheck()\n", False),
        ("x_import = check\n", False),
        ("éimport = check\n", False),  # a Unicode word character before it: no word boundary
        ("from pkg import (\n    other,\nimport_me\n)\ncheck()\n", False),  # the second line start lies inside the first match
        ("from pkg import (other,\n import check)\n", True),
        ("import a, b\nfrom c import d; import check\n", True),  # two keywords on one line
        ("import a\\", False),  # a backslash at the very end
        ("", False),
    ],
)
def test_imports_any_finds_the_same_statements_as_finditer(text: str, expected: bool) -> None:
    assert _reference_imports_any(text, {"check"}) is expected
    assert imports_any(text, {"check"}) is expected


def test_python_importing_skips_the_exact_needle_check_without_changing_the_answer(tmp_path: Path) -> None:
    write(tmp_path, "a.py", "from pkg import check\n")
    write(tmp_path, "b.py", "# check import\nchecker = 1\n")  # the comment line is an import-like line holding the name
    write(tmp_path, "c.py", "x = 'check'\n")  # mentions the name, no import line
    write(tmp_path, "d.py", "import checks\n")  # another name
    write(tmp_path, "e.ipynb", '{"cells": [{"cell_type": "code", "source": "from pkg import check"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    assert RepoIndex(tmp_path).python_importing("check") == {"a.py", "b.py"}


_CHECKER = '''import pandas as pd


def check_{i}(df):
    if df.isna().any().any() or len(df) == 0:
        raise ValueError("bad data {i}")
    if df.duplicated().sum() > 0:
        raise ValueError("duplicates {i}")
    return df


if __name__ == "__main__":  # reached: a gate nothing calls stops no run
    check_{i}(pd.read_csv("data.csv"))
'''


def test_data_gate_stops_when_the_finding_is_settled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each module holds a checker whose two raises are gates: after MAX_LOCATIONS distinct
    locations the rule stops looking, and the finding is the one the whole scan gives."""
    for i in range(MAX_LOCATIONS + 5):
        write(tmp_path, f"src/gate_{i:02d}.py", _CHECKER.format(i=i))
    full = data_detectors._data_quality_gates(build_index(tmp_path))
    assert len({(h.path, h.line) for h in full}) == 2 * (MAX_LOCATIONS + 5)
    looked_at: list[str] = []
    original = data_detectors._gate_raises
    monkeypatch.setattr(data_detectors, "_gate_raises", lambda func, helpers: looked_at.append(func.name) or original(func, helpers))
    evidence = run_detector(get_detector("validates_data"), build_index(tmp_path))
    assert evidence.outcome.value == "pass"
    shown = [(loc.path, loc.line) for loc in evidence.locations]
    assert shown == list(dict.fromkeys((h.path, h.line) for h in full))[:MAX_LOCATIONS]
    assert len(looked_at) == MAX_LOCATIONS // 2  # two gates per checker: the rest were never walked


def test_data_gate_without_enough_hits_scans_everything(tmp_path: Path) -> None:
    """A near miss for the early stop: fewer gates than a finding shows, so every candidate is read
    and the last file's gate (in a caller importing the checker) is found."""
    write(tmp_path, "src/checks.py", "import pandas as pd\n\n\ndef check_frame(df):\n    return df.isna().sum().sum() == 0 and len(df) > 0\n")
    write(tmp_path, "src/zz_pipeline.py", "from src.checks import check_frame\n\n\ndef run(df):\n    if not check_frame(df):\n        raise SystemExit('bad data')\n\n\nrun(None)\n")
    gates = data_detectors._data_quality_gates(build_index(tmp_path), enough=MAX_LOCATIONS)
    assert ("src/zz_pipeline.py", 6) in {(h.path, h.line) for h in gates}


_CV_HELPER = '''from sklearn.model_selection import cross_val_score


def evaluate_setting(model, X, y):
    return cross_val_score(model, X, y).mean()
'''

_GRID_CALLER = '''from src.evaluation import evaluate_setting

GRID = [{"C": 0.1}, {"C": 1.0}]


def search(X, y, make):
    best, best_score = None, -1
    for params in GRID:
        score = evaluate_setting(make(**params), X, y)
        if score > best_score:
            best, best_score = params, score
    return best
'''


def test_grid_search_through_a_project_evaluator_is_still_found(tmp_path: Path) -> None:
    """The callers of a project function that cross-validates are parsed only when their text can
    hold a counting loop (`for`, a selection, an evaluator): this one can, and counts."""
    write(tmp_path, "src/evaluation.py", _CV_HELPER)
    write(tmp_path, "src/search.py", _GRID_CALLER)
    # Near misses the text test drops without parsing: no `for` loop; no selection of a best.
    write(tmp_path, "src/once.py", "from src.evaluation import evaluate_setting\n\n\ndef once(m, X, y):\n    return evaluate_setting(m, X, y)\n")
    write(tmp_path, "src/all.py", "from src.evaluation import evaluate_setting\n\n\ndef all_(ms, X, y):\n    return [evaluate_setting(m, X, y) for m in ms]\n")
    index = build_index(tmp_path)
    evidence = run_detector(get_detector("tunes_hyperparameters"), index)
    assert evidence.outcome.value == "pass"
    assert ("src/search.py", 8) in {(loc.path, loc.line) for loc in evidence.locations}
    assert "src/once.py" not in index._summarised and "src/all.py" not in index._summarised


def test_grid_search_text_test_keeps_a_selection_written_as_max(tmp_path: Path) -> None:
    """A near miss for the text test: no `best` anywhere, the selection is a `max` over the scores."""
    write(tmp_path, "src/evaluation.py", _CV_HELPER)
    caller = (
        "from src.evaluation import evaluate_setting\n\nPARAM_GRID = [{'C': 0.1}, {'C': 1.0}]\n\n\n"
        "def search(X, y, make):\n    scores = []\n    for params in PARAM_GRID:\n"
        "        scores.append((evaluate_setting(make(**params), X, y), params))\n    return max(scores)\n"
    )
    write(tmp_path, "src/search.py", caller)
    evidence = run_detector(get_detector("tunes_hyperparameters"), build_index(tmp_path))
    assert evidence.outcome.value == "pass"
    assert ("src/search.py", 8) in {(loc.path, loc.line) for loc in evidence.locations}


def test_grid_rule_reads_its_facts_while_the_trees_are_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Facts are computed on first use from the tree the summary parse left in the tree cache: the
    grid rule asks for them as it reaches each candidate (`_inhouse.asking`), so even with room for
    one tree no file is parsed a second time."""
    from mlops_audit.evidence.repo import index as index_module

    monkeypatch.setattr(index_module, "TREE_CACHE_CHARS", 1)
    write(tmp_path, "src/evaluation.py", _CV_HELPER)
    for name in ("a", "b", "c"):
        write(tmp_path, f"src/search_{name}.py", _GRID_CALLER)
    parsed = count_parses(monkeypatch)
    evidence = run_detector(get_detector("tunes_hyperparameters"), build_index(tmp_path))
    assert evidence.outcome.value == "pass"
    assert {loc.path for loc in evidence.locations} >= {"src/search_a.py", "src/search_b.py", "src/search_c.py"}
    assert parsed == []


_NESTED = '''
import functools


@functools.wraps(lambda: None)
def top(x=lambda: 1):
    def inner():
        class Local:
            def method(self):
                pass
        return Local
    return inner


class Outer:
    class Inner:
        async def deep(self):
            async def deeper():
                pass

    def after(self):
        pass


try:
    def in_try():
        pass
except ValueError:
    def in_handler():
        pass
else:
    def in_else():
        pass
finally:
    def in_finally():
        pass

for _ in range(1):
    def in_for():
        pass
else:
    def in_for_else():
        pass

while False:
    def in_while():
        pass

with open(__file__) as handle:
    def in_with():
        pass

if True:
    def in_if():
        pass
elif False:
    def in_elif():
        pass

match handle:
    case 1:
        def in_case():
            pass
    case _:
        def in_default():
            pass
'''


def _reference_functions(module):  # type: ignore[no-untyped-def]
    """`astutil.functions` as it was: every child node walked."""
    import ast

    stack = [(None, module)]
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


def test_functions_walks_statements_only_in_the_same_order() -> None:
    import ast

    from mlops_audit.evidence.repo.astutil import functions

    module = ast.parse(_NESTED)
    expected = [(owner, func.name) for owner, func in _reference_functions(module)]
    assert len(expected) == 18  # every definition of the fixture, nested ones included
    assert [(owner, func.name) for owner, func in functions(module)] == expected


def test_calls_in_lists_calls_in_ast_walk_order() -> None:
    import ast

    from mlops_audit.evidence.repo.astutil import calls_in, functions

    code = _NESTED + "\nresult = f(g(1), *h(), k=lambda: m(n()))[p()].q(r(s) if t() else u())\n"
    module = ast.parse(code)
    for node in [module] + [func for _, func in functions(module)]:
        assert calls_in(node) == [sub for sub in ast.walk(node) if isinstance(sub, ast.Call)]
    assert len(calls_in(module.body[-1].value)) == 10  # every call of the last line, lambdas and subscripts included
