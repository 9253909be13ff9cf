"""AuditTrail: the append-only writer a pipeline uses to record its steps.

One canonical JSON object per line, each flushed and fsynced before `record` returns, so a crash
loses at most the event being written. The writer keeps only what closing needs (leaf hashes,
the head hash, the last digest of each output), so a long run costs 32 bytes per event in memory.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from mlops_audit.errors import AuditError
from mlops_audit.evidence.trail.events import (
    RUN_ID_PATTERN,
    ZERO_HASH,
    ArtifactRef,
    Event,
    OutputRef,
    ensure_json_value,
    event_hash,
)
from mlops_audit.evidence.trail.manifest import (
    MANIFEST_FILE,
    TRAIL_FILE,
    FileDigest,
    RunManifest,
    SystemRef,
    ToolInfo,
    write_closed_run,
)
from mlops_audit.evidence.trail.merkle import leaf_hash, root_from_leaf_hashes
from mlops_audit.evidence.trail.safefs import RESERVED_NAMES, UnsafePath, normalise_relative, sha256_inside
from mlops_audit.util.clock import isoformat
from mlops_audit.util.jsonio import canonical_json, sha256_file

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# Verification refuses larger trails (untrusted input); the writer refuses to grow past them.
MAX_TRAIL_BYTES = 256 * 1024 * 1024
MAX_EVENT_LINE_BYTES = 4 * 1024 * 1024

Clock = Callable[[], datetime]


class TrailError(AuditError):
    """Misuse of the audit trail: a closed run, an unsafe output path, an invalid event."""

    exit_code = 2


def _format_validation(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(item) for item in error["loc"]) or "event"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


def external_ref(path: str | os.PathLike[str], name: str | None = None) -> ArtifactRef:
    """An input outside the run folder (e.g. the raw CSV a user points at), hashed now."""
    try:
        digest = sha256_file(path)
    except OSError as exc:
        raise TrailError(f"input {os.fspath(path)!r}: cannot be read ({exc.strerror or exc})") from exc
    return ArtifactRef(name=name or Path(path).name, sha256=digest)


class AuditTrail:
    """Append-only audit trail of one pipeline run. Create with `AuditTrail.create`."""

    def __init__(self, run_dir: Path, run_id: str, clock: Clock, handle: Any, created: str) -> None:
        self._run_dir = run_dir
        self._run_id = run_id
        self._clock = clock
        self._handle = handle
        self._created = created
        self._seq = 0
        self._head = ZERO_HASH
        self._leaf_hashes: list[bytes] = []
        self._bytes_written = 0
        self._file_digest = hashlib.sha256()
        # path -> (sha256, seq of its last writer): the manifest keeps each output's final digest.
        self._outputs: dict[str, tuple[str, int]] = {}
        self._closed = False
        self._broken: str | None = None
        self._lock = threading.Lock()
        self._system: SystemRef | None = None
        self._failed_dir: Path | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        run_dir: str | os.PathLike[str],
        *,
        run_id: str,
        clock: Clock | None = None,
        system: SystemRef | Mapping[str, Any] | None = None,
    ) -> AuditTrail:
        """Start a run in `run_dir`, which must be absent or empty (a closed run is never reopened).

        `system` names what the run ran for (id, organisation, owner, repository, commit); it goes
        into the manifest, and an assessment credits the run only to that organisation.
        """
        import re

        from mlops_audit.util.clock import now

        if not isinstance(run_id, str) or not re.fullmatch(RUN_ID_PATTERN, run_id):
            raise TrailError(
                f"run_id {run_id!r}: expected 1-128 characters of letters, digits and . _ : - "
                "starting with a letter or digit"
            )
        clock = clock or now
        try:
            system_ref = system if isinstance(system, SystemRef) or system is None else SystemRef.model_validate(dict(system))
        except ValidationError as exc:
            raise TrailError(f"system: {_format_validation(exc)}") from None
        root = Path(run_dir)
        if root.is_symlink():
            raise TrailError(f"run folder {root}: is a symbolic link; give the real folder")
        if root.exists():
            if not root.is_dir():
                raise TrailError(f"run folder {root}: exists and is not a folder")
            if (root / MANIFEST_FILE).exists():
                raise TrailError(
                    f"run folder {root}: holds a closed run ({MANIFEST_FILE} exists); "
                    "a closed run cannot be reopened, start a new run folder"
                )
            if (root / TRAIL_FILE).exists():
                raise TrailError(
                    f"run folder {root}: holds an unfinished run ({TRAIL_FILE} without {MANIFEST_FILE}); "
                    "move it aside (a run that fails inside 'with AuditTrail.create(...)' is moved to "
                    f"{root.name}.failed-N by itself) or start a new run folder"
                )
            if any(root.iterdir()):
                raise TrailError(f"run folder {root}: must be empty or absent to start a run")
        root.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(root / TRAIL_FILE, flags, 0o644)
        handle = os.fdopen(fd, "ab", buffering=0)
        created = isoformat(clock())
        trail = cls(root, run_id, clock, handle, created)
        trail._system = system_ref
        return trail

    def __enter__(self) -> AuditTrail:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        # On success the run is closed (manifest written). On an exception no manifest is written,
        # so the run stays visibly unfinished (verify reports it), and the folder is moved aside to
        # `<name>.failed-<n>`: the evidence of the failure is kept, and a retry can start afresh
        # in the same place.
        if self._closed:
            return
        if exc_type is None:
            self.close()
        else:
            self._handle.close()
            self._failed_dir = self._move_aside()

    def _move_aside(self) -> Path | None:
        for n in range(1, 10_000):
            target = self._run_dir.with_name(f"{self._run_dir.name}.failed-{n}")
            if not target.exists():
                try:
                    self._run_dir.rename(target)
                except OSError:
                    return None  # left in place: create() then says what is there
                return target
        return None

    @property
    def failed_dir(self) -> Path | None:
        """Where an unfinished run was moved when its `with` block raised (None otherwise)."""
        return self._failed_dir

    @property
    def run_dir(self) -> Path:
        return self._run_dir

    @property
    def run_id(self) -> str:
        return self._run_id

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def event_count(self) -> int:
        return self._seq

    @property
    def head_hash(self) -> str:
        return self._head

    # -- recording -------------------------------------------------------------------------------

    def ref(self, path: str | os.PathLike[str], name: str | None = None) -> ArtifactRef:
        """An input that is a file under the run folder (relative path), hashed now."""
        rel = self._safe_relative(path, what="input")
        try:
            digest = sha256_inside(self._run_dir, rel)
        except FileNotFoundError:
            raise TrailError(f"input {rel!r}: no such file under the run folder") from None
        return ArtifactRef(name=name or rel, sha256=digest)

    def record(
        self,
        *,
        clause: str,
        action: str,
        actor: str,
        role: str,
        inputs: Iterable[ArtifactRef | Mapping[str, Any]] = (),
        outputs: Iterable[str | os.PathLike[str] | Mapping[str, Any]] = (),
        params: Mapping[str, Any] | None = None,
        metrics: Mapping[str, Any] | None = None,
        decision: str | Mapping[str, Any] | None = None,
    ) -> Event:
        """Append one event. Outputs are files under the run folder, hashed now. Returns the event."""
        for label, value in (("inputs", inputs), ("outputs", outputs)):
            if isinstance(value, (str, bytes, os.PathLike, Mapping, ArtifactRef)):
                raise TrailError(f"event {self._seq}: {label} must be a list, got a single {type(value).__name__}")
        with self._lock:
            self._ensure_open()
            input_refs = [self._input_ref(item, index) for index, item in enumerate(inputs)]
            output_refs = self._output_refs(outputs)
            try:
                params_json = ensure_json_value(dict(params or {}), what="params")
                metrics_json = ensure_json_value(dict(metrics or {}), what="metrics")
                decision_json = None if decision is None else ensure_json_value(
                    decision if isinstance(decision, str) else dict(decision), what="decision"
                )
            except ValueError as exc:
                raise TrailError(f"event {self._seq} ({clause} {action}): {exc}") from None
            body: dict[str, Any] = {
                "seq": self._seq,
                "ts": isoformat(self._clock()),
                "run_id": self._run_id,
                "clause": clause,
                "action": action,
                "actor": actor,
                "role": role,
                "inputs": [ref.model_dump(mode="json") for ref in input_refs],
                "outputs": [ref.model_dump(mode="json") for ref in output_refs],
                "params": params_json,
                "metrics": metrics_json,
                "decision": decision_json,
                "prev_hash": self._head,
            }
            try:
                canonical_json(body).encode("utf-8")
            except UnicodeEncodeError as exc:
                raise TrailError(
                    f"event {self._seq} ({clause!r} {action!r}): text is not valid Unicode "
                    f"(a lone surrogate at position {exc.start}); it cannot be written as UTF-8"
                ) from None
            body["hash"] = event_hash(body)
            try:
                event = Event.model_validate(body)
            except ValidationError as exc:
                raise TrailError(f"event {self._seq} ({clause} {action}): {_format_validation(exc)}") from None
            line = (canonical_json(body) + "\n").encode("utf-8")
            if len(line) > MAX_EVENT_LINE_BYTES:
                raise TrailError(
                    f"event {self._seq} ({clause} {action}): {len(line)} bytes exceeds the "
                    f"{MAX_EVENT_LINE_BYTES}-byte limit per event; record digests, not data"
                )
            if self._bytes_written + len(line) > MAX_TRAIL_BYTES:
                raise TrailError(f"audit trail would exceed {MAX_TRAIL_BYTES} bytes; split the run")
            self._append(line)
            self._leaf_hashes.append(leaf_hash(line[:-1]))
            self._head = event.hash
            for ref in output_refs:
                self._outputs[ref.path] = (ref.sha256, self._seq)
            self._seq += 1
            return event

    def close(self, signing_key: Ed25519PrivateKey | None = None) -> RunManifest:
        """Write statement.json and manifest.json (optionally signed) and close the run for good.

        Every recorded output is re-hashed first: a file changed after the step that wrote it was
        recorded is an unrecorded step, and closing refuses to attest to it.
        """
        from mlops_audit import TOOL_NAME, __version__

        with self._lock:
            self._ensure_open()
            artifacts = []
            for path, (digest, seq) in sorted(self._outputs.items()):
                try:
                    current = sha256_inside(self._run_dir, path)
                except FileNotFoundError:
                    raise TrailError(
                        f"cannot close run: output {path!r} recorded by event {seq} no longer exists"
                    ) from None
                if current != digest:
                    raise TrailError(
                        f"cannot close run: output {path!r} changed after event {seq} recorded it "
                        "(record the step that changed it)"
                    )
                artifacts.append(FileDigest(path=path, sha256=digest))
            closed = isoformat(self._clock())
            manifest = write_closed_run(
                self._run_dir,
                run_id=self._run_id,
                tool=ToolInfo(name=TOOL_NAME, version=__version__),
                created=self._created,
                closed=closed,
                event_count=self._seq,
                head_hash=self._head,
                merkle_root=root_from_leaf_hashes(self._leaf_hashes).hex(),
                trail_sha256=self._file_digest.hexdigest(),
                artifacts=artifacts,
                signing_key=signing_key,
                system=self._system,
            )
            self._handle.close()
            self._closed = True
            return manifest

    # -- internals -------------------------------------------------------------------------------

    def _ensure_open(self) -> None:
        if self._closed:
            raise TrailError(f"run {self._run_id!r} is closed; a closed run cannot be appended to")
        if self._broken is not None:
            raise TrailError(f"run {self._run_id!r} is unusable after a failed write: {self._broken}")

    def _append(self, line: bytes) -> None:
        try:
            written = 0
            while written < len(line):
                written += self._handle.write(line[written:])
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError as exc:
            # A partial line may be on disk; the run can no longer be closed as intact.
            self._broken = f"writing {TRAIL_FILE} failed: {exc}"
            raise TrailError(f"run {self._run_id!r}: {self._broken}") from exc
        self._bytes_written += len(line)
        self._file_digest.update(line)

    def _safe_relative(self, path: str | os.PathLike[str], *, what: str) -> str:
        if not isinstance(path, (str, os.PathLike)):
            raise TrailError(f"{what}: expected a path, got {type(path).__name__}")
        candidate = Path(path)
        if candidate.is_absolute():
            # An absolute path is accepted when it lies inside the run folder (compared lexically,
            # without resolving links; links are refused when the file is opened).
            root = os.path.abspath(self._run_dir)
            absolute = os.path.abspath(candidate)
            if os.path.commonpath([root, absolute]) != root:
                raise TrailError(f"{what}: {os.fspath(path)!r} is outside the run folder")
            path = Path(absolute).relative_to(root).as_posix()
        try:
            return normalise_relative(path)
        except UnsafePath as exc:
            raise TrailError(f"{what}: {exc.message}") from None

    def _input_ref(self, item: ArtifactRef | Mapping[str, Any], index: int) -> ArtifactRef:
        if isinstance(item, ArtifactRef):
            return item
        try:
            return ArtifactRef.model_validate(dict(item))
        except (ValidationError, TypeError, ValueError) as exc:
            detail = _format_validation(exc) if isinstance(exc, ValidationError) else str(exc)
            raise TrailError(f"event {self._seq}: inputs[{index}]: expected {{name, sha256}}: {detail}") from None

    def _output_refs(self, outputs: Iterable[str | os.PathLike[str] | Mapping[str, Any]]) -> list[OutputRef]:
        refs: list[OutputRef] = []
        seen: set[str] = set()
        for index, item in enumerate(outputs):
            if isinstance(item, Mapping):
                if set(item) != {"name", "path"}:
                    raise TrailError(f"event {self._seq}: outputs[{index}]: expected a path or {{name, path}}")
                name, raw_path = item["name"], item["path"]
            else:
                name, raw_path = None, item
            rel = self._safe_relative(raw_path, what=f"event {self._seq}: outputs[{index}]")
            if rel in RESERVED_NAMES:
                raise TrailError(f"event {self._seq}: outputs[{index}]: {rel!r} is reserved for the trail itself")
            if rel in seen:
                raise TrailError(f"event {self._seq}: outputs[{index}]: {rel!r} listed twice")
            seen.add(rel)
            try:
                digest = sha256_inside(self._run_dir, rel)
            except FileNotFoundError:
                raise TrailError(
                    f"event {self._seq}: outputs[{index}]: {rel!r} does not exist under the run folder "
                    "(write the file before recording the step)"
                ) from None
            except UnsafePath as exc:
                raise TrailError(f"event {self._seq}: outputs[{index}]: {exc.message}") from None
            try:
                refs.append(OutputRef(name=str(name) if name is not None else rel, path=rel, sha256=digest))
            except ValidationError as exc:
                raise TrailError(f"event {self._seq}: outputs[{index}]: {_format_validation(exc)}") from None
        return refs
