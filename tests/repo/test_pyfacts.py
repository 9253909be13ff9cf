"""Per-file facts for the in-house rules (`pyfacts`): computed while summarising, kept by the parse
cache, and enough for the data-gate rule to find checker functions without any syntax tree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mlops_audit.evidence.repo import filecache
from mlops_audit.evidence.repo import index as index_module
from mlops_audit.evidence.repo.collect import build_index, run_detector
from mlops_audit.evidence.repo.filecache import ParseCache, content_digest
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import FindingOutcome
from mlops_audit.evidence.repo.pysource import summarise
from mlops_audit.evidence.repo.registry import get_detector

CHECKS = '''import pandas as pd


def profile(frame):
    return {"missing": frame.isna().mean().max(), "duplicates": int(frame.duplicated().sum())}


def clean(frame):
    print(frame.isna().sum())
    return frame[frame["amount"].notna()].drop_duplicates()


class Loader:
    def check(self, frame):
        def inner():
            return frame.duplicated().any()
        return frame.isna().any().any() or inner()
'''

PIPELINE = '''from checks import profile


def run(frame):
    report = profile(frame)
    if report["missing"] > 0:
        raise ValueError("missing values")
    return frame


if __name__ == "__main__":  # the gate is reached (a gate nothing calls stops no run)
    run(None)
'''


def test_checker_functions_are_a_fact_of_the_summary() -> None:
    # `profile` checks two value kinds; `clean` measures one and filters; `Loader.check` calls isna
    # and counts the duplicates check of its nested function too; `inner` alone checks one kind.
    summary = summarise("checks.py", [CHECKS])
    assert summary.data_checkers == [("profile", 4), ("check", 14)]
    assert summarise("pipeline.py", [PIPELINE]).data_checkers == []
    # Call names as written (the rules compare them with names as written, aliases unresolved).
    assert summarise("c.py", ["from m import check as c\nc(x)[0]()\nobj.run()\n"]).call_names == ("c", "run")
    # Notebooks carry no such facts (the in-house rules do not read them).
    assert summarise("n.ipynb", [CHECKS], is_notebook=True).data_checkers == []


def test_the_data_gate_rule_finds_checkers_without_syntax_trees(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "checks.py").write_text(CHECKS)
    (tmp_path / "pipeline.py").write_text(PIPELINE)
    # Imports a checker and raises, but never calls it: settled from the summary's call names.
    (tmp_path / "other.py").write_text("from checks import profile\n\n\ndef f(x):\n    if x:\n        raise ValueError(x)\n")
    asked: list[str] = []
    tree = RepoIndex.syntax_tree

    parsed: list[str] = []

    def counting(self: RepoIndex, rel: str):  # type: ignore[no-untyped-def]
        asked.append(rel)
        if self._trees.get(rel) is index_module._MISSING:
            parsed.append(rel)
        return tree(self, rel)

    monkeypatch.setattr(RepoIndex, "syntax_tree", counting)
    evidence = run_detector(get_detector("validates_data"), build_index(tmp_path))
    assert evidence.outcome is FindingOutcome.pass_, evidence.message
    assert {(loc.path, loc.line) for loc in evidence.locations} >= {("pipeline.py", 7), ("checks.py", 4)}
    # Trees are asked for the checkers' file (its facts, computed on first use from the tree its
    # summary parse left in the tree cache) and the gate's file (it has a `raise` and imports a
    # checker), never for `other.py`; and no file is parsed a second time.
    assert asked == ["checks.py", "pipeline.py"]
    assert parsed == []


def test_facts_survive_the_parse_cache_and_old_format_entries_are_ignored(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path, b"k" * 32)
    first = cache.summarise("checks.py", [CHECKS], is_notebook=False, on_tree=None)
    hit = ParseCache(tmp_path, b"k" * 32)
    again = hit.summarise("checks.py", [CHECKS], is_notebook=False, on_tree=None)
    assert hit.stats.hits == 1 and again.data_checkers == first.data_checkers == [("profile", 4), ("check", 14)]

    # An authentic entry of an older format (no facts) is never used: counted as another version, parsed again and replaced.
    digest = content_digest([CHECKS], is_notebook=False)
    folder, name = cache._name(digest)
    path = tmp_path / folder / name
    document = json.loads(path.read_bytes().partition(b"\n")[2].split(b"\n")[0])  # the head line (format 6 on)
    document["format"] = 1
    del document["result"]["data_checkers"]
    body = json.dumps(document, separators=(",", ":")).encode()
    path.write_bytes(filecache._MAGIC + b" " + cache._mac(body).encode() + b"\n" + body)
    old = ParseCache(tmp_path, b"k" * 32)
    assert old.summarise("checks.py", [CHECKS], is_notebook=False, on_tree=None) == first
    assert old.stats.hits == 0 and old.stats.rejected["other_version"] == 1 and old.stats.rejected["corrupt"] == 0
    assert ParseCache(tmp_path, b"k" * 32).summarise("checks.py", [CHECKS], is_notebook=False, on_tree=None) == first


GRID = '''import itertools

from sklearn.metrics import accuracy_score


def search(X, y, model_cls):
    best, best_score = None, -1.0
    for depth, rate in itertools.product([2, 4], [0.1, 0.3]):
        model = model_cls(max_depth=depth, learning_rate=rate).fit(X, y)
        score = accuracy_score(y, model.predict(X))
        if score > best_score:
            best, best_score = (depth, rate), score

    def inner():
        results = [evaluate(p) for p in []]
        for params in grid_points():
            results.append(evaluate(params))
        return max(results)
    return best, inner


def listed(X, y):
    for params in param_grid:  # walks settings, but nothing selects the best
        print(params)
'''


def test_grid_loops_are_a_fact_of_the_summary_once_per_enclosing_function() -> None:
    facts = summarise("grid.py", [GRID]).grid_loops
    # The loop in `inner` is listed for `search` too (it encloses it), as the rule always counted it.
    assert sorted(facts) == [
        (8, ("accuracy_score", "fit", "model_cls", "predict", "product")),
        (16, ("append", "evaluate", "grid_points")),
        (16, ("append", "evaluate", "grid_points")),
    ]
    assert summarise("plain.py", ["for i in range(3):\n    print(i)\n"]).grid_loops == []


@pytest.mark.parametrize(
    ("detector_id", "case"),
    [
        ("tunes_hyperparameters", "pass-grid-loop"),
        ("tunes_hyperparameters", "pass-product-grid-fit-and-score"),
        ("tunes_hyperparameters", "fail-product-grid-never-compared"),
        ("validates_data", "pass-pydantic-row-schema"),
        ("validates_data", "pass-schema-file-columns"),
        ("validates_data", "fail-schema-near-miss"),
        ("validates_data", "pass-data-checks-as-tests"),
        ("validates_data", "fail-tests-of-cleaning-code"),
        ("validates_data", "fail-tests-of-output-in-temp-folder"),
        ("has_unit_tests", "pass"),
        ("has_unit_tests", "pass-asserts-in-helpers"),
        ("has_unit_tests", "fail-constant-asserts"),
        ("has_unit_tests", "fail-helpers-that-only-print"),
        ("has_unit_tests", "fail-tests-detached-from-project"),
        ("is_reproducible", "pass-declared-seed"),
        ("is_reproducible", "pass-declared-seed-in-params-dict"),
        ("is_reproducible", "pass-seed-from-environment-with-default"),
        ("is_reproducible", "pass-seed-read-from-config-key"),
        ("is_reproducible", "fail-seed-not-fixed"),
        ("is_reproducible", "fail-seed-from-environment-without-default"),
    ],
)
def test_in_house_rules_decide_from_facts_without_syntax_trees(detector_id: str, case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(Path(__file__).parent / "fixtures" / detector_id / case, tmp_path / "repo")
    index = build_index(tmp_path / "repo")
    tree = RepoIndex.syntax_tree

    def cached_only(self: RepoIndex, rel: str):  # type: ignore[no-untyped-def]
        # Facts are computed on first use from the tree the summary parse just left in the tree
        # cache: a rule deciding from facts never makes the index parse a file again.
        if self._trees.get(rel) is index_module._MISSING:
            pytest.fail(f"parsed {rel} again for its syntax tree")
        return tree(self, rel)

    monkeypatch.setattr(RepoIndex, "syntax_tree", cached_only)
    evidence = run_detector(get_detector(detector_id), index)
    assert evidence.outcome is FindingOutcome(case.split("-")[0]), evidence.message


TESTS = '''
import pytest

from project.model import train


def verify(result):
    assert result.ok


def helper():
    def nested():
        assert True
    return nested


def test_trivial():
    assert 1 + 1 == 2
    assert True


def test_mixed():
    assert True
    assert train() is not None


def test_through_helper():
    verify(train())
'''

SEEDS = '''
import os

SEED = int(os.getenv("SEED", 42))
OTHER = 3


class Config:
    random_state: int = 7
    name = "x"


def fit(X, y, cfg, random_state=None, seed=SEED):
    rng_seed = cfg.get("rng_seed")
    params = {"random_state": random_state, "n": 3}
    torch.manual_seed(seed)
    np.random.default_rng([rng_seed, 1])
    model = Model(random_state=cfg.global_seed, seed=np.random.randint(9))
    params.setdefault("seed", SEED)
    return model.fit(X, y)
'''


def test_test_and_seed_facts_of_the_summary() -> None:
    tests = summarise("t.py", [TESTS])
    assert tests.asserting_helpers == ("helper", "nested", "verify")  # `helper` holds an assert in a nested function, as before
    assert tests.constant_only_tests == ("test_trivial",)
    seeds = summarise("s.py", [SEEDS])
    assert seeds.seed_constants == [("seed", 4), ("random_state", 9)]
    # `random_state=None` by default is not fixed; `np.random.randint(9)` is not a name.
    assert sorted(seeds.seed_uses) == [(16, "seed"), (17, "rng_seed"), (18, "global_seed"), (19, "seed")]
    # Files without the words are not walked, and notebooks carry no facts.
    assert summarise("p.py", ["def f(x):\n    return x\n"]).seed_uses == []
    assert summarise("n.ipynb", [TESTS], is_notebook=True).constant_only_tests == ()
    # A file without test functions is not walked for the unit-tests rule (it reads none of it).
    assert summarise("lib.py", ["def verify(x):\n    assert x\n"]).asserting_helpers == ()
