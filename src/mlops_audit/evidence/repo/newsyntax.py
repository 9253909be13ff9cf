"""Python written for a newer interpreter than the one auditing it.

The collector parses a repository's code with the running interpreter's `ast`. A team on Python
3.12+ writes f-strings that reuse their quotes inside replacement fields (`f"{row["id"]}"`, PEP 701),
`type` aliases and generic parameter lists (`def first[T](xs: list[T]) -> T`, PEP 695), 3.14
template strings (`t"..."`, PEP 750) and unparenthesised `except A, B:` (PEP 758): an older
interpreter refuses the whole file, and every practice in it would go unseen.

`downlevel(code)` rewrites those constructs, and only those, into older syntax that keeps every
line where it was: an f- or t-string the running interpreter cannot parse becomes an empty string
literal (its line breaks kept), a type alias an assignment, a generic parameter list is dropped
(its line breaks kept), an unparenthesised exception list is parenthesised. The caller parses the
result; what was inside a blanked string is not analysed, and the caller says so
(`Rewrite.blanked`). Nothing is executed: this is text in, text out. Pure functions.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

_PREFIX_CHARS = frozenset("rRbBuUfFtT")
_IDENT_CHARS = re.compile(r"[A-Za-z0-9_]")
_OPEN = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True)
class Rewrite:
    code: str
    blanked: int  # f-/t-strings whose contents were blanked (not analysed)
    rewritten: int  # other constructs rewritten (type aliases, generic parameter lists, except lists)


def downlevel(code: str) -> Rewrite | None:
    """Older-syntax text with the same lines, or None when nothing newer was found to rewrite."""
    try:
        code, blanked = _blank_new_fstrings(code)
    except _Unterminated:
        return None  # not newer syntax: simply broken code, left to the caller's syntax error
    code, rewritten = _rewrite_statements(code)
    if not blanked and not rewritten:
        return None
    return Rewrite(code, blanked, rewritten)


def parse_newer(code: str, filename: str) -> tuple[ast.Module, Rewrite] | None:
    """The module parsed after `downlevel`, with what was rewritten; None when that does not help."""
    rewrite = downlevel(code)
    if rewrite is None:
        return None
    try:
        return ast.parse(rewrite.code, filename=filename), rewrite
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


class _Unterminated(Exception):
    pass


def _blank_new_fstrings(code: str) -> tuple[str, int]:
    """Every f-/t-string literal that the running interpreter cannot parse on its own, blanked."""
    out: list[str] = []
    blanked = 0
    i, n, last = 0, len(code), 0
    while i < n:
        ch = code[i]
        if ch == "#":
            end = code.find("\n", i)
            i = n if end < 0 else end
            continue
        if ch in "'\"":
            start = i
            prefix_start = i
            while prefix_start > 0 and code[prefix_start - 1] in _PREFIX_CHARS:
                prefix_start -= 1
            prefix = code[prefix_start:i]
            if prefix and (len(prefix) > 2 or (prefix_start > 0 and _IDENT_CHARS.match(code[prefix_start - 1]))):
                prefix = ""  # `xf"..."`: the letters belong to a name before a plain string
                prefix_start = start
            end = _string_end(code, i, prefix.lower())
            if ("f" in prefix.lower() or "t" in prefix.lower()) and not _parses_alone(code[prefix_start:end]):
                out.append(code[last:prefix_start])
                breaks = code.count("\n", prefix_start, end)
                out.append('""' if not breaks else '"""' + "\n" * breaks + '"""')
                last = end
                blanked += 1
            i = end
            continue
        i += 1
    out.append(code[last:])
    return "".join(out), blanked


def _parses_alone(literal: str) -> bool:
    try:
        ast.parse("(" + literal + ")", mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _string_end(code: str, i: int, prefix: str) -> int:
    """Index just after the string literal whose opening quote is at `i` (PEP 701 rules for f/t)."""
    quote = code[i] * 3 if code.startswith(code[i] * 3, i) else code[i]
    j = i + len(quote)
    formatted = "f" in prefix or "t" in prefix
    n = len(code)
    while j < n:
        ch = code[j]
        if ch == "\\":
            j += 2  # an escaped character; a raw string cannot end on an escaped quote either
            continue
        if code.startswith(quote, j):
            return j + len(quote)
        if ch == "\n" and len(quote) == 1:
            raise _Unterminated
        if formatted and ch == "{":
            if code.startswith("{{", j):
                j += 2
                continue
            j = _field_end(code, j + 1)
            continue
        j += 1
    raise _Unterminated


def _field_end(code: str, j: int) -> int:
    """Index just after the `}` closing a replacement field whose expression starts at `j`."""
    depth = 0
    n = len(code)
    while j < n:
        ch = code[j]
        if ch in "'\"":
            k = j
            while k > 0 and code[k - 1] in _PREFIX_CHARS and j - k < 2:
                k -= 1
            j = _string_end(code, j, code[k:j].lower())
            continue
        if ch == "#":  # a comment inside a multi-line replacement field (3.12)
            end = code.find("\n", j)
            if end < 0:
                raise _Unterminated
            j = end
            continue
        if ch in _OPEN:
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "}":
            if depth == 0:
                return j + 1
            depth -= 1
        elif ch == ":" and depth == 0:
            return _spec_end(code, j + 1)
        j += 1
    raise _Unterminated


def _spec_end(code: str, j: int) -> int:
    """Index just after the `}` ending a format spec (which may hold nested fields)."""
    n = len(code)
    while j < n:
        ch = code[j]
        if ch == "{":
            j = _field_end(code, j + 1)
            continue
        if ch == "}":
            return j + 1
        if ch == "\n":
            raise _Unterminated
        j += 1
    raise _Unterminated


_TYPE_ALIAS = re.compile(r"^([ \t]*)type[ \t]+([A-Za-z_]\w*)[ \t]*(?=[\[=])", re.MULTILINE)
_GENERIC_DEF = re.compile(r"^([ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+[A-Za-z_]\w*)[ \t]*(?=\[)", re.MULTILINE)
_BARE_EXCEPT_LIST = re.compile(r"^([ \t]*except\*?[ \t]+)(?!\()([^:\n#]*,[^:\n#]*?)[ \t]*:", re.MULTILINE)


def _rewrite_statements(code: str) -> tuple[str, int]:
    count = 0

    def each(text: str, pattern: re.Pattern[str], build: Callable[[re.Match[str]], tuple[str, int] | None]) -> str:
        """`text` with each match (up to the end `build` gives) replaced by what `build` gives."""
        nonlocal count
        pieces: list[str] = []
        last = 0
        for m in pattern.finditer(text):
            built = None if m.start() < last else build(m)
            if built is None:
                continue
            pieces.append(text[last:m.start()])
            pieces.append(built[0])
            last = built[1]
            count += 1
        pieces.append(text[last:])
        return "".join(pieces)

    def alias(m: re.Match[str]) -> tuple[str, int] | None:  # `type X[T] = ...` -> `X = ...`
        text, end, breaks = m.string, m.end(), 0
        if text.startswith("[", end):
            close = _matching_bracket(text, end)
            if close is None:
                return None
            breaks, end = text.count("\n", end, close), close
        rest = text[end:].lstrip(" \t")
        if not rest.startswith("=") or rest.startswith("=="):
            return None
        return f"{m.group(1)}{m.group(2)}" + "\n" * breaks + " ", end

    def generic(m: re.Match[str]) -> tuple[str, int] | None:  # `def f[T](` -> `def f(`
        close = _matching_bracket(m.string, m.end())
        return None if close is None else (m.group(1) + "\n" * m.string.count("\n", m.end(), close), close)

    code = each(code, _TYPE_ALIAS, alias)
    code = each(code, _GENERIC_DEF, generic)

    def parenthesise(m: re.Match[str]) -> str:
        nonlocal count
        if " as " in m.group(2):
            return m.group(0)  # `except A, B as e:` is not valid in any version: left alone
        count += 1
        return f"{m.group(1)}({m.group(2)}):"

    code = _BARE_EXCEPT_LIST.sub(parenthesise, code)
    return code, count


def _matching_bracket(text: str, i: int) -> int | None:
    """Index just after the bracket closing the one at `i` (strings were blanked before)."""
    if i >= len(text) or text[i] not in _OPEN:
        return None
    depth = 0
    for j in range(i, min(len(text), i + 10_000)):
        ch = text[j]
        if ch in _OPEN:
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return j + 1
    return None
