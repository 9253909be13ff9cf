"""The run manifest (what a closed run attests to), its in-toto statement and optional Ed25519 signature.

`manifest.json` records the event count, head hash and RFC 9162 Merkle root of audit.jsonl, the
final digest of every artefact the run recorded, and the digests of audit.jsonl and statement.json.
It is written last and atomically, so its presence marks a closed run.

Signing (optional): Ed25519 over the DSSE v1 pre-authentication encoding
`PAE(MANIFEST_PAYLOAD_TYPE, canonical_json(manifest without "signature"))`. PAE adds domain
separation (a signature over a manifest can never be replayed as one over another document type).
Without a key the run has integrity (tamper evidence) but not authenticity; with an embedded public
key only, anyone can re-sign a forged run, so verifiers should pin the expected public key.

`statement.json` is an in-toto Statement v1 whose subjects are the artefacts and audit.jsonl, and
whose predicate records the Merkle tree size and root, so standard supply-chain tooling can match
the run's files by digest.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mlops_audit.evidence.trail.events import HEX64_PATTERN, RUN_ID_PATTERN, TS_PATTERN
from mlops_audit.util.jsonio import atomic_write_bytes, canonical_json, pretty_json, sha256_bytes

if TYPE_CHECKING:  # cryptography is imported lazily: only signing and verification need it
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

MANIFEST_SCHEMA = "mlops-audit/run-manifest/v1"
MANIFEST_PAYLOAD_TYPE = "application/vnd.mlops-audit.run-manifest+json"
CANONICALIZATION = "JSON, keys sorted, no whitespace, UTF-8, shortest round-trip floats (mlops_audit canonical_json)"
LEAF_ENCODING = "RFC 9162 MTH, SHA-256; leaf = one audit.jsonl line, UTF-8, without its newline"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
TRAIL_PREDICATE_TYPE = "urn:mlops-audit:predicate:audit-trail:v1"
TRAIL_FILE = "audit.jsonl"
MANIFEST_FILE = "manifest.json"
STATEMENT_FILE = "statement.json"

Sha256Hex = Annotated[str, Field(pattern=HEX64_PATTERN)]
Timestamp = Annotated[str, Field(pattern=TS_PATTERN)]
RelPath = Annotated[str, Field(min_length=1, max_length=1024)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class FileDigest(_Frozen):
    path: RelPath
    sha256: Sha256Hex


class ToolInfo(_Frozen):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    version: Annotated[str, Field(min_length=1, max_length=100)]


ShortField = Annotated[str, Field(min_length=1, max_length=200)]


class SystemRef(_Frozen):
    """The system a run ran for, recorded in the manifest (and so covered by its signature).

    An assessment credits a run only to the organisation it names; `reference` marks runs of the
    bundled reference pipeline, which are credited only in the demo or when the assessor asks.
    """

    id: Annotated[str, Field(pattern=RUN_ID_PATTERN)]
    name: ShortField | None = None
    organisation: ShortField | None = None
    owner: ShortField | None = None
    repository: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    commit: Annotated[str, Field(pattern=r"^[0-9a-f]{7,64}$")] | None = None
    reference: bool = False


class ManifestSignature(_Frozen):
    alg: Literal["Ed25519"]
    encoding: Literal["DSSEv1"]
    payload_type: Literal["application/vnd.mlops-audit.run-manifest+json"]
    keyid: Sha256Hex  # SHA-256 of the raw 32-byte public key
    public_key: Annotated[str, Field(min_length=1, max_length=200)]  # base64 of the raw public key
    sig: Annotated[str, Field(min_length=1, max_length=200)]  # base64 of the 64-byte signature


class RunManifest(_Frozen):
    """manifest.json. `schema` is spelled `schema_` in Python (pydantic reserves the name)."""

    schema_: Literal["mlops-audit/run-manifest/v1"] = Field(alias="schema")
    run_id: Annotated[str, Field(pattern=RUN_ID_PATTERN)]
    tool: ToolInfo
    created: Timestamp
    closed: Timestamp
    event_count: Annotated[int, Field(ge=0)]
    head_hash: Sha256Hex
    merkle_root: Sha256Hex
    hash_algorithm: Literal["sha256"] = "sha256"
    canonicalization: str = CANONICALIZATION
    leaf_encoding: str = LEAF_ENCODING
    trail: FileDigest
    statement: FileDigest
    artifacts: list[FileDigest]
    system: SystemRef | None = None
    signature: ManifestSignature | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def signed_payload(self) -> bytes:
        """The bytes a signature covers: the canonical manifest without its signature."""
        data = self.to_json_dict()
        data.pop("signature", None)
        return canonical_json(data).encode("utf-8")


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding."""
    type_bytes = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(type_bytes), type_bytes, len(payload), payload)


