"""Exact cuts of session 7 on big trees (docs/benchmarks.md, "Big trees, session 7"): fewer cyclic
garbage collections while detectors run, facts that need no syntax tree when the summary or text
rules them out, and the needle scan testing only the needles whose key word a file holds. Each
must give exactly what the code before gave; these tests compare with the reference behaviour."""

from __future__ import annotations

import ast
import gc
import random
import threading
from pathlib import Path

import pytest

from mlops_audit.evidence.repo import gcpause, pyfacts
from mlops_audit.evidence.repo.astutil import statements
from mlops_audit.evidence.repo.index import RepoIndex, decode_text
from mlops_audit.evidence.repo.needles import NeedleFilter, needles_in
from mlops_audit.evidence.repo.pysource import FACTS, KnownSource, _compute_fact, summarise
from tests.portfolio.parses import count_parses

SOURCES = Path(__file__).resolve().parents[2] / "src" / "mlops_audit"


# --- fewer collections ------------------------------------------------------------------------


def test_fewer_collections_raises_the_first_threshold_and_restores_it() -> None:
    before = gc.get_threshold()
    assert before[0] < gcpause.PARSING_THRESHOLD  # the interpreter's default (700)
    with gcpause.fewer_collections():
        assert gc.get_threshold() == (gcpause.PARSING_THRESHOLD, *before[1:])
        with gcpause.fewer_collections():  # nested: the outermost pause restores
            assert gc.get_threshold()[0] == gcpause.PARSING_THRESHOLD
        assert gc.get_threshold()[0] == gcpause.PARSING_THRESHOLD
        assert gc.isenabled()  # the collector stays on: cycles are still found
    assert gc.get_threshold() == before


def test_fewer_collections_restores_after_an_error_and_leaves_a_disabled_collector_alone() -> None:
    before = gc.get_threshold()
    with pytest.raises(ValueError, match="boom"), gcpause.fewer_collections():
        raise ValueError("boom")
    assert gc.get_threshold() == before
    try:
        gc.set_threshold(0)  # threshold 0: automatic collection off; not ours to turn on
        with gcpause.fewer_collections():
            assert gc.get_threshold()[0] == 0
        assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)


def test_fewer_collections_from_threads_restores_the_original_thresholds() -> None:
    before = gc.get_threshold()
    barrier = threading.Barrier(4)

    def work() -> None:
        barrier.wait(timeout=10)  # all four enter and leave pauses at the same time
        for _ in range(200):
            with gcpause.fewer_collections():
                assert gc.get_threshold()[0] == gcpause.PARSING_THRESHOLD

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gc.get_threshold() == before


