"""The stored form of a needle pack: one repository's needle answers in one file of the parse cache.

A warm re-collect asks the needle answers (`needleform`) of every plain Python file of the tree: one
entry file per file content, each opened, read, authenticated and decoded (about 380 on the dask
source, most of a warm run's file opens). A pack holds, for one repository, the answers its last
collection asked, so a warm run opens one file for them; an answer the pack lacks (a changed file, a
new needle set) is looked up in its per-content entry as before, and the pack is written again at the
end of a run that found anything new. The per-content entries stay the store of record (shared by
repositories holding the same files): a pack is a copy, never the only place an answer lives.

One pack per repository (`<R>.needlepack.<version>.json` beside the entries), its body one JSON line
(after `filecache`'s HMAC header, which covers the whole pack):

    {"format": 8, "version": V, "parser": "needle-pack", "repository": R, "entries": [[D, [[S, [needle, ...]], ...]], ...]}

- `V` is `needleform.needle_version()`: a changed matcher or tool invalidates every pack;
- `R` (`repository_key`) digests `V` and the repository's resolved root path, and names the file: a
  pack copied under another repository's name is refused (`other_content`);
- each entry is a file content's SHA-256 `D` and its sets, as a needle entry holds them (`S` a
  needle set id, then the set's needles the file mentions, sorted, unique): checked by the same rules
  (`needleform.check_sets`); digests unique and sorted.

Bounded: at most `MAX_PACK_ENTRIES` entries and `MAX_PACK_BYTES` bytes (a larger repository's answers
are not packed: its per-content entries answer). `decode_pack` checks the whole pack by hand before
any answer is used and raises `Refused(reason)` on anything else: a pack is used whole or not at all.
Every answer is then checked against the needle set asked (`needleform.hits_for`), as an entry's is.
"""

from __future__ import annotations

import hashlib
import json

from mlops_audit.evidence.repo.cacheform import FORMAT
from mlops_audit.evidence.repo.needleform import Refused, check_sets, is_digest, load_document, needle_version

PARSER = "needle-pack"
KIND = "needlepack"  # the file kind in the cache folder (`ParseCache._name`)
MAX_PACK_ENTRIES = 50_000  # file contents per pack (the index lists at most MAX_FILES files)
MAX_PACK_BYTES = 32 * 1024 * 1024
_KEYS = frozenset({"format", "version", "parser", "repository", "entries"})


def repository_key(root: str) -> str:
    """The key of a repository's pack: the needle version and its resolved root path."""
    return hashlib.sha256(needle_version().encode() + b"\0" + root.encode("utf-8", "surrogatepass")).hexdigest()


def encode_pack(repository: str, entries: dict[str, dict[str, tuple[str, ...]]]) -> bytes:
    """The body of the pack of `repository` holding `entries` (content digest -> set id -> needles),
    digests sorted, each entry's sets in their order."""
    rows = [[digest, [[s, list(h)] for s, h in entries[digest].items()]] for digest in sorted(entries)]
    document = {"format": FORMAT, "version": needle_version(), "parser": PARSER, "repository": repository, "entries": rows}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def decode_pack(body: bytes, repository: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """The entries of a pack's body (content digest -> set id -> needles), every one checked; raises Refused."""
    document = load_document(body, _KEYS, PARSER, repository=repository)
    rows = document["entries"]
    if type(rows) is not list or len(rows) > MAX_PACK_ENTRIES:
        raise Refused("corrupt")
    entries: dict[str, dict[str, tuple[str, ...]]] = {}
    previous = ""
    for row in rows:
        if type(row) is not list or len(row) != 2 or not is_digest(row[0]) or row[0] <= previous:
            raise Refused("corrupt")  # digests as written: sorted, so each once
        previous = row[0]
        entries[row[0]] = check_sets(row[1])
    return entries
