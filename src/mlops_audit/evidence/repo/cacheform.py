"""The stored form of a parse-cache entry: how a `PythonSummary` is written and read back.

An entry's body (after the HMAC header line `filecache` writes and checks) is five lines:

1. the head: `{format, version, parser, content_sha256, result}` as JSON, where `result` is the
   summary without its calls and decorators (`SummaryHead`, validated by pydantic on every hit);
2. the calls, 3. the decorators: each a JSON array of call rows
   `[name, line|null, [[keyword, const], ...], [const, ...], scope|null]` (`CallRow`);
4. the call index: `[[name, ...], [keyword, ...]]`, the calls' resolved names and the keyword names
   they pass, each sorted and once (`decode_call_index`);
5. the row map: `[[rows, ...], [rows, ...], [offset, ...]]`, for each name and each keyword of the
   index (in its order) the rows of the calls holding it, and where each row starts in line 2
   (`decode_row_map`).

Compact JSON never holds a raw newline (one inside a string is escaped), so the lines split
exactly. The calls are most of an entry (about 90 % of the bytes of a real package's entries) and
most hits never read them: a warm re-collect of the dask source reads the calls of 32 of the 164
summaries it loads. So a hit keeps its two call lines as bytes and a `StoredSummary` decodes and
checks them when a rule first reads `calls` or `decorators` (`decode_call_rows`: the same types as
`CallRow`, checked by hand in one pass that also builds the `Call`s, about 4x cheaper than pydantic
on these rows; tested to accept exactly what `CallRow` accepts). A line that fails the check
(possible only for an entry authentic under the key, i.e. written by a holder of the key) is
never used: the summary's calls are parsed again from the file's sources and the entry rewritten.

Even a rule that reads the calls mostly asks for a few names (`calls_to`, `calls_with_keyword`,
whether any call's name matches a pattern): the call index answers "none here" without decoding
the calls (the dask warm re-collect decoded 34 summaries' calls, 21 of them only for the seeding
rule's keywords). The index is checked when first read and against the calls when they are decoded
(a mismatch: the calls are parsed again, the entry rewritten); like the head's facts, it is trusted
once authentic and well formed. When a name does match, the row map gives the rows to decode, and
only those are (format 8: the seeding rule decoded the calls of every file passing `random_state`
or `seed` for a few rows; a warm dask re-collect now decodes the calls of 2 summaries). Each row
decoded is checked as `CallRow` and against the name or keyword it is listed under; a map that
fails (malformed, or listing a row where it does not belong) is never used. A map that leaves a
row out cannot be told from a right one without decoding every call: like the index, it is trusted
once authentic and well formed.

Constants JSON has no exact form for (bytes, complex, `...`, non-finite floats, the
`{"__dict_size__": n}` marker `pysource` gives a dict literal) are tagged; a summary holding a value
with no exact form is not stored (`Unstorable`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictBool, StrictFloat, StrictInt, StrictStr

from mlops_audit.evidence.repo.pysource import FACTS, Call, PythonSummary, TestFunction, _under, call_index

FORMAT = 9  # 2: summaries carry the in-house rules' per-file facts (`data_checkers`, `grid_loops`, `schema_checks`, `data_test_asserts`, `call_names`); 3: also `asserting_helpers`, `constant_only_tests`, `seed_constants`, `seed_uses`; 4: a fact no rule asked for is null (computed on first use, then stored); 5: also `unread_strings` (newer-Python f-strings blanked to parse); 6: three lines (head, calls, decorators), the calls decoded on first use; 7: needle entries beside the summaries (`needleform`), and a fourth line, the call index; 8: the fact `helper_calling_tests`, and a needle pack per repository (`needlepack`); 9: a rule memo per repository (`rulememo`)
LINES = 5  # head, calls, decorators, call index, row map


class Unstorable(Exception):
    """A summary holding a value the stored form cannot give back exactly: it is not cached."""


class Tagged(BaseModel):
    """A constant JSON has no form for: bytes (hex), complex, Ellipsis, a non-finite float, the
    `{"__dict_size__": n}` marker `pysource` gives a dict literal."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    t: Literal["bytes", "complex", "ellipsis", "float", "dict"]
    v: StrictStr | StrictInt | tuple[StrictFloat, StrictFloat] | None = None


