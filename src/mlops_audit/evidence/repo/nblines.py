"""Where each line of a notebook's code sits in the .ipynb file, so findings in notebooks carry a
real `path:line` (the line of the JSON string holding that code line).

`json` gives no positions, so the raw text is walked token by token: strings, numbers and literals
are matched whole by one regex (C speed: a megabyte of base64 output is one token), and only the
structure is walked in Python. Anything unexpected gives up (None): the finding then has no line,
as before, rather than a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

_TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|[\[\]{}:,]|[^\s\[\]{}:,"]+)', re.DOTALL)


class _GiveUp(Exception):
    pass


def _tokens(text: str) -> Iterator[tuple[str, int]]:
    """(token, line) for every JSON token of `text` (valid JSON: `json` read it already)."""
    line, counted = 1, 0
    count = text.count
    for match in _TOKEN.finditer(text):
        start = match.start(1)
        line += count("\n", counted, start)
        counted = start
        yield match.group(1), line


def _skip(first: str, tokens: Iterator[tuple[str, int]]) -> None:
    """Skip one value whose first token is `first` (iteratively: nesting depth is not a risk)."""
    if first not in ("{", "["):
        return
    depth = 1
    for token, _ in tokens:
        if token in ("{", "["):
            depth += 1
        elif token in ("}", "]"):
            depth -= 1
            if depth == 0:
                return
    raise _GiveUp


def _source_string_lines(tokens: Iterator[tuple[str, int]]) -> list[int]:
    """Lines of the strings of a cell's `source` value (one string, or a list of strings)."""
    token, line = next(tokens)
    if token.startswith('"'):
        return [line]
    if token != "[":
        raise _GiveUp
    lines = []
    for token, line in tokens:
        if token == "]":
            return lines
        if token == ",":
            continue
        if not token.startswith('"'):
            raise _GiveUp
        lines.append(line)
    raise _GiveUp


def _expect(tokens: Iterator[tuple[str, int]], wanted: str) -> None:
    if next(tokens, ("", 0))[0] != wanted:
        raise _GiveUp


def _cells_source_lines(text: str) -> list[list[int] | None]:
    """For each element of the top-level `cells` list, the lines of its source strings."""
    tokens = _tokens(text)
    _expect(tokens, "{")
    for token, _ in tokens:
        if token in (",",):
            continue
        if token == "}":
            break
        _expect(tokens, ":")
        value, _ = next(tokens)
        if token != '"cells"':
            _skip(value, tokens)
            continue
        if value != "[":
            raise _GiveUp
        cells: list[list[int] | None] = []
        for cell_token, _ in tokens:
            if cell_token == "]":
                return cells
            if cell_token == ",":
                continue
            if cell_token != "{":
                _skip(cell_token, tokens)
                cells.append(None)
                continue
            found: list[int] | None = None
            for key, _ in tokens:
                if key == ",":
                    continue
                if key == "}":
                    break
                _expect(tokens, ":")
                if key == '"source"':
                    found = _source_string_lines(tokens)
                else:
                    first, _ = next(tokens)
                    _skip(first, tokens)
            cells.append(found)
        raise _GiveUp
    raise _GiveUp


_SOURCE_KEY = re.compile(r'"source"\s*:\s*')
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_STRING_LIST = re.compile(r'\[(?:\s*"(?:[^"\\]|\\.)*"\s*,?)*\s*\]', re.DOTALL)


def _source_lines_fast(text: str, cells: Sequence[object]) -> list[list[int] | None] | None:
    """The common case, at C speed: one `"source":` key per cell (nbformat requires it), found by a
    search, each value's strings located and counted against the parsed cell. A `source` key
    elsewhere (in metadata, say) makes the counts differ, and the caller walks the structure."""
    keys = [m.end() for m in _SOURCE_KEY.finditer(text)]
    if len(keys) != len(cells):
        return None
    line, counted = 1, 0
    placed: list[list[int] | None] = []
    for position, cell in zip(keys, cells, strict=True):
        source = cell.get("source") if isinstance(cell, dict) else None
        if isinstance(source, str) and text.startswith('"', position):
            starts = [position]
        elif isinstance(source, list) and (whole := _STRING_LIST.match(text, position)) is not None:
            starts = [m.start() for m in _STRING.finditer(text, position, whole.end())]
            if len(starts) != len(source):
                return None
        else:
            return None
        lines = []
        for start in starts:
            line += text.count("\n", counted, start)
            counted = start
            lines.append(line)
        placed.append(lines)
    return placed


def code_line_maps(text: str, cells: Sequence[object]) -> list[tuple[int, ...] | None] | None:
    """For each cell of the parsed notebook `cells`, the file line of each of its code lines (index
    0 for code line 1), or None for a cell whose source could not be placed; None if the file's
    structure is not what the parsed cells say (the caller keeps lines unknown)."""
    placed = _source_lines_fast(text, cells)
    if placed is None:
        try:
            placed = _cells_source_lines(text)
        except (_GiveUp, StopIteration, ValueError):
            return None
    if len(placed) != len(cells):
        return None
    maps: list[tuple[int, ...] | None] = []
    for cell, lines in zip(cells, placed, strict=True):
        source = cell.get("source") if isinstance(cell, dict) else None
        parts = [source] if isinstance(source, str) else source
        if lines is None or not isinstance(parts, list) or len(parts) != len(lines) or not all(isinstance(p, str) for p in parts):
            maps.append(None)
            continue
        # Code line k starts at a character of some string (the code is their concatenation): it
        # sits on that string's line. A string ending in a newline starts a line in the next one.
        per_code_line: list[int] = []
        at_line_start = True
        for part, line in zip(parts, lines, strict=True):
            if part:
                per_code_line.extend([line] * ((1 if at_line_start else 0) + part[:-1].count("\n")))
                at_line_start = part.endswith("\n")
        if at_line_start and per_code_line:
            per_code_line.append(per_code_line[-1])  # the empty line after a final newline
        maps.append(tuple(per_code_line))
    return maps
