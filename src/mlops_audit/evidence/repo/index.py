"""RepoIndex: one listing of a repository tree and safe, capped, lazy reads of its files.

The listing is git's own file list (tracked plus untracked-but-not-ignored) when the root is a git
work tree, else a walk that honours `.gitignore` files. Only regular files inside the root are
kept: symlinks, devices, FIFOs and anything reached through a link are skipped, and every open goes
through folders opened one by one without following links (`folders`). Contents are read on
demand, capped per file, and parsed safely (YAML without aliases through
`mlops_audit.util.safeyaml`, TOML with `tomllib`, JSON with a depth limit, notebooks as their code
and markdown cells with outputs ignored) within a parsing budget. Nothing from the tree is executed
or imported.

Two whole-tree scans answer the detectors' "which files mention X" questions: every Python file
for the declared needles (`needles`), every YAML file for the declared words; on large trees they
run in forked children (`background`).
"""

from __future__ import annotations

import ast
import dataclasses
import errno
import functools
import hashlib
import inspect
import json
import os
import pickle  # noqa: S403 - only dumps, to digest a syntax tree (`tree_digest`); nothing is ever loaded
import posixpath
import re
import stat
import sys
import tomllib
import weakref
from collections import OrderedDict
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from mlops_audit.errors import InputError
from mlops_audit.evidence.repo import documents, fastyaml, gitignore, judgememo, lessons, places, reponame, templated, thirdparty
from mlops_audit.evidence.repo.astutil import parse_module
from mlops_audit.evidence.repo.textdecode import decode_text
from mlops_audit.evidence.repo.textdecode import is_binary as _is_binary
from mlops_audit.evidence.repo.textdecode import utf16_as_utf8 as _utf16_as_utf8
from mlops_audit.evidence.repo.background import BackgroundScan
from mlops_audit.evidence.repo.filecache import ParseCache, summarise_with
from mlops_audit.evidence.repo.folders import READ_FLAGS, FolderFds, safe_relative
from mlops_audit.evidence.repo.gitcmd import (
    GitUnavailable,
    is_git_work_tree,
    run_git_many,
)
from mlops_audit.evidence.repo.model import GitSignals
from mlops_audit.evidence.repo.nblines import code_line_maps
from mlops_audit.evidence.repo.needles import (
    NeedleFilter,
    needles_in,
    notebook_may_mention,
)
from mlops_audit.evidence.repo.pysource import (
    FACTS,
    NOTEBOOK_CELL_STRIDE,
    PythonSummary,
    split_notebook_position,
)
from mlops_audit.evidence.repo.rulememo import QUESTION_ORDER, History, Log, Record, answer_digest
from mlops_audit.util.safeyaml import LocatedDocument, load_yaml_text

if TYPE_CHECKING:
    from mlops_audit.evidence.repo.git import Authorship

MAX_FILE_BYTES = 1024 * 1024  # content cap per file
MAX_NOTEBOOK_BYTES = 16 * 1024 * 1024  # notebooks carry outputs we discard; their code is small
MAX_FILES = 500_000  # listing cap: beyond it the scan says it is truncated
MAX_JSON_DEPTH = 64
MAX_PROBLEMS = 200  # problems listed (all are counted)
# Parsing budget per scan: a tree built to make every detector parse everything (a hundred thousand
# files that all mention `mlflow`) stops being parsed after this much; a detector that then found
# nothing reports that it could not look everywhere (not_applicable) instead of a fail.
MAX_PARSE_BYTES = 128 * 1024 * 1024
MAX_PARSED_FILES = 50_000
TEXT_CACHE_CHARS = 16 * 1024 * 1024
# Entries are bounded by TEXT_CACHE_CHARS; the count cap only bounds per-entry overhead. It must be
# large enough that detectors visiting the same tens of thousands of small files in turn (CI, then
# manifests) do not evict each other and re-read every file.
TEXT_CACHE_ENTRIES = 200_000
PARSED_CACHE_ENTRIES = 512
# Parsed Python is kept within bounds, by the characters of source it came from: a syntax tree takes
# about 30 bytes per source character, a summary about 2 (measured on scikit-learn). Evicted entries
# are parsed again when asked for (the parsing budget is charged once per file).
TREE_CACHE_CHARS = 1024 * 1024
SUMMARY_CACHE_CHARS = 40 * 1024 * 1024

# Folders that hold other people's code, caches or environments, never the project's practices.
SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints", "site-packages",
        ".eggs", "bower_components", "vendor", "dist-packages", "third_party", "_vendor",
        # Test data: sample trees and files that exercise code (our own detector fixtures hold
        # Dockerfiles, DVC files and lock files of pretend projects); never the project's practices.
        "fixtures", "__fixtures__", "testdata", "test_data", "test-fixtures",
    }
)
# Of those, the ones holding other people's code or installed environments: each one skipped is
# named in the collection's summary (`IndexStats.vendored`), the others (caches, test data) are not.
THIRD_PARTY_DIRS = frozenset(
    {"node_modules", ".venv", "venv", "site-packages", "dist-packages", "vendor", "third_party", "_vendor", "bower_components", ".eggs", ".tox", ".nox"}
)
# DVC's content cache and temporary files are data, not configuration.
SKIP_PREFIXES = (".dvc/cache/", ".dvc/tmp/")
PYTHON_SUFFIXES = (".py", ".pyw")
_YAML_SUFFIXES = (".yaml", ".yml")
_NO_WORDS: frozenset[str] = frozenset()
NOTEBOOK_SUFFIX = ".ipynb"
# An import statement's text, with its continuations (backslashes, a parenthesised name list up to
# a bounded length), from any line holding `import` or `from` as a word: a superset of import
# statements, matched in linear time.
_IMPORT_STATEMENT = re.compile(r"^[^\n]*\b(?:import|from)\b(?:[^\n(\\]|\\\n|\\.|\([^)]{0,20000}\)|\()*", re.MULTILINE)
_IDENTIFIER_RUN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LITERAL_EXTENSION = re.compile(r"\.([^.*?\[\]\\/]+)\Z")


@dataclass
class IndexStats:
    listing: str = "walk"  # "git" or "walk"
    listing_note: str | None = None
    files_listed: int = 0
    truncated: bool = False
    skipped_links_or_special: int = 0
    files_read: int = 0
    bytes_read: int = 0
    skipped_too_large: int = 0
    unreadable: int = 0
    parse_problems: int = 0
    vendored: set[str] = field(default_factory=set)  # skipped folders of THIRD_PARTY_DIRS (the topmost of each)
    installed: thirdparty.InstalledCode = field(default_factory=thirdparty.InstalledCode)
    documentation: documents.DocumentationCode = field(default_factory=documents.DocumentationCode)
    learning: lessons.LearningMaterial = field(default_factory=lessons.LearningMaterial)


@dataclass(frozen=True)
class Notebook:
    code_cells: tuple[str, ...]
    markdown_cells: tuple[str, ...]


@dataclass
class _Cache:
    max_entries: int
    max_weight: int = 0
    items: OrderedDict[str, Any] = field(default_factory=OrderedDict)
    weights: dict[str, int] = field(default_factory=dict)
    total: int = 0
    evicted: int = 0

    def __len__(self) -> int:
        return len(self.items)

    def get(self, key: str) -> Any:
        if key in self.items:
            self.items.move_to_end(key)
            return self.items[key]
        return _MISSING

    def put(self, key: str, value: Any, weight: int = 1) -> None:
        if key in self.items:
            self.total -= self.weights[key]
        self.items[key] = value
        self.weights[key] = weight
        self.total += weight
        while len(self.items) > self.max_entries or (self.max_weight and self.total > self.max_weight and len(self.items) > 1):
            old, _ = self.items.popitem(last=False)
            self.total -= self.weights.pop(old)
            self.evicted += 1


_MISSING = object()
# Listing questions a rule memo may ask again (`RepoIndex.memo_answer`), and the order questions are
# asked again in: the cheap ones first, the whole-tree scans last.
_LISTING_QUESTIONS = frozenset({"glob", "named", "with_suffix", "exists", "size", "python_files", "yaml_files", "dockerfiles", "ci_folder_files"})
_FILE_SCAN_QUESTIONS = frozenset({"code_mentions", "imports", "text_test"})  # per-file questions of `python_scan` (`_note_file_scan`)
_DIGEST_ANSWER = re.compile(r"[0-9a-f]{64}=")  # a fact question's answer: SHA-256 of the bytes = ...
# Questions whose answer names the bytes it was given for: refreshed when they match for other bytes (`_note_refreshed`;
# a `file_scans` question in `_file_scans_match`).
_REFRESHABLE = frozenset({"summary", "fact", "tree", "read_test"})
# Listing questions that are functions of the listing alone (`size` reads a file's size): they match
# when the listing is the one the memo was written with (`memo_listing_known`).
_LISTING_ONLY = tuple(f'["{name}",' for name in sorted(_LISTING_QUESTIONS - {"size"}))
_QUESTION_ORDER = {kind: place for place, kind in enumerate(QUESTION_ORDER)}
_TREE_ANSWER = re.compile(r"[0-9a-f]{64}=(?:[0-9a-f]{64}|none)")  # a tree question's answer: SHA-256 of the bytes = `tree_digest`
_SUMMARY_ANSWER = re.compile(r"[0-9a-f]{64}=[0-9a-f]{64}")  # a summary question's answer: SHA-256 of the bytes = the parse cache's key
# What a summary question compares: every field of a summary but its per-file facts (asked one by one) and its links.
_SUMMARY_FIELDS = tuple(f.name for f in dataclasses.fields(PythonSummary) if f.compare and f.name != "facts")


class _Quiet:
    """`with _Quiet(index):` - what the index reads inside is not recorded as a rule's question of its
    own (the caller records one question for it). A new object each time: one kept on the index
    would make a reference cycle."""

    __slots__ = ("_index",)

    def __init__(self, index: RepoIndex) -> None:
        self._index = index

    def __enter__(self) -> None:
        self._index._quiet += 1

    def __exit__(self, *_: object) -> None:
        self._index._quiet -= 1


def tree_digest(tree: ast.Module | None) -> str | None:
    """A digest of a syntax tree, every node's fields and positions ("none" for no tree): equal
    digests, equal trees. Over the tree's pickled form, made to be hashed and never loaded. None
    when the tree is too deep to pickle (a long chain of operators): no tree question then."""
    if tree is None:
        return "none"
    try:
        return hashlib.sha256(pickle.dumps(tree, protocol=5)).hexdigest()
    except (RecursionError, MemoryError):
        return None


def _content_of(outcome: str, data: bytes | None) -> str:
    """The answer of a content question (`rulememo`) about a file whose reading went `outcome`
    (`RepoIndex._read`) and gave `data`: the outcome and the SHA-256 of the bytes."""
    return f"{outcome}:{hashlib.sha256(data).hexdigest()}" if data is not None else (outcome or "absent")


def _cell_source(cell: object) -> str | None:
    """A notebook cell's source text (a string or a list of strings, concatenated)."""
    if not isinstance(cell, dict):
        return None
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else None


def _is_code_cell(cell: object) -> bool:
    return isinstance(cell, dict) and cell.get("cell_type") == "code" and _cell_source(cell) is not None


def _entry_name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _skipped(rel: str) -> bool:
    parts = rel.split("/")
    return any(p in SKIP_DIRS for p in parts[:-1]) or rel.startswith(SKIP_PREFIXES)


def _third_party_folder(folder: str) -> str | None:
    """The folder of other people's code that makes `folder/` skipped: the first skipped component
    of the path when it is one of THIRD_PARTY_DIRS (`app/node_modules` for `app/node_modules/x/`),
    else None (a cache or test-data folder comes first, or nothing is skipped)."""
    parts = folder.split("/")
    for i, part in enumerate(parts):
        if part in SKIP_DIRS:
            return "/".join(parts[: i + 1]) if part in THIRD_PARTY_DIRS else None
    return None


