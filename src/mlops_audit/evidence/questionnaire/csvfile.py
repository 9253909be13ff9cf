"""CSV questionnaires: UTF-8 with a byte-order mark (so Excel shows Chinese correctly), one row per criterion.

Header scheme: before the table, rows whose first cell starts with `#` carry the respondent's
details as `#key,value` (`#organisation.name`, `#respondent.id`, `#respondent.roles` with roles
separated by `;`, ...). A roster entry is one `#roster,person,roles,dedicated,team` row each. A row
whose first cell is `#` alone, or starts with `# `, is a free comment. The first row not starting
with `#` is the table header; columns are found by name, so they may be reordered. Evidence links
are one per line inside their cell.

Formula injection: every cell is written through `escape_formula` (an apostrophe in front of text
a spreadsheet could run as a formula, or that starts with an apostrophe) and read through
`unescape_formula` (one leading apostrophe dropped), so answers come back exactly as written.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from mlops_audit.evidence.questionnaire.form import (
    Form,
    describe_allowed,
    display_value,
    label,
    pick,
)
from mlops_audit.evidence.questionnaire.raw import (
    ANSWER_FIELDS,
    KeyPath,
    Problem,
    RawAnswer,
    RawFile,
    failed,
    fixed_places,
)
from mlops_audit.util.spreadsheet import csv_cell, unescape_formula

COLUMNS = (
    "criterion",
    "level",
    "domain",
    "practice",
    "question",
    "allowed",
    "value",
    "evidence",
    "comment",
    "proposed_by",
    "confirmed",
    "fingerprint",
)
INFORMATIONAL = ("level", "domain", "practice", "question", "allowed", "fingerprint")
HEADER_KEYS: dict[str, KeyPath] = {
    "format": ("format",),
    "rubric.id": ("rubric", "id"),
    "rubric.version": ("rubric", "version"),
    "rubric.digest": ("rubric", "digest"),
    "organisation.name": ("organisation", "name"),
    "organisation.scope": ("organisation", "scope"),
    "respondent.id": ("respondent", "id"),
    "respondent.roles": ("respondent", "roles"),
    "respondent.team": ("respondent", "team"),
    "answered_at": ("answered_at",),
}
MAX_ROWS = 100_000


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class _SafeWriter:
    """csv.writer whose cells are escaped against formula injection (numbers stay numbers)."""

    def __init__(self, out: io.StringIO) -> None:
        self._writer = csv.writer(out, lineterminator="\r\n")

    def writerow(self, cells: list[Any]) -> None:
        self._writer.writerow([csv_cell(c) for c in cells])


def write_csv(form: Form) -> bytes:
    lang = form.lang
    out = io.StringIO()
    w = _SafeWriter(out)
    w.writerow(
        [
            "# "
            + label(
                "mlops-audit 问卷。以 # 开头的行是答卷人信息：只改第二列。每题在 value 列作答。",
                "mlops-audit questionnaire. Rows starting with # hold the respondent's details: edit the second cell only. "
                "Answer each question in the 'value' column.",
                lang,
            )
        ]
    )
    h = form.header_dict()
    rubric = form.rubric_ref
    org = h["organisation"]
    resp = h["respondent"]
    assert isinstance(org, dict) and isinstance(resp, dict)
    values = {
        "format": h["format"],
        "rubric.id": rubric["id"],
        "rubric.version": rubric["version"],
        "rubric.digest": rubric["digest"],
        "organisation.name": org["name"],
        "organisation.scope": org["scope"],
        "respondent.id": resp["id"],
        "respondent.roles": ";".join(resp["roles"]),
        "respondent.team": resp["team"],
        "answered_at": h["answered_at"],
    }
    for key in HEADER_KEYS:
        w.writerow([f"#{key}", _cell(values[key])])
    w.writerow(["# roster: person, roles (;), dedicated (yes/no), team"])
    for entry in form.header.roster:
        w.writerow(["#roster", entry.person, ";".join(entry.roles), _cell(entry.dedicated), _cell(entry.team)])
    w.writerow(list(COLUMNS))
    for row in form.rows:
        a = row.answer
        q = row.criterion.question
        question = pick(q.text, lang) + (("\n" + pick(q.help, lang)) if q.help else "")
        w.writerow(
            [
                row.criterion.id,
                row.criterion.level,
                pick(row.domain.name, lang, " / "),
                f"{row.practice.id} {pick(row.practice.title, lang, ' / ')}",
                question,
                describe_allowed(row.criterion, lang),
                _cell(display_value(row.criterion, a.value, lang) if a else None),
                "\n".join(a.evidence) if a else "",
                _cell(a.comment if a else None),
                _cell(a.proposed_by if a else None),
                _cell(a.confirmed) if a is not None and (a.proposed_by or not a.confirmed) else "",
                row.fingerprint,
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def _decode(raw: bytes, source: str) -> tuple[str, list[Problem], set[int]]:
    """UTF-8 text; undecodable lines are reported (and later dropped), the rest is kept."""
    try:
        return raw.decode("utf-8-sig"), [], set()
    except UnicodeDecodeError:
        pass
    bad: list[int] = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(number)
    shown = ", ".join(map(str, bad[:10])) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
    problem = Problem(
        f"{source}:{bad[0]}",
        f"not UTF-8 text on line(s) {shown}; those rows are ignored. Save the file as 'CSV UTF-8' "
        "(Excel saves plain 'CSV' in the local code page, e.g. GBK)",
    )
    return raw.decode("utf-8-sig", errors="replace"), [problem], set(bad)


def read_csv(raw: bytes, source: str) -> RawFile:
    if not raw.strip(b" \t\r\n\xef\xbb\xbf"):
        return failed(source, "file is empty; expected a CSV questionnaire exported by 'mlops-audit questionnaire export'")
    text, problems, bad_lines = _decode(raw, source)
    header: dict[str, Any] = {}
    header_lines: dict[KeyPath, int] = {}
    roster: list[dict[str, Any]] = []
    columns: dict[str, int] | None = None
    answers: list[RawAnswer] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for cells in reader:
            end = reader.line_num
            line, start = start, end + 1
            if any(n in bad_lines for n in range(line, end + 1)):
                continue
            cells = [unescape_formula(c) for c in cells]
            if not any(c.strip() for c in cells):
                continue
            first = cells[0].strip()
            where = f"{source}:{line}"
            if columns is None and first.startswith("#"):
                key = first[1:].strip()
                if key == "roster":
                    person, roles, dedicated, team = (cells[1:] + ["", "", "", ""])[:4]
                    header_lines[("roster", len(roster))] = line
                    entry: dict[str, Any] = {"person": person.strip(), "roles": roles}
                    if dedicated.strip():
                        entry["dedicated"] = dedicated.strip()  # yes/no, checked with the header
                    if team.strip():
                        entry["team"] = team.strip()
                    roster.append(entry)
                elif key in HEADER_KEYS:
                    value = cells[1].strip() if len(cells) > 1 else ""
                    path = HEADER_KEYS[key]
                    header_lines[path] = line
                    if value:
                        target = header
                        for part in path[:-1]:
                            target = target.setdefault(str(part), {})
                        target[str(path[-1])] = value
                elif key and not first.startswith("# ") and not first.startswith("#\t"):
                    problems.append(Problem(where, f"unknown header key '#{key}'; expected one of {', '.join('#' + k for k in HEADER_KEYS)} or #roster", "warning"))
                continue
            if columns is None:
                names = [c.strip().lower() for c in cells]
                columns = {name: i for i, name in enumerate(names) if name}
                missing = [c for c in ("criterion", "value") if c not in columns]
                if missing:
                    return RawFile(
                        source,
                        None,
                        lambda _loc: source,
                        [],
                        problems + [Problem(where, f"table header lacks column(s) {', '.join(missing)}; expected: {','.join(COLUMNS)}")],
                        fatal=True,
                    )
                unknown = [n for n in columns if n not in COLUMNS]
                if unknown:
                    problems.append(Problem(where, f"unknown column(s) {', '.join(unknown)} are ignored", "warning"))
                continue
            if len(answers) >= MAX_ROWS:
                problems.append(Problem(where, f"more than {MAX_ROWS} rows; the rest is ignored"))
                break
            if len(cells) > len(names):
                extra = [c for c in cells[len(names):] if c.strip()]
                if extra:
                    problems.append(
                        Problem(where, f"row has {len(cells)} cells but the header has {len(names)}; a comma inside a cell needs quotes. Row ignored")
                    )
                    continue
            fields = {name: cells[i] if i < len(cells) else "" for name, i in columns.items() if name in ANSWER_FIELDS}
            for name in ("value", "comment", "proposed_by", "confirmed"):
                if name in fields and not fields[name].strip():
                    fields[name] = None
            fp = cells[columns["fingerprint"]].strip() if "fingerprint" in columns and columns["fingerprint"] < len(cells) else None
            answers.append(RawAnswer(fields, fixed_places(where), fp or None))
    except csv.Error as exc:
        problems.append(Problem(f"{source}:{reader.line_num}", f"CSV syntax error: {exc}; the rest of the file is ignored"))
    if columns is None:
        problems.append(Problem(source, f"no table header found; expected a row with the columns {','.join(COLUMNS)}"))
    if roster:
        header["roster"] = roster
    header.setdefault("organisation", {})
    header.setdefault("respondent", {})

    def header_where(loc: KeyPath) -> str:
        probe = tuple(loc)
        while probe:
            if probe in header_lines:
                return f"{source}:{header_lines[probe]}"
            probe = probe[:-1]
        return f"{source}:1"

    return RawFile(source, header, header_where, answers, problems)
