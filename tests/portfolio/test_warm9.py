"""Session 9 warm re-collect steps: the unit-tests rule's helper question answered by a per-file fact
(`helper_calling_tests`), so a cached test file's calls are not decoded for it."""

from __future__ import annotations

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
        assert collect(root, parse_cache=warm).model_dump_json() == plain
    finally:
        StoredSummary._decode = original  # type: ignore[method-assign]
    assert warm.stats.hits >= 1 and "tests/test_f.py" not in decoded
