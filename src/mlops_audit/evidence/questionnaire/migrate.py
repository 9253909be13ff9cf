"""Moving answers to a new rubric version (`questionnaire export --from OLD --out NEW`).

An answer file records the rubric digest it was exported with, and each answer the fingerprint
of its criterion's text. When the rubric has changed since:

- an answer whose criterion id still exists with the same text is carried over as it is;
- an answer whose criterion text changed is carried over as a proposal (`proposed_by: rubric
  <old version>`, not confirmed): the respondent must look at it again and confirm it, or it is
  not counted;
- an answer whose criterion id no longer exists cannot be carried: it is listed, and left out
  of the new file (the old file keeps it).

Everything else that is wrong with the file still stops the re-export.
"""

from __future__ import annotations

from mlops_audit.evidence.answers import AnswerFile
from mlops_audit.evidence.questionnaire.raw import Problem
from mlops_audit.rubric.loader import LoadedRubric


def carry_over(
    answers: AnswerFile | None, problems: list[Problem], rubric: LoadedRubric
) -> tuple[AnswerFile | None, list[Problem], list[str]]:
    """(answers for the new file, problems that still block, notes to print)."""
    if answers is None:
        return None, [p for p in problems if p.severity == "error"], []
    old = answers.rubric
    moving = bool(old.digest) and old.digest != rubric.digest
    removed = [p.subject for p in problems if moving and p.code == "unknown_criterion" and p.subject]
    blocking = [p for p in problems if p.severity == "error" and not (moving and p.code == "unknown_criterion")]
    changed = {p.subject for p in problems if p.code == "criterion_changed" and p.subject}
    notes: list[str] = []
    if changed:
        label = f"rubric {old.version}"
        updated = [
            a.model_copy(update={"proposed_by": label, "confirmed": False}) if a.criterion in changed else a
            for a in answers.answers
        ]
        answers = answers.model_copy(update={"answers": updated})
        notes.append(
            f"{len(changed)} answer(s) to changed criteria carried over unconfirmed (proposed by {label}); "
            f"confirm them in the new file: {', '.join(sorted(changed))}"
        )
    if removed:
        notes.append(
            f"{len(removed)} answer(s) not carried over: their criteria are not in rubric "
            f"{rubric.rubric.id} {rubric.rubric.version}: {', '.join(removed)}"
        )
    if moving:
        kept = len(answers.answers) - len(changed)
        notes.append(f"{kept} answer(s) carried over unchanged from rubric {old.id} {old.version} to {rubric.rubric.version}")
    return answers, blocking, notes
