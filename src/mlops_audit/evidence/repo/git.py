"""History signals from `git log` and tags, read-only and time-bounded.

Activity (commits and contributors in the last 90/365 days), tags and release tags, and who
changes which areas of the repository: data, training and deployment paths. People are counted as
identities merged the way a reader would (`people`): one person is every author email and author
name (after the repository's .mailmap) that share an email, a name or a GitHub noreply login, so a
developer who committed from a laptop and from GitHub's web editor is not two people; bot accounts
(dependabot, renovate, GitHub Actions, coding agents...) count as commits but never as contributors
or area authors. The last is a separation-of-duties signal: if every person who changes deployment
also changes training code, nobody independent stands between a model and production. The signals
count authors and never list them; `read_history` also returns who changed which paths
(`Authorship`), from the same `git log`, for the separation-of-duties rule, which decides each
path's side by what the file does (`detectors/_duties.py`); its finding counts people and names
their paths, never the people themselves (an auditor finds the commits with `git log -- PATH`).
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mlops_audit.evidence.repo.casewords import FOLDS_TO_ASCII
from mlops_audit.evidence.repo.gitcmd import (
    GitUnavailable,
    PendingGit,
    is_git_work_tree,
)
from mlops_audit.evidence.repo.model import AreaActivity, BotActivity, GitSignals
from mlops_audit.evidence.repo.needles import any_word

MAX_COMMITS = 50_000

# Path patterns of each area. A commit belongs to an area when it changes at least one such path.
AREAS: dict[str, re.Pattern[str]] = {
    "data": re.compile(
        r"(^|/)(data|datasets?|raw_data|data_validation|great_expectations|expectations|features?|feature_repo)/"
        r"|\.dvc$|(^|/)dvc\.lock$",
        re.IGNORECASE,
    ),
    "training": re.compile(
        r"(^|/)(train\w*|training|models?|modeling|modelling|experiments?|notebooks?|tuning)(/|\.py$)"
        r"|(^|/)[^/]*train[^/]*\.(py|ipynb)$|(^|/)(params|hyperparams?)\.ya?ml$|(^|/)dvc\.yaml$|\.ipynb$",
        re.IGNORECASE,
    ),
    "deployment": re.compile(
        r"(^|/)(deploy\w*|serving|serve|server|inference|k8s|kubernetes|kube|helm|charts?|manifests?|infra\w*|"
        r"terraform|kserve|seldon|kustomize|api)/|(^|/)(Dockerfile|Containerfile)[^/]*$|(^|/)docker-compose[^/]*\.ya?ml$"
        r"|\.tf$|\.bicep$|(^|/)(serve|serving|app|api|main_api)\.py$",
        re.IGNORECASE,
    ),
}
AREA_PAIRS = (("data", "training"), ("training", "deployment"), ("data", "deployment"))
_RELEASE_TAG = re.compile(r"^(v|release[-/_]?)?\d+(\.\d+)+([-+.][0-9A-Za-z.\-]+)?$", re.IGNORECASE)
_GTO_TAG = re.compile(r"^[A-Za-z0-9_\-/]+(@v\d+\.\d+\.\d+|#[A-Za-z0-9_\-]+#\d+)$")


# For each area, words (lowercase) of which every file name its pattern matches contains one, so
# that the regex runs only on names that can match; folder names are always searched. Checked
# against a plain search of every path by a property test.
AREA_NAME_HINTS: dict[str, tuple[str, ...]] = {
    "data": ("dvc",),
    "training": ("train", "model", "experiment", "notebook", "tuning", "param", "dvc", ".ipynb"),
    "deployment": ("dockerfile", "containerfile", "docker-compose", ".tf", ".bicep", "serv", "app", "api"),
}
# The same for folders (a folder is searched as `folder/`, where only the patterns' folder branches can
# match): words of which every match holds one, in either case. A folder holding a character that
# matches an ASCII letter only when case is ignored (`casewords.FOLDS_TO_ASCII`) is always searched.
AREA_FOLDER_HINTS: dict[str, tuple[str, ...]] = {
    "data": ("data", "expectations", "feature"),
    "training": ("train", "model", "experiment", "notebook", "tuning"),
    "deployment": ("deploy", "serv", "inference", "k8s", "kube", "helm", "chart", "manifest", "infra", "terraform", "seldon", "kustomize", "api"),
}


def classify_paths(paths: list[str]) -> dict[str, set[str]]:
    """area -> the paths its pattern finds something in, testing each distinct folder and file name
    once (names only when they hold one of the area's hints).

    Exact for the area patterns: none matches across a `/` except with its leading `(^|/)`, and
    none ends a match on a `/` before `$`. So a match in `a/b/name` lies within `a/b/` (where it
    is found with the same anchors) or within `/name` (where `(^|/)` still sees a separator), and
    a match in either piece is a match in the path. Folders and names repeat across thousands of
    paths; the regex engine is the cost.
    """
    areas = list(AREAS.items())
    hints = [AREA_NAME_HINTS[area] for area, _ in areas]
    any_hint = any_word(h for hint in hints for h in hint)
    folder_hints = [AREA_FOLDER_HINTS[area] for area, _ in areas]
    any_folder_hint = any_word(h for hint in folder_hints for h in hint)
    nowhere = (False,) * len(areas)
    folder_hits: dict[str, tuple[bool, ...]] = {"": nowhere}
    name_hits: dict[str, tuple[bool, ...]] = {}
    found: dict[str, set[str]] = {area: set() for area, _ in areas}
    for path in paths:
        folder, _, name = path.rpartition("/")
        in_folder = folder_hits.get(folder)
        if in_folder is None:
            if not folder.isascii() and any(c in folder for c in FOLDS_TO_ASCII):
                hits = tuple(pattern.search(folder + "/") is not None for _, pattern in areas)
            else:
                lowered = folder.lower()
                hits = nowhere if not any_folder_hint.search(lowered) else tuple(
                    any(h in lowered for h in hint) and pattern.search(folder + "/") is not None
                    for (_, pattern), hint in zip(areas, folder_hints, strict=True)
                )
            in_folder = folder_hits[folder] = nowhere if hits == nowhere else hits
        in_name = name_hits.get(name)
        if in_name is None:
            lowered = name.lower()
            in_name = name_hits[name] = nowhere if not any_hint.search(lowered) else tuple(
                any(h in lowered for h in hint) and pattern.search("/" + name) is not None
                for (_, pattern), hint in zip(areas, hints, strict=True)
            )
        if in_folder is nowhere and in_name is nowhere:
            continue
        for (area, _), a, b in zip(areas, in_folder, in_name, strict=True):
            if a or b:
                found[area].add(path)
    return found


# Accounts of tools, not people: a dependency bot bumping a Dockerfile is not an independent deployer.
_BOT_EMAIL = re.compile(
    r"\[bot\]|^(dependabot|renovate|github-actions|pre-commit-ci|snyk-bot|greenkeeper|mergify|codecov)\b"
    r"|^(action|actions|bot|noreply)@github\.com$|@renovateapp\.com$|^bot@"
    # coding agents committing under their own identity
    r"|^\d+\+copilot@users\.noreply\.github\.com$|^noreply@anthropic\.com$|^cursoragent@cursor\.com$"
)
# CI services committing under a name of their own (coding agents are known by their addresses above:
# "Claude" or "Jules" alone is a person's first name).
_BOT_NAME = re.compile(r"\[bot\]$|^(copilot|devin ai|github actions?|dependabot|renovate|jenkins|travis ci|gitlab ci|semantic-release-bot|circleci)$")
# Names too common to say two emails are one person.
_GENERIC_NAME = re.compile(r"^(root|admin|administrator|ubuntu|user|unknown|your name|name|dev|developer|default|test|me|github)$")
# Addresses a machine or a tutorial gives everyone: never evidence that two names are one person.
_GENERIC_EMAIL = re.compile(r"@(?:localhost|example\.(?:com|org|net)|[^@]*\.local|[^@]*\.internal|[^@]*\.localdomain)$|^(?:root|you|your\.?email|user|admin)@")
_NOREPLY_LOGIN = re.compile(r"^(?:\d+\+)?([a-z0-9][a-z0-9-]*)@users\.noreply\.github\.com$")
MAX_IDENTITY_CHARS = 256  # an author's name or email beyond this is cut (a hostile history cannot make keys huge)


# Dependency-update services by the addresses they commit under (a name alone could be anyone's).
DEPENDENCY_BOTS: dict[str, re.Pattern[str]] = {
    "dependabot": re.compile(r"^(?:\d+\+)?dependabot(?:-preview)?\[bot\]@users\.noreply\.github\.com$|^support@dependabot\.com$"),
    "snyk": re.compile(r"^snyk-bot@snyk\.io$"),
    # pre-commit.ci (hook autoupdates and autofix commits): read by has_ci_pipeline (conventions §16.5).
    "pre-commit-ci": re.compile(r"^(?:\d+\+)?pre-commit-ci\[bot\]@users\.noreply\.github\.com$"),
}


def dependency_bot(email: str) -> str | None:
    return next((bot for bot, address in DEPENDENCY_BOTS.items() if address.match(email)), None)


def is_bot(email: str, name: str = "") -> bool:
    return bool(_BOT_EMAIL.search(email)) or bool(name and _BOT_NAME.search(name.strip().lower()))


def people(authors: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(email, name) -> a person number: identities sharing an email, a name (not a generic one) or a
    GitHub noreply login (`123+login@users.noreply.github.com`, also as a name or as an address's
    local part) are one person, and a one-word name or login joins the only person whose full name
    makes it (`_handles`). Pure;
    the numbers follow the sorted identities, so the same history gives the same numbers."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def keys(email: str, name: str) -> list[str]:
        found = [f"e:{email}"] if email and not _GENERIC_EMAIL.search(email) else []
        login = _NOREPLY_LOGIN.match(email)
        if login:
            found.append(f"n:{login.group(1)}")
        plain = " ".join(name.lower().split())
        if plain and not _GENERIC_NAME.match(plain):
            found.append(f"n:{plain}")
        return found or [f"e:{email}|n:{name}"]

    keyed = [(identity, keys(*identity)) for identity in sorted(authors)]
    for _, (first, *rest) in keyed:
        for other in rest:
            parent[find(other)] = find(first)
    # An address whose local part is a GitHub login of the history (`cufbas@gmail.com` beside
    # `123+cufbas@users.noreply.github.com`) is that account's person.
    logins = {login.group(1): find(f"n:{login.group(1)}") for email, _ in authors if (login := _NOREPLY_LOGIN.match(email))}
    for email, name in sorted(authors):
        local = email.split("@", 1)[0]
        if "@" in email and not _NOREPLY_LOGIN.match(email) and not _GENERIC_EMAIL.search(email) and len(local) >= 4 and local in logins:
            parent[find(keys(email, name)[0])] = find(logins[local])
    # A one-word name or login ("Liam", "bahmani", "evelinag", "rchan", "peterdudfield") is the one
    # person of the history whose full name gives it (first name, last name, both joined, or one of
    # them with the other's initial), when exactly one person's does.
    by_handle: dict[str, set[str]] = defaultdict(set)
    for email, name in authors:
        plain = " ".join(name.lower().split())
        if " " in plain and not _GENERIC_NAME.match(plain):
            root = find(f"n:{plain}")
            for handle in _handles(plain):
                by_handle[handle].add(root)
    for email, name in sorted(authors):
        login = _NOREPLY_LOGIN.match(email)
        for token in {_token(name.split("@", 1)[0]) if " " not in name.strip() else "", _token(login.group(1)) if login else ""} - {""}:
            owners = by_handle.get(token, set()) if not _GENERIC_NAME.match(token) else set()
            if len(owners) == 1:
                parent[find(keys(email, name)[0])] = find(next(iter(owners)))
    numbers: dict[str, int] = {}
    return {identity: numbers.setdefault(find(found[0]), len(numbers)) for identity, found in keyed}


def _token(text: str) -> str:
    """A name or login as letters and digits only, lowercased, trailing digits dropped (`Noam75` -> `noam`)."""
    return "".join(ch for ch in text.casefold() if ch.isalnum()).rstrip("0123456789")


def _handles(full_name: str) -> set[str]:
    """The one-word forms people make of a full name: first name (3+ letters), last name, both
    joined either way, either with the other's initial (4+ letters)."""
    words = [_token(w) for w in full_name.split()]
    words = [w for w in words if w]
    if len(words) < 2:
        return set()
    first, last = words[0], words[-1]
    found = {first + last, first[0] + last, first + last[0], last + first, last, last + first[0]}
    return {h for h in found if len(h) >= 4} | ({first} if len(first) >= 3 else set())


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


GitOutput = tuple[str, bytes, bytes]  # HEAD, `git log` output, tag listing

# The git commands a reading of the history runs (HEAD, the log, the tags): `gitstate.history_state`
# keys the rule memo's reading by them too.
HISTORY_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("rev-parse", "--verify", "-q", "HEAD"),
    (
        "log", "--no-show-signature", "--no-ext-diff", "--no-textconv", "--no-renames", "--no-color",
        f"--max-count={MAX_COMMITS}", "-z", "--format=%x1e%H%x00%at%x00%aE%x00%aN", "--name-only", "HEAD",
    ),
    ("for-each-ref", "--format=%(refname:short)%00%(creatordate:unix)", "refs/tags"),
)


