"""Rule memo: a rule's result kept with the questions it asked the index, reused while every answer is the same.

A warm re-collect still ran every rule on every summary. While a rule (detector) runs on an index
that records (`RepoIndex` with a parse cache), the index notes each question the rule asks
(`Log`): which files a listing query returned (`glob`, `named`, `with_suffix`, `exists`, `size`...,
by a digest of the answer), which files' contents it read in any form (text, bytes, YAML, JSON,
TOML, a notebook, a Python summary, a syntax tree, a text test: by the SHA-256 of the file's bytes
and how reading it went), which files mention a declared needle (`python_mentioning`), whether
each plain Python file a `python_scan` tests mentions the scan's identifiers or imports the names
it follows (its own question: the needle scan reads every such file), the learning-material
judgement, the flags it read and the history (`git_signals`, by a digest of what the collection
reports of it). Values a rule derives through `RepoIndex.memo` carry their own questions, which join those of every rule using the value. The rule's final
`Observation` (notebook positions already turned into lines) is stored with its questions, one
record per rule, in one authenticated file per repository in the parse cache folder
(`<R>.rulememo.<version[:16]>.json`, `R` the `repository_key`).

A `python_scan`'s per-file questions (`code_mentions`, `imports`) and a rule's text test of a file
(`text_test`, `index.text_test`: the file and the test's key) are answered with the SHA-256 of the
bytes the needle scan read (`<digest>=<answer>`, format 2): a warm run whose scan hashed the same
bytes matches them without asking again, and a changed file is asked again and compared with the
answer (a text test found again through `index.text_test_named`; one it cannot find is "refused"
and the rule runs), so a changed file whose answers are the same reruns nothing.

A rule that reads a plain Python file's text only to test it (`index.passes`, a `TextTest`) before
the needle scan hashed the file asks a `read_test` question (format 4): `[file, the test's key]`,
answered `<the content answer>=<the test's answer>`; matched by the file's digest alone, and a
changed file's text is tested again (not counted) and compared, so a comment appended to a test file
reruns no rule that only tested its text.

Since format 5 those per-file answers are grouped: the files one `python_scan` (or one text test)
asked about, whose bytes the needle scan hashed, are one `file_scans` question `[kind, names]` ->
`[[file, SHA-256 of its bytes, answer], ...]`, matched in one pass over the scan's digests; a
changed file is asked again as before (its `code_mentions`, `imports` or `text_test` question) and
must give its answer. A file the scan did not hash keeps a question of its own. The memo also names
the listing of the run that wrote it (`listing`, `RepoIndex.listing_answer`): every record it holds
was made or matched in that run, so got its listing questions' answers from that listing; while the
listing is the same, listing questions that depend on the listing alone (all but `size`) match
without being asked again. Within one run a question that matched for one record is not asked again
for the next (answers do not change within a run).

A record reused after some of its digest-named answers (summary, fact, tree, `read_test`, per-file
scan answers) matched a changed file by asking again is stored with those answers for the bytes read
now (`RepoIndex.memo_refreshed`: the same answers), so the next warm run matches them by digest.

A plain Python file a rule read only as its summary (`RepoIndex.python`) or its syntax tree
(`RepoIndex.syntax_tree`) is asked about as what the rule saw of it (format 3): a summary question
(`<digest>=<the parse cache's key of the summary>`: the summary's fields but its facts), a fact
question per per-file fact read (`<digest>=<the fact's JSON>`) and a tree question (`<digest>=<a
SHA-256 of the tree>`, `index.tree_digest`). A changed file is summarised and parsed again to answer
them (without counting the read), so a comment appended to a module reruns no rule that only read
its summary or tree.

On a warm run a rule with a record is not run while its questions give the same answers: the index
answers them again (phase 1: the listing, the files' digests, read without counting the read; the
needle scan), and when every answer matches, the reads the rule made are counted as it would have
counted them (phase 2: `RepoIndex.memo_replayed`) and the stored observation is its result (early
cut-off: a changed file no rule asked about changes nothing). Otherwise the rule runs and records.

**What cannot be memoised is never stored.** Rules see the index through a `RecordingView`: any
attribute outside the recorded API (`root`, a private field, counts that change while rules run, a
mutable value shared through `memo`) marks the record tainted and it is not stored (the rule still
gets what it asked for: its result is unchanged). A record is
not stored when its rule crashed, when the run spent the parsing budget or when the run's bounded
parse cache (`PARSED_CACHE_ENTRIES`) evicted anything.

A rule that parsed a file with a parse problem (format 6) is stored with the problems noted for the
files it parsed, in the order it first parsed them (`Log.parses`; a notebook before its summary,
whose parse parses it): problems are noted by the first parse of a file, so a replay notes those no
parse or replay of this run noted yet, in that order (`RepoIndex.memo_replayed`: what the rule's run
would have noted), and a later parse of such a file notes none again. The problems listed (the first
`index.MAX_PROBLEMS` noted) and their count are those of a run without the memo. Not stored: a
record of a file whose problem was noted outside a parse of its own (the forked needle scan counts
its notebooks' problems without naming them), or of a rule during which the needle scan noted
problems and which parsed other files with problems (a replay's matching runs the scan, so its
problems would come first). When a record's matching ran the scan and it noted problems, and then
the replay or the rule's run noted more, the order may differ from a run without the memo: with more
than `MAX_PROBLEMS` problems the collection is run again without the memo and that record dropped.

The memo also keeps the run's reading of the history (format 6, `History`): the SHA-256 of the git
output it was read from (`git.history_digest`: HEAD, `git log`, the tags, whether the clone is
shallow), the signals, the commit times per contributor (the signals at any clock: `git.signals_at`,
as only the activity windows depend on it) and the authorship question's answer once asked. A run
whose git output has that digest takes its signals from it instead of parsing the log (on a long
history most of a warm run: 15,648 commits, about 0.1 s); the authorship is read from the log only
when a rule that reads it runs. Format 7 adds the git state the reading was made at
(`gitstate.history_state`: HEAD and the refs it names, the tag refs, the repository's configuration,
mailmap, grafts, shallow boundary, the git program and command lines, read from `.git` without
running git; kept only when it was the same before and after git ran): a run at that state starts no
git process for the history at all (on a long history the `git log` process was most of a warm run's
wall time), and runs `git log` only if a rule that reads the authorship runs.

A warm run that replayed anything ends with a check that its output is
the one a run without the memo gives (`RepoIndex.memo_safe`: no budget refusal, no eviction
possible in a full run, the budget bound over every file any rule would parse, no whole-tree scan
done only for a replay that then did not match); if not, the collection is run again without the
memo (`collect.collect_with_index`).

**The file is untrusted input**, like every cache entry (`filecache`): the HMAC header under the
cache key, at most `MAX_MEMO_BYTES`, no links, one JSON line checked by hand before anything is
used (`decode_memo`: exact keys, this format and version, the repository it names, rules unique
and sorted, every question of a known kind with string fields, observations with a known outcome
and confidence and valid locations, problems of files the record parsed, a reading of the history
whose signals are exactly their own form and whose commit times are sorted and as many as its commits). A question is only ever answered by the index's own
question methods (a listing question names one of `index._LISTING_QUESTIONS`, else it is
"refused", which never matches). A refused file is counted
by reason in the parse cache's stats, ignored (every rule runs) and replaced.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import ValidationError

from mlops_audit.evidence.repo.git import MAX_COMMITS, CommitTimes
from mlops_audit.evidence.repo.model import Confidence, FindingOutcome, GitSignals, Location
from mlops_audit.evidence.repo.needleform import Refused, load_document
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, Observation

if TYPE_CHECKING:
    from collections.abc import Callable

    from mlops_audit.evidence.repo.filecache import ParseCache
    from mlops_audit.evidence.repo.index import RepoIndex
    from mlops_audit.evidence.repo.registry import Detector

MEMO_FORMAT = 7  # 2: per-file scan answers carry the digest of the bytes they were found in; 3: summary, fact and tree questions; 4: read_test; 5: those answers grouped per scan (`file_scans`), the listing's digest; 6: the parse problems of the files a record parsed; 7: the git state of the history's reading
MAX_PROBLEM_MESSAGES = 10_000  # messages of one record's problems
PARSER = "rule-memo"
KIND = "rulememo"  # the file kind in the cache folder (`ParseCache._name`)
MAX_MEMO_BYTES = 32 * 1024 * 1024
MAX_RULES = 2_000
MAX_QUESTIONS = 1_000_000  # over all rules of a file
MAX_TEXT = 1024 * 1024  # characters of any one string of the file
_KEYS = frozenset({"format", "version", "parser", "repository", "listing", "history", "rules"})
_DIGEST = re.compile(r"[0-9a-f]{64}")
_ANSWER = re.compile(r"[0-9a-f]{32}")
# Question kinds (`RepoIndex.memo_answer` answers each), in the order a record's questions are asked
# again (`RepoIndex`: cheap listing questions first, git last), and the parse kinds a record lists.
QUESTION_ORDER = (
    "flag", "learning", "files", "listing", "content", "read_test", "mentioning", "word_scan", "needle_scan",
    "file_scans", "code_mentions", "imports", "text_test", "summary", "fact", "tree", "git", "authorship",
)
QUESTION_KINDS = frozenset(QUESTION_ORDER)
PARSE_KINDS = frozenset({"yaml", "json", "toml", "notebook", "python"})


class Log:
    """The questions one rule (or one `memo` value) asked: question -> answer (content questions
    are answered when the record is stored), the files it parsed, and why it cannot be stored."""

    __slots__ = ("content", "facts", "parses", "questions", "scan_problems", "scans", "summaries", "tainted", "trees")

    def __init__(self) -> None:
        self.questions: dict[tuple[str, str], str] = {}
        # Per-file scan answers found in bytes the needle scan hashed: (kind, JSON of the names) ->
        # file -> (SHA-256 of its bytes, the answer); one `file_scans` question per key when stored.
        self.scans: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
        self.content: dict[str, None] = {}  # files read, in the order first asked
        # Files read only as a Python summary (`RepoIndex.python`) and the per-file facts read of
        # them ((file, fact) -> the fact's JSON): a summary question each unless also in `content`.
        self.summaries: dict[str, None] = {}
        self.facts: dict[tuple[str, str], str] = {}
        self.trees: dict[str, None] = {}  # Python files whose syntax tree it read: a tree question each unless in `content`
        # "kind:rel" of each file parsed (`_parsed` keys, Python summaries), in the order first parsed
        # (a file's problems are noted by its first parse: a replay notes them in this order).
        self.parses: dict[str, None] = {}
        self.scan_problems = False  # the needle scan noted problems while this log recorded
        self.tainted: str | None = None

    def taint(self, reason: str) -> None:
        if self.tainted is None:
            self.tainted = reason

    def merge(self, other: Log) -> None:
        for question, answer in other.questions.items():
            self.questions.setdefault(question, answer)
        for scan, files in other.scans.items():
            mine = self.scans.setdefault(scan, {})
            for rel, found in files.items():
                mine.setdefault(rel, found)
        for rel in other.content:
            self.content.setdefault(rel)
        for rel in other.summaries:
            self.summaries.setdefault(rel)
        for fact, value in other.facts.items():
            self.facts.setdefault(fact, value)
        for rel in other.trees:
            self.trees.setdefault(rel)
        for key in other.parses:
            self.parses.setdefault(key)
        self.scan_problems |= other.scan_problems
        if other.tainted is not None:
            self.taint(other.tainted)


def answer_digest(value: Any) -> str:
    """The stored answer of a listing question: a digest of its JSON form (paths may hold lone
    surrogates: escaped, so every value has one form)."""
    return hashlib.sha256(json.dumps(value, separators=(",", ":")).encode("ascii")).hexdigest()[:32]


@cache
def memo_version() -> str:
    """What a stored rule result depends on besides the repository: the memo and cache formats, the
    tool, Python, PyYAML and pydantic versions, the parser version, and every file of the collector's package (the
    rules, their catalogue, the learnt models) and of the helpers it imports (`util`, `errors`)."""
    from mlops_audit import __version__, errors, util
    from mlops_audit.evidence import repo
    from mlops_audit.evidence.repo.filecache import FORMAT, parser_version

    digest = hashlib.sha256()
    for folder in (Path(repo.__file__).parent, Path(util.__file__).parent):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    digest.update(Path(errors.__file__).read_bytes())
    text = (
        f"memo={MEMO_FORMAT} format={FORMAT} tool={__version__} python={sys.version_info[0]}.{sys.version_info[1]} "
        f"parser={parser_version()} sources={digest.hexdigest()} libraries={_library_versions()}"
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _library_versions() -> str:
    """Versions of the third-party parsers and models a rule's result depends on: a PyYAML or pydantic
    upgrade that reads a file differently must not replay results of the old reading."""
    import pydantic
    import yaml

    return f"pyyaml={getattr(yaml, '__version__', '?')} pydantic={pydantic.VERSION}"


def repository_key(index: RepoIndex) -> str:
    """The key of a repository's memo: the memo version, its resolved root path and what the index
    was told (caps, learning-material options)."""
    options = json.dumps([index.max_file_bytes, index.max_files, index.count_learning_material, index.declared_learning_material])
    return hashlib.sha256(f"{memo_version()}\0{options}\0".encode() + str(index.root).encode("utf-8", "surrogatepass")).hexdigest()


# ----------------------------------------------------------------------------- stored form

# A record: its questions, the files it parsed (sorted), the parse problems noted for them (in the
# order the rule parsed them: `(parse key, messages)`) and the rule's observation.
Problems = tuple[tuple[str, tuple[str, ...]], ...]
Record = tuple[tuple[tuple[str, str, str], ...], tuple[str, ...], Problems, Observation]


class History(NamedTuple):
    """A reading of the repository's history kept in its memo: the SHA-256 of the git output it was
    read from (`git.history_digest`), the signals then, the commit times (the signals at any clock:
    `git.signals_at`), the authorship question's answer when it was asked (else None) and the git
    state it was read at (`gitstate.history_state`; None when it could not be read plainly or moved
    while git ran)."""

    digest: str
    signals: GitSignals
    times: CommitTimes
    authorship: str | None
    state: str | None = None


def _history_row(history: History | None) -> list[Any] | None:
    if history is None:
        return None
    times = history.times
    return [history.digest, history.signals.model_dump(mode="json"), [list(t) for t in times.people], list(times.others), history.authorship, history.state]


def _sorted_times(value: object) -> tuple[int, ...]:
    """Whole numbers in order (checked at C speed: a long history holds tens of thousands)."""
    if type(value) is not list or not set(map(type, value)) <= {int} or value != sorted(value):
        raise Refused("corrupt")
    return tuple(value)


def _history(row: object) -> History | None:
    """A memo's reading of the history, checked by hand: a digest, signals of a readable history that
    are exactly their own JSON form, commit times sorted per contributor (as many lists as contributors,
    as many times as commits, at most MAX_COMMITS), the answer a digest or None; raises Refused."""
    if row is None:
        return None
    if type(row) is not list or len(row) != 6:
        raise Refused("corrupt")
    digest, signals_row, people, others, authorship, state = row
    if type(digest) is not str or not _DIGEST.fullmatch(digest) or type(signals_row) is not dict or type(people) is not list:
        raise Refused("corrupt")
    if not (state is None or (type(state) is str and _DIGEST.fullmatch(state))):
        raise Refused("corrupt")
    if not (authorship is None or (type(authorship) is str and _ANSWER.fullmatch(authorship))):
        raise Refused("corrupt")
    try:
        signals = GitSignals.model_validate(signals_row)
    except (ValidationError, RecursionError) as exc:
        raise Refused("corrupt") from exc
    if not signals.present or signals.model_dump(mode="json") != signals_row or len(people) != signals.contributors or len(people) > MAX_COMMITS:
        raise Refused("corrupt")
    times = CommitTimes(tuple(_sorted_times(t) for t in people), _sorted_times(others))
    if any(not t for t in times.people) or sum(map(len, times.people)) + len(times.others) != signals.commits or signals.commits > MAX_COMMITS:
        raise Refused("corrupt")
    return History(digest, signals, times, authorship, state)


def _observation_row(observation: Observation) -> list[Any]:
    return [
        observation.outcome.value, observation.message,
        [[loc.path, loc.line] for loc in observation.locations],
        observation.confidence.value if observation.confidence is not None else None,
    ]


def encode_memo(repository: str, listing: str, records: dict[str, Record], history: History | None = None) -> bytes:
    """The body of a repository's memo: the listing's digest of the run that wrote it (`RepoIndex.listing_answer`: every record
    it holds got its listing questions' answers from that listing), its reading of the history, rules sorted by id."""
    rules = [
        [rule, [list(q) for q in questions], list(parses), [[key, list(messages)] for key, messages in problems], _observation_row(obs)]
        for rule, (questions, parses, problems, obs) in sorted(records.items())
    ]
    document = {
        "format": MEMO_FORMAT, "version": memo_version(), "parser": PARSER, "repository": repository, "listing": listing,
        "history": _history_row(history), "rules": rules,
    }
    return json.dumps(document, separators=(",", ":")).encode("ascii")


def _text(value: object) -> bool:
    return type(value) is str and len(value) <= MAX_TEXT


def _observation(row: object) -> Observation:
    if type(row) is not list or len(row) != 4:
        raise Refused("corrupt")
    outcome, message, locations, confidence = row
    if not _text(outcome) or outcome not in FindingOutcome.__members__.values() or not _text(message):
        raise Refused("corrupt")
    if type(locations) is not list or len(locations) > MAX_LOCATIONS:
        raise Refused("corrupt")
    located = []
    for loc in locations:
        if type(loc) is not list or len(loc) != 2 or not _text(loc[0]) or not loc[0] or not (loc[1] is None or (type(loc[1]) is int and loc[1] >= 1)):
            raise Refused("corrupt")
        located.append(Location(path=loc[0], line=loc[1]))
    if confidence is not None and (not _text(confidence) or confidence not in Confidence.__members__.values()):
        raise Refused("corrupt")
    return Observation(FindingOutcome(outcome), message, tuple(located), Confidence(confidence) if confidence is not None else None)


def _problems(rows: list[Any], parses: frozenset[str]) -> Problems:
    """A record's parse problems: `[parse key, [message, ...]]` rows, each key one the record parsed
    and named once, each message a string, at most MAX_PROBLEM_MESSAGES in all; raises Refused."""
    checked: list[tuple[str, tuple[str, ...]]] = []
    seen: set[str] = set()
    total = 0
    for row in rows:
        if type(row) is not list or len(row) != 2 or not _text(row[0]) or row[0] not in parses or row[0] in seen:
            raise Refused("corrupt")
        key, messages = row
        seen.add(key)
        if type(messages) is not list or not messages or not all(_text(m) for m in messages):
            raise Refused("corrupt")
        total += len(messages)
        if total > MAX_PROBLEM_MESSAGES:
            raise Refused("corrupt")
        checked.append((key, tuple(messages)))
    return tuple(checked)


def decode_memo(body: bytes, repository: str) -> tuple[str, dict[str, Record], History | None]:
    """The listing's digest, the records and the reading of the history of a memo's body, every field checked by hand; raises Refused."""
    document = load_document(body, _KEYS, PARSER, form=(MEMO_FORMAT, memo_version()), repository=repository)
    rules, listing = document["rules"], document["listing"]
    history = _history(document["history"])
    if type(rules) is not list or len(rules) > MAX_RULES or not _text(listing):
        raise Refused("corrupt")
    records: dict[str, Record] = {}
    previous = ""
    total = 0
    for rule in rules:
        if type(rule) is not list or len(rule) != 5 or not _text(rule[0]) or rule[0] <= previous:
            raise Refused("corrupt")  # ids as written: sorted, so each once
        previous = rule[0]
        questions, parses, problems, observed = rule[1], rule[2], rule[3], rule[4]
        if type(questions) is not list or type(parses) is not list or type(problems) is not list:
            raise Refused("corrupt")
        total += len(questions) + len(parses) + len(problems)
        if total > MAX_QUESTIONS:
            raise Refused("corrupt")
        checked = []
        for question in questions:
            if type(question) is not list or len(question) != 3:
                raise Refused("corrupt")
            kind, asked, answer = question
            if type(kind) is not str or type(asked) is not str or type(answer) is not str or len(asked) > MAX_TEXT or len(answer) > MAX_TEXT or kind not in QUESTION_KINDS:
                raise Refused("corrupt")
            checked.append((kind, asked, answer))
        for parse in parses:
            if not _text(parse) or parse.partition(":")[0] not in PARSE_KINDS:
                raise Refused("corrupt")
        records[rule[0]] = (tuple(checked), tuple(parses), _problems(problems, frozenset(parses)), _observation(observed))
    return listing, records, history


# ----------------------------------------------------------------------------- what rules see


class _StatsView:
    """`RepoIndex.stats` as a rule sees it: the learning-material judgement (recorded); any other
    field (counts that change while rules run) taints the record."""

    __slots__ = ("_index",)

    def __init__(self, index: RepoIndex) -> None:
        self._index = index

    def __getattr__(self, name: str) -> Any:
        index = self._index
        if name == "learning":
            index.memo_ask("learning", "")
        else:
            index.memo_taint(f"stats.{name}")
        return getattr(index.stats, name)


# The index's API whose answers it records itself (the methods record their questions when called).
RECORDED_API = frozenset({
    "text", "read_bytes", "meaningful_lines", "doc_headings", "syntax_tree", "python", "yaml_documents", "yaml", "json", "toml",
    "notebook", "file_line", "glob", "named", "with_suffix", "exists", "size", "python_files", "yaml_files", "dockerfiles",
    "ci_folder_files", "mentions", "memo", "python_mentioning", "python_scan", "python_importing", "importing", "mkdocs_pages",
    "ci_included_files", "passes",
})
_FLAGS = frozenset({"count_learning_material", "declared_learning_material"})


class RecordingView:
    """The index as a memoised rule sees it. The recorded API passes through (those methods record
    their questions); `files`, `stats.learning` and the learning-material flags are recorded here;
    `git_signals` and `git_authorship` are recorded as questions; anything else (`root`, private fields) taints the rule's record: the rule gets the
    real attribute and its result is used, but never stored."""

    __slots__ = ("_index",)

    def __init__(self, index: RepoIndex) -> None:
        object.__setattr__(self, "_index", index)

    def __getattr__(self, name: str) -> Any:
        index = object.__getattribute__(self, "_index")
        if name in RECORDED_API:
            return getattr(index, name)
        if name == "files":
            index.memo_ask("files", "")
            return index.files
        if name == "stats":
            return _StatsView(index)
        if name == "git_signals":  # the history as the collection reports it: read for the result anyway
            index.memo_ask("git", "")
            return index.git_signals
        if name == "git_authorship":  # who changed which paths, from the same reading of the history
            index.memo_ask("authorship", "")
            return index.git_authorship
        if name in _FLAGS:
            index.memo_ask("flag", name)
        else:
            index.memo_taint(name)
        return getattr(index, name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a rule may not set {name} on the index")


# ----------------------------------------------------------------------------- one repository's memo


class RuleMemo:
    """The stored records of one repository and the records this run makes; `observe` runs or replays a rule."""

    def __init__(self, cache: ParseCache, index: RepoIndex) -> None:
        self._cache = cache
        self._key = repository_key(index)
        self._listing, self._stored, self._history = cache.read_rule_memo(self._key)
        index.memo_history_known(self._history)  # first: the listing starts git unless the history's reading holds
        index.memo_listing_known(self._listing)
        self._records: dict[str, Record] = {}  # kept from the stored ones (replayed)
        self._made: dict[str, tuple[Log, Observation]] = {}  # recorded in this run
        self.replayed = 0
        self.run = 0
        self.tried = 0  # records whose questions were asked again
        # Rules whose parse problems may be out of order in this run (`observe`): it is collected again
        # without the memo, and their records are dropped so that the next run runs them.
        self._moved: set[str] = set()

    def observe(self, det: Detector, index: RepoIndex, run: Callable[[Detector, Any], Observation]) -> Observation:
        record = self._stored.get(det.id)
        if record is not None:
            self.tried += 1
            questions, parses, problems, observation = record
            before = index.stats.parse_problems
            matched = index.memo_matches(questions)
            # Problems noted while matching (the needle scan's, of notebooks) come before any the rule
            # notes itself, where its run may have noted some first: then this run's order is not sure.
            while_matching = index.stats.parse_problems != before
            if matched:
                if index.memo_replayed(questions, parses, problems) and while_matching:
                    self._moved.add(det.id)
                self._records[det.id] = (index.memo_refreshed(questions), parses, problems, observation)  # changed bytes' answers named anew
                self.replayed += 1
                return observation
            if while_matching:
                before = index.stats.parse_problems
                self._moved.add(det.id)  # kept only when the run below notes nothing
        else:
            while_matching = False
        recorded = dataclasses.replace(det, run=lambda real: det.run(RecordingView(real)))  # the rule sees the view; `run` the index
        self.run += 1
        log = index.memo_begin()
        try:
            observation = run(recorded, index)
        finally:
            index.memo_end(log)
        if while_matching and index.stats.parse_problems == before:
            self._moved.discard(det.id)
        self._made[det.id] = (log, observation)
        return observation

    def finish(self, index: RepoIndex) -> bool:
        """Whether this run's observations are those of a run without the memo (`RepoIndex.memo_safe`);
        when they are, the memo is written again with the records that can be stored."""
        if len(index.problems) == index.stats.parse_problems:
            self._moved.clear()  # every problem listed (and the list sorted): the order they were noted in is not seen
        if self._moved or not index.memo_safe(self.tried > 0):
            self._cache.stats.rules_run += self.run + self.replayed  # all run again, without the memo
            if self._moved:
                kept = {rule: record for rule, record in self._stored.items() if rule not in self._moved}
                self._cache.write_rule_memo(self._key, encode_memo(self._key, self._listing, kept, self._history))
            return False
        self._cache.stats.rules_reused += self.replayed
        self._cache.stats.rules_run += self.run
        if index.memo_storable():
            records = dict(self._records)
            for rule, (log, observation) in self._made.items():
                stored = index.memo_record(log, observation)
                if stored is not None:
                    records[rule] = stored
            history = index.memo_history() or self._history
            if records != self._stored or not index.memo_listing_same() or _history_key(history) != _history_key(self._history):
                self._cache.write_rule_memo(self._key, encode_memo(self._key, index.listing_answer(), records, history))
        return True


def _history_key(history: History | None) -> tuple[str, str | None, str | None] | None:
    """What a reading of the history is kept for (its signals' activity windows follow the clock)."""
    return None if history is None else (history.digest, history.authorship, history.state)
