"""Which practices and criteria cite each clause of the guide: the rubric's traceability."""

from __future__ import annotations

from mlops_audit.rubric.loader import LoadedRubric


def clause_coverage(loaded: LoadedRubric) -> dict[str, list[str]]:
    """Clause id -> ids of the criteria citing it (in `clauses` or `pipeline_steps`), for every
    clause of the catalogue, in catalogue order. An empty list means the clause is uncovered."""
    cited: dict[str, set[str]] = {cid: set() for cid in loaded.catalogue.ids()}
    for _domain, _practice, criterion in loaded.rubric.criteria():
        for ref in [*criterion.clauses, *criterion.pipeline_steps]:
            cited.setdefault(ref, set()).add(criterion.id)
    return {cid: sorted(ids) for cid, ids in cited.items()}


def practices_citing(loaded: LoadedRubric) -> dict[str, list[str]]:
    """Clause id -> ids of practices citing it directly or through one of their criteria."""
    cited: dict[str, set[str]] = {cid: set() for cid in loaded.catalogue.ids()}
    for _domain, practice in loaded.rubric.practices():
        refs = set(practice.clauses)
        for criterion in practice.criteria:
            refs.update(criterion.clauses)
            refs.update(criterion.pipeline_steps)
        for ref in refs:
            cited.setdefault(ref, set()).add(practice.id)
    return {cid: sorted(ids) for cid, ids in cited.items()}


def uncovered(loaded: LoadedRubric) -> list[str]:
    return [cid for cid, ids in clause_coverage(loaded).items() if not ids]
