"""The stored form of a needle entry of the parse cache: which needles a file's code mentions.

The rules' "which files mention X" scans (`RepoIndex._code_mentions`: the declared needles of every
registered detector, and the identifiers a rule learns during the scan, `python_scan`) are a pure
function of a plain Python file's raw bytes and of the needle set: `needles_in` on the decoded text,
settled first on the raw bytes (`NeedleFilter`). A warm re-collect then needs no decoding and no
search of a file whose bytes it has seen: the answer is kept under the SHA-256 of the raw bytes.

One entry per file content (`<raw sha256>.needles.<version>.json` beside the summaries), its body
one JSON line (after `filecache`'s HMAC header):

    {"format": 7, "version": V, "parser": "needles", "content_sha256": D, "sets": [[S, [needle, ...]], ...]}

- `V` (`needle_version`) digests the parser version (`filecache.parser_version`: format, tool and
  Python versions) with the source of `needles.py` and `index.py` (how a file is read, decoded and
  searched): a changed matcher invalidates every entry;
- `S` (`needle_set_id`) is the SHA-256 of `V` and the sorted needle set itself, so a changed
  catalogue (a needle added or removed) asks for another set and never reads an old answer;
- each set's needles are the ones the file mentions, sorted, unique, each one of the set asked.

Bounded: at most `MAX_SETS` sets per entry (the oldest dropped on a write), `MAX_HITS` needles per
set, `MAX_NEEDLE_CHARS` characters per needle. `decode_entry` checks the whole shape by hand and
raises `Refused(reason)` for anything else; `hits_for` checks a set's needles against the set asked
(a needle not in it: the entry is corrupt). Never trusted beyond that: a refused entry is a miss.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from mlops_audit.evidence.repo.cacheform import FORMAT

PARSER = "needles"
MAX_SETS = 32  # needle sets per entry: the declared set, the identifiers rules learn (`python_scan`), the rules' cached text tests (`index.text_test`), older versions of these
MAX_HITS = 4096
MAX_NEEDLE_CHARS = 256
_DIGEST = re.compile(r"[0-9a-f]{64}")  # a SHA-256 hex digest, as written
_KEYS = frozenset({"format", "version", "parser", "content_sha256", "sets"})


class Refused(Exception):
    """An entry that is not used; `reason` is one of `filecache.REJECT_REASONS`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@cache
def needle_version() -> str:
    """What a stored needle answer depends on besides the file and the needle set."""
    from mlops_audit.evidence.repo import index, needles
    from mlops_audit.evidence.repo.filecache import parser_version

    source = b"".join(Path(module.__file__).read_bytes() for module in (needles, index))  # type: ignore[arg-type]
    return hashlib.sha256(f"{parser_version()} needles={hashlib.sha256(source).hexdigest()}".encode()).hexdigest()


@lru_cache(maxsize=256)
def needle_set_id(needles: tuple[str, ...]) -> str:
    """The key of a needle set (sorted, as `NeedleFilter.needles` holds it) within an entry."""
    digest = hashlib.sha256(needle_version().encode() + b"\0")
    for needle in needles:
        data = needle.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(4, "big"))
        digest.update(data)
    return digest.hexdigest()


def is_digest(value: object) -> bool:
    return type(value) is str and _DIGEST.fullmatch(value) is not None


def encode_entry(digest: str, sets: dict[str, tuple[str, ...]]) -> bytes:
    """The body of an entry holding `sets` (set id -> needles mentioned), in insertion order, the
    newest `MAX_SETS` kept."""
    kept = list(sets.items())[-MAX_SETS:]
    document = {"format": FORMAT, "version": needle_version(), "parser": PARSER, "content_sha256": digest, "sets": [[s, list(h)] for s, h in kept]}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def _refuse_constant(value: str) -> None:
    raise ValueError(f"JSON constant {value}")


def decode_entry(body: bytes, digest: str) -> dict[str, tuple[str, ...]]:
    """The sets of an entry's body (set id -> needles), checked; raises Refused."""
    document = load_document(body, _KEYS, PARSER)
    if document["content_sha256"] != digest:
        raise Refused("other_content")
    return check_sets(document["sets"])


def load_document(body: bytes, keys: frozenset[str], parser: str, *, form: tuple[int, str] | None = None, repository: str | None = None) -> dict[str, Any]:
    """The JSON object of an entry's (or a pack's, `needlepack`, or a rule memo's, `rulememo`) body
    with exactly `keys`, of this format and needle version (or of `form`: (format, version)), made by
    `parser`, naming `repository` when given; raises Refused (`other_version` when a well-formed head
    names another format or version, `other_content` when it names another repository)."""
    expected_format, expected_version = form if form is not None else (FORMAT, needle_version())
    try:
        document = json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise Refused("corrupt") from None
    if type(document) is not dict:
        raise Refused("corrupt")
    if type(document.get("format")) is int and type(document.get("version")) is str and (
        document["format"] != expected_format or document["version"] != expected_version
    ):
        raise Refused("other_version")
    if set(document) != keys or document["format"] != expected_format or type(document["version"]) is not str or document["parser"] != parser:
        raise Refused("corrupt")
    if repository is not None:
        if not is_digest(document["repository"]):
            raise Refused("corrupt")
        if document["repository"] != repository:
            raise Refused("other_content")
    return document


def check_sets(rows: object) -> dict[str, tuple[str, ...]]:
    """The sets of an entry (or of a pack's entry, `needlepack`): `[[set id, [needle, ...]], ...]`,
    at most MAX_SETS, ids unique, needles bounded, sorted and unique; raises Refused."""
    if type(rows) is not list or len(rows) > MAX_SETS:
        raise Refused("corrupt")
    sets: dict[str, tuple[str, ...]] = {}
    for row in rows:
        if type(row) is not list or len(row) != 2 or not is_digest(row[0]) or row[0] in sets or type(row[1]) is not list:
            raise Refused("corrupt")
        hits = row[1]
        if hits and not _needles_ok(hits):
            raise Refused("corrupt")
        sets[row[0]] = tuple(hits)
    return sets


def _needles_ok(hits: list[Any]) -> bool:
    """At most MAX_HITS strings of 1 to MAX_NEEDLE_CHARS characters, sorted and unique (as written)."""
    if len(hits) > MAX_HITS or not all(type(h) is str and 0 < len(h) <= MAX_NEEDLE_CHARS for h in hits):
        return False
    return all(a < b for a, b in zip(hits, hits[1:]))


def hits_for(stored: tuple[str, ...], needles: Any) -> frozenset[str]:
    """A set's stored needles as the answer for `needles` (a container of the set asked); raises
    Refused when one is not in it (authentic, but not an answer to this set)."""
    for needle in stored:
        if needle not in needles:
            raise Refused("corrupt")
    return frozenset(stored)
