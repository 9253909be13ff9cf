"""Audit-trail SDK: a tamper-evident record of a pipeline run that anyone can verify.

    trail = AuditTrail.create(run_dir, run_id="run-0001", clock=clock)
    trail.record(clause="PA.2.step1", action="ingest_batch", actor="pipeline:data", role="data_engineer",
                 inputs=[external_ref("raw.csv")], outputs=["data/clean.csv"], params={...}, metrics={...})
    manifest = trail.close(signing_key=None)
    result = verify_run(run_dir)   # result.ok, result.first_bad_seq, result.problems

Pure standard library + pydantic; `cryptography` is imported only to sign or check a signature.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlops_audit.evidence.trail.events import ZERO_HASH, ArtifactRef, Event, OutputRef, event_hash
from mlops_audit.evidence.trail.manifest import RunManifest, SystemRef
from mlops_audit.evidence.trail.writer import AuditTrail, TrailError, external_ref

if TYPE_CHECKING:
    from mlops_audit.evidence.trail.verify import Finding, VerificationResult, verify_run

__all__ = [
    "ZERO_HASH",
    "ArtifactRef",
    "AuditTrail",
    "Event",
    "Finding",
    "OutputRef",
    "RunManifest",
    "SystemRef",
    "TrailError",
    "VerificationResult",
    "event_hash",
    "external_ref",
    "verify_run",
]


def __getattr__(name: str) -> Any:
    # verify is imported on first use so that writing a trail does not load the verifier.
    if name in ("verify_run", "VerificationResult", "Finding"):
        from mlops_audit.evidence.trail import verify

        return getattr(verify, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
