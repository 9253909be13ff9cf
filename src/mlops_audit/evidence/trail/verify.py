"""verify_run: recompute a run's hash chain, Merkle root, counts and artefact digests from its files.

Everything in the run folder is untrusted input. Problems are collected, not raised: a verifier's
job is to say precisely what is wrong (which line, which sequence number, which artefact) and to go
on checking the rest. Only a run folder that cannot be read at all raises InputError (exit 2).

Detected and named: an edited event (hash mismatch, first bad seq), a rewritten-and-rehashed event
(broken prev_hash link), deleted events (missing seq numbers), reordered and duplicated events, a
truncated tail and appended events (against the manifest's count and Merkle root), non-JSON or
non-canonical lines (line number), a missing, garbled or inconsistent manifest or statement, a
changed, missing or unsafe (symlinked, escaping) artefact, and an invalid signature.
"""

from __future__ import annotations

import json
import os
import stat
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from mlops_audit.errors import InputError
from mlops_audit.evidence.trail.events import ZERO_HASH, Event, event_hash
from mlops_audit.evidence.trail.manifest import (
    MANIFEST_FILE,
    STATEMENT_FILE,
    TRAIL_FILE,
    RunManifest,
    build_statement,
    check_signature,
    statement_bytes,
)
from mlops_audit.evidence.trail.merkle import leaf_hash, root_from_leaf_hashes
from mlops_audit.evidence.trail.safefs import UnsafePath, sha256_inside
from mlops_audit.evidence.trail.writer import MAX_EVENT_LINE_BYTES, MAX_TRAIL_BYTES
from mlops_audit.util.jsonio import canonical_json, sha256_bytes

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

MAX_MANIFEST_BYTES = 64 * 1024 * 1024

