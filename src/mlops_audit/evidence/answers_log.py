"""A campaign's answers log: verify it, and check that the answer files say what it says.

`mlops-audit serve` appends every answer change, submission and reopening of a campaign to a
hash-chained log in the audit-trail format (`evidence/trail/`, clause `LC.questionnaire`) and
exports it as a closed trail folder. `assess --answers-log FOLDER` verifies that folder as
`mlops-audit verify` does, replays it, and refuses answer files that differ from the log's final
state of a submitted respondent (a changed value, comment or evidence list, an answer the log does
not hold or one it holds that the file lacks, a respondent not submitted in the log, a submitted
respondent left out). The assessment then records the log's head hash and entry count, so anyone
holding the log can show the answers were not altered after submission.

The vocabulary (clause, actions, params) is defined here; the server's ledger writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlops_audit.errors import InputError

CLAUSE = "LC.questionnaire"
ANSWER_SAVED = "answer_saved"  # params: respondent, criterion, value, comment, evidence, version
SUBMITTED = "answers_submitted"  # params: respondent
REOPENED = "answers_reopened"  # params: respondent
ATTACHMENT_ADDED = "attachment_added"  # params: respondent, criterion, filename, sha256
# Campaign-wide entries (no `respondent`: replay skips them; they are in the chain so that a
# change to what the assessment credits is as tamper-evident as an answer):
SETTINGS_CHANGED = "settings_changed"  # params: changes {setting: {"from": old, "to": new}}
CAMPAIGN_FILE_ADDED = "campaign_file_added"  # params: kind, filename, sha256
RUN_ID_PREFIX = "campaign-"
MAX_PROBLEMS_SHOWN = 10


@dataclass(frozen=True)
class LogHead:
    entries: int
    head: str  # SHA-256 hex of the last event (the zero hash for an empty log)


@dataclass
class RespondentState:
    """A respondent's answers after replaying the log: criterion -> (value, comment, evidence, seq)."""

    answers: dict[str, tuple[Any, str | None, list[str], int]] = field(default_factory=dict)
    submitted: bool = False
    status_seq: int | None = None  # the entry that set `submitted`


def replay(events: list) -> dict[str, RespondentState]:  # events: evidence.trail.events.Event
    """Each respondent's final answers and submission state, as the log says."""
    states: dict[str, RespondentState] = {}
    for event in events:
        params = event.params
        who = params.get("respondent")
        if not isinstance(who, str):
            continue
        state = states.setdefault(who, RespondentState())
        if event.action == ANSWER_SAVED:
            state.answers[str(params.get("criterion"))] = (params.get("value"), params.get("comment"), list(params.get("evidence") or []), event.seq)
        elif event.action in (SUBMITTED, REOPENED):
            state.submitted = event.action == SUBMITTED
            state.status_seq = event.seq
    return states


def _blank(value: Any, comment: str | None, evidence: list[str]) -> bool:
    return value is None and not comment and not evidence


def mismatches(states: dict[str, RespondentState], answer_files: list[tuple[str, Any]]) -> list[str]:
    """Where the answer files (shown name, AnswerFile) differ from the replayed log; [] when they agree."""
    problems: list[str] = []
    seen: set[str] = set()
    for shown, model in answer_files:
        who = model.respondent.id
        seen.add(who)
        state = states.get(who)
        if state is None:
            problems.append(f"{shown}: respondent '{who}' has no entries in the answers log")
            continue
        if not state.submitted:
            where = f" (reopened at entry {state.status_seq})" if state.status_seq is not None else ""
            problems.append(f"{shown}: respondent '{who}' has not submitted in the answers log{where}")
        given = {a.criterion: a for a in model.answers if a.confirmed}
        for criterion, (value, comment, evidence, seq) in sorted(state.answers.items()):
            answer = given.pop(criterion, None)
            if answer is None:
                if not _blank(value, comment, evidence):
                    problems.append(f"{shown}: {criterion}: missing; the answers log holds an answer (entry {seq})")
                continue
            for what, in_file, in_log in (("value", answer.value, value), ("comment", answer.comment, comment), ("evidence", list(answer.evidence), evidence)):
                if in_file != in_log:
                    problems.append(f"{shown}: {criterion}: {what} {in_file!r} differs from the answers log (entry {seq}: {in_log!r})")
        for criterion in sorted(given):
            problems.append(f"{shown}: {criterion}: answered in the file but never saved in the answers log")
    for who in sorted(set(states) - seen):
        if states[who].submitted and any(not _blank(v, c, e) for v, c, e, _seq in states[who].answers.values()):
            problems.append(f"respondent '{who}' submitted answers in the answers log (entry {states[who].status_seq}) but no answer file of theirs is given")
    return problems


def check_answers_log(folder: Path, shown: str, answer_files: list[tuple[str, Any]]) -> LogHead:
    """Verify the exported log folder and check the answer files against it; its head. InputError otherwise."""
    from mlops_audit.evidence.trail.events import ZERO_HASH
    from mlops_audit.evidence.trail.verify import verify_run

    if not folder.is_dir():
        raise InputError(f"{shown}: --answers-log expects the campaign log folder (audit.jsonl, manifest.json) exported by 'mlops-audit serve'")
    result = verify_run(folder)
    if not result.ok:
        entry = f" at entry {result.first_bad_seq}" if result.first_bad_seq is not None else ""
        shown_problems = "; ".join(result.problems[:3])
        raise InputError(f"{shown}/audit.jsonl: the answers log does not verify{entry}: {shown_problems}")
    if not (result.run_id or "").startswith(RUN_ID_PREFIX):
        raise InputError(f"{shown}: run id '{result.run_id}' is not a campaign's answers log (expected '{RUN_ID_PREFIX}<id>')")
    other = next((e for e in result.events if e.clause != CLAUSE), None)
    if other is not None:
        raise InputError(f"{shown}/audit.jsonl: entry {other.seq} has clause '{other.clause}'; an answers log holds only {CLAUSE} entries")
    problems = mismatches(replay(result.events), answer_files)
    if problems:
        more = f"\n... and {len(problems) - MAX_PROBLEMS_SHOWN} more" if len(problems) > MAX_PROBLEMS_SHOWN else ""
        raise InputError(
            f"{shown}: the answer files differ from the answers log ({len(problems)} problem(s)):\n" + "\n".join(problems[:MAX_PROBLEMS_SHOWN]) + more
        )
    return LogHead(entries=result.event_count, head=result.head_hash or ZERO_HASH)


__all__ = ["ANSWER_SAVED", "ATTACHMENT_ADDED", "CAMPAIGN_FILE_ADDED", "CLAUSE", "REOPENED", "SETTINGS_CHANGED", "SUBMITTED", "LogHead", "RespondentState", "check_answers_log", "mismatches", "replay"]