# Order matters in the union: bool before int (JSON true is not 1), int before float.
Const = StrictBool | StrictInt | StrictFloat | StrictStr | None | Tagged
# The documented type of a row of lines 2 and 3 (`decode_call_rows` checks exactly this by hand).
CallRow = tuple[StrictStr, StrictInt | None, list[tuple[StrictStr, Const]], list[Const], StrictStr | None]


class SummaryHead(BaseModel):
    """A summary without its calls and decorators (those are lines 2 and 3 of the entry)."""

    model_config = ConfigDict(extra="forbid")
    is_notebook: StrictBool
    imports: list[tuple[StrictStr, StrictInt | None]]
    functions: list[tuple[StrictStr, StrictInt | None]]
    classes: list[tuple[StrictStr, list[StrictStr], StrictInt | None, list[StrictStr]]]
    tests: list[tuple[StrictStr, StrictInt | None, StrictBool]]
    assigned_dicts: list[tuple[StrictStr, StrictInt, StrictInt | None]]
    syntax_errors: StrictInt
    unread_strings: StrictInt
    # Per-file facts (`pysource.FACTS`): null when not computed yet (no rule asked), never absent.
    data_checkers: list[tuple[StrictStr, StrictInt]] | None
    grid_loops: list[tuple[StrictInt, list[StrictStr]]] | None
    schema_checks: list[StrictInt] | None
    data_test_asserts: list[StrictInt] | None
    asserting_helpers: list[StrictStr] | None
    constant_only_tests: list[StrictStr] | None
    helper_calling_tests: list[StrictStr] | None
    seed_constants: list[tuple[StrictStr, StrictInt]] | None
    seed_uses: list[tuple[StrictInt, StrictStr]] | None
    call_names: list[StrictStr]
    cell: StrictInt


class CacheEntry(BaseModel):
    """Line 1 of an entry's body (the HMAC covers all five lines). Lines 2 and 3 are the calls
    and the decorators, each a JSON array of call rows `[name, line|null, [[keyword, const], ...],
    [const, ...], scope|null]`, a const being a JSON scalar or a tagged `{"t": ..., "v": ...}`;
    line 4 the call index `[[name, ...], [keyword, ...]]`; line 5 the row map `[[[row, ...], ...]
    per name, [[row, ...], ...] per keyword, [offset, ...]]`."""

    model_config = ConfigDict(extra="forbid")
    format: Literal[9]
    version: StrictStr
    parser: Literal["python"]
    content_sha256: StrictStr
    result: SummaryHead


class EntryHead(BaseModel):
    """The fields every format's entry has: read when an entry fails `CacheEntry`, so a well-formed
    entry of another format (fewer facts, one line) counts as `other_version`, not `corrupt`."""

    format: StrictInt
    version: StrictStr


# ---------------------------------------------------------------- constants


def _encode_const(value: object) -> Any:
    if value is None or type(value) in (bool, int, str):
        return value  # an int past Python's 4300-digit limit makes json.dumps refuse: not stored
    if type(value) is float:
        return value if value == value and value not in (float("inf"), float("-inf")) else {"t": "float", "v": repr(value)}
    if type(value) is bytes:
        return {"t": "bytes", "v": value.hex()}
    if type(value) is complex:
        return {"t": "complex", "v": [value.real, value.imag]}
    if value is Ellipsis:
        return {"t": "ellipsis"}
    if type(value) is dict and set(value) == {"__dict_size__"} and type(value["__dict_size__"]) is int:
        return {"t": "dict", "v": value["__dict_size__"]}
    raise Unstorable(f"constant of type {type(value).__name__}")


_PLAIN = (str, int, float, bool, type(None))
_TAGS = frozenset({"bytes", "complex", "ellipsis", "float", "dict"})


def _number(value: object) -> bool:
    return type(value) is float or type(value) is int  # as pydantic's StrictFloat reads JSON (not bool)


