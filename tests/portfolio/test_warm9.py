"""Session 9 warm re-collect steps: the unit-tests rule's helper question answered by a per-file fact
(`helper_calling_tests`), so a cached test file's calls are not decoded for it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops_audit.evidence.repo.cacheform import StoredSummary
from mlops_audit.evidence.repo.filecache import ParseCache
from mlops_audit.evidence.repo.pysource import summarise

KEY = b"w" * 32

HELPER_SOURCES = {
    "helper-called": "def check(x):\n    assert x\n\ndef test_a():\n    check(1)\n\ndef test_b():\n    pass\n",
    "helper-by-attribute": "def check(x):\n    assert x\n\ndef test_a():\n    mod.check(2)\n",
    "method-in-class": "class T:\n    def _ok(self, v):\n        assert v\n    def test_a(self):\n        self._ok(2)\n    def test_b(self):\n        self.other(2)\n",
    "helper-at-module-level-only": "def check(x):\n    assert x\n\ncheck(1)\n\ndef test_a():\n    print(1)\n",
    "no-helper": "def test_a():\n    run(1)\n\ndef test_b():\n    assert run(2)\n",
    "no-tests": "def check(x):\n    assert x\n\ncheck(3)\n",
    "nested-scope": "def check(x):\n    assert x\n\ndef test_a():\n    def inner():\n        check(1)\n    inner()\n",
}


def old_question(summary, test_name: str) -> bool:  # type: ignore[no-untyped-def]
    """The unit-tests rule's condition before the fact: some call in the test names an asserting helper."""
    helpers = set(summary.asserting_helpers)
    return bool(helpers) and bool({c.name.rsplit(".", 1)[-1] for c in summary.calls if c.scope == test_name} & helpers)


@pytest.mark.parametrize("name", sorted(HELPER_SOURCES))
def test_helper_calling_tests_answers_the_rules_old_question_fresh_and_cached(tmp_path: Path, name: str) -> None:
    source = HELPER_SOURCES[name]
    fresh = summarise("test_a.py", [source])
    scopes = {c.scope for c in fresh.calls if c.scope} | {t.name for t in fresh.tests} | {"test_zzz"}
    for scope in scopes:
        assert (scope in fresh.helper_calling_tests) == old_question(fresh, scope)
    ParseCache(tmp_path, KEY).summarise("test_a.py", [source], is_notebook=False, on_tree=None)
    cached = ParseCache(tmp_path, KEY).summarise("test_a.py", [source], is_notebook=False, on_tree=None)
    assert isinstance(cached, StoredSummary) and cached.undecoded is not None
    assert cached.helper_calling_tests == fresh.helper_calling_tests and cached.asserting_helpers == fresh.asserting_helpers
    assert cached.undecoded is not None  # answered from the stored fact: the calls were not decoded
    assert bool(fresh.helper_calling_tests) == (name in ("helper-called", "helper-by-attribute", "nested-scope"))


def test_the_unit_tests_rule_leaves_a_cached_test_files_calls_undecoded(tmp_path: Path) -> None:
    from mlops_audit.evidence.repo.collect import collect

    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("def f(x):\n    return x\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_f.py").write_text("from pkg import f\n\ndef check(v):\n    assert f(v) == v\n\ndef test_one():\n    check(1)\n\ndef test_two():\n    f(2)\n")
    decoded: list[str] = []
    original = StoredSummary._decode

    def spy(self: StoredSummary) -> None:
        decoded.append(self.path)
        original(self)

    plain = collect(root).model_dump_json()
    cold = ParseCache(tmp_path / "c", KEY)
    assert collect(root, parse_cache=cold).model_dump_json() == plain
    cold.close()
    StoredSummary._decode = spy  # type: ignore[method-assign]
    try:
        warm = ParseCache(tmp_path / "c", KEY)
        assert collect(root, parse_cache=warm, rule_memo=False).model_dump_json() == plain  # the summaries, not the rules' stored results
    finally:
        StoredSummary._decode = original  # type: ignore[method-assign]
    assert warm.stats.hits >= 1 and "tests/test_f.py" not in decoded