class PendingGitOutput:
    """The git commands behind the signals, started in the background (all the time spent in git);
    `result()` waits for them and returns the output, or the absent signals saying why not."""

    def __init__(self, root: Path) -> None:
        self.absent: GitSignals | None = None
        if not is_git_work_tree(root):
            self.absent = GitSignals(present=False, reason="no .git at the repository root: history, tags and authorship cannot be observed")
            return
        head, log, tags = HISTORY_COMMANDS
        self.head = PendingGit(root, list(head))
        self.log = PendingGit(root, list(log))
        self.tags = PendingGit(root, list(tags))

    def result(self) -> GitOutput | GitSignals:
        if self.absent is not None:
            return self.absent
        outputs: dict[str, bytes] = {}
        errors: dict[str, GitUnavailable] = {}
        for name, job in (("head", self.head), ("log", self.log), ("tags", self.tags)):
            try:
                outputs[name] = job.output()
            except GitUnavailable as exc:
                errors[name] = exc
        if "head" in errors:
            return GitSignals(present=False, reason=f"git history unreadable: {errors['head']}")
        head = outputs["head"].decode("ascii", "replace").strip()
        failed = errors.get("log") or errors.get("tags")
        if failed is not None:
            return GitSignals(present=False, head=head or None, reason=f"git history unreadable: {failed}")
        return head, outputs["log"], outputs["tags"]


