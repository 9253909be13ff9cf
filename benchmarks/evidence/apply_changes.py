"""Apply a re-reading of labels (a change file) to labels.yaml, line by line, keeping its comments.

    python -m benchmarks.evidence.apply_changes CHANGES.yaml [--labels FILE] [--dry-run]

A change file (written by a re-reader blind to the collector) holds:
    decoy_changes: [{repo, decoy, note}]                       # a repository's decoy flag
    label_changes: [{repo, kind, old_present, present, paths, note, uncertain?}]

Each label change replaces that repository's one-line label for `kind`; `old_present` must equal the
label's current value, so a change written against an older file is refused instead of silently
undoing someone else's edit. A decoy flip rewrites the repository's `decoy:` line. The result is
validated as a whole (labels.py) before it replaces the file, atomically; any problem names the
change and what was expected, and nothing is written.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from benchmarks.evidence.labels import LABELS_FILE, Label, check_repo_name, load_labels, load_yaml_model
from mlops_audit.errors import InputError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DecoyChange(_Strict):
    repo: str
    decoy: bool
    note: str = Field(min_length=1)


class LabelChange(_Strict):
    repo: str
    kind: str
    old_present: bool
    present: bool
    paths: list[str] = Field(default_factory=list)
    note: str = Field(min_length=1)
    uncertain: bool = False


class ChangeFile(_Strict):
    decoy_changes: list[DecoyChange] = Field(default_factory=list)
    label_changes: list[LabelChange] = Field(default_factory=list)
    checked_unchanged: list[object] = Field(default_factory=list, description="re-read with no change (kept for the record)")


def _flow(change: LabelChange) -> str:
    """The label as one YAML flow mapping, in the file's style (JSON strings are YAML double-quoted scalars)."""
    label = Label(kind=change.kind, present=change.present, paths=change.paths, note=change.note, uncertain=change.uncertain)
    parts = [f"kind: {label.kind}", f"present: {'true' if label.present else 'false'}",
             f"paths: [{', '.join(json.dumps(p, ensure_ascii=False) for p in label.paths)}]",
             f"note: {json.dumps(label.note, ensure_ascii=False)}"]
    if label.uncertain:
        parts.append("uncertain: true")
    return "  - {" + ", ".join(parts) + "}"


def _block(lines: list[str], repo: str) -> tuple[int, int]:
    """[start, end) of the repository's entry in the file's lines."""
    start = next((i for i, line in enumerate(lines) if line.rstrip() == f"- repo: {repo}"), None)
    if start is None:
        raise KeyError(repo)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("- repo: ") or not lines[i].startswith((" ", "-")) and lines[i].strip()), len(lines))
    return start, end


def apply(text: str, changes: ChangeFile, current: dict[str, dict[str, bool]]) -> str:
    """The labels file's text with the changes made; InputError naming every change that cannot apply."""
    lines = text.split("\n")
    problems: list[str] = []
    for i, d in enumerate(changes.decoy_changes):
        try:
            check_repo_name(d.repo)
            start, end = _block(lines, d.repo)
        except (KeyError, ValueError):
            problems.append(f"decoy_changes[{i}]: {d.repo} is not a repository of the labels file")
            continue
        at = next((j for j in range(start, end) if re.match(r"^  decoy: (true|false)\s*$", lines[j])), None)
        if at is None:
            problems.append(f"decoy_changes[{i}]: {d.repo} has no `decoy:` line to change")
            continue
        lines[at] = f"  decoy: {'true' if d.decoy else 'false'}"
    for i, c in enumerate(changes.label_changes):
        where = f"label_changes[{i}] ({c.repo} {c.kind})"
        if c.repo not in current:
            problems.append(f"{where}: not a repository of the labels file")
            continue
        if c.kind not in current[c.repo]:
            problems.append(f"{where}: the repository has no label for this kind")
            continue
        if current[c.repo][c.kind] != c.old_present:
            problems.append(f"{where}: old_present is {str(c.old_present).lower()} but the file says {str(current[c.repo][c.kind]).lower()} (written against another version?)")
            continue
        start, end = _block(lines, c.repo)
        at = [j for j in range(start, end) if lines[j].startswith(f"  - {{kind: {c.kind},")]
        if len(at) != 1:
            problems.append(f"{where}: expected one one-line label `  - {{kind: {c.kind}, ...}}`, found {len(at)}")
            continue
        try:
            lines[at[0]] = _flow(c)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
    if problems:
        raise InputError("\n".join(problems))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("changes", type=Path)
    parser.add_argument("--labels", type=Path, default=LABELS_FILE)
    parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    args = parser.parse_args(argv)
    from mlops_audit.util.jsonio import atomic_write_text

    try:
        changes, _ = load_yaml_model(args.changes, ChangeFile)
        labels = load_labels(args.labels)
        current = {r.repo: {label.kind: label.present for label in r.labels} for r in labels.repos}
        text = apply(args.labels.read_text(encoding="utf-8"), changes, current)
        check = args.labels.with_name(f".{args.labels.name}.check")
        atomic_write_text(check, text)
        try:
            load_labels(check)
        finally:
            check.unlink()
    except InputError as exc:
        print(f"error: {args.changes}: {exc}", file=sys.stderr)
        return 2
    if not args.dry_run:
        atomic_write_text(args.labels, text)
    print(f"{'would apply' if args.dry_run else 'applied'}: {len(changes.decoy_changes)} decoy flag(s), {len(changes.label_changes)} label(s) to {args.labels}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
