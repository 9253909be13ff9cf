"""Check a questionnaire file read by any format reader against the rubric, keeping every valid answer.

Every problem names its place and what was expected. A bad answer drops only that answer; a bad
header (no respondent id, no role) makes the file unusable for scoring but its answers are still
checked, so that one pass lists everything to fix. Accepted values are stored in canonical form
(`是` -> `yes`, `"3"` -> 3 on a scale, `不适用` -> `n/a`), which is what makes re-export lossless
whatever the language or format of the first file.
"""

from __future__ import annotations

import difflib
import math
import re
from datetime import date, datetime, time
from typing import Any

from pydantic import ValidationError

from mlops_audit.evidence.answers import (
    NO_VALUES,
    PARTIAL_VALUES,
    YES_VALUES,
    Answer,
    AnswerFile,
    check_answer_value,
    is_not_applicable,
    is_unanswered,
)
from mlops_audit.evidence.questionnaire.form import criterion_fingerprint, routed_to
from mlops_audit.evidence.questionnaire.raw import ANSWER_FIELDS, KeyPath, Problem, RawAnswer, RawFile
from mlops_audit.rubric.loader import LoadedRubric
from mlops_audit.rubric.model import Question, QuestionType, Rubric
from mlops_audit.util.safeyaml import format_key_path

ROLE_SEPARATORS = re.compile(r"[,;，；、\n]+")
TRUE_TOKENS = frozenset({"yes", "y", "true", "1", "是", "已确认", "confirmed"})
FALSE_TOKENS = frozenset({"no", "n", "false", "0", "否", "未确认"})
MAX_LISTED = 12
DEDICATED_TOKENS = {t: True for t in TRUE_TOKENS | {"专职", "dedicated"}} | {t: False for t in FALSE_TOKENS | {"兼职", "part-time", "part_time"}}

HEADER_EXPECTATIONS: dict[KeyPath, str] = {
    ("organisation", "name"): "the organisation's name",
    ("respondent", "id"): "a pseudonymous respondent id such as r-data-01 (not a person's name)",
    ("respondent", "roles"): "at least one role id",
    ("dedicated",): "yes (dedicated) or no (part-time)",
    ("format",): "mlops-audit/answers@1",
    ("rubric",): "the rubric's id, version and digest as exported",
}


def typed(value: Any) -> str:
    """A value as the person typed it: YAML reads an unquoted yes as True, and "got True" would
    puzzle whoever typed yes; numbers and text are shown as written."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


PERCENT_UNITS = frozenset({"percent", "%", "百分比", "percentage"})


def is_percent(question: Question) -> bool:
    return question.unit is not None and bool({question.unit.en.strip().lower(), question.unit.zh.strip()} & PERCENT_UNITS)


def strip_percent(question: Question, value: Any) -> tuple[Any, str | None]:
    """'40%' on a percent question is 40; on any other number question it is a problem saying what
    to write. Returns (value, problem)."""
    if question.type is not QuestionType.number or not isinstance(value, str) or not value.strip().endswith(("%", "％")):
        return value, None
    number = value.strip()[:-1].strip()
    if is_percent(question):
        return number, None
    unit = question.unit.en if question.unit else "the question's unit"
    return value, f"this question is measured in {unit}, not percent; write the number alone, e.g. {number or 40}"


def choice_from_label(question: Question, value: Any) -> Any:
    """A choice picked by its label (the Chinese dropdowns show labels) -> the choice's value."""
    if question.type is not QuestionType.choice or not isinstance(value, str):
        return value
    wanted = value.strip().lower()
    for choice in question.choices or []:
        if wanted in (choice.label.zh.strip().lower(), choice.label.en.strip().lower()) and wanted != choice.value.lower():
            return choice.value
    return value


