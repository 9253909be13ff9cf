"""A quick necessary condition for a case-blind search (`re.IGNORECASE`) of a pattern whose every
match holds one of a few ASCII words: substring tests of the lowercased text, far cheaper than the
search itself, which then runs only on the texts that pass.

Exactness: under `re.IGNORECASE`, an ASCII letter of a pattern matches the same letter in either
case and four other characters (`FOLDS_TO_ASCII`: dotted capital I, dotless i, long s, the Kelvin
sign); `str.lower` maps ASCII letters one to one. A text holding none of the four therefore holds a
match's ASCII letters, lowercased, in its lowercased form; a text holding one of them always passes.
"""

from __future__ import annotations

import re

FOLDS_TO_ASCII = ("\u0130", "\u0131", "\u017f", "\u212a")  # İ ı ſ K: match an ASCII letter when case is ignored


def may_hold(text: str, words: tuple[str, ...]) -> bool:
    """False only when no case-blind search can find any of `words` (lowercase ASCII) in `text`."""
    if not text.isascii() and any(c in text for c in FOLDS_TO_ASCII):
        return True
    lowered = text.lower()
    return any(word in lowered for word in words)


class CaseBlind:
    """A case-blind pattern (`re.IGNORECASE`) searched case-sensitively in the lowercased text: the
    same answer, far faster (`sre` tries an alternation of case-blind words at every position, and
    lowercasing is one C pass).

    Exactness: the pattern is ASCII, its letters lowercase, and it names no class by an upper-case
    escape (`\\W`, `\\S`, ... are refused), so under `re.IGNORECASE` each of its letters matches the
    letter in either case or one of `FOLDS_TO_ASCII` (texts holding one are searched as before). For
    every other character, `str.lower` gives one character, a non-ASCII one stays non-ASCII, and word,
    space and digit characters stay what they were (a test enumerates all of Unicode): the lowercased
    text has the same length, its ASCII letters are lowercase where the text had either case, and every
    class (`\\w`, `\\s`, `\\d`, `\\b`, `[a-z]`, `[^\\n]`) holds at the same positions."""

    __slots__ = ("blind", "lowered")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        if not pattern.isascii() or pattern != pattern.lower():
            raise ValueError(f"CaseBlind: {pattern!r} holds an upper-case letter or escape, or a character beyond ASCII")
        self.blind = re.compile(pattern, flags | re.IGNORECASE)
        self.lowered = re.compile(pattern, flags & ~re.IGNORECASE)

    def search(self, text: str) -> bool:
        """Whether `self.blind.search(text)` finds a match."""
        if not text.isascii() and any(c in text for c in FOLDS_TO_ASCII):
            return self.blind.search(text) is not None
        return self.lowered.search(text.lower()) is not None


_LEADING_WORD = re.compile(r"(?:\\b)?([a-z0-9/_-]+)")


class CaseBlindBranches:
    """The case-blind search of the alternation of `branches` (`CaseBlind` of `"|".join(branches)`),
    each branch tried only where its leading word stands in the lowercased text: `sre` tries every
    branch of an alternation at every position, `str.find` skips to the few places a branch can start.

    Exactness: as `CaseBlind` (texts holding a character of `FOLDS_TO_ASCII` are searched as before);
    and each branch is a pattern whose matches all start with its leading word - its literal
    characters after an optional `\\b`, up to the first character that is not a letter, digit, `/`,
    `_` or `-` (refused when none; without the last one when a quantifier follows it). So a branch
    matches somewhere exactly when it matches at an occurrence of its word (`match` at a position
    reads the characters before it for `\\b`, as `search` does)."""

    __slots__ = ("whole", "branches")

    def __init__(self, branches: tuple[str, ...]) -> None:
        self.whole = CaseBlind("|".join(branches))
        self.branches: list[tuple[str, re.Pattern[str]]] = []
        for branch in branches:
            CaseBlind(branch)  # the same refusals, branch by branch
            lead = _LEADING_WORD.match(branch)
            word = lead.group(1) if lead else ""
            if lead and branch[lead.end(): lead.end() + 1] in ("?", "*", "+", "{"):
                word = word[:-1]
            if not word:
                raise ValueError(f"CaseBlindBranches: {branch!r} does not start with a literal word")
            self.branches.append((word, re.compile(branch)))

    def search(self, text: str) -> bool:
        """Whether `self.whole.blind.search(text)` finds a match."""
        if not text.isascii() and any(c in text for c in FOLDS_TO_ASCII):
            return self.whole.blind.search(text) is not None
        lowered = text.lower()
        find = lowered.find
        for word, branch in self.branches:
            at = find(word)
            while at != -1:
                if branch.match(lowered, at) is not None:
                    return True
                at = find(word, at + 1)
        return False
