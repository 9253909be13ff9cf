"""JSON Schemas generated from the pydantic contracts, published in rubrics/schema/.

A test regenerates them and fails when the published copies are stale.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlops_audit import paths
from mlops_audit.util.jsonio import atomic_write_text, pretty_json


def _model_schema(model: Any, title: str, schema_id: str) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://mlops-audit.invalid/schema/{schema_id}"
    schema["title"] = title
    return schema


def _answers_schema() -> dict[str, Any]:
    # The questionnaire package owns this one: it also admits the informational `question` field.
    from mlops_audit.evidence.questionnaire.schema import answers_json_schema

    return answers_json_schema()


def _builders() -> dict[str, Callable[[], dict[str, Any]]]:
    from mlops_audit.evidence.model import Evidence, WaiverFile
    from mlops_audit.result.model import Assessment
    from mlops_audit.rubric.model import ClauseCatalogue, EvidencePolicy, Rubric

    builders: dict[str, Callable[[], dict[str, Any]]] = {
        "rubric.schema.json": lambda: _model_schema(Rubric, "mlops-audit rubric (resolved)", "rubric.schema.json"),
        "clauses.schema.json": lambda: _model_schema(ClauseCatalogue, "mlops-audit clause catalogue", "clauses.schema.json"),
        "policy.schema.json": lambda: _model_schema(EvidencePolicy, "mlops-audit evidence policy", "policy.schema.json"),
        "answers.schema.json": _answers_schema,
        "waivers.schema.json": lambda: _model_schema(WaiverFile, "mlops-audit waiver file", "waivers.schema.json"),
        "evidence.schema.json": lambda: _model_schema(Evidence, "mlops-audit evidence record", "evidence.schema.json"),
        "assessment.schema.json": lambda: _model_schema(Assessment, "mlops-audit assessment", "assessment.schema.json"),
    }
    from mlops_audit.result.regulatory import RegulatoryCoverage
    from mlops_audit.rubric.profiles import ClauseFile, CrosswalkFile, ProfileMeta

    builders.update(
        {
            "profile.schema.json": lambda: _model_schema(ProfileMeta, "mlops-audit regulator profile (profile.yaml)", "profile.schema.json"),
            "profile-clauses.schema.json": lambda: _model_schema(ClauseFile, "mlops-audit profile clause catalogue (clauses.yaml)", "profile-clauses.schema.json"),
            "profile-crosswalk.schema.json": lambda: _model_schema(CrosswalkFile, "mlops-audit profile crosswalk (crosswalk.yaml)", "profile-crosswalk.schema.json"),
            "regulatory-coverage.schema.json": lambda: _model_schema(RegulatoryCoverage, "mlops-audit regulatory coverage", "regulatory-coverage.schema.json"),
        }
    )
    try:
        from mlops_audit.evidence.repo.model import CollectionResult
    except ImportError:
        pass
    else:
        builders["collection.schema.json"] = lambda: _model_schema(
            CollectionResult, "mlops-audit repository evidence collection", "collection.schema.json"
        )
        from mlops_audit.evidence.repo.model import ProjectsCollection

        builders["projects.schema.json"] = lambda: _model_schema(
            ProjectsCollection, "mlops-audit per-project repository evidence (collect --per-project)", "projects.schema.json"
        )
    from mlops_audit.portfolio.model import Portfolio

    builders["portfolio.schema.json"] = lambda: _model_schema(Portfolio, "mlops-audit portfolio index", "portfolio.schema.json")
    from mlops_audit.evidence.repo.cacheform import CacheEntry

    builders["parse-cache-entry.schema.json"] = lambda: _model_schema(
        CacheEntry,
        "mlops-audit parse cache entry: the first line of the body after its HMAC header line "
        "(the second and third lines are the calls and decorators, JSON arrays of call rows)",
        "parse-cache-entry.schema.json",
    )
    try:
        from mlops_audit.evidence.repo.catalogue import CatalogueFile
    except ImportError:
        pass
    else:
        builders["catalogue.schema.json"] = lambda: _model_schema(CatalogueFile, "mlops-audit tool catalogue file", "catalogue.schema.json")
    return builders


def generate_all() -> dict[str, str]:
    return {name: pretty_json(build()) for name, build in _builders().items()}


def write_all(out_dir: Path | None = None) -> list[Path]:
    out_dir = out_dir or paths.schema_dir()
    written = []
    for name, text in generate_all().items():
        written.append(atomic_write_text(out_dir / name, text))
    return written


def stale_schemas(folder: Path | None = None) -> list[str]:
    folder = folder or paths.schema_dir()
    stale = []
    for name, text in generate_all().items():
        target = folder / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale
