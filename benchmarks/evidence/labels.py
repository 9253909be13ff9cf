"""The labelled-repository file (`labels.yaml`): its contract and a loader that names every problem.

A label says whether one practice (a collector detector id, e.g. `has_ci_pipeline`) is really done in
one public repository at one commit, decided by a person reading the files, not by running the
collector. `bench_accuracy.py` compares the collector's findings with these labels.

Rules checked here (so a broken file fails loudly instead of skewing the numbers):
- `kinds` lists the detector ids labelled; every repository labels each of them exactly once;
- repository names are `owner/name`, unique; commits are 40 hex digits; split is `dev`, `spent` or `heldout`;
- a practice marked present names at least one path that shows it; paths are relative and stay inside
  the repository (`..` and absolute paths are refused).
Whether the ids are known to the installed collector is checked by `unknown_kinds` (the caller holds
the registry), so the file can be validated without importing the collector.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mlops_audit.errors import InputError
from mlops_audit.util.safeyaml import LocatedDocument, format_key_path, load_yaml_file

LABELS_FILE = Path(__file__).resolve().parent / "labels.yaml"
SCHEMA_FILE = Path(__file__).resolve().parent / "labels.schema.json"

_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.][A-Za-z0-9_.-]*$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_KIND = re.compile(r"^[a-z][a-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Strict):
    kind: str = Field(description="a collector detector id, e.g. has_ci_pipeline")
    present: bool = Field(description="the practice is really done in this repository at this commit")
    paths: list[str] = Field(default_factory=list, description="files or folders that show it (or the near-miss when absent)")
    note: str = Field(min_length=1, description="one line: why, as read in the files")
    uncertain: bool = Field(default=False, description="the labeller was unsure; reported apart from the main figures")

    @field_validator("kind")
    @classmethod
    def _kind_is_an_id(cls, value: str) -> str:
        if not _KIND.match(value):
            raise ValueError(f"'{value}' is not a detector id (snake_case)")
        return value

    @field_validator("paths")
    @classmethod
    def _paths_stay_inside(cls, value: list[str]) -> list[str]:
        for path in value:
            pure = PurePosixPath(path)
            if not path or pure.is_absolute() or ".." in pure.parts or "\\" in path:
                raise ValueError(f"path '{path}' must be relative to the repository root, with '/' and no '..'")
        return value

    @model_validator(mode="after")
    def _present_shows_where(self) -> Label:
        if self.present and not self.paths:
            raise ValueError(f"{self.kind}: marked present, so name at least one path that shows it")
        return self


class LabelledRepo(_Strict):
    repo: str = Field(description="owner/name on GitHub")
    commit: str = Field(description="the commit that was read (40 hex digits)")
    split: Literal["dev", "spent", "heldout"] = Field(description="dev: tuned on; heldout: never looked at one by one, quoted apart; spent: was held out (its numbers were quoted as such) until its disagreements were studied, tuned on since")
    batch: str | None = Field(default=None, pattern=r"^[0-9]+[a-z]?$", description="the labelling batch the repository came in (1, 2, ... 5a, 5b ...): batches were fetched and labelled together, so a leave-one-batch-out evaluation judges a rule or model on repositories chosen apart from those it learnt on")
    kind_of_repo: str = Field(min_length=1)
    decoy: bool = Field(default=False, description="describes MLOps practices without practising them (docs, lists, courses of text)")
    labels: list[Label]

    _repo_name = field_validator("repo")(lambda cls, value: check_repo_name(value))
    _commit = field_validator("commit")(lambda cls, value: check_commit(value))

    @property
    def checkout_name(self) -> str:
        """The folder name a checkout of this repository has under the checkout root: owner+name."""
        return self.repo.replace("/", "+", 1)

    def label(self, kind: str) -> Label:
        for item in self.labels:
            if item.kind == kind:
                return item
        raise KeyError(f"{self.repo}: no label for '{kind}'")


class LabelFile(_Strict):
    version: Literal[1] = 1
    kinds: list[str] = Field(min_length=1, description="the detector ids every repository labels")
    repos: list[LabelledRepo] = Field(min_length=1)

    @model_validator(mode="after")
    def _complete_and_unique(self) -> LabelFile:
        problems = []
        dup_kinds = sorted(k for k, n in Counter(self.kinds).items() if n > 1)
        if dup_kinds:
            problems.append(f"kinds listed twice: {', '.join(dup_kinds)}")
        dup_repos = sorted(r for r, n in Counter(r.repo.lower() for r in self.repos).items() if n > 1)
        if dup_repos:
            problems.append(f"repositories listed twice: {', '.join(dup_repos)}")
        wanted = set(self.kinds)
        for i, repo in enumerate(self.repos):
            counts = Counter(label.kind for label in repo.labels)
            twice = sorted(k for k, n in counts.items() if n > 1)
            missing = sorted(wanted - set(counts))
            extra = sorted(set(counts) - wanted)
            where = f"repos[{i}] ({repo.repo})"
            if twice:
                problems.append(f"{where}: labelled twice: {', '.join(twice)}")
            if missing:
                problems.append(f"{where}: not labelled: {', '.join(missing)}")
            if extra:
                problems.append(f"{where}: labels kinds not in 'kinds': {', '.join(extra)}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def unknown_kinds(self, known: set[str]) -> list[str]:
        """Labelled kinds the given detector registry does not have (sorted)."""
        return sorted(set(self.kinds) - known)


M = TypeVar("M", bound=BaseModel)


def load_yaml_model(path: str | Path, model: type[M]) -> tuple[M, LocatedDocument]:
    """A YAML file validated as `model` (and the document, for positions); every problem is reported
    as `file:line:column: key: message`."""
    doc = load_yaml_file(path)
    try:
        return model.model_validate(doc.data), doc
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            msg = "required key is missing" if err["type"] == "missing" else err["msg"]
            problems.append(f"{doc.where(loc)}: {format_key_path(loc)}: {msg}")
        raise InputError("\n".join(problems)) from None


def check_repo_name(value: str) -> str:
    if not _REPO.match(value):
        raise ValueError(f"'{value}' is not owner/name")
    return value


def check_commit(value: str) -> str:
    if not _COMMIT.match(value):
        raise ValueError(f"'{value}' is not a 40-hex-digit commit")
    return value


def load_labels(path: str | Path = LABELS_FILE) -> LabelFile:
    """Load and validate a labels file; every problem is reported as `file:line:column: key: message`."""
    return load_yaml_model(path, LabelFile)[0]


def labels_schema_text() -> str:
    """The JSON Schema of the labels file, as committed beside it (a test keeps it current)."""
    import json

    return json.dumps(LabelFile.model_json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":  # python benchmarks/evidence/labels.py: rewrite labels.schema.json
    from mlops_audit.util.jsonio import atomic_write_text

    atomic_write_text(SCHEMA_FILE, labels_schema_text())
