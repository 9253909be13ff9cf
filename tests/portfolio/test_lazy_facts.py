"""Per-file facts computed on first use (`PythonSummary.fact`) and their round trip through the parse
cache (format 4: a fact no rule asked for is stored as null, and written once computed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops_audit.evidence.repo import filecache
from mlops_audit.evidence.repo.filecache import ParseCache, content_digest
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.pysource import FACTS, summarise
from tests.portfolio.parses import count_parses

SOURCE = '''import random

import pandas as pd
import pytest

SEED = 42


def check(df):
    if df.isna().any().any() or len(df) == 0:
        raise ValueError("bad")


def helper(x):
    assert x


def test_trivial():
    assert 1 + 1 == 2


def train(params):
    for params in [{"C": 1}, {"C": 2}]:
        score = fit(**params)
        if score > best:
            best = score
    random.seed(SEED)
'''


def entry(cache_dir: Path, source: str) -> tuple[Path, dict]:  # type: ignore[type-arg]
    """An entry's file and its head (the first body line: everything but the calls)."""
    cache = ParseCache(cache_dir, b"k" * 32)
    folder, name = cache._name(content_digest([source], is_notebook=False))
    path = cache_dir / folder / name
    return path, json.loads(path.read_bytes().partition(b"\n")[2].split(b"\n")[0])


def rewrite_head(cache: ParseCache, path: Path, document: dict) -> None:  # type: ignore[type-arg]
    """Replace an entry's head, signed with the cache's key (authentic, whatever it says)."""
    lines = path.read_bytes().partition(b"\n")[2].split(b"\n")
    body = b"\n".join([json.dumps(document, separators=(",", ":")).encode(), *lines[1:]])
    path.write_bytes(filecache._MAGIC + b" " + cache._mac(body).encode() + b"\n" + body)


def test_lazy_facts_equal_the_eager_ones(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(SOURCE)
    eager = summarise("m.py", [SOURCE])
    assert eager.seed_constants == [("seed", 6)] and eager.data_checkers == [("check", 9)]  # the fixture has facts to compare
    index = RepoIndex(tmp_path)  # kept: a summary holds its index weakly
    lazy = index.python("m.py")
    assert lazy is not None and lazy.facts == {}  # nothing computed before a rule asks
    assert [lazy.fact(name) for name in FACTS] == [eager.fact(name) for name in FACTS]
    assert lazy == eager


def test_an_unknown_fact_is_a_clear_error_and_a_summary_without_source_says_so() -> None:
    summary = summarise("m.py", [SOURCE], facts=False)
    with pytest.raises(KeyError, match="no per-file fact named 'nope'"):
        summary.fact("nope")
    with pytest.raises(RuntimeError, match="m.py: fact 'seed_uses' was not computed"):
        summary.fact("seed_uses")


def test_facts_of_notebooks_and_bad_code_are_empty(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("def f(:\n    pass\n")
    index = RepoIndex(tmp_path)
    bad = index.python("bad.py")
    assert bad is not None and bad.syntax_errors == 1
    assert {name: bad.fact(name) for name in FACTS} == FACTS


def test_computed_facts_are_stored_and_served_without_a_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, cache_dir = tmp_path / "repo", tmp_path / "cache"
    repo.mkdir()
    (repo / "m.py").write_text(SOURCE)
    cold = ParseCache(cache_dir, b"k" * 32)
    index = RepoIndex(repo, parse_cache=cold)
    summary = index.python("m.py")
    assert summary is not None
    assert summary.seed_constants == [("seed", 6)]  # one fact asked for
    cold.close()  # writes the entry: the asked fact, the others null
    _, document = entry(cache_dir, SOURCE)
    assert document["format"] == filecache.FORMAT == 9
    assert document["result"]["seed_constants"] == [["seed", 6]]
    assert document["result"]["seed_uses"] is None and document["result"]["data_checkers"] is None

    # A warm run: the stored fact comes without a parse; a missing one is computed and stored.
    parses = count_parses(monkeypatch)
    warm = ParseCache(cache_dir, b"k" * 32)
    index = RepoIndex(repo, parse_cache=warm)
    again = index.python("m.py")
    assert again is not None and warm.stats.hits == 1
    assert again.seed_constants == [("seed", 6)] and parses == []
    assert again.data_checkers == [("check", 9)] and parses == ["m.py"]
    warm.close()
    _, document = entry(cache_dir, SOURCE)
    assert document["result"]["data_checkers"] == [["check", 9]] and document["result"]["seed_constants"] == [["seed", 6]]
    eager = summarise("m.py", [SOURCE])
    third = ParseCache(cache_dir, b"k" * 32)
    index = RepoIndex(repo, parse_cache=third)
    everything = index.python("m.py")
    assert everything is not None
    assert [everything.fact(n) for n in FACTS] == [eager.fact(n) for n in FACTS]  # the round trip of every fact field
    third.close()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("seed_uses", [["not a line", "seed"]]),  # wrong type inside
        ("data_checkers", "check"),  # not a list
        ("grid_loops", [[3, [1]]]),  # a name that is not a string
        ("asserting_helpers", [None]),
    ],
)
def test_a_tampered_fact_is_refused_and_parsed_again(tmp_path: Path, field: str, value: object) -> None:
    cache_dir = tmp_path / "cache"
    cache = ParseCache(cache_dir, b"k" * 32)
    first = cache.summarise("m.py", [SOURCE], is_notebook=False, on_tree=None)
    path, document = entry(cache_dir, SOURCE)
    document["result"][field] = value
    rewrite_head(cache, path, document)  # authentic, but invalid
    again = ParseCache(cache_dir, b"k" * 32)
    assert again.summarise("m.py", [SOURCE], is_notebook=False, on_tree=None) == first
    assert again.stats.rejected["corrupt"] == 1 and again.stats.hits == 0


