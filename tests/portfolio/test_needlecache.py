"""Needle entries of the parse cache (`needleform`): the rules' "which files mention X" answers kept
by the raw bytes' digest and the needle set; a changed set never reads an old answer, and every kind
of tampering is ignored, counted and replaced, never trusted."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from mlops_audit.evidence.repo import filecache, needleform, needlepack
from mlops_audit.evidence.repo.filecache import ParseCache
from mlops_audit.evidence.repo.index import RepoIndex

KEY = b"n" * 32
NEEDLES = ("GridSearchCV", "mlflow", "tune.run")
MENTIONS = "import mlflow\nfrom ray import tune\ntune.run(f)\n"


def cache_at(root: Path) -> ParseCache:
    return ParseCache(root, KEY)


def tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir(exist_ok=True)
    (root / "a.py").write_text(MENTIONS)
    (root / "b.py").write_text("import os\nprint(os.sep)\n")
    return root


def drop_packs(cache: ParseCache) -> None:
    """Remove the repositories' needle packs (`needlepack`, tested in test_needlepack.py): the runs
    here answer from the per-content entries, as a repository seen for the first time does."""
    for pack in cache.root.glob(f"*/*.{needlepack.KIND}.*.json"):
        pack.unlink()


def mentioning(root: Path, cache: ParseCache | None, needles: tuple[str, ...] = NEEDLES, *asked: str) -> list[str]:
    with RepoIndex(root, needles=needles, parse_cache=cache) as index:
        found = [s.path for s in index.python_mentioning(*(asked or needles))]
    if cache is not None:
        cache.flush()
        drop_packs(cache)
    return found


def entry_of(cache: ParseCache, data: bytes) -> Path:
    folder, name = cache._name(hashlib.sha256(data).hexdigest(), "needles")
    return cache.root / folder / name


def signed(cache: ParseCache, document: object) -> bytes:
    body = json.dumps(document, separators=(",", ":")).encode()
    return filecache._MAGIC + b" " + cache._mac(body).encode() + b"\n" + body


def test_a_warm_run_answers_from_the_entries_without_searching(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(tmp_path)
    assert mentioning(root, None) == ["a.py"]
    cold = cache_at(tmp_path / "c")
    assert mentioning(root, cold) == ["a.py"]
    assert cold.needle_stats.misses == 2 and cold.needle_stats.stored == 2
    searched: list[str] = []
    original = RepoIndex._mentioned_in
    monkeypatch.setattr(RepoIndex, "_mentioned_in", lambda self, rel, raw, pf: searched.append(rel) or original(self, rel, raw, pf))
    warm = cache_at(tmp_path / "c")
    assert mentioning(root, warm) == ["a.py"]
    assert warm.needle_stats.hits == 2 and warm.needle_stats.misses == 0 and searched == []
    document = json.loads(entry_of(warm, MENTIONS.encode()).read_bytes().partition(b"\n")[2])
    assert document["sets"] == [[needleform.needle_set_id(tuple(sorted(NEEDLES))), ["mlflow", "tune.run"]]]
    # A changed file is searched again (its bytes have another digest).
    (root / "b.py").write_text("import mlflow\n")
    again = cache_at(tmp_path / "c")
    assert mentioning(root, again) == ["a.py", "b.py"] and searched == ["b.py"]


def test_a_changed_needle_set_never_reads_an_old_answer(tmp_path: Path) -> None:
    root = tree(tmp_path)
    mentioning(root, cache_at(tmp_path / "c"))
    # The catalogue gained a needle that b.py mentions: the old set's answers (b.py: none) are not used.
    grown = (*NEEDLES, "print")
    fresh = cache_at(tmp_path / "c")
    assert mentioning(root, fresh, grown, "print") == ["b.py"]
    assert fresh.needle_stats.hits == 0 and fresh.needle_stats.misses == 2
    # Both sets are kept in the entry, each answering for itself.
    both = cache_at(tmp_path / "c")
    assert mentioning(root, both, grown, "print") == ["b.py"] and mentioning(root, both) == ["a.py"]
    assert both.needle_stats.hits == 4 and both.needle_stats.misses == 0


def test_an_entry_keeps_at_most_max_sets_the_newest(tmp_path: Path) -> None:
    root = tree(tmp_path)
    for extra in range(needleform.MAX_SETS + 2):
        mentioning(root, cache_at(tmp_path / "c"), (*NEEDLES, f"word{extra}"), "mlflow")
    cache = cache_at(tmp_path / "c")
    sets = json.loads(entry_of(cache, MENTIONS.encode()).read_bytes().partition(b"\n")[2])["sets"]
    assert len(sets) == needleform.MAX_SETS
    assert sets[-1][0] == needleform.needle_set_id(tuple(sorted((*NEEDLES, f"word{needleform.MAX_SETS + 1}"))))


def tamper_cases(cache: ParseCache, good: bytes, other: bytes) -> dict[str, tuple[str, bytes]]:
    header, _, body = good.partition(b"\n")
    document = json.loads(body)
    set_id = document["sets"][0][0]

    def changed(**fields: object) -> bytes:
        return signed(cache, dict(document, **fields))

    return {
        "edited": ("unauthenticated", header + b"\n" + body.replace(b"mlflow", b"GridSearchCV")),
        "truncated": ("unauthenticated", good[:-9]),
        "no header": ("corrupt", body),
        "empty": ("corrupt", b""),
        "swapped": ("other_content", other),  # an authentic entry of b.py's bytes under a.py's name
        "other version": ("other_version", changed(version="0" * 64)),
        "other format": ("other_version", changed(format=needleform.FORMAT - 1)),
        "not json": ("corrupt", filecache._MAGIC + b" " + cache._mac(b"{]").encode() + b"\n{]"),
        "extra key": ("corrupt", changed(extra=1)),
        "parser": ("corrupt", changed(parser="python")),
        "set id not hex": ("corrupt", changed(sets=[["x" * 64, ["mlflow"]]])),
        "duplicate set": ("corrupt", changed(sets=[[set_id, ["mlflow"]], [set_id, ["mlflow"]]])),
        "too many sets": ("corrupt", changed(sets=[[f"{n:064x}", []] for n in range(needleform.MAX_SETS + 1)])),
        "unsorted hits": ("corrupt", changed(sets=[[set_id, ["tune.run", "mlflow"]]])),
        "hit not a string": ("corrupt", changed(sets=[[set_id, [1]]])),
        "hit too long": ("corrupt", changed(sets=[[set_id, ["m" * (needleform.MAX_NEEDLE_CHARS + 1)]]])),
        # Authentic and well formed, but answering with a needle the set asked does not hold.
        "needle not in the set": ("corrupt", changed(sets=[[set_id, ["mlflow", "os"]]])),
        "oversized": ("too_large", b"x" * (filecache.MAX_ENTRY_BYTES + 1)),
    }


CASES = ["edited", "truncated", "no header", "empty", "swapped", "other version", "other format", "not json", "extra key", "parser",
         "set id not hex", "duplicate set", "too many sets", "unsorted hits", "hit not a string", "hit too long", "needle not in the set", "oversized"]


@pytest.mark.parametrize("case", CASES)
def test_a_tampered_needle_entry_is_ignored_counted_and_replaced(tmp_path: Path, case: str) -> None:
    root = tree(tmp_path)
    mentioning(root, cache_at(tmp_path / "c"))
    cache = cache_at(tmp_path / "c")
    path, other = entry_of(cache, MENTIONS.encode()), entry_of(cache, (root / "b.py").read_bytes())
    reason, data = tamper_cases(cache, path.read_bytes(), other.read_bytes())[case]
    path.write_bytes(data)
    fresh = cache_at(tmp_path / "c")
    assert mentioning(root, fresh) == ["a.py"]  # never the tampered answer
    assert fresh.stats.rejected[reason] == 1 and sum(fresh.stats.rejected.values()) == 1
    assert fresh.needle_stats.hits == 1 and fresh.needle_stats.misses == 1 and fresh.needle_stats.stored == 1
    again = cache_at(tmp_path / "c")  # replaced by a good entry
    assert mentioning(root, again) == ["a.py"] and again.needle_stats.hits == 2 and sum(again.stats.rejected.values()) == 0


def test_a_linked_needle_entry_is_not_read_nor_written_through(tmp_path: Path) -> None:
    root = tree(tmp_path)
    mentioning(root, cache_at(tmp_path / "c"))
    path = entry_of(cache_at(tmp_path / "c"), MENTIONS.encode())
    outside = tmp_path / "outside.json"
    outside.write_bytes(path.read_bytes().replace(b"tune.run", b"GridSearchCV"))
    path.unlink()
    path.symlink_to(outside)
    fresh = cache_at(tmp_path / "c")
    assert mentioning(root, fresh) == ["a.py"]
    assert fresh.stats.rejected["not_regular"] == 1 and fresh.needle_stats.hits == 1
    assert b"GridSearchCV" in outside.read_bytes()  # the write replaced the link, never followed it


def test_notebooks_are_searched_every_time(tmp_path: Path) -> None:
    root = tree(tmp_path)
    (root / "n.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code", "source": ["import mlflow\n"]}]}))
    assert mentioning(root, cache_at(tmp_path / "c")) == ["a.py", "n.ipynb"]
    warm = cache_at(tmp_path / "c")
    assert mentioning(root, warm) == ["a.py", "n.ipynb"] and warm.needle_stats.hits == 2  # the two plain files only
    assert not any(".needles." in p.name for p in (tmp_path / "c").rglob("*") if hashlib.sha256((root / "n.ipynb").read_bytes()).hexdigest() in p.name)


def test_a_text_test_answer_is_kept_by_its_key_and_never_trusted_when_tampered(tmp_path: Path) -> None:
    from mlops_audit.evidence.repo.index import text_test

    root = tree(tmp_path)
    asked: list[int] = []

    def imports_ray(text: str) -> bool:
        asked.append(1)
        return "ray" in text

    def passing(cache: ParseCache | None, *params: object) -> list[str]:
        with RepoIndex(root, needles=NEEDLES, parse_cache=cache) as index:
            found = [s.path for s in index.python_mentioning("mlflow", "tune.run", where=text_test(imports_ray, *params))]
        if cache is not None:
            cache.flush()
            drop_packs(cache)
        return found

    assert passing(None) == ["a.py"] and len(asked) == 1
    assert passing(cache_at(tmp_path / "c")) == ["a.py"] and len(asked) == 2
    warm = cache_at(tmp_path / "c")
    assert passing(warm) == ["a.py"] and len(asked) == 2  # answered from the entry: the test did not run
    assert passing(cache_at(tmp_path / "c"), "other parameters") == ["a.py"] and len(asked) == 3  # another key: asked again
    # An authentic entry answering the test's question with an answer to another question is refused.
    cache = cache_at(tmp_path / "c")
    path = entry_of(cache, MENTIONS.encode())
    document = json.loads(path.read_bytes().partition(b"\n")[2])
    document["sets"] = [[set_id, ["mlflow"] if hits else hits] for set_id, hits in document["sets"]]
    path.write_bytes(signed(cache, document))
    hurt = cache_at(tmp_path / "c")
    assert passing(hurt) == ["a.py"] and len(asked) == 4 and hurt.stats.rejected["corrupt"] == 1


def test_a_text_test_key_names_the_function_its_module_source_and_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    from mlops_audit.evidence.repo import index
    from mlops_audit.evidence.repo.index import TextTest, text_test

    def one(text: str) -> bool:
        return True

    def two(text: str) -> bool:
        return True

    def key(test: object, *params: object) -> str:
        made = text_test(test, *params)  # type: ignore[arg-type]
        assert isinstance(made, TextTest)
        return made.key

    assert key(one) != key(two)
    assert key(one, 1) != key(one, 2) and key(one, 1) == key(one, 1)
    assert hashlib.sha256(Path(__file__).read_bytes()).hexdigest() in key(one)
    with pytest.raises(ValueError, match="pure function"):
        text_test(lambda text: True)
    # Without the module's source (an installation without it) the test is asked every time.
    monkeypatch.setattr(index, "_MODULE_DIGESTS", {})
    monkeypatch.setattr(index.Path, "read_bytes", lambda self: (_ for _ in ()).throw(OSError("gone")))
    assert text_test(one) is one
