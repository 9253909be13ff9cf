"""One audit event: the pydantic contract for a line of audit.jsonl, and its canonical hash.

Every line of audit.jsonl is `canonical_json(event)`; `hash` is the SHA-256 of
`canonical_json(event without "hash")`, and `prev_hash` chains each event to the one before
(64 zeros for seq 0). Verification recomputes hashes from the raw parsed line, never from a
re-validated model, so that coercion can never hide an edit.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mlops_audit.util.jsonio import canonical_json, sha256_text

ZERO_HASH = "0" * 64
HEX64_PATTERN = r"^[0-9a-f]{64}$"
# Clause ids a pipeline step may realise (the guide's numbering; see rubrics/clauses.yaml):
# PA.<1-7>.step<k> / input / output / goal, CASE.mra[.n], LC.<name>.
CLAUSE_PATTERN = r"^(PA\.[1-7]\.(step[1-9][0-9]?|input|output|goal)|CASE\.mra(\.[1-9][0-9]?)?|LC\.[A-Za-z0-9_]+)$"
RUN_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$"
ROLE_PATTERN = r"^[A-Za-z][A-Za-z0-9_.\-]{0,79}$"
TS_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$"

Sha256Hex = Annotated[str, Field(pattern=HEX64_PATTERN)]
ClauseId = Annotated[str, Field(pattern=CLAUSE_PATTERN)]
RunId = Annotated[str, Field(pattern=RUN_ID_PATTERN)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
ArtifactName = Annotated[str, Field(min_length=1, max_length=1024)]


class _Frozen(BaseModel):
    # strict: a value of the wrong JSON type is an error, never silently coerced.
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class ArtifactRef(_Frozen):
    """Something a step read: a name (free text, e.g. a source path or URI) and its content digest."""

    name: ArtifactName
    sha256: Sha256Hex


class OutputRef(_Frozen):
    """Something a step wrote under the run folder: `path` is relative to it (POSIX separators)."""

    name: ArtifactName
    path: ArtifactName
    sha256: Sha256Hex


class Event(_Frozen):
    """One step of a pipeline run, as recorded in audit.jsonl."""

    seq: Annotated[int, Field(ge=0)]
    ts: Annotated[str, Field(pattern=TS_PATTERN)]
    run_id: RunId
    clause: ClauseId
    action: ShortText
    actor: ShortText
    role: Annotated[str, Field(pattern=ROLE_PATTERN)]
    inputs: list[ArtifactRef]
    outputs: list[OutputRef]
    params: dict[str, Any]
    metrics: dict[str, Any]
    decision: str | dict[str, Any] | None
    prev_hash: Sha256Hex
    hash: Sha256Hex

    @field_validator("params", "metrics")
    @classmethod
    def _json_only(cls, value: dict[str, Any]) -> dict[str, Any]:
        ensure_json_value(value, what="value")
        return value

    def body(self) -> dict[str, Any]:
        """The event as a JSON object without its own hash: what `hash` is computed over."""
        data = self.model_dump(mode="json")
        del data["hash"]
        return data

    def line(self) -> str:
        """The event's line in audit.jsonl (without the newline)."""
        return canonical_json(self.model_dump(mode="json"))


def event_hash(body: dict[str, Any]) -> str:
    """SHA-256 hex of the canonical JSON of an event body (a dict without the "hash" key)."""
    if "hash" in body:
        body = {key: value for key, value in body.items() if key != "hash"}
    return sha256_text(canonical_json(body))


def ensure_json_value(value: Any, *, what: str) -> Any:
    """Return `value` as it reads back from canonical JSON; refuse anything that would not round-trip.

    Raises ValueError naming `what` for NaN/infinity, non-string keys and non-JSON types, so that the
    stored event is exactly the event a verifier parses back.
    """
    try:
        text = canonical_json(value)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValueError(f"{what} must be JSON (finite numbers, string keys): {exc}") from exc
    normalised = json.loads(text)
    if canonical_json(normalised) != text or normalised != value:
        raise ValueError(
            f"{what} does not read back unchanged from JSON (use lists not tuples, string keys, "
            "plain str/int/float/bool/None values)"
        )
    return normalised
