"""Needle packs (`needlepack`): one repository's needle answers in one authenticated file. A warm run
answers from it without opening the per-content entries; a tampered, truncated, swapped or foreign
pack is ignored, counted and replaced, never trusted, and the answers stay those of a fresh search."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mlops_audit.evidence.repo import filecache, judgememo, needleform, needlepack
from mlops_audit.evidence.repo.filecache import ParseCache
from mlops_audit.evidence.repo.index import RepoIndex

KEY = b"p" * 32
NEEDLES = ("GridSearchCV", "mlflow", "tune.run")
FILES_A = {"a.py": "import mlflow\nfrom ray import tune\ntune.run(f)\n", "b.py": "import os\nprint(os.sep)\n", "c.py": "from sklearn.model_selection import GridSearchCV\n"}
FILES_B = {"x.py": "import mlflow\nmlflow.log_param('a', 1)\n", "y.py": "print('GridSearchCV')\n"}


def make(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def cache_at(tmp_path: Path) -> ParseCache:
    return ParseCache(tmp_path / "c", KEY)


def mentioning(root: Path, cache: ParseCache | None) -> list[str]:
    with RepoIndex(root, needles=NEEDLES, parse_cache=cache) as index:
        found = [s.path for s in index.python_mentioning(*NEEDLES)]
    if cache is not None:
        cache.flush()
    return found


def pack_of(cache: ParseCache, root: Path) -> Path:
    folder, name = cache._name(needlepack.repository_key(str(root.resolve())), needlepack.KIND)
    return cache.root / folder / name


def signed(cache: ParseCache, document: object) -> bytes:
    body = json.dumps(document, separators=(",", ":")).encode()
    return filecache._MAGIC + b" " + cache._mac(body).encode() + b"\n" + body


def entry_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kinds of the needle files each run opens (`ParseCache._read_entry`; summaries and the judgement memo left out)."""
    kinds: list[str] = []
    original = ParseCache._read_entry

    def spy(self: ParseCache, digest: str, kind: str = "python", limit: int = filecache.MAX_ENTRY_BYTES) -> bytes | None:
        if kind not in ("python", judgememo.KIND):
            kinds.append(kind)
        return original(self, digest, kind, limit)

    monkeypatch.setattr(ParseCache, "_read_entry", spy)
    return kinds


def test_a_warm_run_opens_the_pack_and_no_needle_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make(tmp_path / "a", FILES_A)
    expected = mentioning(root, None)
    assert expected == ["a.py", "c.py"]
    cold = cache_at(tmp_path)
    assert mentioning(root, cold) == expected and cold.needle_stats.packs_written == 1 and cold.needle_stats.stored == 3
    kinds = entry_reads(monkeypatch)
    warm = cache_at(tmp_path)
    assert mentioning(root, warm) == expected
    assert kinds == [needlepack.KIND] and warm.needle_stats.from_pack == 3 and warm.needle_stats.hits == 3
    assert warm.needle_stats.packs_written == 0  # nothing new: the pack is not written again
    # A changed file: its answer is searched, the pack written again; the next run opens the pack alone.
    (root / "b.py").write_text("import mlflow\n")
    kinds.clear()
    changed = cache_at(tmp_path)
    assert mentioning(root, changed) == ["a.py", "b.py", "c.py"]
    assert kinds == [needlepack.KIND, "needles"] and changed.needle_stats.misses == 1 and changed.needle_stats.packs_written == 1
    kinds.clear()
    again = cache_at(tmp_path)
    assert mentioning(root, again) == ["a.py", "b.py", "c.py"] and kinds == [needlepack.KIND] and again.needle_stats.from_pack == 3
    document = json.loads(pack_of(again, root).read_bytes().partition(b"\n")[2])
    assert [row[0] for row in document["entries"]] == sorted(row[0] for row in document["entries"])
    assert len(document["entries"]) == 3  # the old b.py's answer is no longer asked: dropped


def test_two_repositories_in_one_cache_have_a_pack_each_and_share_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = make(tmp_path / "a", FILES_A), make(tmp_path / "b", FILES_B)
    cache = cache_at(tmp_path)
    assert mentioning(a, cache) == ["a.py", "c.py"] and mentioning(b, cache) == ["x.py", "y.py"]
    assert cache.needle_stats.packs_written == 2 and pack_of(cache, a).is_file() and pack_of(cache, b).is_file()
    copy = tmp_path / "copy-of-a"
    shutil.copytree(a, copy)  # another repository with the same files: no pack yet, the shared entries answer
    kinds = entry_reads(monkeypatch)
    fresh = cache_at(tmp_path)
    assert mentioning(copy, fresh) == ["a.py", "c.py"] and fresh.needle_stats.hits == 3 and fresh.needle_stats.misses == 0
    assert kinds == [needlepack.KIND, "needles", "needles", "needles"] and fresh.needle_stats.packs_written == 1


