"""The call index of a parse-cache entry (line 4, `cacheform.decode_call_index`): a cached summary
answers `calls_to`, `calls_named`, `calls_with_keyword` and `resolved_names` exactly as a fresh
parse does, decodes its calls only when an answer may hold one, and a malformed or mismatched index
is never used: the calls are parsed again and the entry rewritten."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops_audit.evidence.repo import filecache
from mlops_audit.evidence.repo.cacheform import StoredSummary
from mlops_audit.evidence.repo.filecache import ParseCache, content_digest
from mlops_audit.evidence.repo.pysource import summarise

SOURCE = '''
import numpy as np
from sklearn.ensemble import RandomForestClassifier as RF
np.random.seed(0)
model = RF(random_state=42, n_estimators=10)
model.fit(X, y)
def train(config):
    return make(seed=config.seed)
'''
QUERIES = [
    ("calls_to", ("numpy.random",)), ("calls_to", ("numpy",)), ("calls_to", ("torch",)), ("calls_to", ("numpy.random.seed.x",)),
    ("calls_named", ("fit",)), ("calls_named", ("predict",)), ("calls_with_keyword", ("random_state", "seed")),
    ("calls_with_keyword", ("n_jobs",)),
]


def entry_path(cache: ParseCache) -> Path:
    folder, name = cache._name(content_digest([SOURCE], is_notebook=False))
    return cache.root / folder / name


def hit(root: Path) -> tuple[ParseCache, StoredSummary]:
    cache = ParseCache(root, b"k" * 32)
    summary = cache.summarise("a.py", [SOURCE], is_notebook=False, on_tree=None)
    assert isinstance(summary, StoredSummary)
    return cache, summary


@pytest.mark.parametrize(("method", "args"), QUERIES)
def test_a_cached_summary_answers_as_a_fresh_parse_and_decodes_only_when_an_answer_may_hold_a_call(tmp_path: Path, method: str, args: tuple[str, ...]) -> None:
    ParseCache(tmp_path, b"k" * 32).summarise("a.py", [SOURCE], is_notebook=False, on_tree=None)
    fresh = summarise("a.py", [SOURCE])
    _, cached = hit(tmp_path)
    expected = getattr(fresh, method)(*args)
    assert getattr(cached, method)(*args) == expected
    # "None here" comes from the index alone; an answer decodes only its own rows (the row map).
    assert cached.undecoded is not None and len(cached._rows or {}) == len(expected)
    assert cached.calls == fresh.calls and cached.undecoded is None
    assert cached.resolved_names == fresh.resolved_names == ("make", "model.fit", "numpy.random.seed", "sklearn.ensemble.RandomForestClassifier")


def rewrite_index(cache: ParseCache, index: object) -> None:
    path = entry_path(cache)
    lines = path.read_bytes().partition(b"\n")[2].split(b"\n")
    lines[3] = json.dumps(index).encode()
    body = b"\n".join(lines)
    path.write_bytes(filecache._MAGIC + b" " + cache._mac(body).encode() + b"\n" + body)


@pytest.mark.parametrize(
    "index",
    [{"names": []}, [["b", "a"], []], [["a"], [1]], [["a"]], [["a", "a"], []], "x"],
    ids=["not-a-pair", "unsorted", "not-names", "one-part", "repeated", "a-string"],
)
def test_a_malformed_index_is_never_used(tmp_path: Path, index: object) -> None:
    cache = ParseCache(tmp_path, b"k" * 32)
    cache.summarise("a.py", [SOURCE], is_notebook=False, on_tree=None)
    rewrite_index(cache, index)
    warm, cached = hit(tmp_path)
    assert cached.calls_to("torch") == [] and cached.calls_to("numpy") == summarise("a.py", [SOURCE]).calls_to("numpy")
    assert cached.resolved_names == summarise("a.py", [SOURCE]).resolved_names
    assert (warm.stats.hits, warm.stats.misses, warm.stats.rejected["corrupt"], warm.stats.stored) == (0, 1, 1, 1)
    again, cached = hit(tmp_path)  # rewritten with a good index
    assert cached.calls_to("torch") == [] and cached.undecoded is not None and sum(again.stats.rejected.values()) == 0


def test_an_index_that_does_not_match_the_calls_is_caught_when_they_are_decoded(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path, b"k" * 32)
    cache.summarise("a.py", [SOURCE], is_notebook=False, on_tree=None)
    names, keywords = json.loads(entry_path(cache).read_bytes().partition(b"\n")[2].split(b"\n")[3])
    rewrite_index(cache, [sorted([*names, "torch.manual_seed"]), keywords])  # authentic, well formed, wrong
    warm, cached = hit(tmp_path)
    assert cached.calls_to("torch") == []  # decoded (the index allowed a hit), the mismatch found, parsed again
    assert cached.calls == summarise("a.py", [SOURCE]).calls
    assert warm.stats.rejected["corrupt"] == 1 and warm.stats.stored == 1
    assert "torch.manual_seed" not in hit(tmp_path)[1].resolved_names


SEEDED_SOURCES = {
    "no-seed": "import numpy as np\nfrom sklearn.linear_model import LogisticRegression\nmodel = LogisticRegression(C=1.0)\nmodel.fit(np.zeros((2, 2)), [0, 1])\n",
    "torch-generator": "import torch\nfrom torch.utils.data import random_split\nparts = random_split(d, [0.8, 0.2], generator=torch.Generator().manual_seed(1337))\n",
    "random-instance": "import random\nrng = random.Random(42)\nother = random.Random(seed_from_env)\n",
    "imported-random": "from random import Random\nrng = Random(7)\n",
    "other-manual-seed": "import torch\ng = make_generator()\ng.manual_seed(3)\ntorch.Generator().manual_seed(name)\n",
    "keyword-seed": "from sklearn.model_selection import train_test_split\na, b = train_test_split(X, random_state=0)\n",
}


@pytest.mark.parametrize("name", sorted(SEEDED_SOURCES))
def test_the_seeding_rule_answers_from_a_cached_summary_as_from_a_fresh_parse(tmp_path: Path, name: str) -> None:
    from mlops_audit.evidence.repo.detectors.experiments import _seeded

    source = SEEDED_SOURCES[name]
    ParseCache(tmp_path, b"k" * 32).summarise("a.py", [source], is_notebook=False, on_tree=None)
    cached = ParseCache(tmp_path, b"k" * 32).summarise("a.py", [source], is_notebook=False, on_tree=None)
    assert isinstance(cached, StoredSummary) and cached.undecoded is not None
    expected = _seeded(summarise("a.py", [source]))
    assert _seeded(cached) == expected
    # A file with no seeding call, no seeded generator and no seed keyword is answered from the
    # call index alone: its calls stay undecoded (the rule used to read every summary's calls).
    # Since format 8 a file that has such calls decodes only their rows, never all its calls.
    assert cached.undecoded is not None and (len(cached._rows or {}) == 0) == (name == "no-seed")
    assert bool(expected) == (name not in ("no-seed", "other-manual-seed"))