# Kinds of finding, most specific first in reports. Each names what a reader should look at.
FindingKind = Literal[
    "line_too_long",
    "blank_line",
    "not_utf8",
    "not_json",
    "not_object",
    "not_canonical",
    "unterminated_line",
    "edited",
    "invalid_event",
    "broken_link",
    "deleted",
    "reordered",
    "duplicated",
    "run_id_mismatch",
    "manifest_missing",
    "manifest_invalid",
    "truncated",
    "appended",
    "count_mismatch",
    "head_mismatch",
    "merkle_mismatch",
    "trail_digest_mismatch",
    "statement_missing",
    "statement_mismatch",
    "artifact_missing",
    "artifact_changed",
    "artifact_unsafe",
    "artifact_unlisted",
    "artifact_unrecorded",
    "artifact_history_mismatch",
    "signature_invalid",
    "signature_absent",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Finding(_Frozen):
    """One problem: its kind, a sentence for people, and where (seq, line of audit.jsonl, or path)."""

    kind: FindingKind
    message: str
    seq: int | None = None
    line: int | None = None
    path: str | None = None


class VerificationResult(_Frozen):
    """What verification found. `clauses_executed` is filled only when the run is intact."""

    ok: bool
    run_id: str | None
    event_count: int
    manifest_event_count: int | None
    head_hash: str | None
    merkle_root: str
    first_bad_seq: int | None
    problems: list[str]
    findings: list[Finding]
    artifacts_checked: int
    signature: Literal["valid", "invalid", "absent"]
    signature_keyid: str | None = None
    system: dict[str, Any] | None = None  # the manifest's `system` (what the run ran for), if recorded
    clauses_executed: list[str]
    events: list[Event]

    def summary_dict(self) -> dict[str, Any]:
        """The result as JSON without the parsed events (for `verify --format json`)."""
        return self.model_dump(mode="json", exclude={"events"})


class _Line:
    """One line of audit.jsonl as read: raw fields when it parsed, the model when it validated."""

    __slots__ = ("number", "raw", "event", "data")

    def __init__(self, number: int, data: bytes) -> None:
        self.number = number  # 1-based line number
        self.data = data
        self.raw: dict[str, Any] | None = None
        self.event: Event | None = None

    def field(self, name: str, kind: type) -> Any:
        if self.raw is None:
            return None
        value = self.raw.get(name)
        if kind is int and isinstance(value, bool):
            return None
        return value if isinstance(value, kind) else None

    @property
    def seq(self) -> int | None:
        return self.field("seq", int)

    def where(self) -> str:
        seq = self.seq
        return f"{TRAIL_FILE} line {self.number}" + (f" (seq {seq})" if seq is not None else "")


def locate_run(path: str | os.PathLike[str]) -> Path:
    """The run folder for a path that is the folder itself or its audit.jsonl. InputError otherwise."""
    given = Path(path)
    if given.name == TRAIL_FILE and (given.is_file() or given.is_symlink()):
        given = given.parent
    if not given.exists():
        raise InputError(f"run folder {given}: does not exist")
    if not given.is_dir():
        raise InputError(f"{given}: expected a run folder (holding {TRAIL_FILE}) or its {TRAIL_FILE}")
    return given


def _read_capped(path: Path, cap: int, what: str) -> bytes:
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise UnsafePath(f"{what}: is a symbolic link; links are not followed")
    if not stat.S_ISREG(info.st_mode):
        raise UnsafePath(f"{what}: is not a regular file")
    if info.st_size > cap:
        raise UnsafePath(f"{what}: {info.st_size} bytes exceeds the {cap}-byte limit")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(cap + 1)
    if len(data) > cap:
        raise UnsafePath(f"{what}: exceeds the {cap}-byte limit")
    return data


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _validation_text(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(item) for item in error["loc"]) or "event"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


def _ranges(numbers: list[int]) -> str:
    """'3', '3..5' or '3..5, 9' for sorted integers."""
    parts: list[str] = []
    start = prev = None
    for number in numbers:
        if start is None:
            start = prev = number
        elif number == prev + 1:
            prev = number
        else:
            parts.append(str(start) if start == prev else f"{start}..{prev}")
            start = prev = number
    if start is not None:
        parts.append(str(start) if start == prev else f"{start}..{prev}")
    return ", ".join(parts)


class _Verifier:
    def __init__(self, run_dir: Path, trusted_public_key: Ed25519PublicKey | None, require_signature: bool) -> None:
        self.run_dir = run_dir
        self.trusted_public_key = trusted_public_key
        self.require_signature = require_signature
        self.findings: list[Finding] = []
        self.lines: list[_Line] = []
        self.trail_bytes = b""

    def add(self, kind: FindingKind, message: str, *, seq: int | None = None, line: int | None = None,
            path: str | None = None) -> None:
        self.findings.append(Finding(kind=kind, message=message, seq=seq, line=line, path=path))

    # -- audit.jsonl -------------------------------------------------------------------------------

    def read_trail(self) -> None:
        trail_path = self.run_dir / TRAIL_FILE
        if not trail_path.exists() and not trail_path.is_symlink():
            raise InputError(f"{self.run_dir}: no {TRAIL_FILE} here; expected a run folder written by AuditTrail")
        try:
            self.trail_bytes = _read_capped(trail_path, MAX_TRAIL_BYTES, str(trail_path))
        except UnsafePath as exc:
            raise InputError(exc.message) from None
        except OSError as exc:
            raise InputError(f"{trail_path}: cannot be read ({exc.strerror or exc})") from None
        pieces = self.trail_bytes.split(b"\n")
        terminated = pieces[-1] == b""
        if terminated:
            pieces.pop()
        for index, data in enumerate(pieces):
            entry = _Line(index + 1, data)
            self.lines.append(entry)
            self.parse_line(entry)
        if not terminated:
            last = self.lines[-1]
            self.add("unterminated_line", f"{last.where()}: not terminated by a newline "
                     "(the file was cut or edited after the event was written)",
                     seq=last.seq if last.seq is not None else last.number - 1, line=last.number)

    def parse_line(self, entry: _Line) -> None:
        position_seq = entry.number - 1  # the seq this line holds in an intact trail
        where = f"{TRAIL_FILE} line {entry.number}"
        if len(entry.data) > MAX_EVENT_LINE_BYTES:
            self.add("line_too_long", f"{where}: {len(entry.data)} bytes exceeds the "
                     f"{MAX_EVENT_LINE_BYTES}-byte limit per event", seq=position_seq, line=entry.number)
            return
        if not entry.data.strip():
            self.add("blank_line", f"{where}: blank line where an event was expected",
                     seq=position_seq, line=entry.number)
            return
        try:
            text = entry.data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.add("not_utf8", f"{where}: not valid UTF-8 at byte {exc.start + 1}",
                     seq=position_seq, line=entry.number)
            return
        try:
            raw = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_refuse_constant)
        except json.JSONDecodeError as exc:
            self.add("not_json", f"{where}: not valid JSON ({exc.msg} at column {exc.colno})",
                     seq=position_seq, line=entry.number)
            return
        except (ValueError, RecursionError) as exc:
            detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            self.add("not_json", f"{where}: not valid JSON ({detail})", seq=position_seq, line=entry.number)
            return
        if not isinstance(raw, dict):
            self.add("not_object", f"{where}: expected a JSON object, got {type(raw).__name__}",
                     seq=position_seq, line=entry.number)
            return
        try:
            canonical = canonical_json(raw)
            canonical.encode("utf-8")
        except (UnicodeEncodeError, RecursionError):
            self.add("not_json", f"{where}: holds an escaped lone surrogate (not valid Unicode text)",
                     seq=position_seq, line=entry.number)
            return
        entry.raw = raw
        seq = entry.seq if entry.seq is not None else position_seq
        if canonical != text:
            self.add("not_canonical", f"{entry.where()}: not in canonical JSON form (the line was "
                     "re-encoded or edited)", seq=seq, line=entry.number)
        recorded = entry.field("hash", str)
        computed = event_hash(raw)
        if recorded != computed:
            self.add("edited", f"{entry.where()}: event hash does not match its content "
                     "(the event was edited after it was recorded)", seq=seq, line=entry.number)
        try:
            entry.event = Event.model_validate(raw)
        except ValidationError as exc:
            self.add("invalid_event", f"{entry.where()}: not a valid event: {_validation_text(exc)}",
                     seq=seq, line=entry.number)

    def check_sequence(self) -> None:
        """Deleted, duplicated and reordered events, from the seq numbers in file order."""
        lines_by_seq: dict[int, list[int]] = defaultdict(list)
        presumed: set[int] = set()  # seqs of unreadable lines, taken from their position
        for entry in self.lines:
            if entry.seq is not None:
                lines_by_seq[entry.seq].append(entry.number)
            else:
                presumed.add(entry.number - 1)
        for seq, numbers in sorted(lines_by_seq.items()):
            if len(numbers) > 1:
                self.add("duplicated", f"seq {seq} appears on {TRAIL_FILE} lines "
                         f"{', '.join(map(str, numbers))} (an event was copied or inserted)",
                         seq=seq, line=numbers[1])
        if not lines_by_seq:
            return
        top = max(lines_by_seq)
        missing = [seq for seq in range(top + 1) if seq not in lines_by_seq and seq not in presumed]
        if missing:
            self.add("deleted", f"events seq {_ranges(missing)} are missing from {TRAIL_FILE} "
                     f"({len(missing)} event(s) deleted)", seq=missing[0])
        highest: tuple[int, int] | None = None  # (seq, line) of the highest seq seen so far
        for entry in self.lines:
            seq = entry.seq
            if seq is None:
                continue
            if highest is not None and seq < highest[0] and lines_by_seq[seq][0] == entry.number:
                self.add("reordered", f"{TRAIL_FILE} line {entry.number} holds seq {seq} after seq "
                         f"{highest[0]} (line {highest[1]}): events are out of order",
                         seq=seq, line=entry.number)
                break
            if highest is None or seq > highest[0]:
                highest = (seq, entry.number)

    def check_links(self) -> None:
        """prev_hash links and run_id, walking events in seq order (first occurrence of each seq)."""
        by_seq: dict[int, _Line] = {}
        for entry in self.lines:
            if entry.seq is not None and entry.seq not in by_seq:
                by_seq[entry.seq] = entry
        for seq in sorted(by_seq):
            entry = by_seq[seq]
            prev_hash = entry.field("prev_hash", str)
            if seq == 0:
                if prev_hash != ZERO_HASH:
                    self.add("broken_link", f"{entry.where()}: the first event's prev_hash must be 64 zeros",
                             seq=0, line=entry.number)
            elif seq - 1 in by_seq:
                before = by_seq[seq - 1]
                if prev_hash != before.field("hash", str):
                    self.add("broken_link", f"{entry.where()}: prev_hash is not the hash of seq {seq - 1} "
                             f"(line {before.number}); one of them was rewritten with a recomputed hash "
                             "or replaced", seq=seq - 1, line=entry.number)
        run_ids = [entry.field("run_id", str) for entry in self.lines if entry.raw is not None]
        if run_ids:
            first = run_ids[0]
            for entry in self.lines:
                if entry.raw is not None and entry.field("run_id", str) != first:
                    self.add("run_id_mismatch", f"{entry.where()}: run_id {entry.raw.get('run_id')!r} differs "
                             f"from {first!r} of the first event", seq=entry.seq, line=entry.number)
                    break

    # -- manifest ----------------------------------------------------------------------------------

    def read_manifest(self) -> RunManifest | None:
        path = self.run_dir / MANIFEST_FILE
        if not path.exists() and not path.is_symlink():
            self.add("manifest_missing", f"{MANIFEST_FILE} is missing: the run was never closed or its "
                     "manifest was deleted, so a truncated trail cannot be ruled out", path=MANIFEST_FILE)
            return None
        try:
            data = _read_capped(path, MAX_MANIFEST_BYTES, MANIFEST_FILE)
            raw = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicate_keys,
                             parse_constant=_refuse_constant)
        except UnsafePath as exc:
            self.add("manifest_invalid", exc.message, path=MANIFEST_FILE)
            return None
        except UnicodeDecodeError as exc:
            self.add("manifest_invalid", f"{MANIFEST_FILE}: not valid UTF-8 at byte {exc.start + 1}",
                     path=MANIFEST_FILE)
            return None
        except json.JSONDecodeError as exc:
            self.add("manifest_invalid", f"{MANIFEST_FILE}: not valid JSON ({exc.msg} at line {exc.lineno}, "
                     f"column {exc.colno})", path=MANIFEST_FILE)
            return None
        except (ValueError, RecursionError) as exc:
            detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            self.add("manifest_invalid", f"{MANIFEST_FILE}: not valid JSON ({detail})", path=MANIFEST_FILE)
            return None
        except OSError as exc:
            self.add("manifest_invalid", f"{MANIFEST_FILE}: cannot be read ({exc.strerror or exc})",
                     path=MANIFEST_FILE)
            return None
        try:
            canonical_json(raw).encode("utf-8")
        except (UnicodeEncodeError, RecursionError):
            self.add("manifest_invalid", f"{MANIFEST_FILE}: holds an escaped lone surrogate (not valid Unicode "
                     "text)", path=MANIFEST_FILE)
            return None
        try:
            return RunManifest.model_validate(raw)
        except ValidationError as exc:
            self.add("manifest_invalid", f"{MANIFEST_FILE}: not a valid run manifest: {_validation_text(exc)}",
                     path=MANIFEST_FILE)
            return None

    def check_against_manifest(self, manifest: RunManifest) -> None:
        count = manifest.event_count
        known = {entry.seq for entry in self.lines if entry.seq is not None}
        known |= {entry.number - 1 for entry in self.lines if entry.seq is None}
        top = max(known) if known else -1
        explained = any(f.kind in ("deleted", "duplicated") for f in self.findings)
        if top + 1 < count:
            missing = count - (top + 1)
            ends = f"ends at seq {top}" if top >= 0 else "has no events"
            self.add("truncated", f"{TRAIL_FILE} {ends} but the manifest records {count} events: "
                     f"the last {missing} event(s) (seq {_ranges(list(range(top + 1, count)))}) are missing "
                     "(truncated tail)", seq=top + 1)
            explained = True
        extra = sorted(seq for seq in known if seq >= count)
        if extra:
            prefix = [leaf_hash(entry.data) for entry in self.lines[:count]]
            prefix_ok = len(prefix) == count and root_from_leaf_hashes(prefix).hex() == manifest.merkle_root
            self.add("appended", f"{len(extra)} event(s) (seq {_ranges(extra)}) were added after the run was "
                     f"closed with {count} events" + ("; the first {count} events still match the "
                                                          "manifest".format(count=count) if prefix_ok else ""),
                     seq=count)
            explained = True
        if len(self.lines) != count and not explained:
            self.add("count_mismatch", f"{TRAIL_FILE} has {len(self.lines)} lines but the manifest records "
                     f"{count} events", seq=min(len(self.lines), count))
        head_entry = next((e for e in self.lines if count > 0 and e.seq == count - 1), None)
        expected_head = ZERO_HASH if count == 0 else (head_entry.field("hash", str) if head_entry else None)
        if head_entry is not None or count == 0:
            if expected_head != manifest.head_hash:
                self.add("head_mismatch", f"the hash of seq {count - 1} differs from the manifest's head hash "
                         "(the last event was rewritten)", seq=max(count - 1, 0),
                         line=head_entry.number if head_entry else None)
        root = self.merkle_root()
        if root != manifest.merkle_root:
            self.add("merkle_mismatch", f"Merkle root over the {len(self.lines)} lines of {TRAIL_FILE} is "
                     f"{root[:16]}…, the manifest records {manifest.merkle_root[:16]}… over {count} events")
        # The file digest also covers newlines; say so only when the Merkle root has not already.
        if root == manifest.merkle_root and sha256_bytes(self.trail_bytes) != manifest.trail.sha256:
            self.add("trail_digest_mismatch", f"SHA-256 of {TRAIL_FILE} differs from the manifest's "
                     f"{manifest.trail.sha256[:16]}…", path=TRAIL_FILE)
        events_run_id = next((e.field("run_id", str) for e in self.lines if e.raw is not None), None)
        if events_run_id is not None and events_run_id != manifest.run_id:
            self.add("run_id_mismatch", f"events carry run_id {events_run_id!r} but the manifest is for "
                     f"{manifest.run_id!r}", path=MANIFEST_FILE)

    def check_statement(self, manifest: RunManifest) -> None:
        path = self.run_dir / STATEMENT_FILE
        try:
            data = _read_capped(path, MAX_MANIFEST_BYTES, STATEMENT_FILE)
        except FileNotFoundError:
            self.add("statement_missing", f"{STATEMENT_FILE} is missing", path=STATEMENT_FILE)
            return
        except (UnsafePath, OSError) as exc:
            message = exc.message if isinstance(exc, UnsafePath) else f"{STATEMENT_FILE}: cannot be read ({exc})"
            self.add("statement_mismatch", message, path=STATEMENT_FILE)
            return
        expected = statement_bytes(
            build_statement(
                run_id=manifest.run_id,
                artifacts=manifest.artifacts,
                trail=manifest.trail,
                event_count=manifest.event_count,
                merkle_root=manifest.merkle_root,
                head_hash=manifest.head_hash,
            )
        )
        if sha256_bytes(data) != manifest.statement.sha256:
            self.add("statement_mismatch", f"SHA-256 of {STATEMENT_FILE} differs from the manifest's "
                     f"{manifest.statement.sha256[:16]}… (the statement was edited)", path=STATEMENT_FILE)
        elif data != expected:
            self.add("statement_mismatch", f"{STATEMENT_FILE} does not state the manifest's subjects, "
                     "tree size and root", path=STATEMENT_FILE)

    def check_artifacts(self, manifest: RunManifest) -> int:
        checked = 0
        for item in manifest.artifacts:
            try:
                digest = sha256_inside(self.run_dir, item.path)
            except FileNotFoundError:
                self.add("artifact_missing", f"artefact {item.path} is missing", path=item.path)
                continue
            except UnsafePath as exc:
                self.add("artifact_unsafe", exc.message, path=item.path)
                continue
            except OSError as exc:
                self.add("artifact_missing", f"artefact {item.path} cannot be read ({exc.strerror or exc})",
                         path=item.path)
                continue
            checked += 1
            if digest != item.sha256:
                self.add("artifact_changed", f"artefact {item.path} changed: SHA-256 {digest[:16]}…, the "
                         f"manifest records {item.sha256[:16]}…", path=item.path)
        # The manifest must list exactly the final digest of every output the events recorded.
        last_writer: dict[str, tuple[str, int]] = {}
        for entry in sorted((e for e in self.lines if e.event is not None), key=lambda e: e.event.seq):
            for output in entry.event.outputs:
                last_writer[output.path] = (output.sha256, entry.event.seq)
        listed = {item.path: item.sha256 for item in manifest.artifacts}
        for path, (digest, seq) in sorted(last_writer.items()):
            if path not in listed:
                self.add("artifact_unlisted", f"artefact {path} written by seq {seq} is not in the manifest",
                         path=path)
            elif listed[path] != digest:
                self.add("artifact_history_mismatch", f"artefact {path}: the manifest's digest differs from the "
                         f"one recorded by seq {seq}, its last writer", path=path)
        for path in sorted(set(listed) - set(last_writer)):
            self.add("artifact_unrecorded", f"artefact {path} is in the manifest but no event recorded "
                     "writing it", path=path)
        return checked

    def merkle_root(self) -> str:
        return root_from_leaf_hashes([leaf_hash(entry.data) for entry in self.lines]).hex()


