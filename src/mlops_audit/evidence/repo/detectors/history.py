"""Git history: separation of duties between training and deployment changes; tagged releases."""

from __future__ import annotations

from dataclasses import dataclass

from mlops_audit.evidence.repo.detectors import _duties
from mlops_audit.evidence.repo.git import Author
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Confidence, Kind
from mlops_audit.evidence.repo.registry import Observation, at, detector


@detector(
    id="separates_duties_in_git",
    upkeep=True,
    reads_history=True,
    title="Do different people change training code and deployment configuration?",
    kind=Kind.separation_of_duties,
    remediation=(
        "Separate the roles: have deployment paths (deploy/, k8s/, helm/, Dockerfile, infra) changed or approved "
        "by people other than the model's developers, e.g. enforced with CODEOWNERS and required reviews."
    ),
    confidence=Confidence.medium,
    needles=_duties.NEEDLES,
)
def separates_duties_in_git(repo: RepoIndex) -> Observation:
    """Conventions §6: someone changed training code and never deployment configuration, and someone
    else the reverse. Which side a path lies on is decided by what the file does (`_duties`)."""
    git = repo.git_signals()
    authorship = repo.git_authorship()
    if not git.present or authorship is None:
        return Observation.not_applicable(git.reason or "no git history")
    side = _duties.sides(repo, sorted(authorship.paths()))
    work = [_Work.of(author, side) for author in authorship.people]
    for name in (TRAINING, DEPLOYMENT):
        bots = sum(1 for changed in authorship.bot_commits if any(side.get(p) == name for p in changed))
        if not any(w.commits[name] for w in work):
            if bots:
                return Observation.not_applicable(
                    f"only bots or coding agents changed {_WHAT[name]} ({bots} commit(s)): no person on that side, so who changes what cannot be compared"
                )
            return Observation.not_applicable(f"no commit in the history changes {_WHAT[name]}, so who changes what cannot be compared")
    listed = set(repo.files) | set(repo.stats.learning.left_out)
    gone = [name for name in (TRAINING, DEPLOYMENT) if not any(s == name and p in listed for p, s in side.items())]
    if gone:
        # The history's changes concern code that has since left the repository (moved to template
        # or product repositories): who changed it says nothing about who changes this system.
        return Observation.not_applicable(
            f"the repository no longer has {' or '.join(_WHAT[n] for n in gone)} (its history changed some that were removed since), "
            "so duties on this system cannot be compared"
        )
    # Rule `a placeholder identity` (session 13, precision13): commits under a name a machine or a
    # default configuration gives anyone (`Developer <developer@MacBook-Pro.local>`, `root`, `ubuntu`)
    # may be any of the named people's: such an identity on one side alone shows no separate person.
    # Only when every name and address of the person is such a placeholder (`unknown <cufbas@gmail.com>`
    # is someone).
    one_side = [w.placeholder and bool(w.commits[TRAINING]) != bool(w.commits[DEPLOYMENT]) for w in work]
    unnamed = [w for w, placeholder in zip(work, one_side) if placeholder]
    named = [w for w, placeholder in zip(work, one_side) if not placeholder]  # (an identity test per pair was quadratic in authors)
    trainers = [w for w in named if w.commits[TRAINING] and not w.commits[DEPLOYMENT]]
    deployers = [w for w in named if w.commits[DEPLOYMENT] and not w.commits[TRAINING]]
    both = [w for w in work if w.commits[TRAINING] and w.commits[DEPLOYMENT]]
    shallow = " (shallow clone: history incomplete)" if git.shallow else ""
    summary = (
        f"{len(trainers) + len(both)} person(s) changed {_WHAT[TRAINING]}, {len(deployers) + len(both)} changed {_WHAT[DEPLOYMENT]}, "
        f"{len(both)} changed both"
    )
    if not trainers or not deployers:
        lonely, other = (TRAINING, DEPLOYMENT) if not trainers else (DEPLOYMENT, TRAINING)
        anonymous = (
            f"; {len(unnamed)} identity(ies) with a placeholder name ({', '.join(sorted({w.name for w in unnamed})[:MAX_NAMED])}) "
            "changed one side only, but may be any of the named people" if unnamed else ""
        )
        return Observation.failed(
            f"{summary}: everyone who changed {_WHAT[lonely]} also changed {_WHAT[other]} ({_people(both, lonely)}), "
            f"so no independent {'developer' if lonely == TRAINING else 'deployer'}{anonymous}{shallow}"
        )
    message = (
        f"{summary}. Only training: {_people(trainers, TRAINING)}. Only deployment: {_people(deployers, DEPLOYMENT)}"
        + (f". Both: {_people(both, TRAINING)}" if both else "")
    )
    locations = [at(p) for w in trainers[:2] + deployers[:2] for p in w.examples(TRAINING if w in trainers else DEPLOYMENT) if p in repo.files]
    thin = [name for name, group in ((TRAINING, trainers), (DEPLOYMENT, deployers)) if sum(w.commits[name] for w in group) < 2]
    if thin:
        # One change by one person shows a split but not a role: a drive-by fix to a Dockerfile is
        # not an independent deployer.
        return Observation.partly(
            f"{message}; but the only person who changed {' / '.join(_WHAT[n] for n in thin)} without the other side did so in a "
            f"single commit: too little to show a separate role{shallow}",
            locations,
            confidence=Confidence.low,
        )
    return Observation.passed(f"{message}{shallow}", locations, confidence=Confidence.low if git.shallow else None)


