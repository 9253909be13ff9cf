"""A quick necessary condition for a case-blind search (`re.IGNORECASE`) of a pattern whose every
match holds one of a few ASCII words: substring tests of the lowercased text, far cheaper than the
search itself, which then runs only on the texts that pass.

Exactness: under `re.IGNORECASE`, an ASCII letter of a pattern matches the same letter in either
case and four other characters (`FOLDS_TO_ASCII`: dotted capital I, dotless i, long s, the Kelvin
sign); `str.lower` maps ASCII letters one to one. A text holding none of the four therefore holds a
match's ASCII letters, lowercased, in its lowercased form; a text holding one of them always passes.
"""

from __future__ import annotations

FOLDS_TO_ASCII = ("\u0130", "\u0131", "\u017f", "\u212a")  # İ ı ſ K: match an ASCII letter when case is ignored


def may_hold(text: str, words: tuple[str, ...]) -> bool:
    """False only when no case-blind search can find any of `words` (lowercase ASCII) in `text`."""
    if not text.isascii() and any(c in text for c in FOLDS_TO_ASCII):
        return True
    lowered = text.lower()
    return any(word in lowered for word in words)
