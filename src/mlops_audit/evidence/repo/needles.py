"""Needles: the words and phrases of code detectors look for, and a C-speed test of a file's raw
bytes that rejects files which cannot mention any of them (see NeedleFilter)."""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# Bytes that can be part of an identifier, except digits: everything else splits.
_LETTERS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
_TO_PIECES = bytes(c if c in _LETTERS else 0x20 for c in range(256))


@dataclass(frozen=True)
class NeedleFilter:
    """A quick, C-speed necessary condition for `needles_in` on a file's raw bytes.

    Exactness: needles are ASCII, and UTF-8 maps ASCII bytes to the same characters and never
    produces them from other bytes, so the raw bytes contain an ASCII string iff the decoded text
    does. `bytes.translate` + `split` cut the bytes into pieces: maximal runs of letters and
    underscores. Every run of letters in a needle is such a piece wherever `needles_in` finds the
    needle: an identifier needle is a whole token, and a phrase needle (`tune.run`) has
    identifier boundaries at its ends, so its runs are cut off by the needle's own separators
    (dots, spaces, digits) or by the boundary. The filter keeps a file when it has the longest
    run (the key) of any needle. A needle without letters is looked for as a substring.
    """

    pieces: frozenset[bytes]
    others: re.Pattern[bytes] | None
    exact: bool  # False: needles this filter cannot judge (non-ASCII); every file passes
    needles: tuple[str, ...] = ()  # sorted
    by_key: dict[bytes, tuple[str, ...]] = field(default_factory=dict, compare=False)  # key piece -> the needles with it
    keyless: tuple[str, ...] = ()  # needles without letters (looked for by `others`)

    @staticmethod
    def of(needles: Iterable[str]) -> NeedleFilter:
        return _needle_filter(tuple(sorted(set(needles))))

    def may_mention(self, data: bytes) -> bool:
        if not self.exact:
            return True
        if self.pieces and not self.pieces.isdisjoint(self._pieces_held(data)):
            return True
        return self.others is not None and self.others.search(data) is not None

    def _pieces_held(self, data: bytes) -> Iterable[bytes]:
        """Pieces of `data` that can be keys (`self.pieces` intersected with them is the same): with a few
        keys (a rule's own names, `RepoIndex.python_scan` and `importing`), the keys found whole by
        `_whole_piece`; else all of the data's pieces."""
        if len(self.pieces) <= _FEW_KEYS:
            found = []
            for key in self.pieces:
                whole = _whole_piece(data, key)
                if whole is None:
                    return data.translate(_TO_PIECES).split()
                if whole:
                    found.append(key)
            return found
        return data.translate(_TO_PIECES).split()

    def head_may_mention(self, head: bytes) -> bool:
        """True only if `may_mention` is for every data that starts with `head` (a quicker first look
        at a big file): the pieces of `head` but the last, which the cut may have shortened, are
        pieces of the whole."""
        return self.exact and bool(self.pieces) and not self.pieces.isdisjoint(head.translate(_TO_PIECES).split()[:-1])

    def text_may_mention(self, text: str) -> bool:
        return self.may_mention(text.encode("utf-8", "surrogatepass"))

    def candidates(self, data: bytes) -> tuple[str, ...] | None:
        """The needles the file of these raw bytes may mention: those whose key piece is among its
        pieces, and the keyless ones when `others` matches (the argument of the class text holds
        for each needle on its own: a needle `needles_in` finds has its key among the pieces).
        Empty: the file mentions none (`may_mention` is False). None when the filter cannot judge."""
        if not self.exact:
            return None
        found: list[str] = []
        if self.pieces:
            for key in self.pieces.intersection(self._pieces_held(data)):
                found.extend(self.by_key[key])
        if self.others is not None and self.others.search(data) is not None:
            found.extend(self.keyless)
        return tuple(found)

    def mentioned(self, text: str, candidates: tuple[str, ...] | None) -> frozenset[str]:
        """`needles_in(text, self.needles)`, given the `candidates` of the raw bytes `text` was
        decoded from (UTF-8: ASCII bytes are the same characters): each candidate tested exactly."""
        if candidates is None:
            return needles_in(text, self.needles)
        return frozenset(n for n in candidates if _mentions(text, n))