def json_depth_ok(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """No value lies deeper than `limit` levels (the top value is at 0): no non-empty dict or list at
    depth `limit` or below. Level by level, only containers are kept (a notebook's outputs are
    mostly strings, which the walk used to push and pop one by one)."""
    level = [value] if isinstance(value, (dict, list)) else []
    depth = 0
    while level:
        below: list[Any] = []
        for item in level:
            children = item.values() if isinstance(item, dict) else item
            if depth >= limit and children:
                return False  # a value at depth limit + 1
            below.extend([child for child in children if isinstance(child, (dict, list))])
        level = below
        depth += 1
    return True


def _asks_content(method: Any) -> Any:
    """A content question (`rulememo`): while a rule records, the file it names is a dependency (its
    digest is stored), and what the method asks inside is not recorded again."""

    @functools.wraps(method)
    def asked(self: RepoIndex, rel: str, *args: Any, **kwargs: Any) -> Any:
        if not self._recording or self._quiet:
            return method(self, rel, *args, **kwargs)
        self._recording[-1].content.setdefault(rel)
        with _Quiet(self):
            return method(self, rel, *args, **kwargs)

    return asked


def _asks_listing(method: Any) -> Any:
    """A listing question (`rulememo`): a pure function of the listing (and of files' sizes), recorded
    with a digest of its answer; the same question is answered again on a warm run."""
    name = method.__name__

    @functools.wraps(method)
    def asked(self: RepoIndex, *args: Any, **kwargs: Any) -> Any:
        if not self._recording or self._quiet:
            return method(self, *args, **kwargs)
        with _Quiet(self):
            result = method(self, *args, **kwargs)
        question = json.dumps([name, args, kwargs], separators=(",", ":"))
        answer = self._listing_answers.get(question)
        if answer is None:
            answer = self._listing_answers[question] = answer_digest(result)
        self._recording[-1].questions.setdefault(("listing", question), answer)
        return result

    return asked


HELM_PLACEHOLDER = templated.PLACEHOLDER  # what a template's hole reads as (detectors compare values with it)


class RepoIndex:
    """The files of one tree, listed once; contents read lazily through capped, checked reads."""

    classify_learning_material = True  # ask the learnt classifier (`teachingmodel`); its trainer reads the rules alone

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        needles: Iterable[str] | None = None,
        words: Iterable[str] | None = None,
        max_file_bytes: int = MAX_FILE_BYTES,
        max_files: int = MAX_FILES,
        now: datetime | None = None,
        parse_cache: ParseCache | None = None,
        count_learning_material: bool = False,
        learning_of: RepoIndex | None = None,
        declared_learning_material: bool = False,
        rule_memo: bool = False,
    ) -> None:
        """`learning_of`: make the learning-material view of that index instead of listing the tree
        (`learning_only`); `root` must be its root. `rule_memo`: a rule memo (`rulememo.RuleMemo`)
        is told this index right after it is made: git starts for the history once it says whether
        its reading still holds (`memo_history_known`), not when the listing begins."""
        path = Path(root)
        if not path.is_dir():
            raise InputError(f"{root}: not a folder (expected the root of a repository checkout)")
        self.root = path.resolve()
        self._root_str = str(self.root)
        self._root_prefix = os.path.join(self._root_str, "")
        self.max_file_bytes = max_file_bytes
        self.max_files = max_files
        self.stats = IndexStats()
        self.problems: list[str] = []
        self.is_git = learning_of.is_git if learning_of is not None else is_git_work_tree(self.root)
        self._now = now
        self._parse_cache = parse_cache  # summaries of unchanged content come from it (filecache)
        if parse_cache is not None and learning_of is None:  # the view asks the same repository's answers
            parse_cache.begin_repository(self._root_str)  # its needle answers from one pack (`needlepack`)
        # True: learning material is judged and reported but kept in the listing (and in the
        # learning-material view, whose listing is that material alone); False: left out (`lessons`).
        self.count_learning_material = count_learning_material or learning_of is not None
        self.declared_learning_material = declared_learning_material  # the assessor says it is (collect --learning-material)
        self._git: GitSignals | None = None
        self._authorship: Authorship | None = None
        self._git_pending: Any = None
        # The reading of the history kept in the rule memo (`memo_history_known`), this run's, its git
        # output while the authorship is not read, and the authorship question's answer.
        self._history_wanted = False
        self._history_known: History | None = None
        self._history: History | None = None
        self._history_output: Any = None
        self._authorship_answer: str | None = None
        # The memo's reading holds for this work tree's git state (`gitstate`): no git process runs for
        # the history; the log is read only if a rule that reads the authorship runs.
        self._history_from_state = False
        self._history_from_memo = False  # the signals are the memo's (by state or by the same git output)
        self._state_before: str | None = None  # the git state before git ran for the history
        # git log runs in its own process, started when the listing begins (`_begin_history`) so it
        # overlaps the listing and the detectors instead of adding its time at the end, or not at
        # all when the rule memo's reading of the history holds (`memo_history_known`).
        self._history_due = self.is_git and learning_of is None  # the view re-runs no rule that reads the history
        self._history_awaits_memo = rule_memo
        self._memo: dict[str, Any] = {}
        # Rule memo (`rulememo`): the questions of the rule running (a stack: `memo` values record
        # their own), answers of listing questions, digests of files, what the run did.
        self._recording: list[Log] = []
        self._quiet = 0  # > 0 while a recorded question answers itself
        self._memo_logs: dict[str, Log] = {}
        self._listing_answers: dict[str, str] = {}
        self._content_answers: dict[str, tuple[str, str, int]] = {}
        self._summary_keys: dict[str, str] = {}  # file -> the parse cache's key of its summary (summary questions)
        self._tree_digests: dict[str, str | None] = {}  # file -> `tree_digest` of the syntax tree a recording rule read (tree questions)
        self._matching_trees: dict[str, str | None] = {}  # changed files' tree digests made to answer them
        self._reasked = False
        self._matched: set[tuple[str, str, str]] = set()  # questions that got their recorded answer in this run
        self._listing_same = False  # the listing is the one the rule memo was written with (`memo_listing_known`)
        self._listing_answer: str | None = None
        self._refreshed: dict[tuple[str, str, str], str] = {}  # a question matched for changed bytes -> its answer for these bytes
        self._matching_summaries: dict[str, PythonSummary | None] = {}  # changed files' summaries made to answer them
        self._quiet_trees: dict[str, ast.Module | None] = {}  # the last MAX_QUIET_TREES of their trees, for their fact questions
        # Parse problems by the parse that noted them ("kind:rel", as `_parsed_keys`), in the order noted;
        # a record stores those of the files its rule parsed and a replay notes them (`memo_replayed`).
        self._key_problems: dict[str, list[str]] = {}
        self._parsing: list[str] = []  # the keys being parsed (nested: a notebook's summary parses the notebook)
        self._replay_noted: set[str] = set()  # keys whose problems a replay noted: their parse notes none again
        self._scan_noted: set[str] = set()  # keys whose problems the needle scan noted
        self._unkeyed_problem_rels: set[str] = set()  # files a problem was noted for outside a parse of theirs
        self._parsed_keys: set[str] = set()  # every `_parsed` key and Python summary of this run ("kind:rel")
        self._replayed_parses: set[str] = set()  # the same, of the rules replayed
        self._scans_wanted: set[str] = set()  # whole-tree scans asked by a rule that ran or was replayed
        self._replaying = False
        self._sizes: dict[str, int] = {}
        self._read_outcomes: dict[str, tuple[str, int]] = {}  # rel -> (first outcome of reading it, bytes)
        self._folders = FolderFds(self._root_str)
        # Folders stay open while the index lives; closed with it (or by `close`).
        self._closer = weakref.finalize(self, self._folders.close)
        self._texts = _Cache(max_entries=TEXT_CACHE_ENTRIES, max_weight=TEXT_CACHE_CHARS)
        self._parsed = _Cache(max_entries=PARSED_CACHE_ENTRIES)
        self._python = _Cache(max_entries=TEXT_CACHE_ENTRIES, max_weight=SUMMARY_CACHE_CHARS)
        self._trees = _Cache(max_entries=TEXT_CACHE_ENTRIES, max_weight=TREE_CACHE_CHARS)
        self._summarised: set[str] = set()  # files charged to the parsing budget (and their problems noted)
        self._raw_digests: dict[str, str] = {}  # plain Python file -> SHA-256 of its bytes (with a parse cache: its needle entry)
        self._needles = tuple(sorted(set(needles), key=lambda n: (-len(n), n))) if needles is not None else None
        self._files_by_needle: dict[str, list[int]] | None = None  # needle -> positions in python_files() mentioning it
        self._needle_filter = NeedleFilter.of(self._needles) if self._needles is not None else None
        self._words = frozenset(w.lower() for w in words) if words is not None else None
        self._word_facts: dict[str, frozenset[str]] | None = None  # YAML file -> the declared words its text holds
        self._background: BackgroundScan | None = None
        self._parsed_bytes = 0
        self._parsed_files = 0
        self.parse_budget_refusals = 0  # parses refused once the budget was spent (see MAX_PARSE_BYTES)
        self._globs: dict[str, re.Pattern[str]] = {}
        if learning_of is None:
            self.files: tuple[str, ...] = tuple(sorted(self._list()))
            self._file_set = frozenset(self.files)
            self._leave_out_installed()
            self._leave_out_documentation_code()
        else:
            self._judged_as(learning_of)
        self.stats.files_listed = len(self.files)
        self._order = {f: i for i, f in enumerate(self.files)}
        self._names: dict[str, list[str]] | None = None
        self._suffix_cache: dict[str, list[str]] = {}
        if self._needles is not None and self._words is not None:
            self._background = BackgroundScan.start(self, self.python_files(), self.with_suffix(*_YAML_SUFFIXES))

    def learning_only(self) -> RepoIndex:
        """The view of this tree's learning material alone (`learning.note_learning_evidence` runs
        the rules that failed on it): its listing is the files this index left out as lessons, in
        listing order, with this index's needles, words, clock, caps and parse cache, and this
        index's judgements (installed code, documentation code, learning material). Nothing is
        listed, judged or started again: no git listing, no git log (rules that read the history
        are not run on it), no reading of RECORD files, documentation or lesson markers."""
        return RepoIndex(
            self.root, needles=self._needles, words=self._words, max_file_bytes=self.max_file_bytes, max_files=self.max_files,
            now=self._now, parse_cache=self._parse_cache, learning_of=self,
        )

    def _judged_as(self, first: RepoIndex) -> None:
        """The listing and judgements of `first`'s learning-material view: the files it left out as
        learning material (all in its listing before that, so sorted they are in listing order)."""
        judged = first.stats
        self.stats = IndexStats(
            listing=judged.listing, listing_note=judged.listing_note, truncated=judged.truncated,
            skipped_links_or_special=judged.skipped_links_or_special, vendored=set(judged.vendored),
            installed=judged.installed, documentation=judged.documentation, learning=judged.learning,
        )
        self.files = tuple(sorted(judged.learning.left_out))
        self._file_set = frozenset(self.files)

    def close(self) -> None:
        """Close the folders held open for reading (also done when the index is collected)."""
        self._closer()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def memo(self, key: str, compute: Any) -> Any:
        """A value derived from the tree, computed once per index (shared between detectors). While a
        rule records (`rulememo`), the questions computing it asked are kept with it and join those
        of every rule that uses it; a mutable value filled by its users (`compute` a type such as
        `dict`) cannot be followed, and taints the records of the rules using it."""
        recording = bool(self._recording) and not self._quiet
        if key not in self._memo:
            if recording:
                log = Log()
                self._recording.append(log)
                try:
                    self._memo[key] = compute()
                finally:
                    self._recording.pop()
                self._memo_logs[key] = log
            else:
                self._memo[key] = compute()
        if recording:
            log = self._memo_logs.get(key)
            if log is None or isinstance(compute, type):
                self._recording[-1].taint(f"memo {key}")
            else:
                self._recording[-1].merge(log)
        return self._memo[key]

    def _begin_history(self) -> None:
        """Start the git commands behind the history in the background (once, when due)."""
        if self._history_due:
            from mlops_audit.evidence.repo.git import PendingGitOutput

            self._history_due = False
            self._git_pending = PendingGitOutput(self.root)

    def _history_state(self) -> str | None:
        from mlops_audit.evidence.repo.git import HISTORY_COMMANDS
        from mlops_audit.evidence.repo.gitstate import history_state

        return history_state(self.root, HISTORY_COMMANDS)

    def git_signals(self) -> GitSignals:
        """History signals, read once (see `mlops_audit.evidence.repo.git`). With a rule memo holding
        the reading of a history (`memo_history_known`) made at this git state (`gitstate`), or whose
        git output is this one byte for byte, its signals at this index's clock (`git.signals_at`)
        without reading the log again."""
        if self._git is None:
            from mlops_audit.evidence.repo.git import history_digest, read_history_times, signals_at

            known = self._history_known
            if self._history_from_state and known is not None:
                self._git = signals_at(known.signals, known.times, self._now)
                self._history, self._history_from_memo = known, True  # the log is read if the authorship is asked
                return self._git
            self._begin_history()
            output = self._git_pending.result() if self._git_pending is not None else None
            self._git_pending = None
            digest = history_digest(self.root, output) if self._history_wanted and output is not None and not isinstance(output, GitSignals) else None
            # The state the reading holds for: the same before git ran and after (`gitstate`).
            state = self._state_before if self._state_before is not None and self._state_before == self._history_state() else None
            if digest is not None and known is not None and known.digest == digest:
                self._git = signals_at(known.signals, known.times, self._now)
                self._history = known._replace(state=state)
                self._history_output, self._history_from_memo = output, True  # the authorship is read when asked
                return self._git
            self._git, self._authorship, times = read_history_times(self.root, now=self._now, output=output)
            if digest is not None and times is not None:
                self._history = History(digest, self._git, times, None, state)
        return self._git

    def git_authorship(self) -> Authorship | None:
        """Who changed which paths (`git.Authorship`), from the same reading of the history as
        `git_signals`; None when there is no readable history."""
        self.git_signals()
        if self._history_from_memo:  # the signals came from the rule memo: the log is read now
            from mlops_audit.evidence.repo.git import read_git_output, read_history

            output = self._history_output if self._history_output is not None else read_git_output(self.root)
            self._authorship = read_history(self.root, now=self._now, output=output)[1]
            self._history_output, self._history_from_memo = None, False
        return self._authorship

    def memo_history_known(self, history: History | None) -> None:
        """The rule memo's reading of the history (or None): `git_signals` uses it while the git state
        (`gitstate`) or the git output is the same, and this run's reading is kept for the memo
        (`memo_history`). Called before the listing begins, so that git does not run for the
        history when the state says the reading holds."""
        self._history_wanted = True
        self._history_known = history
        if self._history_due:
            self._state_before = self._history_state()
            if history is not None and history.state is not None and history.state == self._state_before:
                self._history_due, self._history_from_state = False, True
            else:
                self._begin_history()

    def memo_history(self) -> History | None:
        """This run's reading of the history for the rule memo (None when it read none), with the
        authorship question's answer when it was asked."""
        if self._history is None:
            return None
        return self._history._replace(authorship=self._authorship_answer or self._history.authorship)

    # Rule memo (`rulememo`) ----------------------------------------------------------------------
    def _ask_content(self, rel: str) -> None:
        """The rule recording reads `rel` (its text, bytes or anything parsed from them)."""
        if self._recording and not self._quiet:
            self._recording[-1].content.setdefault(rel)

    def memo_ask(self, kind: str, question: str) -> None:
        """The rule recording asks `question` of `kind` (`rulememo.QUESTION_KINDS`); answered now."""
        if self._recording and not self._quiet:
            log = self._recording[-1]
            if (kind, question) not in log.questions:
                log.questions[(kind, question)] = self.memo_answer(kind, question)

    def _scan_asked(self) -> bool:
        """Whether the rule (or `memo` value) recording asked for the needle scan, which reads (and
        counts) every plain Python file: its questions about one such file then need not be about
        the file's whole content (`python_scan`)."""
        return bool(self._recording) and not self._quiet and ("needle_scan", "") in self._recording[-1].questions

    def memo_note(self, kind: str, question: str, answer: str) -> None:
        """The rule recording asked `question` of `kind` and got `answer`."""
        if self._recording and not self._quiet:
            self._recording[-1].questions.setdefault((kind, question), answer)

    def memo_taint(self, reason: str) -> None:
        """The rule recording read something the memo cannot follow: its record is not stored."""
        if self._recording:
            self._recording[-1].taint(reason)

    def listing_answer(self) -> str:
        """A digest of the listing (the answer of a `files` question)."""
        if self._listing_answer is None:
            self._listing_answer = answer_digest(list(self.files))
        return self._listing_answer

    def memo_listing_known(self, listing: str) -> None:
        """The rule memo read was written by a run with the listing of digest `listing` (every record
        it holds got its listing questions' answers from it): when this listing is the same, those
        questions that depend on the listing alone match without being asked again."""
        self._listing_same = listing == self.listing_answer()

    def memo_listing_same(self) -> bool:
        return self._listing_same

    def memo_begin(self) -> Log:
        log = Log()
        self._recording.append(log)
        return log

    def memo_end(self, log: Log) -> None:
        popped = self._recording.pop()
        assert popped is log and not self._recording, "rule memo logs out of order"

    def _content_answer(self, rel: str) -> tuple[str, str, int]:
        """(answer, outcome of reading, bytes read) of a content question: the SHA-256 of the file's
        bytes and how reading it went, found without counting the read (`memo_replayed` counts it)."""
        known = self._content_answers.get(rel)
        if known is None:
            digest = self._raw_digests.get(rel)
            first = self._read_outcomes.get(rel)
            if digest is not None and first is not None and first[0] == "read":
                known = (f"read:{digest}", "read", first[1])
            else:
                outcome, size, data = self._read(rel)
                known = (_content_of(outcome, data), outcome, size)
            self._content_answers[rel] = known
        return known

    def memo_answer(self, kind: str, question: str) -> str:
        """The answer this index gives to a recorded question (the same form as when recorded);
        "refused" for a question no rule could have asked."""
        with _Quiet(self):
            try:
                return self._memo_answer(kind, question)
            except (ValueError, TypeError, KeyError):
                return "refused"

    def _memo_answer(self, kind: str, question: str) -> str:
        if kind == "content":
            return self._content_answer(question)[0]
        if kind == "listing":
            answer = self._listing_answers.get(question)
            if answer is None:
                name, args, kwargs = json.loads(question)
                if name not in _LISTING_QUESTIONS or type(args) is not list or type(kwargs) is not dict:
                    return "refused"
                answer = self._listing_answers[question] = answer_digest(getattr(self, name)(*args, **kwargs))
            return answer
        if kind == "files":
            return self.listing_answer()
        if kind == "mentioning":
            needles = json.loads(question)
            if self._needles is None or type(needles) is not list or not set(needles) <= set(self._needles):
                return "refused"
            files = self.python_files()
            return answer_digest([files[i] for i in self._positions_mentioning(frozenset(needles))])
        if kind == "needle_scan":
            if self._needles is not None:
                self._needle_positions()
            return ""
        if kind == "word_scan":
            if self._words is not None:
                self._yaml_word_facts()
            return ""
        if kind == "learning":
            learning = self.stats.learning
            return answer_digest([sorted(learning.left_out), [dataclasses.astuple(t) for t in learning.trees], learning.code_total,
                                  learning.verdict, learning.teaching, learning.probability, learning.declared])
        if kind == "git":
            return answer_digest(self.git_signals().model_dump(mode="json"))
        if kind == "authorship":
            if self._authorship_answer is None:
                self.git_signals()
                known = self._history
                if self._history_from_memo and known is not None and known.authorship is not None:
                    self._authorship_answer = known.authorship  # the answer stored with this history's reading
                else:
                    authorship = self.git_authorship()
                    self._authorship_answer = answer_digest(None if authorship is None else [
                        [[a.name, [sorted(c) for c in a.commits]] for a in authorship.people], [sorted(c) for c in authorship.bot_commits],
                    ])
            return self._authorship_answer
        if kind in _FILE_SCAN_QUESTIONS:
            # Asked of plain Python files by `python_scan` after the needle scan, which reads (and
            # counts) every one of them: answered the way the rule's run answers it.
            rel, names = self._file_scan_question(question)
            if kind == "code_mentions":
                return json.dumps(sorted(self._code_mentions(rel, NeedleFilter.of(names))))
            if kind == "text_test":
                test = text_test_named(names[0]) if len(names) == 1 else None
                if test is None or rel not in self._raw_digests:
                    return "refused"
                try:
                    return json.dumps(self._passes(rel, test))
                except Exception:  # noqa: BLE001 - a test that fails on this text is no answer: the rule runs
                    return "refused"
            return json.dumps(rel in _Importing(self, NeedleFilter.of(names), frozenset(names), frozenset()))
        if kind == "flag" and question in ("count_learning_material", "declared_learning_material"):
            return json.dumps(bool(getattr(self, question)))
        return "refused"

    def _file_scan_question(self, question: str) -> tuple[str, list[str]]:
        """The file and names of a `code_mentions` or `imports` question (a plain Python file the needle
        scan reads; the scan run); raises ValueError for one no rule could have asked."""
        rel, names = json.loads(question)
        if self._needles is None or type(rel) is not str or not rel.endswith(PYTHON_SUFFIXES) or type(names) is not list or not all(type(n) is str for n in names):
            raise ValueError("not a per-file scan question")
        self._needle_positions()
        return rel, names

    def _note_file_scan(self, kind: str, rel: str, names: list[str], found: str) -> None:
        """The rule recording asked a per-file scan question (`code_mentions`, `imports`) about `rel` and
        got `found`. Stored as `<SHA-256 of the bytes>=<found>` when the needle scan hashed the file
        (`_raw_digests`, with a parse cache): the answer is a pure function of the file's bytes and
        the names, so a warm run whose scan read the same bytes matches it without asking again;
        for a changed file it is asked again and compared with `found` (early cut-off)."""
        digest = self._raw_digests.get(rel)
        if digest is None:
            self.memo_note(kind, json.dumps([rel, names]), found)
        elif self._recording and not self._quiet:
            self._recording[-1].scans.setdefault((kind, json.dumps(names)), {}).setdefault(rel, (digest, found))

    def _memo_matches(self, kind: str, question: str, answer: str) -> bool:
        self._reasked = False  # set when the answer had to be found again for changed bytes
        matched = self._memo_matches_now(kind, question, answer)
        if matched and self._reasked and kind in _REFRESHABLE:
            self._note_refreshed(kind, question, answer)
        return matched

    def _note_refreshed(self, kind: str, question: str, answer: str) -> None:
        """A question naming the bytes it was answered for (`<digest>=...`, `read:<digest>=...`) that
        matched for other bytes: its answer for the bytes read now (`memo_refreshed`), so the next run
        matches it by digest instead of summarising, parsing or testing the changed file again."""
        rel = question if kind in ("summary", "tree") else json.loads(question)[0]
        now, outcome, _ = self._content_answer(rel)
        digest = now[5:] if outcome == "read" else None
        if digest is None:
            return
        fresh = f"read:{digest}={answer.rpartition('=')[2]}" if kind == "read_test" else f"{digest}={answer[65:]}"
        if fresh != answer:
            self._refreshed[(kind, question, answer)] = fresh

    def memo_refreshed(self, questions: tuple[tuple[str, str, str], ...]) -> tuple[tuple[str, str, str], ...]:
        """A replayed record's questions with the answers of those that matched for changed bytes
        given for the bytes read now (the same answers: `_note_refreshed`)."""
        if not self._refreshed:
            return questions
        return tuple((kind, question, self._refreshed.get((kind, question, answer), answer)) for kind, question, answer in questions)

    def _memo_matches_now(self, kind: str, question: str, answer: str) -> bool:
        if answer == "refused":
            return False
        if kind == "summary":
            return self._summary_matches(question, answer)
        if kind == "fact":
            return self._fact_matches(question, answer)
        if kind == "tree":
            return self._tree_matches(question, answer)
        if kind == "read_test":
            return self._read_test_matches(question, answer)
        if kind == "file_scans":
            return self._file_scans_match(question, answer)
        if kind == "listing" and self._listing_same and question.startswith(_LISTING_ONLY):
            return True  # the listing every stored record was answered from (`memo_listing_known`)
        return self.memo_answer(kind, question) == answer

    def _file_scans_match(self, question: str, answer: str) -> bool:
        """A `file_scans` question (`[kind, names]` -> `[[file, SHA-256 of its bytes, answer], ...]`): a
        `python_scan`'s per-file answers found in bytes the needle scan hashed. A file the scan hashed
        the same matches by its digest alone; a changed one is asked again (`code_mentions`,
        `imports`, `text_test`) and must give the recorded answer. When every file matched and some
        had changed, the answers are named anew for the bytes read now (`memo_refreshed`)."""
        try:
            kind, names = json.loads(question)
            rows = json.loads(answer)
        except (ValueError, TypeError):
            return False
        if type(kind) is not str or kind not in _FILE_SCAN_QUESTIONS or type(names) is not list or type(rows) is not list or self._needles is None:
            return False
        self._needle_positions()  # the scan that hashed the files (`_raw_digests`)
        digests = self._raw_digests
        try:
            changed = [row for row in rows if type(row) is not list or len(row) != 3 or digests.get(row[0]) != row[1]]
        except TypeError:  # a file that is no string
            return False
        for row in changed:
            if type(row) is not list or len(row) != 3 or self.memo_answer(kind, json.dumps([row[0], names])) != row[2]:
                return False
        if changed:
            fresh = [[rel, digests.get(rel), found] for rel, _, found in rows]
            if all(row[1] is not None for row in fresh):
                self._refreshed[("file_scans", question, answer)] = json.dumps(fresh, separators=(",", ":"))
        return True

    def _read_test_matches(self, question: str, answer: str) -> bool:
        """A `read_test` question (`passes`): the same bytes, or a changed file's text gives the test's
        recorded answer (read without counting; the test found again by its key, `text_test_named`)."""
        try:
            rel, key = json.loads(question)
        except (ValueError, TypeError):
            return False
        if type(rel) is not str or type(key) is not str:
            return False
        read_as, _, found = answer.rpartition("=")
        current, outcome, _ = self._content_answer(rel)
        if current == read_as:
            return True
        self._reasked = True
        test = text_test_named(key)
        if test is None or outcome != "read":
            return False
        data = self._read(rel)[2]
        try:
            return json.dumps(data is not None and test(decode_text(data))) == found
        except Exception:  # noqa: BLE001 - a test that fails on this text is no answer: the rule runs
            return False

    def read_fact(self, summary: PythonSummary, name: str) -> Any:
        """A per-file fact of a summary this index made (`_IndexSource.read_fact`). While a rule
        records, a fact question: the fact's value, computed without recording the file's text
        or tree as read (the summary question and this one stand for what the rule saw of it)."""
        if not self._recording or self._quiet:
            return summary.computed_fact(name)
        log = self._recording[-1]
        with _Quiet(self):
            value = summary.computed_fact(name)
        log.facts.setdefault((summary.path, name), json.dumps(value, separators=(",", ":")))
        return value

    def _summary_questions(self, log: Log) -> tuple[list[tuple[str, str, str]], list[str]]:
        """The summary, fact and tree questions of a record, and the files read only as summaries or
        trees that must be content questions instead (a notebook, a file not read whole, a summary
        the parse cache does not key, a tree not digested)."""
        asked: list[tuple[str, str, str]] = []
        content: list[str] = []
        for rel in dict.fromkeys([*log.summaries, *(rel for rel, _ in log.facts), *log.trees]):
            if rel in log.content:
                continue
            answer, outcome, _ = self._content_answer(rel)
            key = self._summary_keys.get(rel)
            summarised = rel in log.summaries or any(of == rel for of, _ in log.facts)
            tree = self._tree_digests.get(rel) if rel in log.trees else ""
            if outcome != "read" or (summarised and key is None) or tree is None or not rel.endswith(PYTHON_SUFFIXES) or rel not in self._read_outcomes:
                content.append(rel)
                continue
            digest = answer.partition(":")[2]
            if summarised:
                asked.append(("summary", rel, f"{digest}={key}"))
                asked.extend(("fact", json.dumps([rel, name]), f"{digest}={value}") for (of, name), value in log.facts.items() if of == rel)
            if tree:
                asked.append(("tree", rel, f"{digest}={tree}"))
        return asked, content

    def _summary_matches(self, rel: str, answer: str) -> bool:
        """A summary question: the file's bytes are the same, or its summary (made without counting
        a read, charging the budget or noting a problem) has the fields of the one the parse cache
        holds under the recorded key, and no parse problem (a recorded file had none)."""
        if not _SUMMARY_ANSWER.fullmatch(answer) or type(rel) is not str:
            return False
        summary = self._summary_if_changed(rel, answer[:64])
        if type(summary) is bool:
            return summary
        if summary.syntax_errors or summary.unread_strings or self._parse_cache is None:
            return False
        try:
            stored = self._parse_cache.stored_summary(answer[65:], rel)
            return stored is not None and all(getattr(stored, name) == getattr(summary, name) for name in _SUMMARY_FIELDS)
        except (RecursionError, MemoryError):  # constants nested too deep to decode or compare: no answer, the rule runs
            return False

    def _fact_matches(self, question: str, answer: str) -> bool:
        """A fact question: the file's bytes are the same, or the fact of its summary now has the recorded value."""
        try:
            rel, name = json.loads(question)
        except (ValueError, TypeError):
            return False
        if type(rel) is not str or type(name) is not str or name not in FACTS or not _DIGEST_ANSWER.match(answer):
            return False
        summary = self._summary_if_changed(rel, answer[:64])
        if type(summary) is bool:
            return summary
        try:
            return json.dumps(summary.computed_fact(name), separators=(",", ":")) == answer[65:]
        except Exception:  # noqa: BLE001 - a fact that cannot be computed is no answer: the rule runs
            return False

    def _tree_matches(self, rel: str, answer: str) -> bool:
        """A tree question: the file's bytes are the same, or its syntax tree now (parsed without
        counting a read) has the recorded digest."""
        if not _TREE_ANSWER.fullmatch(answer) or type(rel) is not str:
            return False
        same = self._unchanged(rel, answer[:64])
        if same is not None:
            return same
        return self._matching_tree(rel) == answer[65:]

    def _matching_tree(self, rel: str) -> str | None:
        """`tree_digest` of a changed plain Python file's syntax tree, read without counting the read."""
        if rel in self._matching_trees:
            return self._matching_trees[rel]
        outcome, _, data = self._read(rel)
        text = decode_text(data) if outcome == "read" else None
        try:
            tree = parse_module(text, rel)[0] if text is not None else None
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
        known = self._matching_trees[rel] = tree_digest(tree)
        return known

    def _unchanged(self, rel: str, digest: str) -> bool | None:
        """Whether the listed plain Python file `rel` still has the bytes of SHA-256 `digest`: True;
        False when it is not listed or cannot be read; None when it changed."""
        if rel not in self._file_set or not rel.endswith(PYTHON_SUFFIXES):
            return False
        now, outcome, _ = self._content_answer(rel)
        if outcome != "read":
            return False
        if now == f"read:{digest}":
            return True
        self._reasked = True
        return None

    def _summary_if_changed(self, rel: str, digest: str) -> PythonSummary | bool:
        """True when the listed plain Python file `rel` still has the bytes of SHA-256 `digest`; else
        its summary now (`_matching_summary`), or False when it cannot be read or summarised."""
        same = self._unchanged(rel, digest)
        if same is not None:
            return same
        return self._matching_summary(rel) or False

    def _matching_summary(self, rel: str) -> PythonSummary | None:
        """The summary of a changed plain Python file, to answer summary and fact questions: read
        without counting the read (`_read`), not charged to the parsing budget, no problem noted,
        not kept in the index's summary cache (a rule that then runs reads and counts it as usual);
        through the parse cache, so that run parses nothing again."""
        if rel in self._matching_summaries:
            return self._matching_summaries[rel]
        outcome, _, data = self._read(rel)
        text = decode_text(data) if outcome == "read" else None
        summary = None
        if text is not None:
            def digested(tree: ast.Module) -> None:  # the tree `syntax_tree` parses from this text: one parse for both questions
                self._matching_trees.setdefault(rel, tree_digest(tree))
                _keep_quiet_tree(self._quiet_trees, rel, tree)  # and for the fact questions asked next

            summary = summarise_with(self._parse_cache, rel, [text], is_notebook=False, on_tree=digested)
            if summary.source is None:  # else made by this run's `python`, whose source follows the rules
                summary.source = _QuietSource(rel, text, self._quiet_trees)
        self._matching_summaries[rel] = summary
        return summary

    def memo_matches(self, questions: Iterable[tuple[str, str, str]]) -> bool:
        """Whether every recorded question gets its recorded answer (no read counted: `memo_replayed`).
        A question that matched for one record matches for every other record asking it (the answers
        of one run do not change, and one matched for changed bytes is refreshed by its triple)."""
        self._replaying = True
        matched = self._matched
        try:
            for asked in questions:
                if asked not in matched:
                    if not self._memo_matches(*asked):
                        return False
                    matched.add(asked)
            return True
        finally:
            self._replaying = False

    def memo_replayed(self, questions: Iterable[tuple[str, str, str]], parses: Iterable[str], problems: Iterable[tuple[str, Iterable[str]]] = ()) -> int:
        """A rule's stored result is used: count its reads as its run would have, note its scans and
        parses, and the parse problems of the files it parsed that no parse or replay of this run noted
        yet, in the order it parsed them (its run would have noted those, in that order). Returns how
        many problems it noted."""
        for kind, question, _ in questions:
            if kind in ("content", "summary", "tree"):
                _, outcome, size = self._content_answers[question]
                if outcome:
                    self._note_read(question, outcome, size)
            elif kind == "read_test":
                rel = json.loads(question)[0]
                _, outcome, size = self._content_answers[rel]
                if outcome:
                    self._note_read(rel, outcome, size)
            elif kind in ("mentioning", "needle_scan", "file_scans", "code_mentions", "imports", "text_test"):
                self._scans_wanted.add("needles")
            elif kind == "word_scan":
                self._scans_wanted.add("words")
        self._replayed_parses.update(parses)
        noted = 0
        for key, messages in problems:
            if key in self._parsed_keys or key in self._replay_noted:
                continue
            self._replay_noted.add(key)
            self._key_problems[key] = list(messages)
            rel = key.partition(":")[2]
            for message in messages:
                self._note_problem(rel, message)
            noted += len(self._key_problems[key])
        return noted

    def memo_storable(self) -> bool:
        """Whether this run's rules may be stored: nothing refused for the parsing budget, nothing parsed evicted."""
        return not self.parse_budget_refusals and not self._parsed.evicted

    def memo_record(self, log: Log, observation: Any) -> Record | None:
        """A rule's record, or None when it cannot be stored (tainted, crashed, a file it read was not
        counted as read, a file it parsed had a problem noted outside a parse of its own, the needle
        scan noted problems while it ran and a file it parsed had others). Problems are noted by a
        file's first parse (of each kind: `_parsed_get`, `python`, a notebook's needle check): the
        record keeps those of the files it parsed, in its parse order, for its replay to note."""
        from mlops_audit.evidence.repo.model import FindingOutcome

        if log.tainted is not None or observation.outcome is FindingOutcome.error:
            return None
        if any(key.partition(":")[2] in self._unkeyed_problem_rels for key in log.parses):
            return None
        problems = tuple((key, tuple(self._key_problems[key])) for key in log.parses if key in self._key_problems)
        if log.scan_problems and any(key not in self._scan_noted for key, _ in problems):
            return None  # a replay notes the scan's problems (while matching) before the others: the order may differ
        summaries, read_whole = self._summary_questions(log)
        content = []
        for rel in [*log.content, *read_whole]:
            answer, outcome, _ = self._content_answer(rel)
            if outcome and rel not in self._read_outcomes:
                return None  # a read the run did not count: replaying would count it
            content.append(("content", rel, answer))
        scans = [
            ("file_scans", json.dumps([kind, json.loads(names)]), json.dumps([[rel, digest, found] for rel, (digest, found) in files.items()], separators=(",", ":")))
            for (kind, names), files in log.scans.items()
        ]
        asked = sorted([*((kind, question, answer) for (kind, question), answer in log.questions.items()), *scans, *summaries], key=lambda q: _QUESTION_ORDER[q[0]])
        if any(q[2] == "refused" for q in asked):
            return None
        ordered = [q for q in asked if _QUESTION_ORDER[q[0]] < _QUESTION_ORDER["content"]] + content + [q for q in asked if _QUESTION_ORDER[q[0]] > _QUESTION_ORDER["content"]]
        return tuple(ordered), tuple(sorted(log.parses)), problems, observation

    def memo_safe(self, tried: bool) -> bool:
        """Whether this run's output is that of a run without the memo. Always when no stored result
        was tried. Else: nothing refused for the budget or evicted; the files any rule would parse
        (those parsed now and those of the rules replayed) fit the parsed-file cache (no eviction, so
        each parse problem noted once) and, at their sizes, the parsing budget; and no whole-tree scan
        ran only for a replay that then did not match (its reads would be counted)."""
        if not tried:
            return True
        if not self.memo_storable():
            return False
        ran = {name for name, done in (("needles", self._files_by_needle), ("words", self._word_facts)) if done is not None}
        if not ran <= self._scans_wanted:
            return False
        keys = self._parsed_keys | self._replayed_parses
        if sum(1 for key in keys if not key.startswith("python:")) > PARSED_CACHE_ENTRIES:
            return False
        charged = [key.partition(":")[2] for key in keys if key.startswith(("python:", "yaml:"))]
        if len(charged) > MAX_PARSED_FILES:
            return False
        return sum(self._sizes.get(rel, self._cap(rel)) for rel in charged) <= MAX_PARSE_BYTES

    # Listing ----------------------------------------------------------------------------------
    def _list(self) -> list[str]:
        """Regular files only, decided without a system call per file: git's index modes (a
        tracked link is mode 120000, a submodule 160000) or the walk's directory-entry types. A
        file the work tree changed into a link after that is refused when read (see `read_bytes`)."""
        entries: Iterable[str]
        if self.is_git:
            try:
                if not self._history_awaits_memo:
                    self._begin_history()  # overlaps the listing
                entries = self._git_names()
                self.stats.listing = "git"
            except GitUnavailable as exc:
                self.stats.listing_note = f"{exc}; walked the folder instead"
                entries = self._walk_names()
        else:
            entries = self._walk_names()
        kept: list[str] = []
        skipped_dir: dict[str, bool] = {}  # folder -> under a skipped folder (decided once per folder)
        for rel in entries:
            folder = rel[: rel.rfind("/") + 1]
            skip = skipped_dir.get(folder)
            if skip is None:
                skip = skipped_dir[folder] = _skipped(folder + "x") or not safe_relative(rel)
                vendored = _third_party_folder(folder) if skip else None
                if vendored is not None:
                    self.stats.vendored.add(vendored)
            if skip:
                continue
            if len(kept) >= self.max_files:
                self.stats.truncated = True
                break
            kept.append(rel)
        return kept

    def _leave_out_installed(self) -> None:
        """Files of installed distributions (their RECORD says so and checks out: `thirdparty`) are
        not the project's code: they leave the listing, for every detector, and are counted."""
        installed = thirdparty.find_installed(self.files, lambda rel: self._read(rel)[2], self._file_set.__contains__)
        self.stats.installed = installed
        for problem in installed.problems:
            self._problem(problem.split(":", 1)[0], problem)
        if installed.left_out:
            self.files = tuple(f for f in self.files if f not in installed.left_out)
            self._file_set = frozenset(self.files)

    def _leave_out_documentation_code(self) -> None:
        """Python files and notebooks of documentation sites' source trees (`documents`) illustrate
        practices to readers, they are not the project's code: they leave the listing, for every
        detector, and are counted (the documents themselves stay). Lesson code (`lessons`) the same
        way; the classifier reads the remote's name (`reponame`). With a parse cache, both judgements
        come from the repository's judgement memo while what they read is unchanged (`judgememo`)."""
        names = reponame.repository_names(self.root) if self.classify_learning_material else ()
        found, learning = self._judgements(names)
        self.stats.documentation = found
        if found.left_out:
            self.files = tuple(f for f in self.files if f not in found.left_out)
            self._file_set = frozenset(self.files)
        self.stats.learning = learning
        if learning.left_out and not self.count_learning_material:
            self.files = tuple(f for f in self.files if f not in learning.left_out)
            self._file_set = frozenset(self.files)

    def _judgements(self, names: tuple[str, ...]) -> judgememo.Judged:
        """The documentation-code and learning-material judgements of the listing (`judgememo.judge`),
        recalled from the judgement memo when its listing, names and files read give the same answers."""
        classify, declared = self.classify_learning_material, self.declared_learning_material
        if self._parse_cache is None:
            return judgememo.judge(self.files, lambda rel: self._read(rel)[2], classify=classify, declared=declared, names=names)
        from mlops_audit.evidence.repo.rulememo import memo_version, repository_key

        key, version, listing = repository_key(self), memo_version(), judgememo.listing_digest(self.files)
        stored = self._parse_cache.read_judgements(key, version, self._file_set)
        if stored is not None:
            asked, judged = stored
            if asked["listing"] == listing and asked["names"] == list(names) and asked["classify"] == classify and all(
                _content_of(*self._read(rel)[::2]) == answer for rel, answer in asked["reads"].items()
            ):
                return judged
        reads: dict[str, str] = {}

        def read(rel: str) -> bytes | None:
            outcome, _, data = self._read(rel)
            reads.setdefault(rel, _content_of(outcome, data))
            return data

        judged = judgememo.judge(self.files, read, classify=classify, declared=declared, names=names)
        try:
            body = judgememo.encode(key, version, listing, names, classify, reads, judged)
        except ValueError:  # a value JSON has no exact form for (a non-finite probability): not stored
            return judged
        self._parse_cache.write_judgements(key, body)
        return judged

    def _git_names(self) -> Iterator[str]:
        """Tracked files from the index with their modes (leaving out files a sparse checkout keeps
        out of the work tree), then untracked-but-not-ignored files
        (checked with one lstat each: git knows nothing of their type), minus files deleted from
        the work tree. The three git commands run at the same time."""
        staged, others, deleted = run_git_many(
            self.root,
            [
                ["ls-files", "-z", "-t", "--stage"],
                ["ls-files", "-z", "--others", "--exclude-standard"],
                ["ls-files", "-z", "--deleted"],
            ],
        )
        gone = {os.fsdecode(raw) for raw in deleted.split(b"\0") if raw}
        seen: set[str] = set()
        for raw in staged.split(b"\0"):
            if not raw:
                continue
            meta, _, name = raw.partition(b"\t")
            tag, _, mode = meta.partition(b" ")
            rel = os.fsdecode(name)
            if rel in seen or rel in gone:  # unmerged entries appear once per stage
                continue
            seen.add(rel)
            if tag == b"S":
                continue  # skip-worktree (sparse checkout): in the index, not in the work tree
            if not mode.startswith((b"100644", b"100755")):
                self.stats.skipped_links_or_special += 1  # 120000 link, 160000 submodule
                continue
            yield rel
        prefix = self._root_prefix
        for raw in others.split(b"\0"):
            if not raw:
                continue
            rel = os.fsdecode(raw)
            if rel in seen:
                continue
            seen.add(rel)
            try:
                st = os.lstat(prefix + rel)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                self.stats.skipped_links_or_special += 1
                continue
            self._sizes[rel] = st.st_size
            yield rel

    def _walk_names(self) -> Iterator[str]:
        """Files of the tree, top-down and depth-first in name order (the order `os.walk` with sorted
        folders gives), not descending into links, skipped folders or ignored folders.

        One `scandir` per folder: whether an entry is a folder, a file or a link comes with the
        listing (the directory entry's type) instead of one system call per name. The
        `.gitignore` rules in force in a folder are its own and its ancestors' (rules only ever
        apply below their folder).
        """
        stack: list[tuple[str, list[gitignore.IgnoreRule]]] = [("", [])]
        prefix = self._root_prefix
        while stack:
            rel_dir, inherited = stack.pop()
            try:
                with os.scandir(prefix + rel_dir if rel_dir else self._root_str) as listing:
                    entries = list(listing)
            except OSError:
                continue  # unreadable folder: skipped, as os.walk does
            dirs: list[os.DirEntry[str]] = []
            files: list[os.DirEntry[str]] = []
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        dirs.append(entry)
                    elif entry.is_file(follow_symlinks=False):
                        files.append(entry)
                    else:  # links (never followed), FIFOs, sockets, devices
                        self.stats.skipped_links_or_special += 1
                except OSError:
                    continue
            rules = inherited
            if any(entry.name == ".gitignore" for entry in files):
                text = self._read_ignore_file(os.path.join(prefix + rel_dir, ".gitignore"))
                rules = inherited + gitignore.parse_gitignore(text, rel_dir)
            base = rel_dir + "/" if rel_dir else ""
            kept_dirs = []
            for entry in sorted(dirs, key=_entry_name):
                rel = base + entry.name
                ignored = bool(rules) and gitignore.is_ignored(rules, rel, is_dir=True)
                if entry.name in SKIP_DIRS:
                    if entry.name in THIRD_PARTY_DIRS and not ignored:  # git would list its files: named as skipped
                        self.stats.vendored.add(rel)
                    continue
                if not ignored:
                    kept_dirs.append(rel)
            stack.extend((rel, rules) for rel in reversed(kept_dirs))
            for entry in sorted(files, key=_entry_name):
                rel = base + entry.name
                if not rules or not gitignore.is_ignored(rules, rel, is_dir=False):
                    yield rel

    def _read_ignore_file(self, path: str) -> str:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return ""
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return ""
            return handle.read(self.max_file_bytes).decode("utf-8", "replace")

    # Queries over the listing -------------------------------------------------------------------
    @_asks_listing
    def exists(self, rel: str) -> bool:
        return rel in self._file_set

    def _by_name(self) -> dict[str, list[str]]:
        if self._names is None:
            names: dict[str, list[str]] = {}
            for f in self.files:
                names.setdefault(f.rsplit("/", 1)[-1], []).append(f)
            self._names = names
        return self._names

    def _by_extension(self, lowered: bool) -> dict[str, list[str]]:
        """Text after the last dot of each listed path (lowercased or as is) -> files, in listing order."""
        key = "ext_lower" if lowered else "ext"
        if key not in self._memo:
            # Both maps in one pass (lowercasing never moves or makes a dot, so the lowered text after
            # the last dot is the text after the last dot, lowered).
            by_ext: dict[str, list[str]] = {}
            by_lower: dict[str, list[str]] = {}
            for f in self.files:
                dot = f.rfind(".")
                if dot != -1:
                    extension = f[dot + 1 :]
                    by_ext.setdefault(extension, []).append(f)
                    by_lower.setdefault(extension.lower(), []).append(f)
            self._memo["ext"], self._memo["ext_lower"] = by_ext, by_lower
        return self._memo[key]  # type: ignore[no-any-return]

    def _in_order(self, found: Iterable[str]) -> list[str]:
        return sorted(set(found), key=self._order.__getitem__)

    def _glob_candidates(self, pattern: str, ignore_case: bool) -> Iterable[str]:
        """Listed files that can match `pattern` (a superset; the glob's regex decides), found
        without testing every listed path when the pattern's last part allows it."""
        last = pattern.rsplit("/", 1)[-1]
        if ignore_case:
            return self.files
        if not any(c in last for c in "*?[\\"):
            return self._by_name().get(last, [])  # literal file name: look it up
        if last.startswith("*") and not any(c in last[1:] for c in "*?[\\"):
            return self.with_suffix(last[1:])  # "*.ext": only files with that ending
        extension = _LITERAL_EXTENSION.search(last)
        if extension:  # "requirements*.txt": the path ends with ".txt" exactly
            return self._by_extension(lowered=False).get(extension.group(1), [])
        return self._joined_matches(pattern)

    def _joined_matches(self, pattern: str) -> Iterable[str]:
        """Every listed path matching `pattern`, by one regex search over the newline-joined listing
        (C speed) instead of one match call per path. Only when no path holds a newline and the
        pattern has no bracket class (whose negation could cross lines); else every path."""
        body = gitignore._translate(pattern)
        if "[" in body.replace("[^/]", "") or self.memo("newline_in_paths", lambda: any("\n" in f for f in self.files)):
            return self.files
        joined: str = self.memo("joined_paths", lambda: "\n".join(self.files))
        line_regex = re.compile("^(?:" + body.replace("[^/]", "[^/\n]") + ")$", re.MULTILINE)
        return [m.group(0) for m in line_regex.finditer(joined)]

    @_asks_listing
    def glob(self, *patterns: str, ignore_case: bool = False) -> list[str]:
        """Listed files matching any gitignore-style glob (`**` crosses folders), in listing order."""
        found: set[str] = set()
        for pattern in patterns:
            key = ("i:" if ignore_case else "") + pattern
            if key not in self._globs:
                body = gitignore._translate(pattern) + r"\Z"
                self._globs[key] = re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))
            regex = self._globs[key]
            found.update(f for f in self._glob_candidates(pattern, ignore_case) if regex.match(f))
        return self._in_order(found) if len(found) > 1 else list(found)

    @_asks_listing
    def named(self, *basenames: str, ignore_case: bool = False) -> list[str]:
        if not ignore_case:
            hits = [f for b in basenames for f in self._by_name().get(b, [])]
            return self._in_order(hits)
        by_lower: dict[str, list[str]] = self.memo("names_lower", self._names_lowered)
        return self._in_order(f for b in {b.lower() for b in basenames} for f in by_lower.get(b, []))

    def _names_lowered(self) -> dict[str, list[str]]:
        names: dict[str, list[str]] = {}
        for name, files in self._by_name().items():
            names.setdefault(name.lower(), []).extend(files)
        return names

    @_asks_listing
    def with_suffix(self, *suffixes: str) -> list[str]:
        lowered = tuple(s.lower() for s in suffixes)
        key = "|".join(lowered)
        if key not in self._suffix_cache:
            if all(s.startswith(".") and "." not in s[1:] for s in lowered):
                # f.lower() ends with ".yaml" exactly when the text after its last dot is "yaml".
                by_ext = self._by_extension(lowered=True)
                found = [f for s in lowered for f in by_ext.get(s[1:], [])]
                self._suffix_cache[key] = self._in_order(found) if len(lowered) > 1 else found
            else:
                self._suffix_cache[key] = [f for f in self.files if f.lower().endswith(lowered)]
        return self._suffix_cache[key]

    @_asks_listing
    def yaml_files(self) -> list[str]:
        """YAML files and templated YAML files (`*.yaml.j2`, `*.yml.template`, ...: read tolerantly
        by `yaml`/`yaml_documents`), in listing order."""
        return self.memo("yaml_files", lambda: self._in_order(self.with_suffix(*_YAML_SUFFIXES) + self.with_suffix(*templated.TEMPLATE_SUFFIXES)))  # type: ignore[no-any-return]

    # Things kept outside default places (`places`) ---------------------------------------------
    @_asks_listing
    def dockerfiles(self) -> list[str]:
        """Dockerfiles and Containerfiles by name, prefixes and suffixes included (`Dockerfile`,
        `Dockerfile.gpu`, `BaseDockerfile`, `serve.dockerfile`), in listing order."""
        return self.memo("dockerfiles", lambda: self._in_order(  # type: ignore[no-any-return]
            f for name, files in self._by_name().items() if places.is_dockerfile(name) for f in files))

    @_asks_listing
    def ci_folder_files(self) -> list[str]:
        """YAML files kept in CI folders (`azure-pipelines/`, `.pipelines/`, `ci/`, ... see
        `places.CI_FOLDERS`), in listing order: an Azure DevOps pipeline may point at any of them."""
        return self.memo("ci_folder_files", lambda: [f for f in self.with_suffix(*_YAML_SUFFIXES) if places.in_ci_folder(f)])  # type: ignore[no-any-return]

    def ci_included_files(self, roots: Iterable[str]) -> list[str]:
        """Listed YAML files that the CI files `roots` reference, directly or through other
        referenced files (`include:`, `template:`, local `uses: ./...`), roots left out, in listing
        order; at most `places.MAX_INCLUDED_FILES` are followed."""
        pending = list(roots)
        seen = set(pending)
        found: list[str] = []
        while pending and len(found) < places.MAX_INCLUDED_FILES:
            rel = pending.pop(0)
            for doc in self.yaml_documents(rel):
                for candidate in places.referenced_paths(doc.data, rel):
                    if candidate not in seen and self.exists(candidate) and candidate.lower().endswith(_YAML_SUFFIXES):
                        seen.add(candidate)
                        found.append(candidate)
                        pending.append(candidate)
        return self._in_order(found[: places.MAX_INCLUDED_FILES])

    @_asks_content
    def doc_headings(self, rel: str) -> list[tuple[int, int, str]]:
        """(line, level, title) of the headings of a Markdown, reStructuredText or AsciiDoc file."""
        text = self.text(rel)
        return places.headings(text) if text else []

    def mkdocs_pages(self) -> dict[str, str]:
        """Listed pages of every MkDocs site (`mkdocs.yml` nav, relative to its `docs_dir`) -> their
        nav title (sections joined: `Design / Architecture`), in listing order."""
        def find() -> dict[str, str]:
            pages: dict[str, str] = {}
            for config in self.named("mkdocs.yml", "mkdocs.yaml"):
                doc = self.yaml(config)
                if doc is None:
                    continue
                base = posixpath.join(posixpath.dirname(config), places.mkdocs_docs_dir(doc.data))
                for title, page in places.mkdocs_nav(doc.data):
                    rel = posixpath.normpath(posixpath.join(base, page))
                    if self.exists(rel):
                        pages.setdefault(rel, title)
            return {rel: pages[rel] for rel in self._in_order(pages)}

        return self.memo("mkdocs_pages", find)  # type: ignore[no-any-return]

    # Content ---------------------------------------------------------------------------------
    def _cap(self, rel: str) -> int:
        return MAX_NOTEBOOK_BYTES if rel.endswith(NOTEBOOK_SUFFIX) else self.max_file_bytes

    @_asks_listing
    def size(self, rel: str) -> int:
        """Size in bytes of a listed file (0 when it is gone or not a regular file), from one lstat
        done on demand: most files' sizes are only ever learnt when they are read."""
        if rel not in self._sizes:
            if rel not in self._file_set:
                return 0
            try:
                folder, name = self._folder_fd_and_name(rel)
                st = os.stat(name, dir_fd=folder, follow_symlinks=False)
                self._sizes[rel] = st.st_size if stat.S_ISREG(st.st_mode) else 0
            except OSError:
                self._sizes[rel] = 0
        return self._sizes[rel]

    def _folder_fd_and_name(self, rel: str) -> tuple[int, str]:
        folder, _, name = rel.rpartition("/")
        return self._folders.fd(folder), name

    def _note_read(self, rel: str, outcome: str, size: int = 0) -> None:
        """Count each file once, by the first outcome of reading it, whoever read it and however
        often (the counts then do not depend on caches, on the order detectors ran in, or on
        whether a background scan read the file)."""
        if rel in self._read_outcomes:
            return
        self._read_outcomes[rel] = (outcome, size)
        if outcome == "read":
            self.stats.files_read += 1
            self.stats.bytes_read += size
        elif outcome == "too_large":
            self.stats.skipped_too_large += 1
        elif outcome == "special":
            self.stats.skipped_links_or_special += 1
        else:
            self.stats.unreadable += 1

    @_asks_content
    def read_bytes(self, rel: str) -> bytes | None:
        """The file's bytes, or None when not listed, too large, not regular or not inside the root.

        The file is opened relative to its folder, and every folder on the way was opened from the
        root one component at a time without following links (`FolderFds`): a folder swapped for
        a link after the listing, or a file swapped for one, is never read through."""
        outcome, size, data = self._read(rel)
        if outcome:
            self._note_read(rel, outcome, size)
        return data

    def _read(self, rel: str) -> tuple[str, int, bytes | None]:
        """(outcome, bytes read, the bytes or None) of reading a listed file (outcome '' when not
        listed), without counting it in the stats (`read_bytes` does)."""
        if rel not in self._file_set:
            return "", 0, None
        cap = self._cap(rel)
        known = self._sizes.get(rel)
        if known is not None and known > cap:
            return "too_large", 0, None
        try:
            folder, name = self._folder_fd_and_name(rel)
            fd = os.open(name, READ_FLAGS, dir_fd=folder)
        except OSError as exc:
            # ELOOP/ENOTDIR: the file or a folder on the way is now a link
            return ("special" if exc.errno in (errno.ELOOP, errno.ENOTDIR) else "unreadable"), 0, None
        try:  # raw fd reads: no buffered file object per file (most files are read in one call)
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return "special", 0, None  # replaced by a FIFO, device or folder
            self._sizes[rel] = st.st_size
            if st.st_size > cap:
                return "too_large", 0, None
            data = os.read(fd, st.st_size + 1)  # one call reads the whole file (a short read ends it)
            chunks: list[bytes] = [data]
            remaining = cap + 1 - len(data) if len(data) > st.st_size else 0  # it grew: read on, up to the cap
            while remaining > 0:
                wanted = min(remaining, max(st.st_size + 1, 65536))
                chunk = os.read(fd, wanted)
                chunks.append(chunk)
                remaining -= len(chunk)
                if len(chunk) < wanted:
                    break  # end of file: a regular file only reads short at its end
            data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        except OSError:
            return "unreadable", 0, None
        finally:
            os.close(fd)
        if len(data) > cap:  # grew after listing
            return "too_large", 0, None
        return "read", len(data), data

    @_asks_content
    def text(self, rel: str) -> str | None:
        """Decoded text, or None for binary, missing or oversized files. Undecodable bytes become U+FFFD."""
        cached = self._texts.get(rel)
        if cached is not _MISSING:
            return cached
        text = decode_text(self.read_bytes(rel))
        self._texts.put(rel, text, weight=len(text) if text else 1)
        return text

    def mentions(self, rel: str, words: Iterable[str]) -> bool:
        """Whether the file's text contains any of `words` (lowercase), ignoring case.

        For a YAML file and words the detectors declared, the answer comes from the file's word
        facts: every YAML file is read once for every declared word (in the background scan when
        there is one), so rules that each look over every YAML file read none of them again.
        """
        wanted = tuple(words)
        if self._words is not None and rel.lower().endswith(_YAML_SUFFIXES):
            unknown = set(wanted) - self._words
            if unknown:
                raise ValueError(f"words {sorted(unknown)} were not declared by any registered detector")
            self._ask_content(rel)
            self.memo_ask("word_scan", "")
            return not self._yaml_word_facts().get(rel, _NO_WORDS).isdisjoint(wanted)
        text = self.text(rel)
        if not text:
            return False
        lowered = text.lower()
        return any(word in lowered for word in wanted)

    def _words_in(self, rel: str) -> frozenset[str]:
        assert self._words is not None
        text = self.text(rel)
        if not text:
            return _NO_WORDS
        lowered = text.lower()
        return frozenset(w for w in self._words if w in lowered) or _NO_WORDS

    def _yaml_word_facts(self) -> dict[str, frozenset[str]]:
        if not self._replaying:
            self._scans_wanted.add("words")
        if self._word_facts is None:
            facts = self._background.yaml_part() if self._background is not None else None
            if facts is not None:
                words, outcomes = facts
                self._merge_outcomes(outcomes)
                self._word_facts = words
            else:
                self._word_facts = self._scan_yaml_words()
        return self._word_facts

    def _scan_yaml_words(self, files: Iterable[str] | None = None) -> dict[str, frozenset[str]]:
        found = {}
        for rel in self.with_suffix(*_YAML_SUFFIXES) if files is None else files:
            words = self._words_in(rel)
            if words:
                found[rel] = words
        return found

    @_asks_content
    def meaningful_lines(self, rel: str, comment: str = "#") -> list[tuple[int, str]]:
        """(line number, stripped line) for non-blank, non-comment lines."""
        text = self.text(rel) or ""
        out = []
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if stripped and not stripped.startswith(comment):
                out.append((number, stripped))
        return out

    def _problem(self, rel: str, message: str) -> None:
        """A problem met reading `rel`: kept under the parse noting it (`_parsing`: none again when a
        replay noted that parse's problems already), or, outside a parse of `rel`, without one."""
        key = self._parsing[-1] if self._parsing else None
        if key is not None and key.partition(":")[2] == rel:
            if key in self._replay_noted:
                return
            self._key_problems.setdefault(key, []).append(message)
        else:
            self._unkeyed_problem_rels.add(rel)
        self._note_problem(rel, message)

    def _note_problem(self, rel: str, message: str) -> None:
        self.stats.parse_problems += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message if message.startswith(rel) else f"{rel}: {message}")

    def _parsed_get(self, kind: str, rel: str, parse: Any) -> Any:
        key = f"{kind}:{rel}"
        self._parsed_keys.add(key)
        if self._recording:
            self._recording[-1].parses.setdefault(key)
        cached = self._parsed.get(key)
        if cached is not _MISSING:
            return cached
        self._parsing.append(key)
        try:
            value = parse(rel)
        finally:
            self._parsing.pop()
        self._parsed.put(key, value)
        return value

    @_asks_content
    def yaml_documents(self, rel: str) -> list[LocatedDocument]:
        """Every YAML document of a (possibly multi-document) file; [] when unreadable or refused."""
        return self._parsed_get("yaml", rel, self._parse_yaml)

    @_asks_content
    def yaml(self, rel: str) -> LocatedDocument | None:
        docs = [d for d in self.yaml_documents(rel) if d.data is not None]
        return docs[0] if docs else None

    def _parse_yaml(self, rel: str) -> list[LocatedDocument]:
        text = self.text(rel)
        if text is None or not self._within_parse_budget(rel, len(text)):
            return []
        if templated.is_templated_yaml(rel) or templated.is_helm_template(rel, text):
            # Read tolerantly: holes blanked, then what parses, document by document (`templated`).
            docs, problems = templated.documents_one_by_one(templated.template_as_yaml(text), rel, self._yaml_stream)
        elif fastyaml.HAVE_LIBYAML:
            try:
                return fastyaml.load_documents(text, rel)
            except InputError as exc:
                self._problem(rel, exc.message)
                return []
        else:  # safeyaml reads one document per call
            docs, problems = templated.documents_one_by_one(text, rel, self._yaml_stream, repairs=0)
        for problem in problems:
            self._problem(rel, problem)
        return docs

    @staticmethod
    def _yaml_stream(text: str, rel: str) -> list[LocatedDocument]:
        if fastyaml.HAVE_LIBYAML:
            return fastyaml.load_documents(text, rel)
        return [load_yaml_text(text, rel, aliases=True)]

    @_asks_content
    def json(self, rel: str) -> Any:
        return self._parsed_get("json", rel, self._parse_json)

    def _parse_json(self, rel: str) -> Any:
        return self._json_of(rel, self.text(rel))

    def _json_of(self, rel: str, text: str | None) -> Any:
        if text is None:
            return None
        try:
            value = json.loads(text)
        except (ValueError, RecursionError) as exc:
            self._problem(rel, f"not valid JSON ({type(exc).__name__})")
            return None
        # Nesting needs an opening bracket per level: with few in the text the walk is not needed.
        if text.count("[") + text.count("{") > MAX_JSON_DEPTH and not json_depth_ok(value):
            self._problem(rel, f"JSON nested deeper than {MAX_JSON_DEPTH} levels; ignored")
            return None
        return value

    @_asks_content
    def toml(self, rel: str) -> dict[str, Any] | None:
        return self._parsed_get("toml", rel, self._parse_toml)

    def _parse_toml(self, rel: str) -> dict[str, Any] | None:
        text = self.text(rel)
        if text is None:
            return None
        try:
            value = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError, ValueError) as exc:
            self._problem(rel, f"not valid TOML ({exc})")
            return None
        return value if json_depth_ok(value) else None

    @_asks_content
    def notebook(self, rel: str) -> Notebook | None:
        """A Jupyter notebook's code and markdown cells; outputs are never looked at."""
        return self._parsed_get("notebook", rel, self._parse_notebook)

    def _parse_notebook(self, rel: str) -> Notebook | None:
        # Neither the JSON nor its text is cached: the outputs inside may be large, the cells are kept.
        return self._notebook_of(rel, self.read_bytes(rel))

    def _notebook_of(self, rel: str, raw: bytes | None) -> Notebook | None:
        data = self._json_of(rel, decode_text(raw))
        if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
            return None
        code: list[str] = []
        markdown: list[str] = []
        for cell in data["cells"]:
            source = _cell_source(cell)
            if source is None:
                continue
            if _is_code_cell(cell):
                code.append(source)
            elif cell.get("cell_type") == "markdown":
                markdown.append(source)
        return Notebook(tuple(code), tuple(markdown))

    # Python ----------------------------------------------------------------------------------
    def file_line(self, rel: str, line: int | None) -> int | None:
        """A line as shown in a finding. Lines in a notebook's summary are (code cell, line in the
        cell) positions: they become the line of the .ipynb file holding that code, worked out
        only for the few locations a finding shows, or None when it cannot be placed."""
        if line is None or not rel.endswith(NOTEBOOK_SUFFIX):
            return line
        if line < NOTEBOOK_CELL_STRIDE:
            return line  # already a file line (a rule that read the notebook's text itself)
        self._ask_content(rel)
        maps: list[tuple[int, ...] | None] | None = self._memo.setdefault("notebook_lines", {}).get(rel, _MISSING)
        if maps is _MISSING:
            maps = self._notebook_line_maps(rel)
            self._memo["notebook_lines"][rel] = maps
        cell, within = split_notebook_position(line)
        if maps is None or not 0 <= cell < len(maps) or maps[cell] is None:
            return None
        cell_lines = maps[cell]
        assert cell_lines is not None
        return cell_lines[within - 1] if 0 < within <= len(cell_lines) else None

    def _notebook_line_maps(self, rel: str) -> list[tuple[int, ...] | None] | None:
        """Per code cell (as `Notebook.code_cells` lists them), the file line of each code line."""
        text = decode_text(self.read_bytes(rel))
        if text is None:
            return None
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("cells"), list) or not json_depth_ok(data):
            return None
        maps = code_line_maps(text, data["cells"])
        if maps is None:
            return None
        return [m for cell, m in zip(data["cells"], maps, strict=True) if _is_code_cell(cell)]

    @_asks_listing
    def python_files(self) -> list[str]:
        """Python files and notebooks, in path order."""
        return self.memo("python_files", lambda: [f for f in self.files if f.endswith(PYTHON_SUFFIXES) or f.endswith(NOTEBOOK_SUFFIX)])  # type: ignore[no-any-return]

    def _code_text(self, rel: str) -> list[str] | None:
        if rel.endswith(NOTEBOOK_SUFFIX):
            nb = self.notebook(rel)
            return list(nb.code_cells) if nb else None
        text = self.text(rel)
        return [text] if text is not None else None

    def _within_parse_budget(self, rel: str, size: int) -> bool:
        """Spend `size` bytes of the parsing budget on `rel`; False (and a problem, once) when spent."""
        if self.parse_budget_refusals or self._parsed_bytes + size > MAX_PARSE_BYTES or self._parsed_files >= MAX_PARSED_FILES:
            if not self.parse_budget_refusals:
                self._problem(rel, f"parsing budget spent ({self._parsed_files} files, {self._parsed_bytes // 2**20} MiB parsed): "
                                   "this and later files were not parsed")
            self.parse_budget_refusals += 1
            return False
        self._parsed_bytes += size
        self._parsed_files += 1
        return True

    def python(self, rel: str) -> PythonSummary | None:
        """The parsed summary of a Python file or notebook (kept while the summary cache has room;
        parsed again, without charging the budget or noting problems twice, when asked again).
        While a rule records (`rulememo`), the file is read as a summary: a summary question (its
        fields) and a fact question per fact read, unless the rule reads the file in another way."""
        if not self._recording or self._quiet:
            return self._python_summary(rel)
        self._recording[-1].summaries.setdefault(rel)
        with _Quiet(self):
            return self._python_summary(rel)

    def _python_summary(self, rel: str) -> PythonSummary | None:
        key = f"python:{rel}"
        self._parsed_keys.add(key)
        is_notebook = rel.endswith(NOTEBOOK_SUFFIX)
        if self._recording:
            parses = self._recording[-1].parses
            if is_notebook:  # its summary parses the notebook first (and its problems come first), cached or not
                parses.setdefault(f"notebook:{rel}")
            parses.setdefault(key)
        cached = self._python.get(rel)
        if cached is not _MISSING:
            return cached  # type: ignore[no-any-return]
        self._parsing.append(key)
        try:
            return self._python_summary_of(rel, is_notebook)
        finally:
            self._parsing.pop()

    def _python_summary_of(self, rel: str, is_notebook: bool) -> PythonSummary | None:
        first = rel not in self._summarised
        sources = self._code_text(rel)
        if sources is not None and first and not self._within_parse_budget(rel, sum(len(s) for s in sources)):
            return None  # not cached: the refusal is counted each time a detector asks
        weight = sum(len(s) for s in sources) if sources else 1

        def keep_tree(tree: ast.Module) -> None:  # the module of a plain file, for `syntax_tree`
            self._trees.put(rel, tree, weight=weight)

        summary = None if sources is None else summarise_with(self._parse_cache, rel, sources, is_notebook=is_notebook, on_tree=None if is_notebook else keep_tree)
        if summary is not None:
            # Per-file facts are computed when a rule first asks, from the tree the summary parse
            # left in the tree cache (a rule asks right after the summary) or from a new parse.
            # Through a weak reference: a summary holding its index would make a cycle, and an
            # index (with its caches) would then outlive its collection until the cyclic GC ran.
            summary.source = _IndexSource(self, rel)
            if summary.digest is not None:
                self._summary_keys[rel] = summary.digest
        if first:
            self._summarised.add(rel)
            if summary is not None and summary.syntax_errors:
                self._problem(rel, f"{summary.syntax_errors} part(s) are not valid Python; skipped them")
            if summary is not None and summary.unread_strings:
                self._problem(
                    rel,
                    f"written for a newer Python than {sys.version_info.major}.{sys.version_info.minor}: "
                    f"{summary.unread_strings} f-/t-string(s) not analysed; the rest was read",
                )
        self._python.put(rel, summary, weight=weight)
        return summary

    def syntax_tree(self, rel: str) -> ast.Module | None:
        """The syntax tree of a Python file (not a notebook); None for bad code. Kept within
        TREE_CACHE_CHARS (trees are large: never all of a big tree's at once), parsed again when evicted.
        While a rule records (`rulememo`), a tree question: a digest of the tree (any other file's
        answer is None whatever it holds: no question)."""
        if not self._recording or self._quiet or not rel.endswith(PYTHON_SUFFIXES):
            return self._syntax_tree(rel)
        self._recording[-1].trees.setdefault(rel)
        with _Quiet(self):
            tree = self._syntax_tree(rel)
        if rel not in self._tree_digests:
            self._tree_digests[rel] = tree_digest(tree)  # None (too deep): a content question instead
        return tree

    def _syntax_tree(self, rel: str) -> ast.Module | None:
        cached = self._trees.get(rel)
        if cached is not _MISSING:
            return cached  # type: ignore[no-any-return]
        text = self.text(rel) if rel.endswith(PYTHON_SUFFIXES) else None
        try:
            tree = parse_module(text, rel)[0] if text is not None else None
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
        self._trees.put(rel, tree, weight=len(text) if text else 1)
        return tree

    def _code_mentions(self, rel: str, prefilter: NeedleFilter) -> frozenset[str]:
        """The needles of `prefilter` that the code of `rel` mentions, reading the file at most once.

        Most files mention no needle at all; a C-speed test of the raw bytes (`NeedleFilter`)
        settles those without decoding or tokenising. Only a hit is decoded (and kept in the text
        cache, since the file is parsed next) and checked exactly, needle by needle, for the
        needles whose key word the raw bytes hold (`NeedleFilter.mentioned`: what `needles_in` finds).
        With a parse cache, the answer for a plain file is kept under the SHA-256 of its bytes and
        the needle set (`needleform`): a file seen before is read and hashed, never searched.
        (Notebooks are always searched: parsing one may note a problem, which must not depend on a cache.)
        """
        if rel.endswith(NOTEBOOK_SUFFIX):
            # Code cells are JSON strings (escapes, lines as list items): the raw bytes are not the
            # code, but every word of the code is in them once escapes are read (see below).
            if not self._notebook_may_mention(rel, prefilter):
                return frozenset()
            sources = self._code_text(rel)
            return needles_in("\n".join(sources), prefilter.needles) if sources else frozenset()
        store = self._parse_cache
        data: bytes | None | object = _MISSING
        digest = None
        if store is not None:  # the answer may be stored under the bytes' digest (`needleform`)
            digest = self._raw_digests.get(rel)
            answered = self._content_answers.get(rel) if digest is None else None
            if answered is not None and answered[1] == "read":  # read and hashed to ask a rule memo's question: counted now
                self._note_read(rel, "read", answered[2])
                digest = self._raw_digests[rel] = answered[0][5:]
            elif digest is None:
                data = self.read_bytes(rel)
                if data is not None:
                    digest = self._raw_digests[rel] = hashlib.sha256(data).hexdigest()  # type: ignore[arg-type]
            if digest is not None:
                known = store.needle_hits(digest, prefilter.needles)
                if known is not None:
                    return known  # no decoding, no search
        cached = self._texts.get(rel)
        if cached is not _MISSING:
            found = prefilter.mentioned(cached, prefilter.candidates(cached.encode("utf-8", "surrogatepass"))) if cached else frozenset()
        else:
            found = self._mentioned_in(rel, self.read_bytes(rel) if data is _MISSING else data, prefilter)  # type: ignore[arg-type]
        if digest is not None:
            store.note_needle_hits(digest, prefilter.needles, found)  # type: ignore[union-attr]
        return found

    def _mentioned_in(self, rel: str, raw: bytes | None, prefilter: NeedleFilter) -> frozenset[str]:
        data = _utf16_as_utf8(raw)
        if data is None or _is_binary(data):
            self._texts.put(rel, None)
            return frozenset()
        candidates = prefilter.candidates(data)
        if candidates is not None and not candidates:
            return frozenset()  # not cached: nothing will ask for this file's text again
        text = decode_text(data)
        self._texts.put(rel, text, weight=len(text) if text else 1)
        return prefilter.mentioned(text, candidates) if text else frozenset()

    def _notebook_may_mention(self, rel: str, prefilter: NeedleFilter) -> bool:
        if self._parsed.get(f"notebook:{rel}") is not _MISSING:
            return True  # already parsed: the exact check is as cheap
        data = self.read_bytes(rel)
        if data is None:
            return False
        if not notebook_may_mention(data, prefilter):
            return False
        key = f"notebook:{rel}"
        self._parsed_keys.add(key)
        if self._recording:
            self._recording[-1].parses.setdefault(key)
        self._parsing.append(key)
        try:
            self._parsed.put(key, self._notebook_of(rel, data))  # parsed from these bytes: no second read
        finally:
            self._parsing.pop()
        return True

    def _scan_python_needles(self, start: int = 0, stop: int | None = None) -> dict[str, list[int]]:
        """Every Python file and notebook (or those at positions start:stop) read once for every
        declared needle, in path order."""
        assert self._needles is not None and self._needle_filter is not None
        prefilter = self._needle_filter
        by_needle: dict[str, list[int]] = {}
        files = self.python_files()
        for position in range(start, len(files) if stop is None else stop):
            for needle in self._code_mentions(files[position], prefilter):
                by_needle.setdefault(needle, []).append(position)
        return by_needle

    def _needle_positions(self) -> dict[str, list[int]]:
        """needle -> positions in `python_files()` of the files mentioning it. The whole scan runs the
        first time any detector asks (in the background when there is a background scan), so what
        it records (read counts, problems) does not depend on which detector asked first."""
        if not self._replaying:
            self._scans_wanted.add("needles")
        if self._files_by_needle is None:
            noted, keyed = self.stats.parse_problems, len(self._key_problems)
            facts = self._background.python_part() if self._background is not None else None
            if facts is not None:
                by_needle, outcomes, problems, parse_problems = facts
                if parse_problems:  # the forked scan's problems are of notebooks (`_notebook_of`): which, it does not say
                    self._unkeyed_problem_rels.update(f for f in self.python_files() if f.endswith(NOTEBOOK_SUFFIX))
                self._merge_outcomes(outcomes)
                self.stats.parse_problems += parse_problems
                self.problems.extend(problems[: max(0, MAX_PROBLEMS - len(self.problems))])
                self._files_by_needle = by_needle
            else:
                self._files_by_needle = self._scan_python_needles()
            if self.stats.parse_problems != noted:  # a replay would note them while matching, before its own (`memo_record`)
                self._scan_noted.update(list(self._key_problems)[keyed:])
                if self._recording:
                    self._recording[-1].scan_problems = True
        return self._files_by_needle

    def _merge_outcomes(self, outcomes: dict[str, tuple[str, int]]) -> None:
        for rel, (outcome, size) in outcomes.items():
            self._note_read(rel, outcome, size)

    def _positions_mentioning(self, wanted: frozenset[str]) -> list[int]:
        by_needle = self._needle_positions()
        return sorted({p for needle in wanted for p in by_needle.get(needle, ())})

    def _passes(self, rel: str, where: Callable[[str], bool] | None) -> bool:
        """Whether the code of `rel` (a notebook's code cells joined) passes a rule's text test.
        With a parse cache, the answer of a `TextTest` for a plain file is kept in the file's needle
        entry, as the answer to a one-needle set named by the test's key (`needleform`) - for files
        whose raw digest this process computed (`_code_mentions`); files scanned by the forked
        background scan (big trees) are tested from their text each run."""
        if where is None:
            return True
        store = self._parse_cache
        digest = self._raw_digests.get(rel) if store is not None and isinstance(where, TextTest) else None
        if digest is None:
            self._ask_content(rel)
            sources = self._code_text(rel)
            return sources is not None and where("\n".join(sources))
        question = where.question  # type: ignore[union-attr]
        known = store.needle_hits(digest, question)  # type: ignore[union-attr]
        if known is not None:
            answer = bool(known)
        else:
            with _Quiet(self):  # the file's text read for the test: a question of its own below, not its content
                text = self.text(rel)
            answer = text is not None and where(text)
            store.note_needle_hits(digest, question, frozenset(question) if answer else frozenset())  # type: ignore[union-attr]
        # A pure function of the bytes the needle scan hashed and of the test (`rulememo`): a changed
        # file whose answer is the same reruns nothing (the test found again by its key, `text_test_named`).
        self._note_file_scan("text_test", rel, [where.key], json.dumps(answer))  # type: ignore[union-attr]
        return answer

    def passes(self, rel: str, where: Callable[[str], bool]) -> bool:
        """Whether the code of `rel` passes a rule's text test (`text_test`), as `python_mentioning`'s
        `where` asks it: a rule that would read a file's text only to test it asks this instead, so
        its record holds the test's answer, not the file's bytes, and a changed file whose answer is
        the same reruns nothing (`rulememo`). The file is read (and counted) as its text would be; a
        plain Python file the needle scan has not hashed yet is a `read_test` question
        (`<content answer>=<answer>`: matched by the bytes' digest, no scan needed), else a
        `text_test` question of the scan's digest (`_passes`)."""
        if not self._recording or self._quiet or rel in self._raw_digests or not isinstance(where, TextTest) or not rel.endswith(PYTHON_SUFFIXES):
            return self._passes(rel, where)
        with _Quiet(self):  # the text read for the test: the question below, not the file's content
            text = self.text(rel)
            answer = text is not None and where(text)
            read_as = self._content_answer(rel)[0]
        self.memo_note("read_test", json.dumps([rel, where.key]), f"{read_as}={json.dumps(answer)}")
        return answer

    def python_mentioning(self, *needles: str, where: Callable[[str], bool] | None = None) -> Candidates:
        """Parsed Python files and notebooks whose code mentions any of `needles`, in path order,
        parsed lazily: a detector that has seen enough stops, and files further on are not parsed
        for it.

        A needle that is an identifier (`mlflow`, `GridSearchCV`) must occur as a whole identifier;
        any other needle (`tune.run`, `def run(`) as a phrase whose words are whole identifiers
        (`tune.run` is not in `autotune.running`). The code of each Python file is read once for
        all the needles the registered detectors declared, the first time any detector asks.

        `where`: a test of a candidate's code text (a superset of what the rule can use, e.g. "also
        names `itertools` and a fit call") that it must pass to be parsed at all: parsing is what a
        big tree costs, reading is cheap.
        """
        files = self.python_files()
        if self._needles is None:
            self.memo_taint("python_mentioning without declared needles")
            prefilter = NeedleFilter.of(needles)
            candidates: Iterable[str] = (rel for rel in files if self._code_mentions(rel, prefilter))
        else:
            unknown = set(needles) - set(self._needles)
            if unknown:
                raise ValueError(f"needles {sorted(unknown)} were not declared by any registered detector")
            if self._recording and not self._quiet:  # the files found, as a question (`rulememo`)
                self.memo_ask("mentioning", json.dumps(sorted(set(needles))))
            candidates = (files[i] for i in self._positions_mentioning(frozenset(needles)))
        return Candidates(self, candidates, where)

    def python_scan(
        self, *identifiers: str, within: Container[str] | None = None, where: Callable[[str], bool] | None = None
    ) -> Candidates:
        """Like `python_mentioning` for identifiers known only during the scan (e.g. a project's own
        helper names): reads the code of every Python file again (or of those `within`, paths a
        detector knows to be the only ones that matter: a set, or a per-path test such as
        `importing`), so detectors use it as a fallback. Lazy, in path order: each file is tested
        and parsed as the caller reaches it (its tree still cached then), and a caller that stops
        early reads no further. `where`: as for `python_mentioning`."""
        if self._needles is not None:
            self.memo_ask("needle_scan", "")
            self._needle_positions()  # every Python file read (and counted) once, whatever is skipped below
        prefilter = NeedleFilter.of(identifiers)
        tests: list[Callable[[str], bool]] = [] if within is None else [within.__contains__]

        def mentions(rel: str) -> bool:
            if not self._scan_asked() or rel.endswith(NOTEBOOK_SUFFIX):
                self._ask_content(rel)
                return bool(self._code_mentions(rel, prefilter))
            with _Quiet(self):
                found = self._code_mentions(rel, prefilter)
            # A question of its own (`rulememo`), not the file's content: a changed file that still
            # mentions none of them changes no answer (the needle scan above reads every file anyway).
            self._note_file_scan("code_mentions", rel, list(prefilter.needles), json.dumps(sorted(found)))
            return bool(found)

        tests.append(mentions)
        return Candidates(self, self.python_files(), where, tests=tuple(tests))

    def python_importing(self, *names: str) -> set[str]:
        """Python files (not notebooks) whose import statements may bring in one of `names`: every
        file whose summary imports `name`, `x.name` or from `x.name` is among them (a superset,
        found from the text without parsing: the lines of `import`/`from` statements, with their
        continuations, hold the name as a word)."""
        importing = self.importing(*names)
        return {rel for rel in self.python_files() if rel in importing}

    def importing(self, *names: str, also: Iterable[str] = ()) -> Container[str]:
        """`python_importing(*names)` as a test of one path at a time (and true for the paths `also`
        holds): for `python_scan(within=...)`, which then reads only as far as its caller iterates."""
        return _Importing(self, NeedleFilter.of(names), frozenset(names), frozenset(also))

    def _may_mention(self, rel: str, prefilter: NeedleFilter) -> bool:
        """`_code_mentions` without its exact check (plain files): whether the raw bytes may mention a needle."""
        cached = self._texts.get(rel)
        if cached is not _MISSING:
            return bool(cached) and prefilter.text_may_mention(cached)
        data = _utf16_as_utf8(self.read_bytes(rel))
        if data is None or _is_binary(data):
            self._texts.put(rel, None)
            return False
        if not prefilter.may_mention(data):
            return False
        text = decode_text(data)
        self._texts.put(rel, text, weight=len(text) if text else 1)
        return bool(text)


