"""The per-file parse cache: hits and misses, every kind of tampering ignored, the size bound,
concurrent writers, and collection results byte-identical with and without it."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mlops_audit.errors import InputError
from mlops_audit.evidence.repo import filecache
from mlops_audit.evidence.repo.registry import all_detectors
from mlops_audit.evidence.repo.collect import collect
from mlops_audit.evidence.repo.filecache import ParseCache, content_digest, load_key
from mlops_audit.evidence.repo.pysource import summarise
from mlops_audit.util.jsonio import pretty_json

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
KEY = b"k" * 32
TRICKY = '''
import mlflow as mf
from sklearn.model_selection import GridSearchCV
x = {"a": 1, "b": 2}
mf.log_param("p", 1, b"\\x00\\xff", 1.5, None)
mf.set_tag(flag=True, n=-3, z=2j, e=..., f=float("nan"), big=10**30, d={"k": 1}, s="\\ud800".upper(), u="caf\\u00e9")
mf.log_metric(v=1e400, w=-1e400, t=(1, 2), neg=-0.0, huge=100000000000000000000000000000000000000, one=1, yes=True, fl=1.0)

class TestThing:
    def test_one(self):
        assert GridSearchCV

@mf.autolog(disable=False)
def train():
    mf.log_metric("m", 0.5)
'''


def cache_at(root: Path, key: bytes = KEY, **kwargs: object) -> ParseCache:
    return ParseCache(root, key, **kwargs)  # type: ignore[arg-type]


def entry_path(cache: ParseCache, digest: str) -> Path:
    folder, name = cache._name(digest)
    return cache.root / folder / name


def stored(cache: ParseCache, source: str, rel: str = "a.py") -> tuple[str, Path]:
    summary = cache.summarise(rel, [source], is_notebook=False, on_tree=None)
    assert summary == summarise(rel, [source])
    digest = content_digest([source], is_notebook=False)
    return digest, entry_path(cache, digest)


def entry_lines(path: Path) -> tuple[dict, list, list, list, list]:
    """An entry's head document, call rows, decorator rows, call index and row map (its five body lines)."""
    head, calls, decorators, index, rows = path.read_bytes().partition(b"\n")[2].split(b"\n")
    return json.loads(head), json.loads(calls), json.loads(decorators), json.loads(index), json.loads(rows)


def signed(cache: ParseCache, *lines: bytes) -> bytes:
    """An entry file of these body lines, authentic under the cache's key."""
    body = b"\n".join(lines)
    return filecache._MAGIC + b" " + cache._mac(body).encode() + b"\n" + body