def test_an_entry_missing_a_fact_field_is_refused(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    cache = ParseCache(cache_dir, b"k" * 32)
    cache.summarise("m.py", [SOURCE], is_notebook=False, on_tree=None)
    path, document = entry(cache_dir, SOURCE)
    del document["result"]["seed_uses"]  # null means "not computed"; absent is not a valid entry
    rewrite_head(cache, path, document)
    again = ParseCache(cache_dir, b"k" * 32)
    again.summarise("m.py", [SOURCE], is_notebook=False, on_tree=None)
    assert again.stats.rejected["corrupt"] == 1


def test_a_summary_asked_again_before_its_entry_is_written_keeps_its_facts(tmp_path: Path) -> None:
    """Entries are written in batches: a summary evicted from the index and asked for again before
    then is the pending one (with the facts computed so far), not a second parse without them."""
    cache = ParseCache(tmp_path / "cache", b"k" * 32)
    first = cache.summarise_lazily("m.py", [SOURCE], is_notebook=False, on_tree=None)
    first.facts["seed_constants"] = [("seed", 6)]
    again = cache.summarise_lazily("m.py", [SOURCE], is_notebook=False, on_tree=None)
    assert again is first and again.seed_constants == [("seed", 6)]
    assert cache.stats.misses == 1 and cache.stats.stored == 0
    cache.close()
    assert cache.stats.stored == 1
    _, document = entry(tmp_path / "cache", SOURCE)
    assert document["result"]["seed_constants"] == [["seed", 6]]


def test_a_summary_does_not_keep_its_index_alive(tmp_path: Path) -> None:
    """`PythonSummary.source` holds its index weakly: no cycle keeps an index and its caches alive
    after a collection (a portfolio worker or a benchmark runs many in one process)."""
    import gc
    import weakref

    (tmp_path / "m.py").write_text(SOURCE)
    index = RepoIndex(tmp_path)
    summary = index.python("m.py")
    assert summary is not None and summary.seed_constants == [("seed", 6)]
    gone = weakref.ref(index)
    gc.disable()
    try:
        del index
        assert gone() is None  # freed by reference counting alone
    finally:
        gc.enable()
    with pytest.raises(RuntimeError, match="m.py: the index this summary came from is gone"):
        summary.seed_uses