TRAINING, DEPLOYMENT = _duties.TRAINING, _duties.DEPLOYMENT
_WHAT = {TRAINING: "training code (code that trains models or prepares data)", DEPLOYMENT: "deployment configuration"}
MAX_NAMED = 3
MAX_NAME_CHARS = 40


@dataclass(frozen=True)
class _Work:
    """What one person changed on each side: commits, and the paths most often changed."""

    name: str
    commits: dict[str, int]
    paths: dict[str, dict[str, int]]
    placeholder: bool = False

    @staticmethod
    def of(author: Author, side: dict[str, str]) -> _Work:
        commits = {TRAINING: 0, DEPLOYMENT: 0}
        paths: dict[str, dict[str, int]] = {TRAINING: {}, DEPLOYMENT: {}}
        for changed in author.commits:
            touched = set()
            for path in changed:
                name = side.get(path)
                if name is not None:
                    touched.add(name)
                    paths[name][path] = paths[name].get(path, 0) + 1
            for name in touched:
                commits[name] += 1
        return _Work(" ".join(author.name.split())[:MAX_NAME_CHARS], commits, paths, author.placeholder)

    def examples(self, name: str, count: int = 2) -> list[str]:
        return [p for p, _ in sorted(self.paths[name].items(), key=lambda item: (-item[1], item[0]))[:count]]


def _people(group: list[_Work], name: str) -> str:
    """The people most active on a side first, each with their commits there and a path or two.
    People are counted, never named (as in `git`'s signals): a finding travels into reports handed to
    regulators, and naming employees there is not needed - the paths and counts let an auditor find
    the commits with `git log -- PATH`."""
    ranked = sorted(group, key=lambda w: (-w.commits[name], w.name))
    shown = "; ".join(f"one person with {w.commits[name]} commit(s) ({', '.join(w.examples(name))})" for w in ranked[:MAX_NAMED])
    return shown + (f"; and {len(ranked) - MAX_NAMED} more" if len(ranked) > MAX_NAMED else "")


@detector(
    id="tags_releases",
    upkeep=True,
    reads_history=True,
    title="Does the repo tag its releases in git?",
    kind=Kind.release_tagging,
    remediation="Tag every release (e.g. `git tag -a v1.4.0`) so a deployed model and its code can be traced to an exact version.",
)
def tags_releases(repo: RepoIndex) -> Observation:
    git = repo.git_signals()
    if not git.present:
        return Observation.not_applicable(git.reason or "no git history")
    if git.tags:
        return Observation.passed(f"{git.tags} tag(s), {git.release_tags} named like versions; latest: {git.latest_tag}")
    if git.shallow:
        return Observation.not_applicable("shallow clone without tags: tags may exist upstream but were not fetched")
    return Observation.failed(f"no tags in a history of {git.commits} commit(s)")