class TextTest:
    """A rule's `where` test (see `RepoIndex.python_mentioning`) whose answer is a pure function of
    a file's code text and of `key`: made by `text_test`, its answers are kept in the parse cache."""

    __slots__ = ("key", "question", "test")

    def __init__(self, key: str, test: Callable[[str], bool]) -> None:
        self.key, self.test = key, test
        self.question = (f"where:{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()}",)  # a one-needle set

    def __call__(self, text: str) -> bool:
        return self.test(text)


_MODULE_DIGESTS: dict[str, str] = {}
_TEXT_TESTS: dict[str, TextTest] = {}  # key -> a test made in this process (`text_test_named`)
MAX_TEXT_TESTS = 4096


def text_test(test: Callable[[str], bool], *params: object) -> Callable[[str], bool]:
    """`test` as a `where` test whose answer the parse cache keeps. Its key names the function, the
    SHA-256 of the source of the module defining it (a changed rule asks anew) and `params`: the
    caller passes every value the test depends on besides the text and that module's source (e.g.
    the names a closure matches), as values with a stable repr. When that source cannot be read
    (an installation without it), `test` itself: asked every time, never cached."""
    name = getattr(test, "__qualname__", "")
    module = sys.modules.get(getattr(test, "__module__", "") or "")
    path = getattr(module, "__file__", None)
    if not name or "<lambda>" in name or path is None:
        raise ValueError(f"text_test: {test!r} is not a named function of a module; a cached text test must be a pure function named in its module")
    if path not in _MODULE_DIGESTS:
        try:
            _MODULE_DIGESTS[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError:
            return test
    made = TextTest(f"{test.__module__}.{name} {_MODULE_DIGESTS[path]} {params!r}", test)
    if len(_TEXT_TESTS) < MAX_TEXT_TESTS:
        _TEXT_TESTS.setdefault(made.key, made)
    return made


_RULE_MODULES = "mlops_audit.evidence.repo.detectors."
_TEXT_TEST_SIGNATURE = {"text": "str", "return": "bool"}  # `def _may_x(text: str) -> bool` (postponed annotations)


def text_test_named(key: str) -> TextTest | None:
    """The text test whose key is `key` (a rule memo's `text_test` question, asked again of a changed
    file before the rule runs): one this process made, or a module-level function without
    parameters of a rule module already loaded (never imported here), found by its name and made
    again, whose key (with its module's source digest) must then be `key`, and whose signature is a
    text test's (`(text: str) -> bool`); None otherwise."""
    known = _TEXT_TESTS.get(key)
    if known is not None:
        return known
    name, _, rest = key.partition(" ")
    module_name, _, function = name.rpartition(".")
    if not rest.endswith(" ()") or not module_name.startswith(_RULE_MODULES) or not function.isidentifier():
        return None
    module = sys.modules.get(module_name)
    test = getattr(module, function, None) if module is not None else None
    if not inspect.isfunction(test) or test.__module__ != module_name or test.__qualname__ != function or test.__annotations__ != _TEXT_TEST_SIGNATURE:
        return None
    made = text_test(test)
    return made if isinstance(made, TextTest) and made.key == key else None


class _IndexSource:
    """The text and syntax tree of a file of a live index (`PythonSummary.source`, a
    `pysource.FactSource`), through a weak reference: a summary holding its index would make a cycle."""

    __slots__ = ("_index", "_rel")

    def __init__(self, index: RepoIndex, rel: str) -> None:
        self._index, self._rel = weakref.ref(index), rel

    def _live(self) -> RepoIndex:
        index = self._index()
        if index is None:
            raise RuntimeError(f"{self._rel}: the index this summary came from is gone; its facts cannot be computed")
        return index

    def text(self) -> str:
        return self._live().text(self._rel) or ""

    def tree(self) -> ast.Module | None:
        return self._live().syntax_tree(self._rel)

    def read_fact(self, summary: PythonSummary, name: str) -> Any:
        return self._live().read_fact(summary, name)


class _QuietSource:
    """The text and syntax tree of a file read without counting it (`RepoIndex._matching_summary`)."""

    __slots__ = ("_rel", "_text", "_trees")

    def __init__(self, rel: str, text: str, trees: dict[str, ast.Module | None]) -> None:
        self._rel, self._text, self._trees = rel, text, trees

    def text(self) -> str:
        return self._text

    def tree(self) -> ast.Module | None:
        if self._rel in self._trees:  # parsed for its summary or an earlier fact: each of a record's fact questions would parse it again
            return self._trees[self._rel]
        try:
            tree = parse_module(self._text, self._rel)[0]
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
        _keep_quiet_tree(self._trees, self._rel, tree)
        return tree


MAX_QUIET_TREES = 16  # changed files' trees kept while a warm run answers questions about them (memory: a few trees)


def _keep_quiet_tree(trees: dict[str, ast.Module | None], rel: str, tree: ast.Module | None) -> None:
    trees.pop(rel, None)
    trees[rel] = tree
    while len(trees) > MAX_QUIET_TREES:
        del trees[next(iter(trees))]  # the oldest


_IMPORT_WORD = re.compile(r"import|from")  # a literal alternation is 4x faster than with `\b` around it


def _word_at(text: str, start: int, end: int) -> bool:
    """`text[start:end]` is a whole word: what `\b` on both sides tests (a Unicode word character is
    alphanumeric or `_`)."""
    return not (start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")) and not (
        end < len(text) and (text[end].isalnum() or text[end] == "_")
    )


def imports_any(text: str, wanted: set[str]) -> bool:
    """Whether a match of `_IMPORT_STATEMENT` in `text` holds one of `wanted` as a word. The same
    matches as `_IMPORT_STATEMENT.finditer(text)`, found faster: a match starts at a line start and
    that line holds `import` or `from` as a word, so only those line starts are tried (in order,
    none inside the previous match, as `finditer` resumes after it)."""
    resume = 0
    for word in _IMPORT_WORD.finditer(text):
        if not _word_at(text, word.start(), word.end()):
            continue
        start = text.rfind("\n", 0, word.start()) + 1
        if start < resume:
            continue
        match = _IMPORT_STATEMENT.match(text, start)
        if match is None:
            continue
        resume = match.end()
        if not wanted.isdisjoint(_IDENTIFIER_RUN.findall(match.group(0))):
            return True
    return False


class _Importing:
    """Whether a path is among `RepoIndex.python_importing(*names)` (or among `also`), per path."""

    __slots__ = ("_also", "_index", "_prefilter", "_wanted")

    def __init__(self, index: RepoIndex, prefilter: NeedleFilter, wanted: frozenset[str], also: frozenset[str]) -> None:
        self._index, self._prefilter, self._wanted, self._also = index, prefilter, wanted, also

    def __contains__(self, rel: object) -> bool:
        if rel in self._also:
            return True
        if not isinstance(rel, str) or rel.endswith(NOTEBOOK_SUFFIX):
            return False
        index = self._index
        scanned = rel.endswith(PYTHON_SUFFIXES) and index._scan_asked()  # a file the needle scan reads
        if not scanned:
            index._ask_content(rel)
        with _Quiet(index):  # recorded as one question (`rulememo`), not as the file's content
            # The raw-bytes filter only: a name found in an import statement below is a whole
            # identifier of the code, so `needles_in`'s exact check would add nothing.
            found = index._may_mention(rel, self._prefilter) and imports_any(index.text(rel) or "", set(self._wanted))
        if scanned:
            index._note_file_scan("imports", rel, sorted(self._wanted), json.dumps(found))
        return found


class Candidates(Iterator[PythonSummary]):
    """The parsed summaries of the files a query found, in path order, each found and parsed when
    the iteration reaches it (a detector that has seen enough stops; files further on are neither
    tested nor parsed). Before iterating, `keeping(paths)` narrows the files by path, first of all
    tests, so the ones a rule drops anyway (tests, notebooks: `_inhouse.project_code`) are never
    read or parsed for it. `tests`: per-path tests a file must pass, in order, before `where`."""

    def __init__(
        self, index: RepoIndex, paths: Iterable[str], where: Callable[[str], bool] | None = None, *, tests: tuple[Callable[[str], bool], ...] = ()
    ) -> None:
        self._index, self._paths, self._where, self._tests = index, paths, where, tests
        self._summaries: Iterator[PythonSummary] | None = None

    def keeping(self, keep: Callable[[str], bool]) -> Candidates:
        if self._summaries is not None:
            raise RuntimeError("Candidates.keeping: the iteration has already begun")
        return Candidates(self._index, self._paths, self._where, tests=(keep, *self._tests))

    def __next__(self) -> PythonSummary:
        if self._summaries is None:
            index, where, tests = self._index, self._where, self._tests
            self._summaries = (
                s for rel in self._paths
                if all(test(rel) for test in tests) and index._passes(rel, where) and (s := index.python(rel)) is not None
            )
        return next(self._summaries)