def verify_run(
    run_dir: str | os.PathLike[str],
    *,
    trusted_public_key: Ed25519PublicKey | None = None,
    require_signature: bool = False,
) -> VerificationResult:
    """Verify a run folder (or the path of its audit.jsonl). Raises InputError only when unreadable.

    `trusted_public_key` pins the signer: a manifest signed by any other key is `invalid`.
    `require_signature` makes an unsigned manifest a problem.
    """
    verifier = _Verifier(locate_run(run_dir), trusted_public_key, require_signature)
    verifier.read_trail()
    verifier.check_sequence()
    verifier.check_links()
    manifest = verifier.read_manifest()
    signature: Literal["valid", "invalid", "absent"] = "absent"
    keyid = None
    checked = 0
    if manifest is not None:
        verifier.check_against_manifest(manifest)
        verifier.check_statement(manifest)
        checked = verifier.check_artifacts(manifest)
        signature, reason = check_signature(manifest, trusted_public_key)
        keyid = manifest.signature.keyid if manifest.signature is not None else None
        if signature == "invalid":
            verifier.add("signature_invalid", f"{MANIFEST_FILE}: signature invalid: {reason}", path=MANIFEST_FILE)
    if signature == "absent" and require_signature:
        verifier.add("signature_absent", f"{MANIFEST_FILE} is not signed, and a signature was required",
                     path=MANIFEST_FILE)
    findings = verifier.findings
    bad_seqs = [f.seq for f in findings if f.seq is not None]
    events = [entry.event for entry in verifier.lines if entry.event is not None]
    ok = not findings
    last = verifier.lines[-1] if verifier.lines else None
    run_id = next((e.field("run_id", str) for e in verifier.lines if e.raw is not None), None)
    if run_id is None and manifest is not None:
        run_id = manifest.run_id
    return VerificationResult(
        ok=ok,
        run_id=run_id,
        event_count=len(verifier.lines),
        manifest_event_count=manifest.event_count if manifest is not None else None,
        head_hash=(last.field("hash", str) if last is not None else ZERO_HASH),
        merkle_root=verifier.merkle_root(),
        first_bad_seq=min(bad_seqs) if bad_seqs else None,
        problems=[f.message for f in findings],
        findings=findings,
        artifacts_checked=checked,
        signature=signature,
        signature_keyid=keyid,
        system=(manifest.system.model_dump(mode="json") if manifest is not None and manifest.system is not None else None),
        clauses_executed=sorted({event.clause for event in events}) if ok else [],
        events=events,
    )