def _decode_const(value: object) -> object:
    """A constant of a call row as JSON gave it: a plain scalar as is, a tagged one (`Tagged`)
    rebuilt. Anything `Const` does not allow raises ValueError."""
    if type(value) in _PLAIN:
        return value
    if type(value) is not dict or not set(value) <= {"t", "v"} or value.get("t") not in _TAGS:
        raise ValueError(f"not a constant: {value!r:.80}")
    tag, v = value["t"], value.get("v")
    if not (v is None or type(v) is str or type(v) is int or (type(v) is list and len(v) == 2 and _number(v[0]) and _number(v[1]))):
        raise ValueError(f"tagged constant {tag!r} with a value of JSON type {type(v).__name__}")
    if tag == "ellipsis":
        return Ellipsis
    if tag == "bytes" and type(v) is str:
        return bytes.fromhex(v)  # ValueError when not hex
    if tag == "float" and v in ("nan", "inf", "-inf"):
        return float(v)  # type: ignore[arg-type]
    if tag == "complex" and type(v) is list:
        try:
            return complex(float(v[0]), float(v[1]))
        except OverflowError:  # an integer past the float range
            raise ValueError(f"complex constant {v!r:.80}") from None
    if tag == "dict" and type(v) is int:
        return {"__dict_size__": v}
    raise ValueError(f"tagged constant {tag!r} with value {v!r:.80}")


# ---------------------------------------------------------------- call rows


def _encode_call(call: Call) -> list[Any]:
    return [call.name, call.line, [[k, _encode_const(v)] for k, v in call.keywords], [_encode_const(a) for a in call.args], call.scope]


def _refuse_constant(value: float | str) -> None:
    raise ValueError(f"JSON constant {value}")  # NaN and Infinity: never written (allow_nan=False)


def decode_call_rows(data: bytes | memoryview) -> list[Call]:
    """Lines 2 and 3 of an entry (as read, or a view of it) back to `Call`s. Checks exactly what `CallRow` allows (a string
    name, an int or null line, [string, const] keyword pairs, a list of consts, a string or null
    scope; bool is not int, int is not float), raising ValueError on anything else."""
    try:
        rows = json.loads(bytes(data) if type(data) is memoryview else data, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None  # json.JSONDecodeError is a ValueError too
    if type(rows) is not list:
        raise ValueError("call rows are not a list")
    return [_call_of(row) for row in rows]


def _call_of(row: object) -> Call:
    """One call row as JSON gave it, checked as `CallRow` (see `decode_call_rows`), as a `Call`."""
    if type(row) is not list or len(row) != 5:
        raise ValueError("a call row is not a list of five")
    name, line, keywords, args, scope = row
    if type(name) is not str or (line is not None and type(line) is not int) or (scope is not None and type(scope) is not str):
        raise ValueError(f"call row {name!r}: name, line or scope of the wrong type")
    if type(keywords) is not list or type(args) is not list:
        raise ValueError(f"call row {name!r}: keywords or arguments not a list")
    if keywords:
        tagged = False
        for pair in keywords:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                raise ValueError(f"call row {name!r}: a keyword is not a [name, constant] pair")
            if type(pair[1]) not in _PLAIN:
                tagged = True
        keywords = tuple([(k, _decode_const(v)) for k, v in keywords] if tagged else map(tuple, keywords))
    if args:
        for value in args:
            if type(value) not in _PLAIN:
                args = [_decode_const(a) for a in args]  # checks every one
                break
    return Call(name, line, tuple(keywords), tuple(args), scope)


def decode_row_map(data: bytes, index: tuple[tuple[str, ...], tuple[str, ...]], calls_size: int) -> tuple[list[list[int]], list[list[int]], list[int]]:
    """Line 5 of an entry: `[[rows of name, ...], [rows of keyword, ...], [offset, ...]]`: for each
    name and each keyword of the call index (line 4, in its order) the rows of the calls (line 2)
    with that name or passing that keyword, strictly increasing; and where each row starts in line 2
    (strictly increasing, the first at 1, all inside the line of `calls_size` bytes). Raises
    ValueError on anything else."""
    try:
        parts = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if type(parts) is not list or len(parts) != 3 or not all(type(part) is list for part in parts):
        raise ValueError("the row map is not three lists")
    by_name, by_keyword, offsets = parts
    if len(by_name) != len(index[0]) or len(by_keyword) != len(index[1]):
        raise ValueError("the row map does not match the call index")
    if not _increasing(offsets, 1, calls_size - 1) or (offsets and offsets[0] != 1):
        raise ValueError("the row offsets are out of order or outside the calls")
    for rows in (*by_name, *by_keyword):
        if type(rows) is not list or not rows or not _increasing(rows, 0, len(offsets) - 1):
            raise ValueError("a row list is empty, out of order or names a row that is not there")
    return by_name, by_keyword, offsets


def _increasing(values: list[object], low: int, high: int) -> bool:
    """Ints, strictly increasing, each in [low, high]."""
    last = low - 1
    for value in values:
        if type(value) is not int or value <= last or value > high:
            return False
        last = value
    return True


# ---------------------------------------------------------------- summaries


def _encode_fact(name: str, value: Any) -> list[Any]:
    if name in ("data_checkers", "seed_constants", "seed_uses"):
        return [list(row) for row in value]
    if name == "grid_loops":
        return [[line, list(names)] for line, names in value]
    return list(value)


def _decode_fact(name: str, value: list[Any]) -> Any:
    """The inverse of `_encode_fact`: rows back to tuples, the name lists to tuples."""
    if name in ("data_checkers", "seed_constants", "seed_uses"):
        return [tuple(row) for row in value]
    if name == "grid_loops":
        return [(line, tuple(names)) for line, names in value]
    if name in ("asserting_helpers", "constant_only_tests", "helper_calling_tests"):
        return tuple(value)
    return list(value)


def _dumps(value: Any) -> bytes:
    # UTF-8, strictly: a string with a lone surrogate (legal in a Python constant) raises (not stored).
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)  # as `_dumps`, made once


