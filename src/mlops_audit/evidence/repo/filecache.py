"""A per-file parse cache: Python summaries kept on disk as JSON, keyed by the content they came from.

Re-collecting a repository where few files changed should not parse every file again. The cache
keeps each file's `PythonSummary` (what `pysource.summarise` derives: imports, calls, classes,
tests..., and the in-house rules' per-file facts from `pyfacts`) under the SHA-256 of the exact
sources it was parsed from (a file's decoded text, a notebook's code cells) and a version digest of
the parser (format, tool version, Python version, the source of `pysource.py`, `pyfacts.py`,
`astutil.py`, `newsyntax.py`, `templatedpy.py` and `cacheform.py`), so identical files in different repositories
share one entry. What an entry holds and how it is decoded is `cacheform`; this module is the
folder, the key and the checks.

A cache folder is untrusted input (in CI it is restored from a cache service anyone with write
access to a branch can fill). So:

- entries are JSON, never pickle, and each is read with a size cap (`MAX_ENTRY_BYTES`);
- each entry carries an HMAC-SHA256 of its body under a key that does NOT live in the cache folder
  (by default `$XDG_STATE_HOME/mlops-audit/cache.key`, created once with mode 0600; or a key file
  the caller names): an edited or truncated entry fails it;
- the body's head is validated by a pydantic model (`cacheform.CacheEntry`), its call lines by
  `cacheform.decode_call_rows` when a rule first reads them (the same types; see there), and it
  must name the content digest, parser and version asked for: an entry of file A copied under file B's name (authentic, but about other content),
  or one from another tool version, is refused;
- anything refused is counted by reason (`CacheStats`), treated as a miss and overwritten by the
  fresh result: never trusted, never fatal;
- entries are written atomically (a temporary file in the same folder, then a rename), so
  concurrent writers of the same entry leave one whole entry; folders inside the cache are opened
  without following links, so a planted link cannot redirect a write;
- the folder is bounded (`max_bytes`): `prune` evicts the least recently used entries (a hit
  touches its entry) and stale temporary files.

Beside the summaries: needle entries (`needleform`: which needles a file's raw bytes mention) and,
per repository, a needle pack (`needlepack`: the answers its last collection asked, in one file,
`begin_repository` / `write_pack`), under the same key, checks and bound.

The cache never changes what the collector reports: a hit gives an equal summary (tested
field by field and by byte-identical collection results).
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import os
import secrets
import stat
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mlops_audit.errors import InputError
from mlops_audit.evidence.repo.cacheform import FORMAT, LINES, CacheEntry, EntryHead, StoredSummary, Unstorable, decoded_summary, encode_body
from mlops_audit.evidence.repo.needleform import Refused, decode_entry, encode_entry, hits_for, needle_set_id, needle_version
from mlops_audit.evidence.repo.needlepack import KIND as PACK_KIND
from mlops_audit.evidence.repo.needlepack import MAX_PACK_BYTES, MAX_PACK_ENTRIES, decode_pack, encode_pack, repository_key
from mlops_audit.evidence.repo.pysource import PythonSummary, summarise

__all__ = ["FORMAT", "CacheEntry", "CacheStats", "ParseCache", "content_digest", "load_key", "parser_version", "summarise_with"]

MAX_ENTRY_BYTES = 4 * 1024 * 1024  # a summary larger than this is not stored (and a larger file is never read)
DEFAULT_MAX_BYTES = 1024 * 1024 * 1024  # total size of a cache folder after `prune`
NEEDLE_ENTRIES_HELD = 20_000  # needle answers kept in memory after a flush at most (more are dropped: they are on disk); during a run they grow with the files scanned
PENDING_WRITES = 256  # summaries held for writing at most (new ones, or ones that gained a fact)
STALE_TEMP_SECONDS = 3600.0  # temporary files older than this were left by a killed writer
KEY_BYTES = 32
MIN_KEY_BYTES = 16
MAX_KEY_FILE_BYTES = 4096
_MAGIC = b"mlops-audit-parse-cache"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0)
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_HEX = frozenset("0123456789abcdef")
REJECT_REASONS = ("too_large", "not_regular", "unauthenticated", "corrupt", "other_content", "other_version")


# ---------------------------------------------------------------- the key of an entry


def content_digest(sources: list[str], *, is_notebook: bool) -> str:
    """SHA-256 of what the parser reads: the kind, then each source length-prefixed (a notebook's
    code cells; a file's decoded text)."""
    digest = hashlib.sha256(b"notebook\0" if is_notebook else b"python\0")
    for source in sources:
        data = source.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


@cache
def parser_version() -> str:
    """What a stored summary depends on besides its content: the stored form, the tool version, the
    Python version (its `ast` differs between versions) and the parser's own source."""
    from mlops_audit import __version__
    from mlops_audit.evidence.repo import astutil, cacheform, newsyntax, pyfacts, pysource, templatedpy

    source = b"".join(Path(module.__file__).read_bytes() for module in (pysource, pyfacts, astutil, newsyntax, templatedpy, cacheform))
    text = f"format={FORMAT} tool={__version__} python={sys.version_info[0]}.{sys.version_info[1]} pysource={hashlib.sha256(source).hexdigest()}"
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------- the key


def default_key_file() -> Path:
    """Where the per-user key lives: `$XDG_STATE_HOME/mlops-audit/cache.key` (else ~/.local/state/...)."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "mlops-audit" / "cache.key"


def _read_key(path: Path) -> bytes:
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{path}: the cache key file is a symbolic link; expected a regular file") from None
        raise InputError(f"{path}: cannot read the cache key file ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path}: the cache key file is not a regular file")
        if info.st_mode & 0o077:
            raise InputError(f"{path}: the cache key file is readable or writable by others (mode {stat.S_IMODE(info.st_mode):o}); run chmod 600 on it")
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise InputError(f"{path}: the cache key file belongs to another user")
        data = os.read(fd, MAX_KEY_FILE_BYTES + 1)
    finally:
        os.close(fd)
    key = data.strip()
    if len(data) > MAX_KEY_FILE_BYTES or len(key) < MIN_KEY_BYTES:
        raise InputError(f"{path}: a cache key must be {MIN_KEY_BYTES} to {MAX_KEY_FILE_BYTES} bytes (e.g. 64 random hex digits); got {len(key)}")
    return key


def load_key(key_file: Path | None = None, *, create: bool = True) -> bytes:
    """The HMAC key: from `key_file` when given (it must exist), else the per-user default file,
    created with 32 random bytes (mode 0600, its folder 0700) the first time."""
    if key_file is not None:
        return _read_key(key_file)
    path = default_key_file()
    if create and not os.path.lexists(path):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = path.parent / f".cache.key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            os.write(fd, secrets.token_hex(KEY_BYTES).encode() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temp, path)  # fails if another process made it first: theirs is used
        except FileExistsError:
            pass
        finally:
            os.unlink(temp)
    return _read_key(path)


def check_key_outside(key_file: Path, cache_dir: Path) -> None:
    key = key_file.resolve()
    folder = cache_dir.resolve()
    if key == folder or folder in key.parents:
        raise InputError(f"{key_file}: the cache key must not live inside the cache folder {cache_dir} (whoever can write the cache could then forge entries)")


# ---------------------------------------------------------------- the cache


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    stored: int = 0
    not_stored: int = 0  # too large, unstorable constant, or the folder could not be written
    rejected: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REJECT_REASONS, 0))
    rules_reused: int = 0  # rules whose stored result was used (`rulememo`); printed, not part of `as_dict`
    rules_run: int = 0  # rules run (history rules and rules without a matching record)

    def as_dict(self) -> dict[str, Any]:
        return {"hits": self.hits, "misses": self.misses, "stored": self.stored, "not_stored": self.not_stored, "rejected": dict(self.rejected)}

    def add(self, other: dict[str, Any]) -> None:
        self.hits += int(other.get("hits", 0))
        self.misses += int(other.get("misses", 0))
        self.stored += int(other.get("stored", 0))
        self.not_stored += int(other.get("not_stored", 0))
        for reason, count in dict(other.get("rejected", {})).items():
            if reason in self.rejected:
                self.rejected[reason] += int(count)

    def line(self) -> str:
        bad = sum(self.rejected.values())
        reasons = ", ".join(f"{k} {v}" for k, v in self.rejected.items() if v)
        return (f"parse cache: {self.hits} hits, {self.misses} misses, {self.stored} stored"
                + (f", {bad} entries ignored ({reasons})" if bad else "") + f"; rules: {self.rules_reused} reused, {self.rules_run} run")


@dataclass
class NeedleStats:
    hits: int = 0
    misses: int = 0
    stored: int = 0
    from_pack: int = 0  # file contents whose answers the repository's pack gave (`needlepack`)
    packs_written: int = 0


class ParseCache:
    """A cache folder and its key. Every method is safe against a hostile folder: failures are
    counted, never raised (except opening the cache root itself, which is the caller's mistake)."""

    def __init__(self, root: str | os.PathLike[str], key: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError("cache key too short")
        self.root = Path(root)
        self._key = key
        self.max_bytes = max_bytes
        self.stats = CacheStats()
        self._version = parser_version()
        self._root_fd: int | None = None
        self._dir_fds: dict[str, int] = {}
        self._pending: dict[str, PythonSummary] = {}  # digest -> summary to write (`summarise_lazily`)
        self._needles: dict[str, dict[str, tuple[str, ...]]] = {}  # raw digest -> needle set id -> needles (loaded or found)
        self._needle_dirty: set[str] = set()  # raw digests whose needle entry is to be written
        self._needle_members: dict[str, frozenset[str]] = {}  # needle set id -> its needles
        # The needle pack of the repository being collected (`needlepack`, `begin_repository`).
        self._pack_repo: str | None = None  # its key
        self._pack: dict[str, dict[str, tuple[str, ...]]] | None = None  # its entries once read ({}: none, or refused)
        self._pack_asked: dict[str, dict[str, tuple[str, ...]]] = {}  # raw digest -> its sets (the dicts `_needles` holds): what this run asked
        self._pack_changed = False  # an answer came from elsewhere or was found: the pack is written again
        self.needle_stats = NeedleStats()  # not part of `stats` (whose counts the portfolio reports): summaries only

    @classmethod
    def open(cls, root: Path, key_file: Path | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParseCache:
        """The cache at `root` (created if missing) with the key from `key_file` or the default file."""
        try:
            root.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise InputError(f"{root}: cannot create the cache folder ({exc.strerror})") from None
        if not root.is_dir() or root.is_symlink():
            raise InputError(f"{root}: the cache folder is not a folder (or is a symbolic link)")
        check_key_outside(key_file if key_file is not None else default_key_file(), root)
        return cls(root, load_key(key_file), max_bytes=max_bytes)

    # file system, through folder descriptors opened without following links
    def _root(self) -> int:
        if self._root_fd is None:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._root_fd = os.open(self.root, _DIR_FLAGS)
        return self._root_fd

    def _dir(self, name: str, create: bool) -> int | None:
        fd = self._dir_fds.get(name)
        if fd is not None:
            return fd
        try:
            if create:
                try:
                    os.mkdir(name, 0o700, dir_fd=self._root())
                except FileExistsError:
                    pass
            fd = os.open(name, _DIR_FLAGS, dir_fd=self._root())
        except OSError:
            return None
        self._dir_fds[name] = fd
        return fd

    def close(self) -> None:
        self.flush()
        for fd in self._dir_fds.values():
            os.close(fd)
        self._dir_fds.clear()
        if self._root_fd is not None:
            os.close(self._root_fd)
            self._root_fd = None

    def __enter__(self) -> ParseCache:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _name(self, digest: str, kind: str = "python") -> tuple[str, str]:
        """(folder, file name) of an entry: a summary, a needle entry, a repository's needle pack or rule memo."""
        if kind == "python":
            version = self._version
        elif kind in ("rulememo", "judged"):
            from mlops_audit.evidence.repo.rulememo import memo_version

            version = memo_version()
        else:
            version = needle_version()
        return digest[:2], f"{digest}.{kind}.{version[:16]}.json"

    def _mac(self, body: bytes) -> str:
        return hmac.digest(self._key, _MAGIC + b"\0" + body, "sha256").hex()  # one C call: as hmac.new(...).hexdigest()

    # entries
    def _reject(self, reason: str) -> None:
        self.stats.rejected[reason] += 1

    def _read_entry(self, digest: str, kind: str = "python", limit: int = MAX_ENTRY_BYTES) -> bytes | None:
        folder, name = self._name(digest, kind)
        fd_dir = self._dir(folder, create=False)
        if fd_dir is None:
            return None
        try:
            fd = os.open(name, _READ_FLAGS, dir_fd=fd_dir)
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                self._reject("not_regular")
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                self._reject("not_regular")
                return None
            if info.st_size > limit:
                self._reject("too_large")
                return None
            data = os.read(fd, limit + 1)
            if len(data) > limit:
                self._reject("too_large")
                return None
        except OSError:
            self._reject("not_regular")
            return None
        finally:
            os.close(fd)
        try:  # a hit is a use: the entry is kept longest by `prune`
            os.utime(name, dir_fd=fd_dir, follow_symlinks=False)
        except OSError:
            pass
        return data

    def _check(self, data: bytes, digest: str) -> tuple[CacheEntry, memoryview, memoryview, bytes, bytes] | None:
        """The validated head, the two call lines, the call index and the row map (checked when first read) of an
        entry. Nothing of the body is copied but the head and the index: the call lines (about 90 %
        of the bytes, rarely read) stay views of `data`, and the HMAC reads the body in place."""
        end = data.find(b"\n")
        parts = data[:end].split(b" ") if end >= 0 else []
        if len(parts) != 2 or parts[0] != _MAGIC:
            self._reject("corrupt")
            return None
        body = memoryview(data)[end + 1 :]
        mac = hmac.new(self._key, _MAGIC + b"\0", "sha256")
        mac.update(body)
        if not hmac.compare_digest(parts[1], mac.hexdigest().encode()):
            self._reject("unauthenticated")
            return None
        ends = [end]
        for _ in range(LINES - 1):
            found = data.find(b"\n", ends[-1] + 1)
            if found < 0:
                break
            ends.append(found)
        ends.append(len(data))
        head = data[end + 1 : ends[1]]
        try:
            if len(ends) != LINES + 1 or data.find(b"\n", ends[-2] + 1) >= 0:
                raise ValueError(f"not {LINES} lines")
            entry = CacheEntry.model_validate_json(head)
        except (ValidationError, ValueError):
            self._reject("other_version" if self._other_version(head) else "corrupt")
            return None
        if entry.version != self._version:
            self._reject("other_version")
            return None
        if entry.content_sha256 != digest:
            self._reject("other_content")
            return None
        view = memoryview(data)
        return entry, view[ends[1] + 1 : ends[2]], view[ends[2] + 1 : ends[3]], data[ends[3] + 1 : ends[4]], data[ends[4] + 1 : ends[5]]

    def _authentic(self, data: bytes) -> bytes | None:
        """The body of an entry file whose HMAC header checks out, else None (counted)."""
        header, newline, body = data.partition(b"\n")
        parts = header.split(b" ")
        if not newline or len(parts) != 2 or parts[0] != _MAGIC:
            self._reject("corrupt")
            return None
        if not hmac.compare_digest(parts[1], self._mac(body).encode()):
            self._reject("unauthenticated")
            return None
        return body

    def _other_version(self, head: bytes) -> bool:
        """Whether an entry that is not of this format says it is of another format or version."""
        try:
            found = EntryHead.model_validate_json(head)
        except ValidationError:
            return False
        return found.format != FORMAT or found.version != self._version

    def get(self, digest: str, path: str, sources: list[str], *, is_notebook: bool) -> PythonSummary | None:
        """The summary of `sources` (as `path`) from its entry, or None (a miss). Its calls are
        decoded when first read; should they fail their check, they are parsed again from
        `sources` and the entry rewritten (the hit is then counted a corrupt miss)."""
        data = self._read_entry(digest)
        checked = self._check(data, digest) if data is not None else None
        if checked is None:
            self.stats.misses += 1
            return None
        entry, calls, decorators, index, rows = checked

        def parse_calls_again(summary: StoredSummary) -> None:
            self._reject("corrupt")
            self.stats.hits -= 1
            self.stats.misses += 1
            fresh = summarise(path, sources, is_notebook=is_notebook, on_tree=None, facts=False)
            summary.calls, summary.decorators = fresh.calls, fresh.decorators
            self.put(digest, summary)

        self.stats.hits += 1
        return decoded_summary(entry.result, calls, decorators, index, rows, path, parse_calls_again)

    def stored_summary(self, digest: str, path: str) -> PythonSummary | None:
        """The summary the entry `digest` holds (as `path`), its calls and decorators decoded and
        checked now, or None when there is none or it is refused or its call lines fail their check
        (counted as refused, never parsed again or rewritten: there are no sources to parse).
        Nothing is counted as a hit or a miss: the rule memo compares it with a changed file's
        summary (`RepoIndex._summary_matches`)."""
        data = self._read_entry(digest)
        checked = self._check(data, digest) if data is not None else None
        if checked is None:
            return None
        entry, calls, decorators, index, rows = checked
        summary = decoded_summary(entry.result, calls, decorators, index, rows, path, _refuse_calls)
        try:
            summary.calls  # noqa: B018 - decodes and checks the call lines and the call index
        except _BadCalls:
            self._reject("corrupt")
            return None
        return summary

    def entry_bytes(self, digest: str, summary: PythonSummary) -> bytes | None:
        """The file an entry is stored as, or None when the summary cannot be stored exactly."""
        try:
            body = encode_body(summary, {"format": FORMAT, "version": self._version, "parser": "python", "content_sha256": digest})
        except Unstorable:
            return None
        return _MAGIC + b" " + self._mac(body).encode() + b"\n" + body

    def put(self, digest: str, summary: PythonSummary) -> None:
        data = self.entry_bytes(digest, summary)
        if data is None or len(data) > MAX_ENTRY_BYTES:
            self.stats.not_stored += 1
            return
        if self._write(digest, "python", data):
            self.stats.stored += 1
        else:
            self.stats.not_stored += 1

    def _write(self, digest: str, kind: str, data: bytes) -> bool:
        """Write an entry file atomically; False when the folder could not be written."""
        folder, name = self._name(digest, kind)
        fd_dir = self._dir(folder, create=True)
        if fd_dir is None:
            return False
        temp = f".{name}.{os.getpid()}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600, dir_fd=fd_dir)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            # Atomic: readers see the old entry or the new one, never a part. No fsync: an entry
            # torn by a crash fails its HMAC and is re-parsed, which is all a cache owes.
            os.replace(temp, name, src_dir_fd=fd_dir, dst_dir_fd=fd_dir)
        except OSError:
            try:
                os.unlink(temp, dir_fd=fd_dir)
            except OSError:
                pass
            return False
        return True

    def summarise(self, rel: str, sources: list[str], *, is_notebook: bool, on_tree: Callable[[Any], None] | None) -> PythonSummary:
        """`pysource.summarise`, answered from the cache when an entry for these sources checks out."""
        digest = content_digest(sources, is_notebook=is_notebook)
        found = self.get(digest, rel, sources, is_notebook=is_notebook)
        if found is not None:
            return found
        summary = summarise(rel, sources, is_notebook=is_notebook, on_tree=on_tree)
        self.put(digest, summary)
        return summary

    def summarise_lazily(self, rel: str, sources: list[str], *, is_notebook: bool, on_tree: Callable[[Any], None] | None) -> PythonSummary:
        """`summarise` for the index: the per-file facts are computed when a rule first asks
        (`PythonSummary.fact`); the entry is written when the summary is new or gained a fact,
        in batches (`flush`, at the latest on `close`), so it holds every fact computed so far."""
        digest = content_digest(sources, is_notebook=is_notebook)
        waiting = self._pending.get(digest)
        if waiting is not None and waiting.path == rel:  # asked again before its entry was written
            return waiting
        summary = self.get(digest, rel, sources, is_notebook=is_notebook)
        new = summary is None
        if summary is None:
            summary = summarise(rel, sources, is_notebook=is_notebook, on_tree=on_tree, facts=False)
        summary.digest = digest
        summary.on_fact = self._write_later
        if new:
            self._write_later(summary)
        return summary

    def _write_later(self, summary: PythonSummary) -> None:
        if summary.digest is not None:
            self._pending[summary.digest] = summary
            if len(self._pending) >= PENDING_WRITES:
                self._flush_entries()

    def flush(self) -> None:
        """Write the entries of new summaries and of summaries that gained facts since, the needle
        entries that gained a set, and the repository's needle pack when it changed (`write_pack`)."""
        self._flush_entries()
        self.write_pack()

    def _flush_entries(self) -> None:
        pending, self._pending = self._pending, {}
        for digest, summary in pending.items():
            self.put(digest, summary)
        self.flush_needles()

    # needle entries (`needleform`): which needles of a set a file's code mentions, by its raw bytes
    def needle_hits(self, digest: str, needles: tuple[str, ...]) -> frozenset[str] | None:
        """The needles of `needles` (a sorted needle set) that the file of raw bytes with SHA-256
        `digest` mentions, from its entry; None when not known (a miss) or the entry is refused."""
        sets = self._needle_sets(digest)
        set_id = needle_set_id(needles)
        stored = sets.get(set_id)
        if stored is None:
            self.needle_stats.misses += 1
            return None
        known = self._needle_members.get(set_id)
        if known is None:
            known = self._needle_members[set_id] = frozenset(needles)
        try:
            hits = hits_for(stored, known)
        except Refused as refused:
            self._reject(refused.reason)
            sets.clear()  # nothing of it is trusted; rewritten with what is found now
            self._needle_dirty.add(digest)
            self.needle_stats.misses += 1
            return None
        self.needle_stats.hits += 1
        return hits

    def note_needle_hits(self, digest: str, needles: tuple[str, ...], hits: frozenset[str]) -> None:
        """Keep what the file of raw bytes `digest` was found to mention of `needles` (written on `flush`)."""
        sets = self._needle_sets(digest)
        set_id = needle_set_id(needles)
        sets.pop(set_id, None)  # the newest last: the oldest sets are dropped first when full
        sets[set_id] = tuple(sorted(hits))
        self._needle_dirty.add(digest)
        self._pack_changed = True

    def _needle_sets(self, digest: str) -> dict[str, tuple[str, ...]]:
        sets = self._needles.get(digest)
        if sets is None:
            sets = self._pack_asked.get(digest)  # asked this run, then forgotten by `flush_needles`
        if sets is None:
            sets = self._packed(digest)
            if sets is None:
                sets = self._entry_sets(digest)
                self._pack_changed = True  # not in the pack: it is written again with this answer
            self._needles[digest] = sets
        if self._pack_repo is not None and digest not in self._pack_asked and len(self._pack_asked) < MAX_PACK_ENTRIES:
            self._pack_asked[digest] = sets
        return sets

    def _entry_sets(self, digest: str) -> dict[str, tuple[str, ...]]:
        """The sets of the needle entry of `digest` ({} when there is none or it is refused)."""
        data = self._read_entry(digest, "needles")
        body = self._authentic(data) if data is not None else None
        if body is not None:
            try:
                return decode_entry(body, digest)
            except Refused as refused:
                self._reject(refused.reason)
                self._needle_dirty.add(digest)  # replaced by a good entry
        return {}

    # the needle pack of a repository (`needlepack`): its answers in one file
    def begin_repository(self, root: str) -> None:
        """Answer needle questions from the pack of the repository at `root` (its resolved path)
        first; the pack of the repository before, if changed, is written now."""
        key = repository_key(root)
        if key == self._pack_repo:
            return
        self.write_pack()
        self._pack_repo, self._pack, self._pack_asked, self._pack_changed = key, None, {}, False

    def _packed(self, digest: str) -> dict[str, tuple[str, ...]] | None:
        """The sets the repository's pack holds for `digest`, or None (no pack, or not in it)."""
        if self._pack_repo is None:
            return None
        if self._pack is None:
            self._pack = {}
            data = self._read_entry(self._pack_repo, PACK_KIND, limit=MAX_PACK_BYTES)
            body = self._authentic(data) if data is not None else None
            if body is not None:
                try:
                    self._pack = decode_pack(body, self._pack_repo)
                except Refused as refused:
                    self._reject(refused.reason)  # nothing of it is used; written again from this run's answers
        sets = self._pack.get(digest)
        if sets is not None:
            self.needle_stats.from_pack += 1
        return sets

    # the rule memo of a repository (`rulememo`): its rules' results with the questions they asked
    def read_rule_memo(self, key: str) -> tuple[str, dict[str, Any], Any]:
        """The listing's digest, the records and the reading of the history of the rule memo named
        `key` (("", {}, None) when there is none or it is refused, counted)."""
        from mlops_audit.evidence.repo.rulememo import KIND, MAX_MEMO_BYTES, decode_memo

        data = self._read_entry(key, KIND, limit=MAX_MEMO_BYTES)
        body = self._authentic(data) if data is not None else None
        if body is None:
            return "", {}, None
        try:
            return decode_memo(body, key)
        except Refused as refused:
            self._reject(refused.reason)
            return "", {}, None

    def write_rule_memo(self, key: str, body: bytes) -> None:
        from mlops_audit.evidence.repo.rulememo import KIND, MAX_MEMO_BYTES

        data = _MAGIC + b" " + self._mac(body).encode() + b"\n" + body
        if len(data) <= MAX_MEMO_BYTES:
            self._write(key, KIND, data)

    # the judgement memo of a repository (`judgememo`): its documentation-code and learning-material judgements
    def read_judgements(self, key: str, version: str, listed: frozenset[str]) -> tuple[dict[str, Any], Any] | None:
        """The stored question and judgements of the memo named `key` (`judgememo.decode`), or None
        when there is none or it is refused (counted)."""
        from mlops_audit.evidence.repo import judgememo

        data = self._read_entry(key, judgememo.KIND, limit=judgememo.MAX_JUDGED_BYTES)
        body = self._authentic(data) if data is not None else None
        if body is None:
            return None
        try:
            return judgememo.decode(body, key, version, listed)
        except Refused as refused:
            self._reject(refused.reason)
            return None

    def write_judgements(self, key: str, body: bytes) -> None:
        from mlops_audit.evidence.repo import judgememo

        data = _MAGIC + b" " + self._mac(body).encode() + b"\n" + body
        if len(data) <= judgememo.MAX_JUDGED_BYTES:
            self._write(key, judgememo.KIND, data)

    def write_pack(self) -> None:
        """Write the repository's pack with the answers this run asked, when it differs from the
        one read (an answer found or taken from an entry, a file no longer asked, no pack). Not
        written past MAX_PACK_ENTRIES or MAX_PACK_BYTES: the per-content entries answer then."""
        if self._pack_repo is None or not self._pack_asked or len(self._pack_asked) >= MAX_PACK_ENTRIES:
            return
        if not self._pack_changed and self._pack is not None and self._pack.keys() == self._pack_asked.keys():
            return
        body = encode_pack(self._pack_repo, self._pack_asked)
        data = _MAGIC + b" " + self._mac(body).encode() + b"\n" + body
        if len(data) <= MAX_PACK_BYTES and self._write(self._pack_repo, PACK_KIND, data):
            self.needle_stats.packs_written += 1
            self._pack, self._pack_changed = dict(self._pack_asked), False

    def flush_needles(self) -> None:
        """Write the needle entries that gained a set (or replace a refused one); forget the loaded
        ones once they are many (a portfolio worker's cache lives over many repositories)."""
        dirty, self._needle_dirty = self._needle_dirty, set()
        for digest in sorted(dirty):
            sets = self._needles.get(digest)
            if not sets:
                continue
            body = encode_entry(digest, sets)
            data = _MAGIC + b" " + self._mac(body).encode() + b"\n" + body
            if len(data) <= MAX_ENTRY_BYTES and self._write(digest, "needles", data):
                self.needle_stats.stored += 1
        if len(self._needles) > NEEDLE_ENTRIES_HELD:
            self._needles.clear()

    # bound
    def _entries(self) -> Iterator[tuple[float, str, str, int, bool]]:
        """(last use, folder, name, size, is a link) of every file and link in the two-level layout."""
        try:
            folders = sorted(os.listdir(self._root()))
        except OSError:
            return
        for folder in folders:
            if len(folder) != 2 or not set(folder) <= _HEX:
                continue
            fd_dir = self._dir(folder, create=False)
            if fd_dir is None:
                continue
            try:
                names = sorted(os.listdir(fd_dir))
            except OSError:
                continue
            for name in names:
                try:
                    info = os.stat(name, dir_fd=fd_dir, follow_symlinks=False)
                except OSError:
                    continue
                if stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode):
                    yield info.st_mtime, folder, name, info.st_size, stat.S_ISLNK(info.st_mode)

    def prune(self, *, now: float | None = None) -> tuple[int, int]:
        """Keep the folder under `max_bytes`: remove stale temporary files and anything that is not
        an entry, then the least recently used entries. (entries removed, bytes left)."""
        clock = time.time() if now is None else now
        kept: list[tuple[float, str, str, int]] = []  # links and strangers are removed, never counted
        removed = 0
        for used, folder, name, size, is_link in self._entries():
            is_temp = name.startswith(".") and name.endswith(".tmp") and not is_link
            if (is_temp and clock - used > STALE_TEMP_SECONDS) or (not is_temp and not name.endswith(".json")) or is_link:
                removed += self._remove(folder, name)
            elif not is_temp:
                kept.append((used, folder, name, size))
        total = sum(size for *_, size in kept)
        for _used, folder, name, size in sorted(kept):  # oldest use first; ties by name
            if total <= self.max_bytes:
                break
            if self._remove(folder, name):
                removed += 1
                total -= size
        return removed, total

    def _remove(self, folder: str, name: str) -> int:
        fd_dir = self._dir(folder, create=False)
        try:
            if fd_dir is not None:
                os.unlink(name, dir_fd=fd_dir)
                return 1
        except OSError:
            pass
        return 0


class _BadCalls(Exception):
    """An entry's call lines failed their check (`ParseCache.stored_summary`)."""


def _refuse_calls(_summary: StoredSummary) -> None:
    raise _BadCalls


def summarise_with(cache: ParseCache | None, rel: str, sources: list[str], *, is_notebook: bool, on_tree: Callable[[Any], None] | None) -> PythonSummary:
    """The hook the index calls: through the cache when there is one."""
    if cache is None:
        return summarise(rel, sources, is_notebook=is_notebook, on_tree=on_tree, facts=False)
    return cache.summarise_lazily(rel, sources, is_notebook=is_notebook, on_tree=on_tree)
