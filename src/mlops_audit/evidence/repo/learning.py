"""The repository-level verdict on learning material, and how collect says what it did not credit.

`lessons` (with `coursework`) decides which files are lessons and exercises; this module turns that
into what an assessor reads first:

- `verdict`: `course` / `partly` / `none`, the reasons (the README's own words, each rule that took a
  tree), the share of the code left out, and whether the assessor chose to count learning material
  as project code (`collect --count-learning-material`);
- `note_learning_evidence`: in a project with lesson trees left out, a detector that failed, but
  passes when learning material is counted, says so in its message ("not credited: found only in
  learning material: chapter-03/Dockerfile"); in a course as a whole, a failure says the lessons were
  not searched and how to count them; so nothing is dropped silently;
- `set_aside_in_learning_material`: in a repository that is learning material as a whole (`course`:
  two independent signs since session 13, `lessons`; one sign is `partly` and sets nothing aside),
  a practice of an ML system found in what the rules kept (a root Dockerfile, a root workflow that
  retrains on a schedule, a guide's decision records) is not credited either: the repository teaches
  it, nobody practises it on a system (benchmarks/evidence/conventions.md §3). How the repository
  itself is kept (the `upkeep` detectors: CI, tests, pins, scanners, owners, tags) is still judged;
- `console_lines` / `sarif_properties`: the verdict at the top of collect's table and in SARIF.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from mlops_audit.evidence.repo.lessons import COURSE, DECLARED, NAME, NONE, PARTLY, STRUCTURE, LearningMaterial
from mlops_audit.evidence.repo.model import FindingOutcome, LearningMaterialVerdict

MAX_REASONS = 20
MAX_NAMED = 3  # learning-material files named in a finding's message
OVERRIDE = "--count-learning-material"
DECLARATION = "--learning-material"
ONE_SIGN = "one sign of learning material only"  # how a reason says the verdict rests on one sign (session 13)


def _undo(declared: bool, them: bool = False) -> str:
    """How the assessor counts what was left out: the opposite flag, or dropping their declaration
    (the two flags together are refused)."""
    if declared:
        return f"drop {DECLARATION} to count {'them' if them else 'it'}"
    return f"{OVERRIDE} to count them" if them else f"{OVERRIDE} counts it"


def verdict(found: LearningMaterial, *, counted: bool = False) -> LearningMaterialVerdict:
    reasons = ([DECLARED] if found.declared else []) + ([found.teaching] if found.teaching and found.verdict != NONE else []) + _signs(found) + [
        f"{tree.path or '(whole repository)'}: {tree.why}" for tree in found.trees if not tree.why.startswith(DECLARED)
    ]
    return LearningMaterialVerdict(
        verdict=found.verdict,  # type: ignore[arg-type]  # one of lessons' COURSE / PARTLY / NONE
        reasons=reasons[:MAX_REASONS],
        code_share=found.code_share,
        code_files=found.code_files,
        other_files=sum(t.other_files for t in found.trees),
        counted=counted,
        declared=found.declared,
    )


def _signs(found: LearningMaterial) -> list[str]:
    """The signs line of the reasons (`lessons`: a whole-repository verdict needs two independent signs)."""
    if found.verdict == NONE or found.declared or not found.signs or set(found.signs) <= {STRUCTURE, NAME}:
        return []  # (lesson trees alone: each is a reason of its own below)
    said = "; ".join(f"{source.split(':')[0]} ({why})" for source, why in found.signs.items())
    if found.two_signs:
        return [f"independent signs of learning material: {said}"]
    return [f"{ONE_SIGN} ({said}): not enough to set the repository aside as a whole, so the practices it shows are credited"]


def note_learning_evidence(
    detectors: Iterable[Any],
    observations: dict[str, Any],
    index: Any,
    counted_index: Callable[[], Any],
    run: Callable[[Any, Any], Any],
    judged: LearningMaterialVerdict,
) -> None:
    """For each detector that failed, say what the learning material left out holds for it; the
    outcome is unchanged.

    Where only some trees were left out (`partly`), the detector runs again on an index of the
    learning material alone (`counted_index()`, built only if some detector failed: lesson files are
    parsed once, project files not again); where it passes or partly passes there, the failure's
    message says where the evidence was. Where the repository is learning material as a whole
    (`course`), nothing it holds is credited whichever files show it, so the lessons are not searched
    (searching them was an eighth of collect's time over real checkouts, session 17): the failure says
    that the lesson files were not looked at, how many, and how to count them."""
    failed = [det for det in detectors if observations[det.id].outcome is FindingOutcome.fail and not det.reads_history]
    if not failed:
        return
    left_out = index.stats.learning.left_out
    if judged.verdict == COURSE:
        note = f"not looked for in learning material: the repository is learning material as a whole and its {len(left_out):,} lesson file(s) are left out"
        for det in failed:
            before = observations[det.id]
            observations[det.id] = dataclasses.replace(before, message=f"{before.message}; {note} ({_undo(judged.declared, them=True)})")
        return
    with counted_index() as counted:  # closed when done: it holds the tree's folder handles
        for det in failed:
            seen = run(det, counted)
            if seen.outcome not in (FindingOutcome.pass_, FindingOutcome.partial):
                continue
            named = [p for p in dict.fromkeys(loc.path for loc in seen.locations) if p in left_out]
            where = ", ".join(named[:MAX_NAMED]) + (f" (+{len(named) - MAX_NAMED})" if len(named) > MAX_NAMED else "")
            note = f"not credited: found only in learning material: {where or 'its ' + str(len(left_out)) + ' files'}"
            before = observations[det.id]
            observations[det.id] = dataclasses.replace(before, message=f"{before.message}; {note} ({_undo(index.stats.learning.declared)})")


def set_aside_in_learning_material(detectors: Iterable[Any], observations: dict[str, Any], judged: LearningMaterialVerdict) -> None:
    """In a repository judged learning material whole (and not counted at the assessor's request), turn
    each ML-practice detector's pass or partial pass into `not_applicable`, saying what was found and
    where, so nothing is dropped silently; `upkeep` detectors keep their outcome."""
    if judged.verdict != COURSE or judged.counted:
        return
    why = judged.reasons[0] if judged.reasons else "the repository is learning material"
    for det in detectors:
        seen = observations[det.id]
        if det.upkeep or seen.outcome not in (FindingOutcome.pass_, FindingOutcome.partial):
            continue
        named = list(dict.fromkeys(loc.path for loc in seen.locations))
        where = f" ({', '.join(named[:MAX_NAMED])}{f' +{len(named) - MAX_NAMED}' if len(named) > MAX_NAMED else ''})" if named else ""
        undo = _undo(judged.declared)
        observations[det.id] = type(seen).not_applicable(
            f"not credited: the repository as a whole is learning material ({why}), so it practises nothing on an ML system; "
            f"what it shows: {seen.message}{where} ({undo})"
        )


def console_lines(judged: LearningMaterialVerdict | None) -> list[str]:
    """The lines at the top of collect's table ([] when the verdict is `none`)."""
    if judged is None or judged.verdict == NONE:
        return []
    share = f"{judged.code_share:.0%} of its Python files and notebooks ({judged.code_files:,})"
    if judged.verdict == PARTLY and not judged.code_files and not judged.other_files:  # one sign (session 13): said, nothing taken
        head = f"LEARNING MATERIAL: partly - one sign, not enough to set the repository aside: nothing left out, its practices are credited ({DECLARATION} takes it whole)"
    elif not judged.code_files and not judged.other_files:  # a documents-only course, guide or book
        what = "counted as project documents at your request" if judged.counted else f"its documents are read as lessons ({_undo(judged.declared, them=True)})"
        head = f"LEARNING MATERIAL: {judged.verdict} - no code; {what}"
    elif not judged.code_files and not judged.counted:  # a template's placeholder containers, manifests, CI
        head = f"LEARNING MATERIAL: {judged.verdict} - no Python files or notebooks; {judged.other_files:,} other file(s) left out as lessons, exercises or template placeholders ({_undo(judged.declared, them=True)})"
    elif judged.counted:
        head = f"LEARNING MATERIAL: {judged.verdict} - {share} are lessons or exercises, counted as project code at your request ({OVERRIDE})"
    else:
        head = f"LEARNING MATERIAL: {judged.verdict} - {share} and {judged.other_files:,} other file(s) left out as lessons or exercises ({_undo(judged.declared, them=True)})"
    return [head] + [f"  - {reason}" for reason in judged.reasons[:5]] + ([f"  - ... {len(judged.reasons) - 5} more in the JSON"] if len(judged.reasons) > 5 else [])


def sarif_properties(judged: LearningMaterialVerdict | None) -> dict[str, Any]:
    """The run's `learningMaterial` property (empty when there is no verdict to report)."""
    if judged is None:
        return {}
    return {"learningMaterial": judged.model_dump(mode="json")}