# ---------------------------------------------------------------- the row map (line 5 of an entry)

ROWS_SOURCE = '''
import numpy as np
import mlflow
from sklearn.model_selection import train_test_split as tts
np.random.seed(0)
a, b = tts(X, y, random_state=0, shuffle=True)
c, d = tts(X, y, test_size=0.2)
mlflow.log_param("k", "caf\\u00e9 \\u2603")
mlflow.log_metric("m", 1.5, step=2)
for i in range(3):
    mlflow.log_metric("m", i, step=i)
def train(seed=1):
    return make(seed=seed, random_state=None)
'''
ROW_QUERIES = [
    ("calls_to", ("mlflow",)), ("calls_to", ("mlflow.log_metric", "numpy")), ("calls_to", ("sklearn",)), ("calls_to", ("torch",)),
    ("calls_named", ("log_metric", "seed")), ("calls_named", ("make",)), ("calls_with_keyword", ("random_state",)),
    ("calls_with_keyword", ("step", "seed")), ("calls_with_keyword", ("n_jobs",)),
]


def rows_entry(root: Path) -> Path:
    from mlops_audit.evidence.repo.filecache import content_digest

    cache = ParseCache(root, KEY)
    cache.summarise("a.py", [ROWS_SOURCE], is_notebook=False, on_tree=None)
    folder, name = cache._name(content_digest([ROWS_SOURCE], is_notebook=False))
    return root / folder / name


def cached_rows_summary(root: Path) -> tuple[ParseCache, StoredSummary]:
    cache = ParseCache(root, KEY)
    summary = cache.summarise("a.py", [ROWS_SOURCE], is_notebook=False, on_tree=None)
    assert isinstance(summary, StoredSummary)
    return cache, summary


@pytest.mark.parametrize(("method", "args"), ROW_QUERIES)
def test_a_query_decodes_only_its_rows_and_answers_as_a_fresh_parse(tmp_path: Path, method: str, args: tuple[str, ...]) -> None:
    rows_entry(tmp_path)
    fresh = summarise("a.py", [ROWS_SOURCE])
    _, cached = cached_rows_summary(tmp_path)
    expected = getattr(fresh, method)(*args)
    assert getattr(cached, method)(*args) == expected and getattr(cached, method)(*args) == expected  # asked twice: rows kept
    assert cached.undecoded is not None and len(cached._rows or {}) == len(expected) < len(fresh.calls)
    # Every query in turn on one summary, then all the calls: the same as a fresh parse.
    for other, other_args in ROW_QUERIES:
        assert getattr(cached, other)(*other_args) == getattr(fresh, other)(*other_args)
    assert cached.calls == fresh.calls and cached.decorators == fresh.decorators and cached.undecoded is None


def rewrite_rows(path: Path, rows: object) -> None:
    from mlops_audit.evidence.repo import filecache

    lines = path.read_bytes().partition(b"\n")[2].split(b"\n")
    lines[4] = json.dumps(rows).encode()
    body = b"\n".join(lines)
    path.write_bytes(filecache._MAGIC + b" " + ParseCache(path.parent.parent, KEY)._mac(body).encode() + b"\n" + body)


