"""Pre-fill a questionnaire from repository findings: detectors propose, a person confirms.

Input is the collector's JSON (`{"findings": [{"detector", "outcome", "criteria", ...}]}`).
A passing finding proposes the answer that means "met", a partial one the choice that means
"partial" (other question types get its evidence without a value), a failing one the answer that
means "unmet" (pass wins over partial, partial over fail); `not_applicable` and `error` findings propose
nothing. Number questions get no proposed value (a detector does not measure them), only the
evidence. Proposals are marked `proposed_by: <detector>` and `confirmed: false`, carry the
findings' locations as evidence, and never replace an answer a person gave.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_audit.errors import InputError
from mlops_audit.evidence.answers import Answer
from mlops_audit.evidence.questionnaire.form import Form, FormRow
from mlops_audit.rubric.model import Criterion, Outcome, QuestionType

MAX_EVIDENCE_BYTES = 64 * 1024 * 1024
MAX_LOCATIONS = 5


@dataclass(frozen=True)
class Finding:
    detector: str
    outcome: str  # pass | partial | fail | not_applicable | error
    criteria: tuple[str, ...]
    locations: tuple[str, ...]
    message: str | None
    hints: tuple[str, ...] = ()  # declared dependencies that suggest the practice: never evidence


def _location(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        path = value.get("path") or value.get("file") or value.get("uri")
        if not isinstance(path, str):
            return None
        line = value.get("line") or value.get("start_line")
        end = value.get("end_line")
        if isinstance(line, int) and isinstance(end, int) and end != line:
            return f"{path}:{line}-{end}"
        return f"{path}:{line}" if isinstance(line, int) else path
    return None


def parse_findings(data: Any, source: str) -> list[Finding]:
    """Findings from the collector's JSON; anything malformed is an InputError naming the entry."""
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise InputError(f"{source}: expected the collector's JSON output, an object with a 'findings' list")
    out: list[Finding] = []
    for i, item in enumerate(data["findings"]):
        where = f"{source}: findings[{i}]"
        if not isinstance(item, dict):
            raise InputError(f"{where}: expected an object with detector, outcome and criteria")
        detector, outcome, criteria = item.get("detector"), item.get("outcome"), item.get("criteria", [])
        if not isinstance(detector, str) or not detector:
            raise InputError(f"{where}: 'detector' must be a detector id")
        if outcome not in ("pass", "partial", "fail", "not_applicable", "error"):
            raise InputError(f"{where}: 'outcome' must be pass, partial, fail, not_applicable or error, got {outcome!r}")
        if not isinstance(criteria, list) or not all(isinstance(c, str) for c in criteria):
            raise InputError(f"{where}: 'criteria' must be a list of criterion ids")
        raw_locs: list[Any] = []
        for key in ("location", "locator"):
            if key in item:
                raw_locs.append(item[key])
        if isinstance(item.get("locations"), list):
            raw_locs.extend(item["locations"])
        if "path" in item:
            raw_locs.append({"path": item["path"], "line": item.get("line")})
        locations = tuple(dict.fromkeys(loc for loc in map(_location, raw_locs) if loc))
        message = item.get("message") if isinstance(item.get("message"), str) else None
        hints = tuple(h for h in item.get("hints") or [] if isinstance(h, str)) if isinstance(item.get("hints"), list) else ()
        out.append(Finding(detector, outcome, tuple(criteria), locations, message, hints))
    return out


def load_findings(path: Path) -> list[Finding]:
    try:
        size = path.stat().st_size
        if size > MAX_EVIDENCE_BYTES:
            raise InputError(f"{path}: {size} bytes is larger than {MAX_EVIDENCE_BYTES // (1024 * 1024)} MiB; refusing to read")
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; expected the JSON written by 'mlops-audit collect'") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    return parse_findings(data, str(path))


def _proposed_value(criterion: Criterion, outcome: Outcome) -> Any:
    q = criterion.question
    if outcome is Outcome.partial and q.type is not QuestionType.choice:
        return None  # present but incomplete: neither "yes" nor "no"; the person decides from the evidence
    if q.type is QuestionType.yes_no:
        return "yes" if outcome is Outcome.met else "no"
    if q.type is QuestionType.choice:
        return next((c.value for c in q.choices or [] if c.outcome == outcome.value), None)
    if q.type is QuestionType.scale:
        assert q.met_at is not None and q.scale_min is not None
        return int(q.met_at) if outcome is Outcome.met else q.scale_min
    return None  # number: a detector does not measure it


def propose(criterion: Criterion, findings: list[Finding]) -> Answer | None:
    """The proposed answer for one criterion from the findings that name it, or None."""
    relevant = [f for f in findings if criterion.id in f.criteria and f.outcome in ("pass", "partial", "fail")]
    if not relevant:
        return None
    passing = [f for f in relevant if f.outcome == "pass"]
    partial = [f for f in relevant if f.outcome == "partial"]
    used = passing or partial or relevant
    outcome = Outcome.met if passing else Outcome.partial if partial else Outcome.unmet
    detectors = sorted({f.detector for f in used})
    locations = list(dict.fromkeys(loc for f in used for loc in f.locations))[:MAX_LOCATIONS]
    notes = sorted({f"{f.detector}: {f.message}" for f in used if f.message})
    hinted = sorted({h for f in used for h in f.hints}) if outcome is Outcome.unmet else []
    if hinted:
        # Declared dependencies suggest the practice the scan did not find: not "no", a question.
        notes.append("maybe (low confidence): declared dependencies suggest it, which is not evidence: " + ", ".join(hinted))
    comment = "; ".join(notes) if notes else None
    return Answer(
        criterion=criterion.id,
        value=None if hinted else _proposed_value(criterion, outcome),
        comment=comment,
        evidence=locations,
        proposed_by=", ".join(detectors),
        confirmed=False,
    )


def apply_prefill(form: Form, findings: list[Finding]) -> tuple[Form, int]:
    """A copy of the form with proposals filled in where no person answered; returns it and the count."""
    rows: list[FormRow] = []
    count = 0
    for row in form.rows:
        proposal = propose(row.criterion, findings)
        current = row.answer
        # A value a person gave or confirmed (even "unknown") is theirs: never replaced.
        if proposal is None or (current is not None and current.confirmed and current.value is not None):
            rows.append(row)
            continue
        if current is not None and current.confirmed:
            # A person left a comment or evidence without a value: keep theirs, add the proposal's.
            proposal = proposal.model_copy(
                update={
                    "comment": current.comment or proposal.comment,
                    "evidence": list(dict.fromkeys([*current.evidence, *proposal.evidence])),
                }
            )
        rows.append(FormRow(row.domain, row.practice, row.criterion, proposal))
        count += 1
    return Form(form.rubric, form.lang, form.roles, form.header, rows), count