def dumps(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def test_round_trip_is_exact_for_tricky_constants_and_the_projects_own_sources(tmp_path: Path) -> None:
    cache = cache_at(tmp_path)
    sources = [TRICKY] + [p.read_text() for p in sorted(Path(filecache.__file__).parent.glob("*.py"))]
    for n, source in enumerate(sources):
        rel = f"m{n}.py"
        first = cache.summarise(rel, [source], is_notebook=False, on_tree=None)
        again = cache.summarise(rel, [source], is_notebook=False, on_tree=None)
        assert first == again == summarise(rel, [source])
        # Constants keep their types (1 is not True, 1.0 is not 1), not only equal values.
        assert [[type(v) for _, v in c.keywords] for c in again.calls] == [[type(v) for _, v in c.keywords] for c in first.calls]
    assert (cache.stats.hits, cache.stats.stored, cache.stats.not_stored) == (len(sources), len(sources), 0)
    assert cache.stats.rejected == dict.fromkeys(filecache.REJECT_REASONS, 0)


def test_notebook_summaries_and_the_path_are_not_part_of_the_entry(tmp_path: Path) -> None:
    cache = cache_at(tmp_path)
    cells = ["import mlflow\n%matplotlib inline", "mlflow.log_metric('a', 1)"]
    first = cache.summarise("a.ipynb", cells, is_notebook=True, on_tree=None)
    other = cache.summarise("copy/b.ipynb", cells, is_notebook=True, on_tree=None)
    assert (cache.stats.misses, cache.stats.hits) == (1, 1)
    assert other == summarise("copy/b.ipynb", cells, is_notebook=True) and other.path == "copy/b.ipynb"
    assert first.calls == other.calls
    # A notebook and a .py file with the same text are different entries.
    assert content_digest(["x"], is_notebook=True) != content_digest(["x"], is_notebook=False)


def test_unstorable_summaries_are_parsed_every_time_not_cached(tmp_path: Path) -> None:
    cache = cache_at(tmp_path)
    for source in ("import mlflow\nmlflow.log_param(x='\\ud800')\n", f"import mlflow\nmlflow.log_param(x=0x{'f' * 4000})\n"):
        # a lone surrogate is not valid UTF-8; an int past Python's digit limit has no JSON form here
        assert cache.summarise("a.py", [source], is_notebook=False, on_tree=None) == summarise("a.py", [source])
    assert cache.stats.not_stored == 2 and cache.stats.stored == 0


EARLIER = "import mlflow\n"  # an earlier version of a.py in the tampering tests


def tamper_cases(cache: ParseCache, digest: str, path: Path, other_digest: str, other_path: Path) -> dict[str, tuple[str, object]]:
    body = path.read_bytes()
    header, _, payload = body.partition(b"\n")
    document, calls, decorators, index, rows = entry_lines(path)
    edited = payload.replace(b"mlflow", b"mlflaw")
    foreign = dict(document, version="0" * 64)
    wrong_type = dict(document, result=dict(document["result"], syntax_errors="none"))
    return {
        "edited": ("unauthenticated", header + b"\n" + edited),
        "truncated": ("unauthenticated", body[: len(body) // 2]),
        "no header": ("corrupt", payload),
        "empty": ("corrupt", b""),
        "other key": ("unauthenticated", cache_at(cache.root, b"x" * 32).entry_bytes(digest, summarise("a.py", ["import mlflow\n"])) or b""),
        # Authentic, but about other content: file B's entry stored under file A's name.
        "swapped": ("other_content", other_path.read_bytes()),
        # Authentic, but replayed: the entry of an earlier version of file A put back under its name.
        "replayed": ("other_content", cache.entry_bytes(content_digest([EARLIER], is_notebook=False), summarise("a.py", [EARLIER])) or b""),
        # Authentic (re-signed with the key), but from another parser version.
        "other version": ("other_version", signed(cache, dumps(foreign), dumps(calls), dumps(decorators), dumps(index), dumps(rows))),
        # Authentic, but not what the model allows.
        "invalid": ("corrupt", signed(cache, dumps(wrong_type), dumps(calls), dumps(decorators), dumps(index), dumps(rows))),
        # Authentic, but not five lines (the row map missing, or a line too many).
        "four lines": ("corrupt", signed(cache, dumps(document), dumps(calls), dumps(decorators), dumps(index))),
        "six lines": ("corrupt", signed(cache, dumps(document), dumps(calls), dumps(decorators), dumps(index), dumps(rows), b"[]")),
        "one line": ("corrupt", signed(cache, dumps(document))),
        "empty body": ("corrupt", signed(cache, b"")),
        "header of three words": ("corrupt", header + b" x\n" + payload),
        "oversized": ("too_large", b"x" * (filecache.MAX_ENTRY_BYTES + 1)),
    }


@pytest.mark.parametrize(
    "case",
    ["edited", "truncated", "no header", "empty", "other key", "swapped", "replayed", "other version", "invalid", "four lines", "six lines", "one line", "empty body",
     "header of three words", "oversized", "link", "folder"],
)
def test_a_tampered_entry_is_ignored_counted_and_replaced(tmp_path: Path, case: str) -> None:
    cache = cache_at(tmp_path / "cache")
    source = "import mlflow\nmlflow.log_param('a', 1)\n"
    digest, path = stored(cache, source)
    other_digest, other_path = stored(cache, "import dvc.api\ndvc.api.open('x')\n", "b.py")
    if case == "link":
        outside = tmp_path / "outside.json"
        outside.write_bytes(path.read_bytes())
        path.unlink()
        path.symlink_to(outside)
        reason = "not_regular"
    elif case == "folder":
        path.unlink()
        path.mkdir()
        reason = "not_regular"
    else:
        reason, data = tamper_cases(cache, digest, path, other_digest, other_path)[case]
        path.write_bytes(data)  # type: ignore[arg-type]
    fresh = cache_at(tmp_path / "cache")
    summary = fresh.summarise("a.py", [source], is_notebook=False, on_tree=None)
    assert summary == summarise("a.py", [source])  # never the tampered content
    assert fresh.stats.hits == 0 and fresh.stats.misses == 1
    assert fresh.stats.rejected[reason] == 1 and sum(fresh.stats.rejected.values()) == 1
    if case not in ("link", "folder"):
        # The bad entry was overwritten by a good one: the next run hits.
        again = cache_at(tmp_path / "cache")
        assert again.summarise("a.py", [source], is_notebook=False, on_tree=None) == summary
        assert again.stats.hits == 1
    if case == "link":
        assert (tmp_path / "outside.json").read_bytes().startswith(filecache._MAGIC)  # never written through


# The per-file facts each format added (see FORMAT in filecache.py): an entry of an older format lacks them.
ADDED_IN_FORMAT = {
    2: ("data_checkers", "grid_loops", "schema_checks", "data_test_asserts", "call_names"),
    3: ("asserting_helpers", "constant_only_tests", "seed_constants", "seed_uses"),
    8: ("helper_calling_tests",),
}


@pytest.mark.parametrize("old_format", [1, 2, 5, 6, 7])
@pytest.mark.parametrize("same_version", [False, True], ids=["older-version", "same-version-string"])
def test_an_authentic_entry_of_an_older_format_is_other_version_not_corrupt(tmp_path: Path, old_format: int, same_version: bool) -> None:
    cache = cache_at(tmp_path)
    source = "import mlflow\nmlflow.log_param('a', 1)\n"
    digest, path = stored(cache, source)
    document, calls, decorators, index, rows = entry_lines(path)
    document["result"].update(calls=calls, decorators=decorators)  # formats up to 5 had one line, calls inside
    document["format"] = old_format
    if not same_version:  # as written by the older tool: its version digest differs too
        document["version"] = "1" * 64
    for fmt, fields in ADDED_IN_FORMAT.items():
        if fmt > old_format:
            for name in fields:
                del document["result"][name]
    body = json.dumps(document, separators=(",", ":")).encode()
    path.write_bytes(filecache._MAGIC + b" " + cache._mac(body).encode() + b"\n" + body)
    fresh = cache_at(tmp_path)
    assert fresh.summarise("a.py", [source], is_notebook=False, on_tree=None) == summarise("a.py", [source])
    assert fresh.stats.hits == 0 and fresh.stats.rejected == dict(dict.fromkeys(filecache.REJECT_REASONS, 0), other_version=1)
    assert cache_at(tmp_path).summarise("a.py", [source], is_notebook=False, on_tree=None) == summarise("a.py", [source])  # replaced


@pytest.mark.parametrize(
    "head",
    [{"format": "2"}, {"format": None}, {"version": 7}, {"format": 2.0}],
    ids=["format-as-text", "format-null", "version-not-text", "format-float"],
)
def test_an_authentic_entry_with_a_malformed_head_is_corrupt(tmp_path: Path, head: dict) -> None:
    cache = cache_at(tmp_path)
    source = "import mlflow\n"
    digest, path = stored(cache, source)
    document, calls, decorators, index, rows = entry_lines(path)
    path.write_bytes(signed(cache, dumps(dict(document, **head)), dumps(calls), dumps(decorators), dumps(index), dumps(rows)))
    fresh = cache_at(tmp_path)
    assert fresh.summarise("a.py", [source], is_notebook=False, on_tree=None) == summarise("a.py", [source])
    assert fresh.stats.rejected["corrupt"] == 1 and fresh.stats.rejected["other_version"] == 0


def test_a_planted_folder_link_is_not_written_through(tmp_path: Path) -> None:
    source = "import mlflow\n"
    digest = content_digest([source], is_notebook=False)
    target = tmp_path / "elsewhere"
    target.mkdir()
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / digest[:2]).symlink_to(target)
    cache = cache_at(tmp_path / "cache")
    assert cache.summarise("a.py", [source], is_notebook=False, on_tree=None) == summarise("a.py", [source])
    assert list(target.iterdir()) == [] and cache.stats.not_stored == 1


def test_prune_keeps_the_folder_under_its_bound_evicting_the_least_recently_used(tmp_path: Path) -> None:
    cache = cache_at(tmp_path)
    paths = []
    for n in range(6):
        _, path = stored(cache, f"import mlflow\nmlflow.log_param('p{n}', {n})\n", f"m{n}.py")
        os.utime(path, (1000.0 + n, 1000.0 + n))
        paths.append(path)
    size = paths[0].stat().st_size
    stale = paths[0].parent / ".x.tmp"
    stale.write_bytes(b"half")
    os.utime(stale, (0.0, 0.0))
    fresh_temp = paths[1].parent / ".y.tmp"  # a writer may still be busy with it
    fresh_temp.write_bytes(b"half")
    planted = paths[2].parent / ("0" * 64 + ".python.x.json")
    planted.symlink_to(tmp_path / "nowhere")
    # A hit makes the oldest entry the most recently used.
    cache.summarise("m0.py", ["import mlflow\nmlflow.log_param('p0', 0)\n"], is_notebook=False, on_tree=None)
    cache.max_bytes = 3 * size + size // 2
    removed, left = cache.prune()
    survivors = [p.exists() for p in paths]
    assert survivors == [True, False, False, False, True, True]
    assert not stale.exists() and fresh_temp.exists() and not planted.is_symlink()
    assert removed == 5 and left <= cache.max_bytes


def _writer(root: str, rounds: int) -> None:
    cache = ParseCache(root, KEY)
    for _ in range(rounds):
        cache.summarise("a.py", ["import mlflow\nmlflow.log_param('a', 1)\n" + "x = 1\n" * 2000], is_notebook=False, on_tree=None)
        # Force a rewrite of the same entry each round.
        digest = content_digest(["import mlflow\nmlflow.log_param('a', 1)\n" + "x = 1\n" * 2000], is_notebook=False)
        cache.put(digest, summarise("a.py", ["import mlflow\nmlflow.log_param('a', 1)\n" + "x = 1\n" * 2000]))


def test_concurrent_writers_of_the_same_entry_leave_one_whole_entry(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_writer, args=(str(tmp_path), 40)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].suffix == ".json"  # no temporary file left behind
    reader = cache_at(tmp_path)
    source = "import mlflow\nmlflow.log_param('a', 1)\n" + "x = 1\n" * 2000
    assert reader.summarise("a.py", [source], is_notebook=False, on_tree=None) == summarise("a.py", [source])
    assert reader.stats.hits == 1


def test_entries_are_deterministic(tmp_path: Path) -> None:
    one = cache_at(tmp_path / "one")
    two = cache_at(tmp_path / "two")
    _, a = stored(one, TRICKY)
    _, b = stored(two, TRICKY, "elsewhere/b.py")
    assert a.read_bytes() == b.read_bytes()


def test_the_key_file_is_made_once_private_and_refused_when_shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    key = load_key()
    path = tmp_path / "state" / "mlops-audit" / "cache.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(key) == 64
    assert load_key() == key
    path.chmod(0o644)
    with pytest.raises(InputError, match="chmod 600"):
        load_key()
    short = tmp_path / "short.key"
    short.write_text("abc")
    short.chmod(0o600)
    with pytest.raises(InputError, match="16 to 4096 bytes"):
        load_key(short)
    with pytest.raises(InputError, match="must not live inside the cache folder"):
        ParseCache.open(tmp_path / "c", tmp_path / "c" / "my.key")


def make_repo(root: Path, files: int) -> Path:
    for n in range(files):
        folder = root / f"pkg{n % 5}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"train_{n}.py").write_text(
            f"import mlflow\nimport numpy as np\nfrom sklearn.model_selection import GridSearchCV\n\n"
            f"def train_{n}(X, y):\n    np.random.seed({n})\n    with mlflow.start_run():\n"
            f"        mlflow.log_metric('score', GridSearchCV(None, {{'C': [1]}}).fit(X, y).best_score_)\n"
        )
    (root / "tests").mkdir()
    (root / "tests" / "test_train.py").write_text("from pkg0.train_0 import train_0\n\ndef test_train():\n    assert train_0\n")
    (root / "nb.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code", "source": ["import mlflow\n", "mlflow.autolog()"]}]}))
    return root


