"""Apply a re-reading of labels (a change file) to labels.yaml, line by line, keeping its comments.

    python -m benchmarks.evidence.apply_changes CHANGES.yaml [--labels FILE] [--dry-run]

A change file (written by a re-reader blind to the collector) holds:
    decoy_changes: [{repo, decoy, note}]                       # a repository's decoy flag
    label_changes: [{repo, kind, old_present, present, paths, note, uncertain?}]

Each label change replaces that repository's one-line label for `kind`; `old_present` must equal the
label's current value, so a change written against an older file is refused instead of silently
undoing someone else's edit; two changes of one label, or two flips of one repository, are refused.
A decoy flip rewrites the repository's `decoy:` line (checked against `old_decoy` when given; a flip
to the value the file already has is refused). Errors name the change file's line. The result is
validated as a whole (labels.py) before it replaces the file, atomically; any problem names the
change and what was expected, and nothing is written.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from benchmarks.evidence.labels import LABELS_FILE, Label, check_repo_name, load_labels, load_yaml_model
from mlops_audit.errors import InputError
from mlops_audit.util.safeyaml import LocatedDocument, load_yaml_file


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DecoyChange(_Strict):
    repo: str
    decoy: bool
    old_decoy: bool | None = Field(default=None, description="the flag the re-reader saw (checked when given)")
    note: str = Field(min_length=1, description="why (kept in the change file, the record of the re-reading)")


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


def _blocks(doc: LocatedDocument, lines: list[str]) -> dict[str, tuple[int, int]]:
    """repo -> [start, end) of its entry in the file's lines, from the parsed document's positions
    (so a comment after the name or a quoted name is found like any other)."""
    starts: list[tuple[int, str]] = []
    for i, entry in enumerate(doc.data.get("repos", []) if isinstance(doc.data, dict) else []):
        position = doc.positions.get(("repos", i))
        if isinstance(entry, dict) and isinstance(entry.get("repo"), str) and position is not None:
            starts.append((position[0] - 1, entry["repo"]))
    starts.sort()
    return {repo: (start, starts[n + 1][0] if n + 1 < len(starts) else len(lines)) for n, (start, repo) in enumerate(starts)}


def apply(text: str, changes: ChangeFile, current: dict[str, dict[str, bool]], blocks: dict[str, tuple[int, int]],
          decoys: dict[str, bool], where: Callable[[tuple[str, int]], str] = lambda key: f"{key[0]}[{key[1]}]") -> str:
    """The labels file's text with the changes made; InputError naming every change that cannot apply
    (`where` gives a change's place in the change file)."""
    lines = text.split("\n")
    problems: list[str] = []
    seen_flips: set[str] = set()
    for i, d in enumerate(changes.decoy_changes):
        here = f"{where(('decoy_changes', i))} ({d.repo})"
        if d.repo not in blocks or d.repo not in decoys:
            problems.append(f"{here}: not a repository of the labels file")
            continue
        if d.repo in seen_flips:
            problems.append(f"{here}: a second decoy change for the same repository")
            continue
        seen_flips.add(d.repo)
        if d.old_decoy is not None and d.old_decoy != decoys[d.repo]:
            problems.append(f"{here}: old_decoy is {str(d.old_decoy).lower()} but the file says {str(decoys[d.repo]).lower()} (written against another version?)")
            continue
        if d.decoy == decoys[d.repo]:
            problems.append(f"{here}: the file already says decoy: {str(d.decoy).lower()} (nothing to change)")
            continue
        start, end = blocks[d.repo]
        at = [j for j in range(start, end) if re.match(r"^  decoy: (true|false)\s*(#.*)?$", lines[j])]
        if len(at) != 1:
            problems.append(f"{here}: expected one `  decoy:` line in the repository's entry, found {len(at)}")
            continue
        lines[at[0]] = f"  decoy: {'true' if d.decoy else 'false'}"
    seen_labels: set[tuple[str, str]] = set()
    for i, c in enumerate(changes.label_changes):
        here = f"{where(('label_changes', i))} ({c.repo} {c.kind})"
        if c.repo not in current or c.repo not in blocks:
            problems.append(f"{here}: not a repository of the labels file")
            continue
        if c.kind not in current[c.repo]:
            problems.append(f"{here}: the repository has no label for this kind")
            continue
        if (c.repo, c.kind) in seen_labels:
            problems.append(f"{here}: a second change for the same label (one re-reading per label)")
            continue
        seen_labels.add((c.repo, c.kind))
        if current[c.repo][c.kind] != c.old_present:
            problems.append(f"{here}: old_present is {str(c.old_present).lower()} but the file says {str(current[c.repo][c.kind]).lower()} (written against another version?)")
            continue
        start, end = blocks[c.repo]
        at = [j for j in range(start, end) if lines[j].startswith(f"  - {{kind: {c.kind},")]
        if len(at) != 1:
            problems.append(f"{here}: expected one one-line label `  - {{kind: {c.kind}, ...}}`, found {len(at)}")
            continue
        try:
            lines[at[0]] = _flow(c)
        except ValidationError as exc:
            problems.append(f"{here}: " + "; ".join(err["msg"] for err in exc.errors(include_url=False)))
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
        changes, change_doc = load_yaml_model(args.changes, ChangeFile)
        labels = load_labels(args.labels)
        current = {r.repo: {label.kind: label.present for label in r.labels} for r in labels.repos}
        decoys = {r.repo: r.decoy for r in labels.repos}
        text = args.labels.read_text(encoding="utf-8")
        blocks = _blocks(load_yaml_file(args.labels), text.split("\n"))
        text = apply(text, changes, current, blocks, decoys, where=lambda key: change_doc.where(key))
        check = args.labels.with_name(f".{args.labels.name}.check")
        atomic_write_text(check, text)
        try:
            load_labels(check)
        finally:
            check.unlink()
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.dry_run:
        atomic_write_text(args.labels, text)
    print(f"{'would apply' if args.dry_run else 'applied'}: {len(changes.decoy_changes)} decoy flag(s), {len(changes.label_changes)} label(s) to {args.labels}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
