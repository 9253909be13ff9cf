"""The one list of repository-detector ids a rubric may cite.

Ids come from the detector registry (`mlops_audit.evidence.repo.registry`) once it exists, plus
PLANNED ids: detectors the rubric already cites but that are not implemented yet. A test fails when
a planned id is also implemented (remove it here) so this list only ever shrinks.
"""

from __future__ import annotations

# Announced detector ids, one per evidence kind of the collector (issue: repository evidence).
PLANNED: frozenset[str] = frozenset(
    {
        "has_ci_pipeline",
        "has_unit_tests",
        "validates_data",
        "versions_data",
        "tracks_experiments",
        "tunes_hyperparameters",
        "registers_models",
        "has_container",
        "has_deployment_manifest",
        "uses_progressive_delivery",
        "serves_model",
        "monitors_model",
        "triggers_retraining",
        "orchestrates_pipeline",
        "defines_features",
        "has_design_docs",
        "pins_dependencies",
        "scans_security",
        "has_code_owners",
        "is_reproducible",
        "separates_duties_in_git",
        "tags_releases",
    }
)


def implemented_ids() -> set[str]:
    try:
        from mlops_audit.evidence.repo.registry import all_detectors
    except ModuleNotFoundError:
        return set()
    return {d.id for d in all_detectors()}


def known_ids() -> set[str]:
    return implemented_ids() | set(PLANNED)
