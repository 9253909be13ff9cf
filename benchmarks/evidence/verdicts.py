"""Repository verdicts (`verdicts.yaml`): decoy or not, one cheap label per repository, and its loader.

A full label (`labels.yaml`) reads 22 practices in a repository and takes a labeller about half an
hour; whether a repository is learning material (a *decoy*: a course, workshop, book companion, a
tool's example collection, a template, a guide) takes a few minutes. Decoys are where the collector
errs most, and a few dozen labelled decoys are too few to judge the learning-material verdict or
to count its false passes, so this file holds many repositories labelled only this way, under
`conventions.md` §2 (what is a decoy) and §5 (libraries are not).

What a verdict lets `bench_verdicts.py` score, and nothing more:
- for a decoy, the 15 ML-practice kinds are absent by convention (§3, `ML_KINDS` below), so any
  `pass`/`partial` on them is a false pass; the upkeep kinds (§4) are not labelled here and not scored;
- for every repository, whether the collector's learning-material verdict agrees with the label.

Rules checked here: names `owner/name`, unique, and none also in `labels.yaml` (a repository is scored
by one file or the other, never both); commits 40 hex digits; `split` is `heldout` until a session
studies its errors, then `spent`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from benchmarks.evidence.labels import check_commit, check_repo_name, load_yaml_model
from mlops_audit.errors import InputError
from mlops_audit.util.safeyaml import format_key_path

VERDICTS_FILE = Path(__file__).resolve().parent / "verdicts.yaml"
SCHEMA_FILE = Path(__file__).resolve().parent / "verdicts.schema.json"

# conventions.md §3: absent in every decoy, whatever its lessons do.
ML_KINDS = (
    "validates_data", "versions_data", "defines_features", "tracks_experiments", "tunes_hyperparameters",
    "registers_models", "is_reproducible", "has_container", "has_deployment_manifest", "uses_progressive_delivery",
    "serves_model", "monitors_model", "triggers_retraining", "orchestrates_pipeline", "has_design_docs",
)
SHAPES = (
    "course", "workshop", "book", "examples", "template", "tutorial", "guide",
    "capstone", "thesis", "service", "platform", "library", "research", "other",
)

class RepoVerdict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    repo: str = Field(description="owner/name on GitHub")
    commit: str = Field(description="the commit that was read (40 hex digits)")
    split: Literal["spent", "heldout"] = Field(default="heldout", description="heldout: never looked at one by one; spent: its errors were studied")
    batch: str = Field(pattern=r"^[0-9]+[a-z]{0,3}$", description="the labelling batch (12va, 12vb...)")
    decoy: bool = Field(description="learning material (conventions.md §2): its ML content teaches, demonstrates or scaffolds")
    shape: Literal[SHAPES] = Field(description="what the repository is, in one word")  # type: ignore[valid-type]
    kind_of_repo: str = Field(min_length=1, description="one line: what it is")
    note: str = Field(min_length=1, description="why decoy or not: the files that decided it")
    uncertain: bool = Field(default=False, description="the labeller could not settle it; reported apart, never scored")

    _repo_name = field_validator("repo")(lambda cls, value: check_repo_name(value))
    _commit = field_validator("commit")(lambda cls, value: check_commit(value))

    @property
    def checkout_name(self) -> str:
        return self.repo.replace("/", "+", 1)


class VerdictFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    repos: list[RepoVerdict] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> VerdictFile:
        twice = sorted(r for r, n in Counter(r.repo.lower() for r in self.repos).items() if n > 1)
        if twice:
            raise ValueError(f"repositories listed twice: {', '.join(twice)}")
        return self


def load_verdicts(path: str | Path = VERDICTS_FILE, *, labelled: set[str] | None = None) -> VerdictFile:
    """Load and validate a verdicts file; every problem is reported as `file:line:column: key: message`.
    `labelled`: the repositories of labels.yaml, none of which may be here too."""
    verdicts, doc = load_yaml_model(path, VerdictFile)
    if labelled:
        known = {name.lower() for name in labelled}
        both = [(i, v.repo) for i, v in enumerate(verdicts.repos) if v.repo.lower() in known]
        if both:
            raise InputError(
                "\n".join(
                    f"{doc.where(('repos', i, 'repo'))}: {format_key_path(('repos', i, 'repo'))}: {name} is also in labels.yaml (score it in one file only)"
                    for i, name in both
                )
            )
    return verdicts


def verdicts_schema_text() -> str:
    import json

    return json.dumps(VerdictFile.model_json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":  # python -m benchmarks.evidence.verdicts: rewrite verdicts.schema.json
    from mlops_audit.util.jsonio import atomic_write_text

    atomic_write_text(SCHEMA_FILE, verdicts_schema_text())