_FEW_KEYS = 4  # a filter of at most this many keys looks for each (`_whole_piece`) instead of cutting the data into pieces
_LETTER_BYTES = frozenset(_LETTERS)
_MAX_OCCURRENCES = 64  # occurrences of a key looked at before the data is cut into pieces after all


def _whole_piece(data: bytes, key: bytes) -> bool | None:
    """Whether `key` (letters and underscores) is one of the pieces of `data`: an occurrence with no
    letter or underscore right before or after it. None after _MAX_OCCURRENCES occurrences that are
    not (the caller cuts the data into pieces then: the work stays linear whatever the data)."""
    at, size, end_of_data = data.find(key), len(key), len(data)
    seen = 0
    while at != -1:
        end = at + size
        if (at == 0 or data[at - 1] not in _LETTER_BYTES) and (end == end_of_data or data[end] not in _LETTER_BYTES):
            return True
        seen += 1
        if seen >= _MAX_OCCURRENCES:
            return None
        at = data.find(key, at + 1)
    return False


NOTEBOOK_HEAD = 1 << 16  # bytes of a notebook's JSON looked at first (`notebook_may_mention`)
_LETTER_RUN = re.compile(r"[A-Za-z_]+")
# In a notebook's JSON: any escape, and the `", "` between adjacent strings of a list.
_JSON_ESCAPE = re.compile(rb"\\(?:u[0-9a-fA-F]{4}|.)", re.DOTALL)
_LONGEST_ESCAPE = 6  # bytes of `\uXXXX`
_JSON_STRING_JOINS = re.compile(rb'"\s*,\s*"')


# Words nearly every Python file has: a needle's key is another of its words when it has one.
_COMMON_WORDS = frozenset(keyword.kwlist) | {"self", "print", "len", "str", "int", "os", "sys"}


def _key_piece(needle: str) -> bytes | None:
    """The word of a needle the filter looks for: the longest that is not a common word."""
    runs = _LETTER_RUN.findall(needle)
    return max(runs, key=lambda run: (run not in _COMMON_WORDS, len(run))).encode() if runs else None


def _trie_pattern(words: Iterable[bytes]) -> bytes:
    """A regex matching any of `words`, shaped as a trie: Python's `re` tries the branches of a
    flat alternation one by one at every position; a trie rejects most positions at one byte."""
    trie: dict[int, Any] = {}
    for word in words:
        node = trie
        for byte in word:
            node = node.setdefault(byte, {})
        node[-1] = {}

    def emit(node: dict[int, Any]) -> bytes:
        branches = [re.escape(bytes([byte])) + emit(child) for byte, child in sorted(node.items()) if byte != -1]
        if not branches:
            return b""
        body = branches[0] if len(branches) == 1 else b"(?:" + b"|".join(branches) + b")"
        return b"(?:" + body + b")?" if -1 in node else body

    return emit(trie)


def any_word(words: Iterable[str]) -> re.Pattern[str]:
    """A pattern finding any of `words` (ASCII, taken literally) wherever one stands: the trie of
    `_trie_pattern`, which `search` answers as it answers the flat alternation of the words (both
    match exactly the words), a few times faster."""
    listed = sorted(set(words))
    if not listed or not all(w.isascii() and w for w in listed):
        raise ValueError(f"any_word: {listed!r} holds an empty word or one beyond ASCII")
    return re.compile(_trie_pattern(w.encode() for w in listed).decode())


@lru_cache(maxsize=64)
def _needle_filter(needles: tuple[str, ...]) -> NeedleFilter:
    if not all(n.isascii() for n in needles):
        return NeedleFilter(frozenset(), None, exact=False, needles=needles)
    keys = {n: _key_piece(n) for n in needles}
    by_key: dict[bytes, list[str]] = {}
    for needle, key in keys.items():
        if key is not None:
            by_key.setdefault(key, []).append(needle)
    others = [n for n, k in keys.items() if k is None]
    return NeedleFilter(
        frozenset(by_key), re.compile(_trie_pattern(n.encode() for n in others)) if others else None, exact=True,
        needles=needles, by_key={k: tuple(v) for k, v in by_key.items()}, keyless=tuple(others),
    )