def test_collect_is_byte_identical_with_a_cold_warm_and_tampered_cache(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", 12)
    plain = pretty_json(collect(repo, now=NOW).model_dump(mode="json"))
    cold = cache_at(tmp_path / "cache")
    assert pretty_json(collect(repo, now=NOW, parse_cache=cold).model_dump(mode="json")) == plain
    assert cold.stats.stored > 10 and cold.stats.hits == 0
    warm = cache_at(tmp_path / "cache")  # the summaries' and needles' entries (the rules' stored results: test_rulememo.py)
    assert pretty_json(collect(repo, now=NOW, parse_cache=warm, rule_memo=False).model_dump(mode="json")) == plain
    assert warm.stats.hits == cold.stats.stored and warm.stats.misses == 0
    assert warm.needle_stats.misses == 0 and warm.needle_stats.hits >= 13  # every one of the 13 plain files' needle answers too
    assert warm.needle_stats.from_pack >= 13 and warm.needle_stats.packs_written == 0  # from the repository's pack, unchanged
    needle_entries = sorted((tmp_path / "cache").rglob("*.needles.*.json"))
    packs = sorted((tmp_path / "cache").rglob("*.needlepack.*.json"))
    assert len(packs) == 1
    for entry in sorted((tmp_path / "cache").rglob("*.python.*.json"))[:5] + needle_entries[:3] + packs:
        entry.write_bytes(entry.read_bytes()[:-7] + b"0000000")
    hurt = cache_at(tmp_path / "cache")
    assert pretty_json(collect(repo, now=NOW, parse_cache=hurt, rule_memo=False).model_dump(mode="json")) == plain
    assert hurt.stats.rejected["unauthenticated"] == 5 + 3 + 1 and hurt.stats.hits == cold.stats.stored - 5
    assert hurt.needle_stats.stored == 3  # the refused needle entries were replaced
    assert hurt.needle_stats.from_pack == 0 and hurt.needle_stats.packs_written == 1  # and the refused pack


def test_cli_collect_with_cache_writes_the_same_bytes_and_reports_hits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from mlops_audit.cli import cli

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    repo = make_repo(tmp_path / "repo", 6)
    runner = CliRunner()
    plain = runner.invoke(cli, ["collect", str(repo), "--format", "json", "--out", str(tmp_path / "plain.json")])
    cold = runner.invoke(cli, ["collect", str(repo), "--format", "json", "--out", str(tmp_path / "cold.json"), "--cache", str(tmp_path / "c")])
    warm = runner.invoke(cli, ["collect", str(repo), "--format", "json", "--out", str(tmp_path / "warm.json"), "--cache", str(tmp_path / "c")])
    assert plain.exit_code == cold.exit_code == warm.exit_code == 0, warm.output
    assert (tmp_path / "plain.json").read_bytes() == (tmp_path / "cold.json").read_bytes() == (tmp_path / "warm.json").read_bytes()
    assert "parse cache: 0 hits" in cold.output and "; rules: 0 reused" in cold.output
    # Warm: every rule reused (`rulememo`), so no summary is even read.
    assert f"parse cache: 0 hits, 0 misses, 0 stored; rules: {len(all_detectors())} reused, 0 run" in warm.output
    inside = runner.invoke(cli, ["collect", str(repo), "--cache", str(tmp_path / "c"), "--cache-key-file", str(tmp_path / "c" / "k")])
    assert inside.exit_code == 2 and "must not live inside the cache folder" in inside.output


def test_portfolio_collect_uses_a_cache_and_writes_the_same_folder(tmp_path: Path) -> None:
    from mlops_audit.portfolio.runner import RunOptions, collect_portfolio
    from mlops_audit.portfolio.sources import expand_sources
    from tests.portfolio.estate import folder_bytes, make_service

    estate = tmp_path / "estate"
    for n in range(4):
        make_service(estate / f"svc-{n:02d}", n)
    make_repo(estate / "big", 5)
    specs = expand_sources([estate])
    plain = collect_portfolio(specs, tmp_path / "plain", RunOptions(now=NOW, jobs=2, timeout=30))
    cache = tmp_path / "cached" / "cache"
    cold = collect_portfolio(specs, tmp_path / "cached", RunOptions(now=NOW, jobs=2, timeout=30, cache=cache))
    assert cold.cache is not None and cold.cache.stored == cold.cache.misses > 5 and not cold.cache_unavailable
    # Identical files in different repositories share an entry (the services' train.py files):
    # fewer entries than files parsed. Counted on disk, not as hits: with 2 jobs both workers may
    # parse a shared file before either stored it (seen under load), and then both store it.
    entries = list(cache.glob("*/*.python.*.json"))
    assert cold.cache.hits + cold.cache.misses > len(entries) > 5
    assert folder_bytes(tmp_path / "cached") == folder_bytes(tmp_path / "plain") and plain.cache is None
    warm = collect_portfolio(specs, tmp_path / "cached", RunOptions(now=NOW, jobs=2, timeout=30, cache=cache, force=True))
    assert warm.cache is not None and warm.cache.misses == 0 and warm.cache.stored == 0  # nothing parsed (the rules' results reused)
    assert folder_bytes(tmp_path / "cached") == folder_bytes(tmp_path / "plain")


def test_an_authentic_entry_with_a_malformed_constant_is_corrupt_not_a_crash(tmp_path: Path) -> None:
    cache = cache_at(tmp_path)
    source = "import mlflow\nmlflow.log_param(b'\\x01')\n"
    digest, path = stored(cache, source)
    document, calls, decorators, index, rows = entry_lines(path)
    calls[0][3][0] = {"t": "bytes", "v": "not hex"}
    path.write_bytes(signed(cache, dumps(document), dumps(calls), dumps(decorators), dumps(index), dumps(rows)))
    fresh = cache_at(tmp_path)
    assert fresh.summarise("a.py", [source], is_notebook=False, on_tree=None) == summarise("a.py", [source])
    assert fresh.stats.rejected["corrupt"] == 1 and fresh.stats.hits == 0 and fresh.stats.misses == 1
    # The entry was rewritten with the calls parsed again: the next run hits.
    again = cache_at(tmp_path)
    assert again.summarise("a.py", [source], is_notebook=False, on_tree=None) == summarise("a.py", [source])
    assert again.stats.hits == 1 and sum(again.stats.rejected.values()) == 0


def test_portfolio_cli_caches_in_the_out_folder_unless_told_not_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from mlops_audit.cli import cli

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    make_repo(tmp_path / "estate" / "one", 3)
    runner = CliRunner()
    cached = runner.invoke(cli, ["portfolio", "collect", str(tmp_path / "estate"), "--out", str(tmp_path / "a"), "--jobs", "1"])
    assert cached.exit_code == 0, cached.output
    assert "parse cache: 0 hits, 5 misses, 5 stored" in cached.output and len(list((tmp_path / "a" / "cache").rglob("*.python.*.json"))) == 5
    plain = runner.invoke(cli, ["portfolio", "collect", str(tmp_path / "estate"), "--out", str(tmp_path / "b"), "--jobs", "1", "--no-cache"])
    assert plain.exit_code == 0 and "parse cache" not in plain.output and not (tmp_path / "b" / "cache").exists()
    both = runner.invoke(cli, ["portfolio", "collect", str(tmp_path / "estate"), "--out", str(tmp_path / "c"), "--no-cache", "--cache", str(tmp_path / "x")])
    assert both.exit_code == 2 and "--no-cache with --cache" in both.output