def _rows_line(calls: list[Call]) -> tuple[bytes, list[int]]:
    """The calls line (as `_dumps` of the rows gives it) and where each row starts in it."""
    rows = [_ENCODER.encode(_encode_call(c)).encode("utf-8") for c in calls]
    offsets, position = [], 1
    for row in rows:
        offsets.append(position)
        position += len(row) + 1
    return b"[" + b",".join(rows) + b"]", offsets


def row_map(calls: list[Call], index: tuple[tuple[str, ...], tuple[str, ...]], offsets: list[int]) -> list[Any]:
    """Line 5 (`decode_row_map`): the rows of each name and keyword of `index`, and `offsets`."""
    names = {name: [] for name in index[0]}  # type: dict[str, list[int]]
    keywords = {keyword: [] for keyword in index[1]}  # type: dict[str, list[int]]
    for row, call in enumerate(calls):
        names[call.name].append(row)
        for keyword in dict.fromkeys(k for k, _ in call.keywords):
            keywords[keyword].append(row)
    return [list(names.values()), list(keywords.values()), offsets]


def _call_lines(summary: PythonSummary) -> tuple[bytes | memoryview, bytes | memoryview, bytes, bytes]:
    if isinstance(summary, StoredSummary) and summary.undecoded is not None:
        return summary.undecoded  # as read: checked by the HMAC, not decoded since
    try:
        calls, offsets = _rows_line(summary.calls)
        index = call_index(summary.calls)
        return calls, _dumps([_encode_call(c) for c in summary.decorators]), _dumps([list(part) for part in index]), _dumps(row_map(summary.calls, index, offsets))
    except (ValueError, UnicodeEncodeError):
        raise Unstorable("a call holds a string with no UTF-8 form") from None


