"""Many respondents -> one consolidated answer file and a table of where they disagree.

The combined claim per criterion is the scoring engine's own (`combine_answers`, DESIGN §4 rule
2: majority of the roles the question is asked of, a tie goes to the lower answer); this module
only maps that claim back to a value of the question's type and writes down who said what.
Unconfirmed detector proposals take no part, as in scoring.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mlops_audit.evidence.answers import (
    Answer,
    AnswerFile,
    Organisation,
    Respondent,
    RubricRef,
    answer_outcome,
)
from mlops_audit.evidence.questionnaire.form import pick
from mlops_audit.result.model import AnswerRecord
from mlops_audit.rubric.loader import LoadedRubric
from mlops_audit.rubric.model import Criterion, Outcome, QuestionType
from mlops_audit.scoring.reconcile import Claim, combine_answers
from mlops_audit.scoring.roles import merge_rosters
from mlops_audit.util.spreadsheet import csv_cell

CONSOLIDATED_ID = "consolidated"
TABLE_COLUMNS = (
    "criterion",
    "domain",
    "level",
    "question",
    "question_roles",
    "respondents",
    "answers",
    "answered",
    "combined",
    "combined_outcome",
    "agreement",
    "contested",
)


@dataclass
class MergeResult:
    answers: AnswerFile
    table: list[dict[str, Any]]  # one row per criterion anyone answered, columns TABLE_COLUMNS
    warnings: list[str] = field(default_factory=list)

    @property
    def contested(self) -> list[str]:
        return [row["criterion"] for row in self.table if row["contested"]]


def _record(who: Respondent, criterion: Criterion, answer: Answer) -> AnswerRecord:
    return AnswerRecord(
        respondent=who.id,
        roles=sorted(set(who.roles)),
        value=answer.value,
        outcome=answer_outcome(criterion.question, answer.value),
        routed=bool(set(who.roles) & set(criterion.question.roles)),
        comment=answer.comment,
        evidence=list(answer.evidence),
        proposed_by=answer.proposed_by,
    )


def combined_value(criterion: Criterion, claim: Claim, records: Sequence[AnswerRecord]) -> Any:
    """A value of the question's type that claims exactly the combined outcome."""
    if claim.outcome is None:
        return "unknown" if any(r.value is not None for r in records) else None
    if claim.outcome is Outcome.not_applicable:
        return "n/a"
    q = criterion.question
    if q.type is QuestionType.yes_no:
        return {Outcome.met: "yes", Outcome.partial: "partial", Outcome.unmet: "no"}[claim.outcome]
    agreeing = [r.value for r in records if r.outcome is claim.outcome]
    if q.type is QuestionType.choice:
        order = [c.value for c in q.choices or []]
        counts = Counter(str(v).lower() for v in agreeing)
        ranked = sorted((c for c in order if counts[c.lower()]), key=lambda c: (-counts[c.lower()], order.index(c)))
        return ranked[0] if ranked else next(c.value for c in q.choices or [] if c.outcome == claim.outcome.value)
    numbers = sorted(float(v) for v in agreeing)  # type: ignore[arg-type]
    if q.type is QuestionType.number and q.direction == "lower_is_better":
        numbers.reverse()  # worse first, so the lower median leans to the worse side as the claim does
    value = numbers[(len(numbers) - 1) // 2]  # lower median, as combine_answers takes it
    return int(value) if value.is_integer() else value


def _said(record: AnswerRecord) -> str:
    value = "(no answer)" if record.value is None else record.value
    text = f"{record.respondent} ({', '.join(record.roles)}): {value}"
    return text + (f" — {record.comment}" if record.comment else "")


def merge_answer_files(files: Sequence[tuple[str, AnswerFile]], rubric: LoadedRubric, lang: str = "en") -> MergeResult:
    """Consolidate several respondents' answer files (already checked) into one."""
    warnings: list[str] = []
    ordered = sorted(files, key=lambda item: (item[1].respondent.id, item[0]))
    by_criterion: dict[str, list[tuple[Respondent, Answer]]] = {}
    unconfirmed = 0
    for _source, file in ordered:
        for answer in file.answers:
            if not answer.confirmed:
                unconfirmed += 1
                continue
            by_criterion.setdefault(answer.criterion, []).append((file.respondent, answer))
    if unconfirmed:
        warnings.append(f"{unconfirmed} unconfirmed detector proposal(s) left out of the merge")
    names = sorted({f.organisation.name for _, f in ordered})
    if len(names) > 1:
        warnings.append(f"answer files name different organisations ({', '.join(names)}); using '{ordered[0][1].organisation.name}'")
    roster, roster_conflicts = merge_rosters([(src, f.roster) for src, f in ordered])
    warnings.extend(roster_conflicts)

    answers: list[Answer] = []
    table: list[dict[str, Any]] = []
    for domain, _practice, criterion in rubric.rubric.criteria():
        given = by_criterion.get(criterion.id)
        if not given:
            continue
        records = [_record(who, criterion, a) for who, a in given]
        claim = combine_answers(records, criterion.question.roles)
        value = combined_value(criterion, claim, records)
        evidence = list(dict.fromkeys(e for _, a in given for e in a.evidence))
        answers.append(
            Answer(criterion=criterion.id, value=value, comment="\n".join(_said(r) for r in records), evidence=evidence)
        )
        table.append(
            {
                "criterion": criterion.id,
                "domain": domain.id,
                "level": criterion.level,
                "question": pick(criterion.question.text, lang, " / "),
                "question_roles": ", ".join(criterion.question.roles),
                "respondents": "; ".join(r.respondent for r in records),
                "answers": "; ".join(f"{r.respondent}={'' if r.value is None else r.value}" for r in records),
                "answered": sum(1 for r in records if r.outcome is not None),
                "combined": value,
                "combined_outcome": claim.outcome.value if claim.outcome else None,
                "agreement": claim.agreement,
                "contested": claim.contested,
            }
        )
    first = ordered[0][1] if ordered else None
    consolidated = AnswerFile(
        rubric=RubricRef(**rubric.ref),
        organisation=first.organisation if first else Organisation(name="(none)"),
        respondent=Respondent(
            id=CONSOLIDATED_ID,
            roles=sorted({r for _, f in ordered for r in f.respondent.roles}) or ["(none)"],
            team=None,
        ),
        roster=roster,
        answered_at=max((f.answered_at for _, f in ordered if f.answered_at), default=None),
        answers=answers,
    )
    return MergeResult(consolidated, table, warnings)


def disagreement_csv(result: MergeResult, *, contested_only: bool = True) -> bytes:
    """The disagreement table as CSV (UTF-8 with BOM for Excel): the contested criteria, least
    agreement first (with `contested_only=False`, every answered criterion, contested first).

    Text cells (respondent ids, answers, question texts) are escaped against formula injection;
    numbers, including a negative combined value, stay numbers.
    """
    import pandas as pd

    rows = [row for row in result.table if row["contested"]] if contested_only else result.table
    frame = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    if not frame.empty:
        frame["order"] = range(len(frame))
        frame = frame.sort_values(["contested", "agreement", "order"], ascending=[False, True, True], kind="stable").drop(columns="order")
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):  # text, or text mixed with numbers (combined)
            frame[column] = frame[column].map(csv_cell)
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