def sign_manifest(manifest: RunManifest, private_key: Ed25519PrivateKey) -> RunManifest:
    """Return the manifest with an Ed25519 signature over its canonical unsigned form."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    if not isinstance(private_key, Ed25519PrivateKey):
        raise TypeError(f"signing_key must be an Ed25519PrivateKey, got {type(private_key).__name__}")
    raw_public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    unsigned = manifest.model_copy(update={"signature": None})
    sig = private_key.sign(pae(MANIFEST_PAYLOAD_TYPE, unsigned.signed_payload()))
    signature = ManifestSignature(
        alg="Ed25519",
        encoding="DSSEv1",
        payload_type=MANIFEST_PAYLOAD_TYPE,
        keyid=hashlib.sha256(raw_public).hexdigest(),
        public_key=base64.b64encode(raw_public).decode("ascii"),
        sig=base64.b64encode(sig).decode("ascii"),
    )
    return manifest.model_copy(update={"signature": signature})


def check_signature(
    manifest: RunManifest, trusted_public_key: Ed25519PublicKey | None = None
) -> tuple[Literal["valid", "invalid", "absent"], str]:
    """Check the manifest's signature. Returns (status, reason); reason is empty when valid/absent.

    With `trusted_public_key`, the embedded key must be that key (otherwise anyone could re-sign).
    """
    if manifest.signature is None:
        return "absent", ""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    signature = manifest.signature
    try:
        raw_public = base64.b64decode(signature.public_key, validate=True)
        sig = base64.b64decode(signature.sig, validate=True)
        public_key = Ed25519PublicKey.from_public_bytes(raw_public)
    except ValueError as exc:
        return "invalid", f"signature or public key is not valid base64 Ed25519 data ({exc})"
    if hashlib.sha256(raw_public).hexdigest() != signature.keyid:
        return "invalid", "signature keyid does not match its public key"
    if trusted_public_key is not None:
        trusted_raw = trusted_public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        if trusted_raw != raw_public:
            return "invalid", (
                f"manifest was signed by key {signature.keyid[:16]}…, not by the trusted key "
                f"{hashlib.sha256(trusted_raw).hexdigest()[:16]}…"
            )
    try:
        public_key.verify(sig, pae(MANIFEST_PAYLOAD_TYPE, manifest.signed_payload()))
    except InvalidSignature:
        return "invalid", "Ed25519 signature does not match the manifest content"
    return "valid", ""


def build_statement(
    *,
    run_id: str,
    artifacts: list[FileDigest],
    trail: FileDigest,
    event_count: int,
    merkle_root: str,
    head_hash: str,
) -> dict[str, Any]:
    """The in-toto Statement v1 for a closed run (subjects matched by digest)."""
    subjects = [{"name": item.path, "digest": {"sha256": item.sha256}} for item in artifacts]
    subjects.append({"name": trail.path, "digest": {"sha256": trail.sha256}})
    return {
        "_type": STATEMENT_TYPE,
        "subject": subjects,
        "predicateType": TRAIL_PREDICATE_TYPE,
        "predicate": {
            "runId": run_id,
            "treeSize": event_count,
            "merkleRoot": merkle_root,
            "headHash": head_hash,
            "hashAlgorithm": "sha256",
            "canonicalization": CANONICALIZATION,
            "leafEncoding": LEAF_ENCODING,
        },
    }


def statement_bytes(statement: dict[str, Any]) -> bytes:
    return pretty_json(statement).encode("utf-8")


def write_closed_run(
    run_dir: Path,
    *,
    run_id: str,
    tool: ToolInfo,
    created: str,
    closed: str,
    event_count: int,
    head_hash: str,
    merkle_root: str,
    trail_sha256: str,
    artifacts: list[FileDigest],
    signing_key: Ed25519PrivateKey | None = None,
    system: SystemRef | None = None,
) -> RunManifest:
    """Write statement.json then manifest.json (atomically, manifest last) and return the manifest."""
    trail = FileDigest(path=TRAIL_FILE, sha256=trail_sha256)
    artifacts = sorted(artifacts, key=lambda item: item.path)
    statement = build_statement(
        run_id=run_id,
        artifacts=artifacts,
        trail=trail,
        event_count=event_count,
        merkle_root=merkle_root,
        head_hash=head_hash,
    )
    statement_data = statement_bytes(statement)
    manifest = RunManifest(
        **{"schema": MANIFEST_SCHEMA},  # by alias: works on every pydantic 2.x
        run_id=run_id,
        tool=tool,
        created=created,
        closed=closed,
        event_count=event_count,
        head_hash=head_hash,
        merkle_root=merkle_root,
        trail=trail,
        statement=FileDigest(path=STATEMENT_FILE, sha256=sha256_bytes(statement_data)),
        artifacts=artifacts,
        system=system,
    )
    if signing_key is not None:
        manifest = sign_manifest(manifest, signing_key)
    atomic_write_bytes(run_dir / STATEMENT_FILE, statement_data)
    atomic_write_bytes(run_dir / MANIFEST_FILE, manifest_bytes(manifest))
    return manifest


def manifest_bytes(manifest: RunManifest) -> bytes:
    return pretty_json(manifest.to_json_dict()).encode("utf-8")