def tamper_cases(cache: ParseCache, good: bytes, other_repo_pack: bytes) -> dict[str, tuple[str, bytes]]:
    header, _, body = good.partition(b"\n")
    document = json.loads(body)
    entries = document["entries"]
    other = json.loads(other_repo_pack.partition(b"\n")[2])

    def changed(**fields: object) -> bytes:
        return signed(cache, dict(document, **fields))

    first_set = entries[0][1][0][0]
    swapped_body = json.dumps(dict(document, entries=sorted([*entries[1:], other["entries"][0]])), separators=(",", ":")).encode()
    return {
        "edited": ("unauthenticated", header + b"\n" + body.replace(b"mlflow", b"GridSearchCV")),
        "truncated": ("unauthenticated", good[: len(good) // 2]),
        "no header": ("corrupt", body),
        "empty": ("corrupt", b""),
        # Another repository's authentic pack copied under this one's name.
        "other repository": ("other_content", other_repo_pack),
        # An entry of the other repository's pack moved into this pack (under this pack's MAC: fails it).
        "entry swapped in": ("unauthenticated", header + b"\n" + swapped_body),
        "other version": ("other_version", changed(version="0" * 64)),
        "other format": ("other_version", changed(format=needleform.FORMAT - 1)),
        "not json": ("corrupt", filecache._MAGIC + b" " + cache._mac(b"{]").encode() + b"\n{]"),
        "extra key": ("corrupt", changed(extra=1)),
        "parser": ("corrupt", changed(parser="needles")),
        "repository not hex": ("corrupt", changed(repository="r" * 64)),
        "digest not hex": ("corrupt", changed(entries=[["z" * 64, []]])),
        "digests unsorted": ("corrupt", changed(entries=list(reversed(entries)))),
        "digest twice": ("corrupt", changed(entries=[entries[0], entries[0]])),
        "entry not a pair": ("corrupt", changed(entries=[[entries[0][0]]])),
        "sets not a list": ("corrupt", changed(entries=[[entries[0][0], {"x": 1}]])),
        "too many entries": ("corrupt", changed(entries=[[f"{n:064x}", []] for n in range(needlepack.MAX_PACK_ENTRIES + 1)])),
        "hit not a string": ("corrupt", changed(entries=[[entries[0][0], [[first_set, [1]]]]])),
        # Authentic and well formed, but answering with a needle the set asked does not hold.
        "needle not in the set": ("corrupt", changed(entries=[[e[0], [[s, ["os"]] for s, _ in e[1]]] for e in entries])),
        "oversized": ("too_large", b"x" * (needlepack.MAX_PACK_BYTES + 1)),
    }


CASES = ["edited", "truncated", "no header", "empty", "other repository", "entry swapped in", "other version", "other format", "not json",
         "extra key", "parser", "repository not hex", "digest not hex", "digests unsorted", "digest twice", "entry not a pair",
         "sets not a list", "too many entries", "hit not a string", "needle not in the set", "oversized"]


@pytest.mark.parametrize("case", CASES)
def test_a_tampered_pack_is_ignored_counted_and_replaced(tmp_path: Path, case: str) -> None:
    a, b = make(tmp_path / "a", FILES_A), make(tmp_path / "b", FILES_B)
    expected = mentioning(a, None)
    first = cache_at(tmp_path)
    mentioning(a, first)
    mentioning(b, first)
    cache = cache_at(tmp_path)
    path = pack_of(cache, a)
    reason, data = tamper_cases(cache, path.read_bytes(), pack_of(cache, b).read_bytes())[case]
    path.write_bytes(data)
    fresh = cache_at(tmp_path)
    assert mentioning(a, fresh) == expected  # never the tampered answers
    refused = 3 if case == "needle not in the set" else 1  # then each answer is refused as it is asked
    assert fresh.stats.rejected[reason] == refused and sum(fresh.stats.rejected.values()) == refused
    assert fresh.needle_stats.packs_written == 1  # the pack replaced
    if case == "needle not in the set":  # each answer refused, searched again (and its entry rewritten)
        assert fresh.needle_stats.misses == 3 and fresh.needle_stats.stored == 3
    else:  # refused whole before any answer is used: the per-content entries answer
        assert fresh.needle_stats.from_pack == 0 and fresh.needle_stats.hits == 3
    again = cache_at(tmp_path)
    assert mentioning(a, again) == expected and again.needle_stats.from_pack == 3 and sum(again.stats.rejected.values()) == 0


def test_a_linked_pack_is_not_read_nor_written_through(tmp_path: Path) -> None:
    a = make(tmp_path / "a", FILES_A)
    mentioning(a, cache_at(tmp_path))
    path = pack_of(cache_at(tmp_path), a)
    outside = tmp_path / "outside.json"
    outside.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(outside)
    before = outside.read_bytes()
    fresh = cache_at(tmp_path)
    assert mentioning(a, fresh) == ["a.py", "c.py"]
    assert fresh.stats.rejected["not_regular"] == 1 and fresh.needle_stats.from_pack == 0 and fresh.needle_stats.packs_written == 1
    assert outside.read_bytes() == before and not path.is_symlink()  # the write replaced the link, never followed it