def read_git_output(root: Path) -> GitOutput | GitSignals:
    """The raw output of the git commands behind the signals, or the absent signals saying why not."""
    return PendingGitOutput(root).result()


_RECORD_START = re.compile(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?\0[0-9]+\0")


def _records(log: bytes) -> list[bytes]:
    """`git log`'s records (each begins with the separator byte 0x1e, then the commit hash and its
    time). A 0x1e inside an author's name or a path does not start a record: a piece that does not
    begin with a hash and a time is joined back to the record it came from, so no commit's paths can
    be hidden by a name."""
    records: list[list[bytes]] = []
    for piece in log.split(b"\x1e"):
        if _RECORD_START.match(piece) or not records:
            records.append([piece])
        else:
            records[-1].append(piece)  # joined once below: no copy of the record per stray separator
    return [b"\x1e".join(pieces) for pieces in records]


@dataclass(frozen=True)
class Author:
    """One person of the history (identities merged by `people`): the name they committed under most
    often, and the paths each of their commits changed."""

    name: str
    commits: tuple[frozenset[str], ...]
    # Every identity they committed under is a placeholder: a name and an address a machine or a
    # default configuration gives anyone (`Developer <developer@MacBook-Pro.local>`, `root@localhost`).
    placeholder: bool = False


@dataclass(frozen=True)
class Authorship:
    """Who changed which paths: the people in person-number order, and the commits of bots (which
    are not people: `is_bot`), each commit as the paths it changed."""

    people: tuple[Author, ...]
    bot_commits: tuple[frozenset[str], ...]

    def paths(self) -> set[str]:
        """Every path a commit of the history changed."""
        return {path for author in self.people for changed in author.commits for path in changed}.union(*self.bot_commits)


def git_signals(root: Path, *, now: datetime | None = None, output: GitOutput | GitSignals | None = None) -> GitSignals:
    """Signals for the work tree at `root`; `present=False` with a reason when they cannot be read.

    Activity windows end at `now` (inject it; the CLI passes the clock, which honours
    SOURCE_DATE_EPOCH) or, when it is None, at the latest commit, which keeps output reproducible.
    `output`: what `read_git_output(root)` returned, when it was run ahead (else it is run now).
    """
    return read_history(root, now=now, output=output)[0]


@dataclass(frozen=True)
class CommitTimes:
    """When the commits of a history were made: each contributor's (in person-number order) and the
    others' (bots'), sorted. With the signals of one reading of a history, the signals of the same
    history at any `now` (`signals_at`): only the activity windows depend on it."""

    people: tuple[tuple[int, ...], ...]
    others: tuple[int, ...]


def _windows(times: CommitTimes, reference: float) -> dict[str, int]:
    """The activity-window fields of the signals: commits and contributors with a commit time within
    the 90 and 365 days that end at `reference`."""
    since_90 = reference - timedelta(days=90).total_seconds()
    since_365 = reference - timedelta(days=365).total_seconds()

    def within(sorted_times: Sequence[int], since: float) -> int:
        return bisect.bisect_right(sorted_times, reference) - bisect.bisect_left(sorted_times, since)

    return {
        "commits_last_90_days": within(times.others, since_90) + sum(within(t, since_90) for t in times.people),
        "commits_last_365_days": within(times.others, since_365) + sum(within(t, since_365) for t in times.people),
        "contributors_last_365_days": sum(1 for t in times.people if within(t, since_365)),
    }


def _reference(times: CommitTimes, now: datetime | None) -> float:
    if now is not None:
        return now.timestamp()
    latest = [t[-1] for t in (*times.people, times.others) if t]
    return max(latest) if latest else 0


def signals_at(signals: GitSignals, times: CommitTimes, now: datetime | None) -> GitSignals:
    """The signals `read_history` gives at `now` for the history whose signals (at any time) and
    commit times these are."""
    return signals.model_copy(update=_windows(times, _reference(times, now)))


def history_digest(root: Path, output: GitOutput) -> str:
    """A SHA-256 of everything `read_history` reads besides the clock: the git output and whether the
    clone is shallow."""
    head, log, tag_out = output
    digest = hashlib.sha256()
    for part in (head.encode("utf-8", "surrogateescape"), log, tag_out, b"shallow" if (root / ".git" / "shallow").is_file() else b"full"):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)  # not joined to the length: no copy of a long log
    return digest.hexdigest()


