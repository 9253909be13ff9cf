"""Which team owns each repository: a teams.yaml mapping, else the repository's CODEOWNERS.

teams.yaml (safe YAML, positions in errors):

    teams:
      payments:          # team name
        - pay-*          # repository ids or paths, shell-style patterns
        - ledger
      risk: [credit-model, fraud-*]

A repository goes to the first team (in file order) with a matching pattern; one no team matches
falls back to the owners of its whole tree in CODEOWNERS, then to UNASSIGNED.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path

from mlops_audit.errors import InputError
from mlops_audit.portfolio.model import RepoEntry
from mlops_audit.util.safeyaml import load_yaml_file

UNASSIGNED = ""  # rendered as the catalogue's "no team" words
MAX_TEAMS = 10_000

TeamRules = list[tuple[str, list[str]]]


def load_teams(path: Path) -> TeamRules:
    doc = load_yaml_file(path)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("teams"), dict) or set(data) != {"teams"}:
        raise InputError(f"{doc.where(())}: expected one key 'teams' mapping team names to lists of repository patterns")
    teams = data["teams"]
    if len(teams) > MAX_TEAMS:
        raise InputError(f"{doc.where(('teams',))}: {len(teams)} teams; at most {MAX_TEAMS}")
    rules: TeamRules = []
    for name, patterns in teams.items():
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"{doc.where(('teams', name))}: a team name must be non-empty text, got {name!r}")
        if isinstance(patterns, str):
            patterns = [patterns]
        if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
            raise InputError(f"{doc.where(('teams', name))}: team '{name}': expected a list of repository ids or patterns (text)")
        rules.append((name.strip(), patterns))
    return rules


def team_of(entry: RepoEntry, rules: TeamRules) -> str:
    for name, patterns in rules:
        if any(fnmatchcase(entry.repo, p) or fnmatchcase(entry.path, p) for p in patterns):
            return name
    return ", ".join(entry.codeowners) if entry.codeowners else UNASSIGNED