def row_map_cases(good: list) -> dict[str, object]:  # type: ignore[type-arg]
    by_name, by_keyword, offsets = good
    return {
        "not-three": [by_name, by_keyword],
        "a-string": "x",
        "names-short": [by_name[:-1], by_keyword, offsets],
        "offsets-unordered": [by_name, by_keyword, list(reversed(offsets))],
        "offset-outside": [by_name, by_keyword, [*offsets[:-1], 10**6]],
        "first-offset-not-1": [by_name, by_keyword, [2, *offsets[1:]]],
        "row-out-of-range": [[[len(offsets)] for _ in by_name], by_keyword, offsets],
        "row-list-empty": [[[] for _ in by_name], by_keyword, offsets],
        "row-not-int": [[[True] for _ in by_name], by_keyword, offsets],
        # Authentic and well formed, but wrong: every name lists row 0, every keyword the last row.
        "rows-swapped": [[[0] for _ in by_name], [[len(offsets) - 1] for _ in by_keyword], offsets],
        # Offsets shifted by one: each slice is not one row.
        "offsets-shifted": [by_name, by_keyword, [1, *(o + 1 for o in offsets[1:])]],
    }


@pytest.mark.parametrize("case", ["not-three", "a-string", "names-short", "offsets-unordered", "offset-outside", "first-offset-not-1",
                                  "row-out-of-range", "row-list-empty", "row-not-int", "rows-swapped", "offsets-shifted"])
def test_a_malformed_or_wrong_row_map_is_never_used(tmp_path: Path, case: str) -> None:
    path = rows_entry(tmp_path)
    good = json.loads(path.read_bytes().partition(b"\n")[2].split(b"\n")[4])
    rewrite_rows(path, row_map_cases(good)[case])
    fresh = summarise("a.py", [ROWS_SOURCE])
    cache, cached = cached_rows_summary(tmp_path)
    assert cached.calls_to("mlflow.log_metric") == fresh.calls_to("mlflow.log_metric")  # parsed again, not the map's rows
    assert cached.calls_with_keyword("random_state") == fresh.calls_with_keyword("random_state")
    assert cached.undecoded is None and cache.stats.rejected["corrupt"] == 1 and cache.stats.stored == 1
    _, again = cached_rows_summary(tmp_path)  # the entry was rewritten with a good row map
    assert again.calls_to("mlflow.log_metric") == fresh.calls_to("mlflow.log_metric") and again.undecoded is not None


def test_decorators_are_decoded_alone_and_a_bad_decorator_line_is_parsed_again(tmp_path: Path) -> None:
    source = "import mlflow\nfrom airflow.decorators import dag\n@dag(schedule='@daily')\ndef pipeline():\n    mlflow.log_param('a', 1)\n"
    fresh = summarise("a.py", [source])
    ParseCache(tmp_path, KEY).summarise("a.py", [source], is_notebook=False, on_tree=None)
    cached = ParseCache(tmp_path, KEY).summarise("a.py", [source], is_notebook=False, on_tree=None)
    assert isinstance(cached, StoredSummary)
    assert cached.decorated_by("airflow.decorators.dag") == fresh.decorated_by("airflow.decorators.dag") != []
    assert cached.undecoded is not None  # the calls were not decoded for it
    assert cached.calls == fresh.calls and cached.decorators == fresh.decorators and cached.undecoded is None
    # An authentic decorator line that fails its check: everything is parsed again, the entry rewritten.
    from mlops_audit.evidence.repo import filecache
    from mlops_audit.evidence.repo.filecache import content_digest

    cache = ParseCache(tmp_path, KEY)
    folder, name = cache._name(content_digest([source], is_notebook=False))
    path = tmp_path / folder / name
    lines = path.read_bytes().partition(b"\n")[2].split(b"\n")
    lines[2] = b'[["airflow.decorators.dag","one",[],[],null]]'
    body = b"\n".join(lines)
    path.write_bytes(filecache._MAGIC + b" " + cache._mac(body).encode() + b"\n" + body)
    hurt = ParseCache(tmp_path, KEY)
    again = hurt.summarise("a.py", [source], is_notebook=False, on_tree=None)
    assert again.decorated_by("airflow.decorators.dag") == fresh.decorated_by("airflow.decorators.dag")
    assert again.calls == fresh.calls and hurt.stats.rejected["corrupt"] == 1 and hurt.stats.stored == 1