def _short_list(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def _text(value: Any) -> str | None:
    """A cell or scalar as text; None when blank. Numbers and dates become their usual spelling."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (str, int, float)):
        text = str(value).strip()
        return text or None
    raise TypeError(type(value).__name__)


def role_lookup(rubric: Rubric) -> dict[str, str]:
    """Role id, Chinese or English name (case-insensitive) -> role id."""
    out: dict[str, str] = {}
    for role in rubric.roles:
        for key in (role.id, role.name.zh, role.name.en):
            out[key.strip().lower()] = role.id
    return out


def _roles(value: Any) -> Any:
    if isinstance(value, str):
        return [r.strip() for r in ROLE_SEPARATORS.split(value) if r.strip()]
    return value


OPTIONAL_TEXT = ("scope", "team", "answered_at")
TEXT_KEYS = ("id", "name", "scope", "team", "person", "answered_at")


def _tidy(mapping: dict[str, Any]) -> dict[str, Any]:
    """Text trimmed the same way for every format (spreadsheets trim cells); a blank optional text is absent."""
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, (datetime, date)):
            value = value.isoformat()
        if key in TEXT_KEYS and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = _text(value)  # a spreadsheet turns the id 007 into the number 7; take it as text
        if isinstance(value, str):
            value = value.strip()
            if not value and key in OPTIONAL_TEXT:
                value = None
        if key == "dedicated" and isinstance(value, str) and value.lower() in DEDICATED_TOKENS:
            value = DEDICATED_TOKENS[value.lower()]
        if key == "roles":
            value = _roles(value)
            if isinstance(value, list):
                value = [v.strip() if isinstance(v, str) else v for v in value]
        out[key] = value
    return out


def _normalise_header(header: dict[str, Any]) -> dict[str, Any]:
    """Spreadsheet-style values into the AnswerFile shape: role lists from text, dates as text, text trimmed."""
    out = _tidy(header)
    for key in ("organisation", "respondent"):
        if isinstance(out.get(key), dict):
            out[key] = _tidy(out[key])
    roster = out.get("roster")
    if isinstance(roster, list):
        out["roster"] = [_tidy(entry) if isinstance(entry, dict) else entry for entry in roster]
    return out


def _comment(value: Any) -> str | None:
    """Comments are kept as written, except line ends (\\r\\n -> \\n) and trailing spaces on each line."""
    text = _text(value)
    if text is None:
        return None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip() or None


def _pydantic_message(err: dict[str, Any]) -> str:
    loc = tuple(err["loc"])
    expected = HEADER_EXPECTATIONS.get(loc) or HEADER_EXPECTATIONS.get(loc[-1:])
    kind = err["type"]
    if kind == "missing":
        return f"{format_key_path(loc)} is missing" + (f"; expected {expected}" if expected else "")
    if kind == "extra_forbidden":
        return f"{format_key_path(loc)}: unknown key (check the spelling; see the answers JSON Schema)"
    if kind in ("string_too_short", "too_short") and expected:
        return f"{format_key_path(loc)} is empty; expected {expected}"
    msg = f"{format_key_path(loc)}: {err['msg']}"
    if not isinstance(err.get("input"), (dict, list, type(None))):
        msg += f" (got {typed(err['input'])[:60]})"
    if expected:
        msg += f"; expected {expected}"
    return msg


def _map_roles(roles: list[str], lookup: dict[str, str], where: Any, path: KeyPath, problems: list[Problem]) -> list[str]:
    out: list[str] = []
    for i, role in enumerate(roles):
        rid = lookup.get(str(role).strip().lower())
        if rid is None:
            near = difflib.get_close_matches(str(role).strip().lower(), list(lookup), n=1, cutoff=0.6)
            hint = f" (did you mean '{lookup[near[0]]}'?)" if near else ""
            problems.append(
                Problem(where(path + (i,)), f"unknown role '{role}'{hint}; expected one of {', '.join(sorted(set(lookup.values())))}")
            )
        elif rid not in out:
            out.append(rid)
    return out


def _check_header(raw: RawFile, rubric: LoadedRubric, problems: list[Problem]) -> AnswerFile | None:
    if raw.header is None:
        problems.append(Problem(raw.source, "no respondent details found; expected the header of an exported questionnaire"))
        return None
    header = _normalise_header(raw.header)
    try:
        model = AnswerFile.model_validate({**header, "answers": []})
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            problems.append(Problem(raw.header_where(tuple(err["loc"])), _pydantic_message(err)))
        return None
    lookup = role_lookup(rubric.rubric)
    n_before = len(problems)
    roles = _map_roles(model.respondent.roles, lookup, raw.header_where, ("respondent", "roles"), problems)
    roster = []
    for i, entry in enumerate(model.roster):
        mapped = _map_roles(entry.roles, lookup, raw.header_where, ("roster", i, "roles"), problems)
        roster.append(entry.model_copy(update={"roles": mapped}))
    if model.rubric.id != rubric.rubric.id:
        problems.append(
            Problem(
                raw.header_where(("rubric", "id")),
                f"answers are for rubric '{model.rubric.id}', not '{rubric.rubric.id}'; export the questionnaire again",
            )
        )
    if len(problems) > n_before:
        return None
    return model.model_copy(update={"respondent": model.respondent.model_copy(update={"roles": roles}), "roster": roster})


def canonical_value(question: Question, value: Any) -> Any:
    """The stored spelling of an acceptable value (check it with `check_answer_value` first)."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        return None
    if is_not_applicable(value):
        return "n/a"
    if is_unanswered(value):
        return "unknown"
    t = question.type
    if t is QuestionType.yes_no:
        norm = str(value).strip().lower()
        if value is True or norm in YES_VALUES:
            return "yes"
        if value is False or norm in NO_VALUES:
            return "no"
        if norm in PARTIAL_VALUES:
            return "partial"
        return value
    if t is QuestionType.choice:
        for choice in question.choices or []:
            if choice.value.lower() == str(value).strip().lower():
                return choice.value
        return value
    number = float(value)
    if t is QuestionType.scale or (math.isfinite(number) and number.is_integer() and abs(number) < 2**53):
        return int(number)
    return number


def _confirmed(value: Any, proposed_by: str | None) -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return proposed_by is None
    if isinstance(value, bool):
        return value
    token = str(value).strip().lower()
    if token in TRUE_TOKENS:
        return True
    if token in FALSE_TOKENS:
        return False
    return None


def _evidence(value: Any) -> list[str] | None:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        try:
            text = _text(item)
        except TypeError:
            return None
        if text is None:
            continue
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # one link per line
        out.extend(line.strip() for line in lines if line.strip())
    return out


def _check_answer(raw: RawAnswer, rubric: Rubric, index: dict[str, Any], problems: list[Problem]) -> Answer | None:
    """One answer entry -> an Answer with a canonical value, or None with the reason recorded."""
    unknown = sorted(k for k in raw.fields if k not in ANSWER_FIELDS)
    if unknown:
        problems.append(
            Problem(raw.at(unknown[0]), f"unknown field(s) {', '.join(map(repr, unknown))} in an answer; expected {', '.join(ANSWER_FIELDS)}")
        )
        return None
    try:
        criterion_id = _text(raw.fields.get("criterion"))
    except TypeError:
        criterion_id = None
    if criterion_id is None:
        problems.append(Problem(raw.at("criterion"), "answer without a criterion id; expected an id such as the exported one"))
        return None
    if criterion_id not in index:
        near = difflib.get_close_matches(criterion_id, list(index), n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        problems.append(
            Problem(
                raw.at("criterion"),
                f"unknown criterion id '{criterion_id}'{hint}; not in rubric {rubric.id} {rubric.version}",
                code="unknown_criterion",
                subject=criterion_id,
            )
        )
        return None
    question = index[criterion_id][2].question
    value = raw.fields.get("value")
    if isinstance(value, (datetime, date, time)):
        problems.append(Problem(raw.at("value"), f"{criterion_id}: got a date ({value.isoformat()}); {check_answer_value(question, 'not-a-value') or ''}".rstrip("; ")))
        return None
    if isinstance(value, (dict, list)) or (isinstance(value, float) and not math.isfinite(value)):
        problems.append(Problem(raw.at("value"), f"{criterion_id}: {check_answer_value(question, object()) or 'expected a single value'}, got {type(value).__name__}"))
        return None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        problems.append(Problem(raw.at("value"), f"{criterion_id}: number {str(value)[:20]}... is too large"))
        return None
    value = choice_from_label(question, value)
    value, percent_problem = strip_percent(question, value)
    if percent_problem:
        problems.append(Problem(raw.at("value"), f"{criterion_id}: {percent_problem}, got {typed(value)}"))
        return None
    expected = check_answer_value(question, value)
    if expected:
        hint = " (an unquoted yes or no in YAML is read as true/false; write the number)" if isinstance(value, bool) else ""
        problems.append(Problem(raw.at("value"), f"{criterion_id}: {expected}, got {typed(value)}{hint}"))
        return None
    try:
        comment = _comment(raw.fields.get("comment"))
        proposed_by = _text(raw.fields.get("proposed_by"))
    except TypeError as exc:
        problems.append(Problem(raw.where, f"{criterion_id}: comment and proposed_by must be text, got {exc}"))
        return None
    evidence = _evidence(raw.fields.get("evidence"))
    if evidence is None:
        problems.append(Problem(raw.at("evidence"), f"{criterion_id}: evidence must be a list of links or references (text)"))
        return None
    confirmed = _confirmed(raw.fields.get("confirmed"), proposed_by)
    if confirmed is None:
        problems.append(Problem(raw.at("confirmed"), f"{criterion_id}: confirmed must be yes or no, got {typed(raw.fields.get('confirmed'))}"))
        return None
    try:
        answer = Answer(
            criterion=criterion_id,
            value=canonical_value(question, value),
            comment=comment,
            evidence=evidence,
            proposed_by=proposed_by,
            confirmed=confirmed,
        )
    except (ValidationError, ValueError, OverflowError) as exc:
        problems.append(Problem(raw.at("value"), f"{criterion_id}: {exc}"))
        return None
    if not confirmed:
        problems.append(
            Problem(
                raw.at("confirmed"),
                f"{criterion_id}: answer proposed by {proposed_by or 'a detector'} is not confirmed; "
                "it is ignored until the respondent sets confirmed to yes",
                "warning",
            )
        )
    return answer


def _rubric_change_problems(raw: RawFile, model_ref: Any, rubric: LoadedRubric, roles: list[str], problems: list[Problem]) -> None:
    index = rubric.rubric.criterion_index()
    changed = []
    for entry in raw.answers:
        cid = _safe_id(entry)
        if cid in index and entry.fingerprint and entry.fingerprint != criterion_fingerprint(index[cid][2]):
            changed.append(cid)
            problems.append(
                Problem(
                    entry.at("criterion"),
                    f"criterion '{cid}' changed since this questionnaire was exported; check the answer still fits",
                    "warning",
                    code="criterion_changed",
                    subject=cid,
                )
            )
    if not model_ref.digest or model_ref.digest == rubric.digest:
        return
    present = raw.exported_criteria if raw.exported_criteria is not None else [_safe_id(a) for a in raw.answers]
    present_set = {p for p in present if p}
    removed = sorted(p for p in present_set if p not in index)
    new = [c.id for _, _, c in rubric.rubric.criteria() if c.id not in present_set and routed_to(c, roles)]
    parts = [f"exported with rubric {model_ref.id} {model_ref.version}, now {rubric.rubric.id} {rubric.rubric.version}"]
    carried = [cid for cid in (_safe_id(a) for a in raw.answers) if cid in index and cid not in changed]
    if carried:
        parts.append(f"migrated unchanged: {len(carried)} answer(s) whose criterion id still exists" + ("" if changed or not any(a.fingerprint for a in raw.answers) else " with the same text"))
    if changed:
        parts.append(f"changed criteria: {_short_list(changed)}")
    elif not any(a.fingerprint for a in raw.answers):
        parts.append("this file records no per-criterion fingerprints, so changed criteria cannot be named")
    if removed:
        parts.append(f"criteria no longer in the rubric: {_short_list(removed)}")
    if new:
        parts.append(f"new criteria for these roles, not in this file: {_short_list(new)}")
    if removed or changed:
        parts.append(f"to move the answers: mlops-audit questionnaire export --from {raw.source} --out NEW_FILE, then check the changed and new questions")
    problems.append(Problem(raw.header_where(("rubric", "digest")), "rubric digest differs from the one exported (" + "; ".join(parts) + ")", "warning"))


def _unrouted_problems(raw: RawFile, header: AnswerFile, kept: list[Answer], index: dict[str, Any], problems: list[Problem]) -> None:
    """One warning per file naming the answers to questions not asked of any of the respondent's
    roles: they are kept, but count only where no respondent of the asked roles answers."""
    roles = header.respondent.roles
    unrouted = [
        a.criterion
        for a in kept
        if not is_unanswered(a.value) and not routed_to(index[a.criterion][2], roles)
    ]
    if unrouted:
        problems.append(
            Problem(
                raw.header_where(("respondent", "roles")),
                f"{len(unrouted)} answer(s) to questions not asked of this respondent's roles ({', '.join(roles)}): "
                f"{_short_list(unrouted)}; they count only where nobody in the roles asked answers, and the report lists them",
                "warning",
            )
        )


def _safe_id(entry: RawAnswer) -> str | None:
    try:
        return _text(entry.fields.get("criterion"))
    except TypeError:
        return None


def validate_raw(raw: RawFile, rubric: LoadedRubric) -> tuple[AnswerFile | None, list[Problem]]:
    """Check a read file; returns the AnswerFile of its valid answers (None if unusable) and all problems."""
    problems = list(raw.problems)
    if raw.fatal:
        return None, problems
    header = _check_header(raw, rubric, problems)
    index = rubric.rubric.criterion_index()
    seen: dict[str, RawAnswer] = {}
    kept: list[Answer] = []
    for entry in raw.answers:
        if entry.is_blank() and _safe_id(entry) is not None and not (set(entry.fields) - set(ANSWER_FIELDS)):
            continue  # an exported row nobody answered
        cid = _safe_id(entry)
        if cid is not None and cid in seen:
            problems.append(
                Problem(entry.at("criterion"), f"criterion '{cid}' is answered more than once (first at {seen[cid].at('criterion')}); this answer is ignored")
            )
            continue
        answer = _check_answer(entry, rubric.rubric, index, problems)
        if cid is not None:
            seen.setdefault(cid, entry)
        if answer is not None:
            kept.append(answer)
    if header is not None:
        _rubric_change_problems(raw, header.rubric, rubric, header.respondent.roles, problems)
        _unrouted_problems(raw, header, kept, index, problems)
    if header is None:
        return None, problems
    return header.model_copy(update={"answers": kept}), problems
