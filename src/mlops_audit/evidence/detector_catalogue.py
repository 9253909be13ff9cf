"""The one list of repository-detector ids a rubric may cite.

Ids come from the detector registry (`mlops_audit.evidence.repo.registry`) once it exists, plus
PLANNED ids: detectors the rubric already cites but that are not implemented yet. A test fails when
a planned id is also implemented (remove it here) so this list only ever shrinks.
"""

from __future__ import annotations

# Announced detector ids not implemented yet. Every id of issue 8 is now implemented in
# `mlops_audit.evidence.repo.detectors`; add an id here only when the rubric must cite a detector
# before it exists.
PLANNED: frozenset[str] = frozenset()


def implemented_ids() -> set[str]:
    try:
        from mlops_audit.evidence.repo.registry import all_detectors
    except ModuleNotFoundError:
        return set()
    return {d.id for d in all_detectors()}


def known_ids() -> set[str]:
    return implemented_ids() | set(PLANNED)