def test_cycles_are_still_collected_during_a_pause() -> None:
    class Node:
        pass

    with gcpause.fewer_collections():
        collected_before = sum(s["collected"] for s in gc.get_stats())
        for _ in range(gcpause.PARSING_THRESHOLD // 2 + 10):  # two objects each, in a cycle
            a, b = Node(), Node()
            a.other, b.other = b, a  # type: ignore[attr-defined]
        del a, b
        assert sum(s["collected"] for s in gc.get_stats()) > collected_before


# --- statements -----------------------------------------------------------------------------


STATEMENTS = '''
for a in x:
    for b in y:
        pass
    else:
        for c in z: pass
while w:
    for d in v: pass
try:
    for e in u: pass
except E:
    for f in t: pass
else:
    for g in s: pass
finally:
    for h in r: pass
with m:
    for i in q: pass
if p: print(1)
elif n:
    if o: x = [for_ for for_ in l]  # a comprehension: no For statement
    else:
        for j in o: pass
        for k in l: pass
        for m2 in k2: pass
match x:
    case 1:
        for n2 in j2: pass
class C:
    def f(self):
        async def g():
            async for o2 in i2: pass
            for p2 in h2: pass
        return [q for q in g2 for r in f2]
lam = lambda: [s for s in e2]
'''


def test_statements_finds_every_for_statement_that_ast_walk_finds() -> None:
    tree = ast.parse(STATEMENTS)
    walked = {id(n) for n in ast.walk(tree) if type(n) is ast.For}
    assert len(walked) == 14  # the fixture's For statements (comprehensions and async for are not ast.For)
    assert {id(n) for n in statements(tree) if type(n) is ast.For} == walked
    assert {id(n) for n in statements(tree)} == {id(n) for n in ast.walk(tree) if isinstance(n, ast.stmt)}


def test_statements_on_the_collectors_own_modules() -> None:
    for path in sorted(SOURCES.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert {id(n) for n in statements(tree)} == {id(n) for n in ast.walk(tree) if isinstance(n, ast.stmt)}, path


# --- facts without a tree -------------------------------------------------------------------


def _reference_facts(code: str) -> dict[str, object]:
    """Each fact as the code before computed it: the fact function on the tree, no gate before."""
    summary = summarise("m.py", [code], facts=False)
    tree = ast.parse(code)
    loops = [n for n in ast.walk(tree) if isinstance(n, ast.For)]
    calls = [(c.name, c.scope) for c in summary.calls]
    helpers = set(pyfacts.asserting_helpers(tree, code)) if summary.tests else set()
    return {
        "data_checkers": pyfacts.data_checkers(tree, calls),
        "grid_loops": pyfacts.grid_loops(tree, loops, set(summary.call_names), code),
        "schema_checks": pyfacts.schema_checks(tree, code, summary.classes),
        "data_test_asserts": pyfacts.data_test_asserts(tree, [c.name for c in summary.calls]),
        "asserting_helpers": pyfacts.asserting_helpers(tree, code) if summary.tests else (),
        "constant_only_tests": pyfacts.constant_only_tests(tree, code) if summary.tests else (),
        # session 9: the unit-tests rule's "does this test call an asserting helper", as it asked it
        "helper_calling_tests": tuple(sorted({s for n, s in calls if s is not None and n.rsplit(".", 1)[-1] in helpers})),
        "seed_constants": pyfacts.seed_constants(tree, code),
        "seed_uses": pyfacts.seed_uses(tree, code),
    }


HOLDING = '''import random
import pandas as pd
from pydantic import BaseModel

SEED = 42


class Row(BaseModel):
    amount: float


def check(df):
    if df.isna().any().any() or len(df) == 0:
        raise ValueError("bad")
    for record in df.to_dict("records"):
        Row(**record)
    if list(df.columns) != ["amount"]:
        raise ValueError("schema")


def helper(x):
    assert x


def test_trivial():
    assert 1 + 1 == 2


def test_data():
    df = pd.read_csv("data.csv")
    assert df.isna().sum().sum() == 0


def train(params):
    best = None
    for params in [{"C": 1}, {"C": 2}]:
        score = fit(**params)
        if score > best:
            best = score
    random.seed(SEED)
    model = fit(random_state=SEED)
'''

NEAR_MISSES = [
    "for params in grid:\n    fit(params)\n",  # a grid loop, nothing selects a best
    "x = best\nfor a in b:\n    pass\n",  # `best` in the text, no grid-like loop
    "def test_a():\n    assert f(1) == 2\n",  # tests, no constant assert line
    "class M:\n    columns = 1\n",  # a schema needle, no schema word, no pydantic model
    "def f(df):\n    return df.isna()\n",  # a value-check call that is not tested
    "seed = compute()\n",
    "def broken(:\n",  # does not parse
    "",
]


@pytest.mark.parametrize("code", [HOLDING, *NEAR_MISSES])
def test_facts_with_their_gates_equal_the_fact_functions(code: str) -> None:
    try:
        expected = _reference_facts(code)
    except SyntaxError:
        expected = dict(FACTS)
    eager = summarise("m.py", [code])
    assert {name: eager.fact(name) for name in FACTS} == expected


def test_a_fact_the_summary_rules_out_needs_no_syntax_tree() -> None:
    summary = summarise("m.py", ["import os\nprint(os.getcwd())\n"], facts=False)

    class NoTree:
        def text(self) -> str:
            return "import os\nprint(os.getcwd())\n"

        def tree(self) -> ast.Module | None:
            raise AssertionError("the tree was asked for")

    for name in FACTS:
        if name != "helper_calling_tests":  # derived from the summary alone (calls, asserting helpers): no gate
            assert not pyfacts.possible(name, summary, NoTree().text)
        assert _compute_fact(name, summary, NoTree()) == FACTS[name]


def test_facts_of_the_collectors_own_modules_equal_the_reference() -> None:
    for path in sorted(SOURCES.rglob("*.py"))[::3]:
        code = path.read_text(encoding="utf-8")
        summary = summarise("m.py", [code], facts=False)
        tree = ast.parse(code)
        assert {name: _compute_fact(name, summary, KnownSource(tree, code)) for name in FACTS} == _reference_facts(code), path


def test_an_evicted_tree_is_not_parsed_again_for_a_fact_that_cannot_hold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "plain.py").write_text("def f(x):\n    return [y for y in x]\n")
    (tmp_path / "grid.py").write_text(HOLDING)
    index = RepoIndex(tmp_path)
    plain, grid = index.python("plain.py"), index.python("grid.py")
    assert plain is not None and grid is not None
    index._trees.items.clear()  # both trees evicted, as on a big tree
    index._trees.total = 0
    parsed = count_parses(monkeypatch)
    assert {name: plain.fact(name) for name in FACTS} == FACTS
    assert parsed == []  # nothing in `plain.py` can hold a fact: no parse
    assert grid.grid_loops == [(36, ("fit",))]
    assert parsed == ["grid.py"]


# --- needles --------------------------------------------------------------------------------


NEEDLES = ("fit", "seed", "boto3", "tune.run", "def run(", ".fit(", "mlflow", "s3fs", "__init__", "->", "x_y")


@pytest.mark.parametrize(
    "code",
    [
        "model.fit(x)\n",
        "9fit = 1\n",  # not an identifier in Python, but `findall` takes `fit` after the digit
        "x9fit = 1\n",  # one identifier `x9fit`
        "fit9 = 1\n",
        "fitted = refit\n",
        "éfit = 1\n",  # a non-ASCII letter is no ASCII identifier character: `fit` stands alone
        "fité = 1\n",
        "import boto3\n",
        "boto3x\n",
        "3boto3\n",
        "tune.run(f)\nautotune.running\n",
        "autotune.running\n",
        "def run(self):\n",
        "def runner(self):\n",
        "m.fit(x)\n",
        "m.fitx(x)\n",
        "def f() -> int:\n",
        "x_y = 1\n",
        "x__y\n",
        "__init__\n",
        "seed_everything(1)\nrandom.seed(0)\n",
        "",
        "\ufeffseed = 1\n",
    ],
)
def test_mentioned_equals_needles_in(code: str) -> None:
    needle_filter = NeedleFilter.of(NEEDLES)
    data = code.encode("utf-8")
    candidates = needle_filter.candidates(data)
    assert candidates is not None
    assert (candidates == ()) is (not needle_filter.may_mention(data))
    assert needle_filter.mentioned(code, candidates) == needles_in(code, NEEDLES)


def test_mentioned_equals_needles_in_on_the_collectors_own_modules_and_random_needles() -> None:
    rng = random.Random(7)
    for path in sorted(SOURCES.rglob("*.py")):
        data = path.read_bytes()
        code = decode_text(data) or ""
        words = [w for w in code.split() if w.isascii()]
        picked = {w[a : a + rng.randint(1, 12)] for w in rng.sample(words, min(30, len(words))) for a in [rng.randrange(len(w))]}
        needles = tuple(sorted(n for n in picked if n.strip()) + list(NEEDLES))
        needle_filter = NeedleFilter.of(needles)
        candidates = needle_filter.candidates(data)
        found = needle_filter.mentioned(code, candidates) if candidates != () else frozenset()
        assert found == (needles_in(code, needles) if needle_filter.may_mention(data) else frozenset()), path


def test_non_ascii_needles_fall_back_to_needles_in() -> None:
    needle_filter = NeedleFilter.of(("café", "fit"))
    assert needle_filter.candidates(b"x") is None
    assert needle_filter.mentioned("café.fit()", None) == needles_in("café.fit()", ("café", "fit"))


# --- lazy scans -----------------------------------------------------------------------------


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _scan_tree(root: Path) -> None:
    _write(root, "a/one.py", "from lib import helper\nhelper()\nraise ValueError\n")
    _write(root, "a/two.py", "helper = 1\n")  # mentions it, no raise
    _write(root, "b/tests/test_three.py", "from lib import helper\nraise X\n")  # a test path
    _write(root, "b/three.py", "x = 'no mention'\n")
    _write(root, "c/four.py", "import lib.helper as h\nraise E\n")  # no word `helper` after `h`... but in the import
    _write(root, "c/five.ipynb", '{"cells": [{"cell_type": "code", "source": "helper()"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    _write(root, "d/six.py", "def helper():\n    raise ValueError\n")


def test_python_scan_finds_what_the_eager_scan_found_in_path_order(tmp_path: Path) -> None:
    _scan_tree(tmp_path)
    index = RepoIndex(tmp_path)
    raises = lambda text: "raise" in text  # noqa: E731
    # What python_scan returned before: files mentioning the name, then `where`, sorted by path.
    assert [s.path for s in index.python_scan("helper")] == ["a/one.py", "a/two.py", "b/tests/test_three.py", "c/five.ipynb", "c/four.py", "d/six.py"]
    assert [s.path for s in index.python_scan("helper", where=raises)] == ["a/one.py", "b/tests/test_three.py", "c/four.py", "d/six.py"]
    within = {"a/two.py", "c/four.py", "b/three.py"}
    assert [s.path for s in index.python_scan("helper", within=within)] == ["a/two.py", "c/four.py"]
    kept = index.python_scan("helper", where=raises).keeping(lambda rel: "/tests/" not in rel)
    assert [s.path for s in kept] == ["a/one.py", "c/four.py", "d/six.py"]


def test_importing_is_python_importing_one_path_at_a_time(tmp_path: Path) -> None:
    _scan_tree(tmp_path)
    index = RepoIndex(tmp_path)
    importing = index.importing("helper", also={"d/six.py"})
    assert index.python_importing("helper") == {"a/one.py", "b/tests/test_three.py", "c/four.py"}
    assert {rel for rel in index.python_files() if rel in importing} == {"a/one.py", "b/tests/test_three.py", "c/four.py", "d/six.py"}
    assert [s.path for s in index.python_scan("helper", within=importing)] == ["a/one.py", "b/tests/test_three.py", "c/four.py", "d/six.py"]


def test_python_scan_reads_only_as_far_as_its_caller_iterates(tmp_path: Path) -> None:
    _scan_tree(tmp_path)
    index = RepoIndex(tmp_path)  # no declared needles: nothing is read before the scan
    first = next(index.python_scan("helper", within=index.importing("helper")))
    assert first.path == "a/one.py"
    assert "a/one.py" in index._read_outcomes and "c/four.py" not in index._read_outcomes and "d/six.py" not in index._read_outcomes


def test_python_scan_of_an_index_with_declared_needles_counts_every_python_file_read(tmp_path: Path) -> None:
    """With declared needles, the scan of every Python file runs before any file is skipped, so the
    read counts of the collection do not depend on how far a rule iterated."""
    _scan_tree(tmp_path)
    index = RepoIndex(tmp_path, needles=("helper",), words=())
    next(index.python_scan("helper", within=index.importing("helper")))
    assert set(index.python_files()) <= set(index._read_outcomes)
