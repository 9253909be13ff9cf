"""The portfolio index contract: portfolio.json and the per-repository state it is made of.

Published as a JSON Schema (rubrics/schema/portfolio.schema.json). Everything in it is
deterministic: the same estate, tool and SOURCE_DATE_EPOCH give byte-identical files. How long a
repository took is not in here (it changes from run to run): see timings.json.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Status(StrEnum):
    ok = "ok"  # collected; the result file is repos/<repo>.json
    error = "error"  # not collected; `error` says why (crash, time limit, refused, unreadable)


class ErrorKind(StrEnum):
    refused = "refused"  # not a folder, a symbolic link out of the estate folder
    timeout = "timeout"  # past --timeout: the worker was killed
    crashed = "crashed"  # the collector raised
    worker_died = "worker_died"  # the worker process ended (killed by the system, out of memory)
    too_large = "too_large"  # the result was larger than the portfolio accepts


class RepoKey(Model):
    """What a result depends on: when all of it is unchanged, a rerun reuses the result."""

    head: str | None = Field(default=None, description="HEAD commit of a git work tree")
    tree: str | None = Field(default=None, description="sha256 of the tree when there is no readable HEAD")
    tool_version: str
    rubric_digest: str
    collector_digest: str = Field(description="detector catalogue and collector source digest")
    declared_learning_material: bool = Field(
        default=False, description="the assessor declared the repository learning material (portfolio collect --learning-material)"
    )


class RepoEntry(Model):
    repo: str = Field(description="id in the estate; names repos/<repo>.json")
    path: str = Field(description="the repository's path as the sources named it")
    status: Status
    error_kind: ErrorKind | None = None
    error: str | None = None
    key: RepoKey | None = Field(default=None, description="absent when the worker never got as far as reading it")
    collected_at: str = Field(description="the run's injected time (RFC 3339) when this entry was made")
    result: str | None = Field(default=None, description="result file, relative to the portfolio folder")
    result_sha256: str | None = None
    kinds: dict[str, str] = Field(default_factory=dict, description="kind -> best outcome among its detectors")
    detectors: dict[str, str] = Field(default_factory=dict, description="detector id -> outcome")
    findings: int = 0
    failed: int = 0
    codeowners: list[str] = Field(default_factory=list, description="owners named for the whole tree in CODEOWNERS")


class Totals(Model):
    repos: int
    ok: int
    error: int


class Portfolio(Model):
    format: str = "mlops-audit-portfolio/1"
    tool_version: str
    rubric: dict[str, str]
    collector_digest: str
    generated_at: str
    totals: Totals
    repos: list[RepoEntry]