def read_history(
    root: Path, *, now: datetime | None = None, output: GitOutput | GitSignals | None = None
) -> tuple[GitSignals, Authorship | None]:
    """`git_signals`, and who changed which paths (None when the history cannot be read), from one
    reading of the same `git log`."""
    signals, authorship, _ = read_history_times(root, now=now, output=output)
    return signals, authorship


def read_history_times(
    root: Path, *, now: datetime | None = None, output: GitOutput | GitSignals | None = None
) -> tuple[GitSignals, Authorship | None, CommitTimes | None]:
    """`read_history`, and the commit times (`signals_at`; None when the history cannot be read)."""
    if output is None:
        output = read_git_output(root)
    if isinstance(output, GitSignals):
        return output, None, None
    head, log, tag_out = output

    # Paths stay bytes per commit; each distinct path is decoded and classified once.
    # (timestamp, person or None for a bot, paths)
    raw_commits: list[tuple[int, tuple[str, str], list[bytes]]] = []
    for chunk in _records(log):
        fields = chunk.split(b"\0")
        if len(fields) < 4 or not fields[0]:
            continue
        try:
            timestamp = int(fields[1])
        except ValueError:
            continue
        email = fields[2].decode("utf-8", "replace").strip().lower()[:MAX_IDENTITY_CHARS]
        name = fields[3].decode("utf-8", "replace").strip()[:MAX_IDENTITY_CHARS]
        raw_commits.append((timestamp, (email, name), fields[4:]))
    humans = {who for _, who, _ in raw_commits if not is_bot(*who)}
    bot_times: dict[str, list[int]] = defaultdict(list)
    for t, (email, _), _ in raw_commits:
        bot = dependency_bot(email)
        if bot is not None:
            bot_times[bot].append(t)
    person = people(humans)
    commits: list[tuple[int, int | None, list[bytes]]] = [(t, person.get(who), files) for t, who, files in raw_commits]

    by_person: dict[int, list[int]] = defaultdict(list)
    others: list[int] = []
    for t, who, _ in commits:
        (others if who is None else by_person[who]).append(t)
    times = CommitTimes(tuple(tuple(sorted(by_person[who])) for who in sorted(by_person)), tuple(sorted(others)))
    decoded = {raw: raw.decode("utf-8", "replace").lstrip("\n") for raw in set().union(*(f for _, _, f in commits))}
    paths = sorted({p for p in decoded.values() if p})
    raw_in_area: dict[str, frozenset[bytes]] = {}
    for area, matching in classify_paths(paths).items():
        raw_in_area[area] = frozenset(raw for raw, path in decoded.items() if path in matching)
    authors_by_area: dict[str, set[int]] = defaultdict(set)
    commits_by_area: dict[str, int] = defaultdict(int)
    for _, who, files in commits:
        for area, raws in raw_in_area.items():
            if not raws.isdisjoint(files):  # the commit changes at least one path of the area
                if who is not None:
                    authors_by_area[area].add(who)
                commits_by_area[area] += 1

    tags: list[tuple[str, int]] = []
    for line in tag_out.decode("utf-8", "replace").splitlines():
        name, _, created = line.partition("\0")
        tags.append((name, int(created) if created.strip().isdigit() else 0))
    tags.sort(key=lambda t: (-t[1], t[0]))
    timestamps = [t for t, _, _ in commits]
    signals = GitSignals(
        present=True,
        head=head or None,
        shallow=(root / ".git" / "shallow").is_file(),
        commits=len(commits),
        history_truncated=len(commits) >= MAX_COMMITS,
        **_windows(times, _reference(times, now)),
        contributors=len({who for _, who, _ in commits if who is not None}),
        first_commit=_iso(min(timestamps)) if timestamps else None,
        last_commit=_iso(max(timestamps)) if timestamps else None,
        tags=len(tags),
        release_tags=sum(1 for name, _ in tags if _RELEASE_TAG.match(name)),
        registry_tags=sum(1 for name, _ in tags if _GTO_TAG.match(name)),
        latest_tag=tags[0][0] if tags else None,
        areas={a: AreaActivity(commits=commits_by_area[a], authors=len(authors_by_area[a])) for a in AREAS},
        shared_authors={f"{a}+{b}": len(authors_by_area[a] & authors_by_area[b]) for a, b in AREA_PAIRS},
        dependency_bots={bot: BotActivity(commits=len(times), last_commit=_iso(max(times))) for bot, times in sorted(bot_times.items())},
    )
    return signals, _authorship(raw_commits, person, decoded), times


def _authorship(raw_commits: list[tuple[int, tuple[str, str], list[bytes]]], person: dict[tuple[str, str], int], decoded: dict[bytes, str]) -> Authorship:
    names: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    placeholder: dict[int, bool] = {}
    commits: dict[int, list[frozenset[str]]] = defaultdict(list)
    bot_commits: list[frozenset[str]] = []
    for _, who, files in raw_commits:
        changed = frozenset(decoded[raw] for raw in files) - {""}
        number = person.get(who)
        if number is None:
            bot_commits.append(changed)
            continue
        names[number][who[1] or who[0]] += 1
        placeholder[number] = placeholder.get(number, True) and _placeholder_identity(*who)
        commits[number].append(changed)
    authors = tuple(
        Author(name=min(names[n].items(), key=lambda item: (-item[1], item[0]))[0], commits=tuple(commits[n]), placeholder=placeholder[n])
        for n in sorted(commits)
    )
    return Authorship(people=authors, bot_commits=tuple(bot_commits))


def _placeholder_identity(email: str, name: str) -> bool:
    return bool(_GENERIC_NAME.match(" ".join(name.lower().split()))) and bool(_GENERIC_EMAIL.search(email))