_IDENTIFIER_CHAR = re.compile(r"[A-Za-z0-9_]")


@lru_cache(maxsize=512)
def _phrase(needle: str) -> re.Pattern[str]:
    """A phrase needle with identifier boundaries where it starts or ends with an identifier character."""
    before = r"(?<![A-Za-z0-9_])" if _IDENTIFIER_CHAR.match(needle[:1]) else ""
    after = r"(?![A-Za-z0-9_])" if _IDENTIFIER_CHAR.match(needle[-1:]) else ""
    return re.compile(before + re.escape(needle) + after)


@lru_cache(maxsize=64)
def _split_needles(needles: frozenset[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    identifiers = frozenset(n for n in needles if _IDENTIFIER.fullmatch(n))
    return identifiers, tuple(sorted(needles - identifiers))


def needles_in(code: str, needles: Iterable[str]) -> frozenset[str]:
    """The needles `code` mentions: identifiers as whole tokens, anything else as a phrase with
    identifier boundaries at its ends (`tune.run` in `tune.run(f)`, not in `autotune.runner`).

    Tokenising once and looking identifiers up in a set is several times faster than a regex
    alternation of every needle or one substring search per needle.
    """
    if not code:
        return frozenset()
    identifiers, phrases = _split_needles(frozenset(needles))
    found = set(_IDENTIFIER.findall(code)) & identifiers if identifiers else set()
    found.update(n for n in phrases if n in code and _phrase(n).search(code))
    return frozenset(found)


_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_DIGITS = frozenset("0123456789")


def _whole_identifier(code: str, name: str) -> bool:
    """Whether `_IDENTIFIER.findall(code)` holds `name` (an identifier), without listing every
    identifier: `findall` takes each maximal run of ASCII letters, digits and `_` from its first
    letter or `_` on, so `name` is one of its tokens where it ends such a run and only digits
    precede it in the run (`9fit` holds the token `fit`, `x9fit` does not)."""
    size = len(code)
    pos = code.find(name)
    while pos != -1:
        end = pos + len(name)
        if end == size or code[end] not in _TOKEN_CHARS:
            start = pos
            while start > 0 and code[start - 1] in _DIGITS:
                start -= 1
            if start == 0 or code[start - 1] not in _TOKEN_CHARS:
                return True
        pos = code.find(name, pos + 1)
    return False


@lru_cache(maxsize=4096)
def _is_identifier(needle: str) -> bool:
    return _IDENTIFIER.fullmatch(needle) is not None


def _mentions(code: str, needle: str) -> bool:
    """`needle in needles_in(code, [needle])`, for one needle."""
    if _is_identifier(needle):
        return _whole_identifier(code, needle)
    return needle in code and _phrase(needle).search(code) is not None


def notebook_may_mention(data: bytes, prefilter: NeedleFilter) -> bool:
    """Whether a notebook's raw JSON can hold code mentioning a needle. Every escape becomes a
    separator (none decodes to a letter, bar a \\u-escaped one). A cell's source is one string (read
    as is) or a list of strings that are concatenated (read with the `", "` between adjacent strings
    removed); a needle's key word lies in one cell, so one of the two readings holds it."""
    if len(data) > NOTEBOOK_HEAD and prefilter.head_may_mention(_JSON_ESCAPE.sub(b" ", data[:NOTEBOOK_HEAD])[:-_LONGEST_ESCAPE]):
        # Most notebooks mention a needle early (imports, the first cells): the rest, outputs
        # included, is not read then. The first bytes' escapes are those of the whole, but for one
        # the cut may have shortened: its bytes (at most the last _LONGEST_ESCAPE) are not looked at.
        return True
    escaped = _JSON_ESCAPE.sub(b" ", data)
    return prefilter.may_mention(escaped) or prefilter.may_mention(_JSON_STRING_JOINS.sub(b"", escaped))
