"""Waiver files: read, validate completely, and report every problem in one pass.

A waiver is an approved exception (often signed off by a CRO); dropping one silently would change
an assessment without anyone noticing. So every problem is an error (exit 2) naming
`file:line:column`, the key path and what was expected, and all of them are reported at once:

- schema: the document's shape, missing or unexpected keys, wrong types, blank texts;
- dates: `expires` must be an ISO 8601 date or date-time;
- ids: every criterion must exist in the rubric the assessment is scored against ("did you mean");
- duplicates: one criterion waived twice is ambiguous (which approval counts?).

An expired waiver is not an input error: it is void, and the assessment lists it as expired.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mlops_audit.errors import InputError
from mlops_audit.evidence.model import Waiver, WaiverFile
from mlops_audit.util.safeyaml import LocatedDocument, format_key_path, load_yaml_file

WAIVER_FORMAT = "mlops-audit/waivers@1"
FIELDS = tuple(Waiver.model_fields)


def _criterion_ids(rubric: Any) -> set[str] | None:
    """Criterion ids of a LoadedRubric or Rubric (None: no rubric given, ids unchecked)."""
    if rubric is None:
        return None
    inner = getattr(rubric, "rubric", rubric)
    return set(inner.criterion_index())


def _valid_date(text: str) -> bool:
    from datetime import datetime

    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _shown(value: Any) -> str:
    """A value as the user typed it (YAML true -> 'true', not Python's True)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "(empty)"
    return repr(value) if isinstance(value, str) else str(value)


def waiver_problems(doc: LocatedDocument, known: set[str] | None) -> list[str]:
    """Every problem of a parsed waiver document, each as 'file:line:col: key.path: message'."""
    problems: list[str] = []

    def add(path: tuple, message: str) -> None:
        problems.append(f"{doc.where(path)}: {format_key_path(path)}: {message}")

    data = doc.data
    if not isinstance(data, dict):
        add((), f"expected a mapping with 'format: {WAIVER_FORMAT}' and a 'waivers' list, got {type(data).__name__}")
        return problems
    try:
        WaiverFile.model_validate(data)
    except ValidationError as exc:
        for e in exc.errors(include_url=False):
            loc = tuple(e["loc"])
            got = e.get("input")
            detail = e["msg"]
            if e["type"] in ("string_type", "literal_error", "list_type") or e["type"].endswith("_type"):
                detail += f" (got {_shown(got)})"
            if e["type"] == "extra_forbidden":
                detail = f"unexpected key; a waiver has {', '.join(FIELDS)}"
            add(loc, detail)
    entries = data.get("waivers")
    if not isinstance(entries, list):
        return problems
    first_seen: dict[str, tuple] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue  # the schema check above reported it
        expires = entry.get("expires")
        if isinstance(expires, str) and not _valid_date(expires):
            add(("waivers", i, "expires"), f"expected an ISO 8601 date such as 2027-06-30, got {expires!r}")
        criterion = entry.get("criterion")
        if not isinstance(criterion, str) or not criterion:
            continue
        if known is not None and criterion not in known:
            near = difflib.get_close_matches(criterion, sorted(known), n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            add(("waivers", i, "criterion"), f"unknown criterion '{criterion}'{hint}; a waiver must name a criterion of the rubric")
        if criterion in first_seen:
            add(
                ("waivers", i, "criterion"),
                f"'{criterion}' is waived twice (first at {doc.where(first_seen[criterion])}); keep one approval per criterion",
            )
        else:
            first_seen[criterion] = ("waivers", i, "criterion")
    return problems


def load_waivers(path: Path, rubric: Any = None) -> list[Waiver]:
    """Read a waiver file (YAML or JSON). Raises InputError listing every problem.

    `rubric` (a LoadedRubric or Rubric) enables the criterion-id check; the assessment workflow
    must pass the rubric it scores against, or unknown ids would only be flagged by the engine.
    """
    doc = load_yaml_file(path)
    problems = waiver_problems(doc, _criterion_ids(rubric))
    if problems:
        raise InputError(f"{len(problems)} problem(s) in the waiver file {path}:\n" + "\n".join(problems))
    return list(WaiverFile.model_validate(doc.data).waivers)


__all__ = ["load_waivers", "waiver_problems"]