def decode_call_index(data: bytes) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Line 4 of an entry: `[[name, ...], [keyword, ...]]`, the calls' resolved names and the keyword
    names they pass, each strictly sorted (each once). Raises ValueError on anything else."""
    try:
        parts = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if type(parts) is not list or len(parts) != 2:
        raise ValueError("the call index is not a pair of lists")
    for part in parts:
        if type(part) is not list or not all(type(n) is str for n in part):
            raise ValueError("the call index holds something else than names")
        if any(part[i] >= part[i + 1] for i in range(len(part) - 1)):
            raise ValueError("the call index is not sorted")
    return tuple(parts[0]), tuple(parts[1])


def encode_body(summary: PythonSummary, head: dict[str, Any]) -> bytes:
    """The four lines of an entry: `head` (format, version, parser, digest) with the summary's
    head as its `result`, then the calls, the decorators and the call index. Raises Unstorable."""
    result = {
        "is_notebook": summary.is_notebook,
        "imports": [[k, v] for k, v in summary.imports.items()],
        "functions": [[k, v] for k, v in summary.functions.items()],
        "classes": [[name, list(bases), line, list(methods)] for name, bases, line, methods in summary.classes],
        "tests": [[t.name, t.line, t.asserts] for t in summary.tests],
        "assigned_dicts": [list(row) for row in summary.assigned_dicts],
        "syntax_errors": summary.syntax_errors,
        "unread_strings": summary.unread_strings,
        **{name: _encode_fact(name, summary.facts[name]) if name in summary.facts else None for name in FACTS},
        "call_names": list(summary.call_names),
        "cell": summary.cell,
    }
    try:
        first = _dumps({**head, "result": result})
    except ValueError:
        raise Unstorable("a value with no exact JSON form") from None
    return b"\n".join((first, *_call_lines(summary)))


def _call_list(name: str) -> property:
    """`calls` or `decorators` of a `StoredSummary`: the entry's line decoded on first read (the
    decorators alone, when they are read first: a rule asking `decorated_by` leaves the calls undecoded)."""

    def get(self: StoredSummary) -> list[Call]:
        if self.undecoded is not None and not (name == "decorators" and self._decorators_read):
            if name == "decorators":
                try:
                    self.__dict__[name] = decode_call_rows(self.undecoded[1])
                    self._decorators_read = True
                except ValueError:
                    self._parse_again()
            else:
                self._decode()
        return self.__dict__[name]  # type: ignore[no-any-return]

    def put(self: StoredSummary, value: list[Call]) -> None:
        self.__dict__[name] = value

    return property(get, put)


class StoredSummary(PythonSummary):
    """A summary read from the cache, whose calls and decorators stay the entry's bytes until a
    rule reads them. Equal to a `PythonSummary` with the same fields (which decodes them).

    Until then, the call index (line 4: the resolved names, the keyword names) answers what it
    can without decoding: `calls_to`, `calls_named` and `calls_with_keyword` are [] when no name
    in it could match, and `resolved_names` is read from it. When some name does match, the row
    map (line 5) gives the rows of the calls with those names or keywords and only those rows are
    decoded (each checked as `CallRow`, and against the name or keyword it is listed under), in
    call order: the same calls as a filter of every call. The index and the row map are checked
    by hand when first read, the index again against the calls when they are all decoded; should
    any check fail, the calls are parsed again (as for bad call lines) and the entry rewritten."""

    # Set by `decoded_summary` before any read; `undecoded` (calls, decorators, call index, row map) is None once decoded.
    undecoded: tuple[bytes | memoryview, bytes | memoryview, bytes, bytes] | None = None
    _index: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # line 4, once read (while undecoded)
    _map: tuple[list[list[int]], list[list[int]], list[int]] | None = None  # line 5, once read (while undecoded)
    _rows: dict[int, Call] | None = None  # the rows decoded one by one so far
    _decorators_read = False  # the decorators line decoded alone (while the calls are not)
    _on_bad_calls: Callable[[StoredSummary], None]  # sets the calls and decorators some other way

    def _decode(self) -> None:
        lines, self.undecoded = self.undecoded, None
        assert lines is not None
        try:
            calls, decorators = decode_call_rows(lines[0]), decode_call_rows(lines[1])
            if (self._index or decode_call_index(lines[2])) != call_index(calls):
                raise ValueError("the call index does not match the calls")
            self.__dict__["calls"], self.__dict__["decorators"] = calls, decorators
        except ValueError:
            self._on_bad_calls(self)
        self._index = self._map = self._rows = None
        del self._on_bad_calls  # holds the sources (for the case above): not needed any more

    def _call_index(self) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """The entry's call index while the calls are not decoded, else None (ask the calls)."""
        if self.undecoded is None:
            return None
        if self._index is None:
            try:
                self._index = decode_call_index(self.undecoded[2])
            except ValueError:
                self._parse_again()
                return None
        return self._index

    def _parse_again(self) -> None:
        self.undecoded = (b"", b"", b"", b"")  # fails decoding: the calls are parsed again
        self._decode()

    def _matching(self, part: int, wanted: Callable[[str], bool]) -> list[Call] | None:
        """The calls whose resolved name (`part` 0) or one of whose keyword names (1) passes
        `wanted`, in call order, decoding only their rows; None when the calls are decoded (ask them)."""
        index = self._call_index()
        if index is None:
            return None
        listed = [i for i, name in enumerate(index[part]) if wanted(name)]
        if not listed:
            return []
        try:
            if self._map is None:
                self._map = decode_row_map(self.undecoded[3], index, len(self.undecoded[0]))  # type: ignore[index]
            by_part, offsets = self._map[part], self._map[2]
            rows = sorted({row for i in listed for row in by_part[i]})
            known = self._rows if self._rows is not None else {}
            calls = self.undecoded[0]  # type: ignore[index]
            found = []
            for row in rows:
                call = known.get(row)
                if call is None:
                    end = offsets[row + 1] - 1 if row + 1 < len(offsets) else len(calls) - 1
                    call = known[row] = _call_of(json.loads(bytes(calls[offsets[row] : end]), parse_constant=_refuse_constant))
                if not (wanted(call.name) if part == 0 else any(wanted(k) for k, _ in call.keywords)):
                    raise ValueError("a row is not listed where the row map says")
                found.append(call)
            self._rows = known
            return found
        except (ValueError, RecursionError):
            self._parse_again()
            return None

    @property
    def resolved_names(self) -> tuple[str, ...]:
        index = self._call_index()
        return index[0] if index is not None else call_index(self.calls)[0]

    def calls_to(self, *prefixes: str) -> list[Call]:
        wanted = set(prefixes)
        found = self._matching(0, lambda name: _under(name, wanted))
        return found if found is not None else super().calls_to(*prefixes)

    def calls_named(self, *names: str) -> list[Call]:
        found = self._matching(0, lambda name: name.rsplit(".", 1)[-1] in names)
        return found if found is not None else super().calls_named(*names)

    def calls_with_keyword(self, *names: str) -> list[Call]:
        found = self._matching(1, lambda keyword: keyword in names)
        return found if found is not None else super().calls_with_keyword(*names)

    calls = _call_list("calls")  # type: ignore[assignment]
    decorators = _call_list("decorators")  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PythonSummary):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(PythonSummary) if f.compare)

    __hash__ = None  # type: ignore[assignment]  # mutable, like PythonSummary


def decoded_summary(
    head: SummaryHead, calls: bytes | memoryview, decorators: bytes | memoryview, index: bytes, rows: bytes, path: str,
    on_bad_calls: Callable[[StoredSummary], None],
) -> StoredSummary:
    """A validated head, the two call lines, the call index and the row map as a summary of `path`.
    `on_bad_calls` sets the summary's calls and decorators instead when the lines fail their check."""
    summary = StoredSummary(
        path=path,
        is_notebook=head.is_notebook,
        imports=dict(head.imports),
        functions=dict(head.functions),
        classes=[(name, tuple(bases), line, tuple(methods)) for name, bases, line, methods in head.classes],
        tests=[TestFunction(name, line, asserts) for name, line, asserts in head.tests],
        assigned_dicts=list(head.assigned_dicts),
        syntax_errors=head.syntax_errors,
        unread_strings=head.unread_strings,
        call_names=tuple(head.call_names),
        cell=head.cell,
        facts={name: _decode_fact(name, value) for name in FACTS if (value := getattr(head, name)) is not None},
    )
    summary.undecoded = (calls, decorators, index, rows)
    summary._on_bad_calls = on_bad_calls
    return summary
