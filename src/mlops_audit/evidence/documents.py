"""Reviewed documents (strength `reviewed`) and assessor resolutions of conflicts: reading and
checking the two files an assessor writes by hand. I/O at the edge; every problem is reported at
once, with its file:line and key path, never dropped.

A reviewed document may name only criteria that accept one: criteria whose evidence policy needs
no more than `reviewed` (levels 1-2 by default) or that the policy's `accept_reviewed` names. Where
a document's `path` is given, its SHA-256 is recomputed and must match the recorded digest.
"""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path

from pydantic import BaseModel, ValidationError

from mlops_audit.errors import InputError
from mlops_audit.evidence.model import DocumentFile, Evidence, EvidenceKind, Resolution, ResolutionFile
from mlops_audit.rubric.model import EvidencePolicy, Rubric, Strength
from mlops_audit.util.safeyaml import LocatedDocument, format_key_path, load_yaml_file

MAX_DOCUMENT_BYTES = 256 * 1024 * 1024


def _validate(path: Path, model: type[BaseModel]) -> tuple[BaseModel, LocatedDocument]:
    doc = load_yaml_file(path)
    try:
        return model.model_validate(doc.data), doc
    except ValidationError as exc:
        problems = [f"{doc.where(tuple(e['loc']))}: {format_key_path(tuple(e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)]
        raise InputError("\n".join(problems)) from None


def _unknown(cid: str, known: list[str]) -> str:
    near = difflib.get_close_matches(cid, known, n=1)
    return f"unknown criterion '{cid}'" + (f" (did you mean '{near[0]}'?)" if near else "")


def _digest_inside(base: Path, relative: str) -> str:
    """SHA-256 of a file named relative to the documents file, refusing links and escapes."""
    target = (base / relative)
    if Path(relative).is_absolute() or ".." in Path(relative).parts:
        raise ValueError("must be a relative path inside the documents file's folder")
    if target.is_symlink() or not target.is_file():
        raise ValueError("no such regular file (links are not followed)")
    if target.stat().st_size > MAX_DOCUMENT_BYTES:
        raise ValueError(f"larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB")
    digest = hashlib.sha256()
    with target.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_documents(path: Path, rubric: Rubric, policy: EvidencePolicy) -> list[Evidence]:
    parsed, doc = _validate(path, DocumentFile)
    index = rubric.criterion_index()
    known = sorted(index)
    problems: list[str] = []
    evidence: list[Evidence] = []
    seen: set[str] = set()
    for i, item in enumerate(parsed.documents):  # type: ignore[attr-defined]
        loc = ("documents", i)
        if item.id in seen:
            problems.append(f"{doc.where(loc + ('id',))}: {format_key_path(loc + ('id',))}: duplicate document id '{item.id}'")
        seen.add(item.id)
        for k, cid in enumerate(item.criteria):
            where = f"{doc.where(loc + ('criteria', k))}: {format_key_path(loc + ('criteria', k))}"
            if cid not in index:
                problems.append(f"{where}: {_unknown(cid, known)}")
                continue
            criterion = index[cid][2]
            required = policy.required_strength(criterion)
            if required.rank > Strength.reviewed.rank:
                problems.append(
                    f"{where}: criterion '{cid}' does not accept a reviewed document under evidence policy "
                    f"'{policy.id}' (it needs '{required.value}' evidence: a repository detector or a pipeline run)"
                )
        if item.path is not None:
            where = f"{doc.where(loc + ('path',))}: {format_key_path(loc + ('path',))}"
            try:
                actual = _digest_inside(path.parent, item.path)
            except (ValueError, OSError) as exc:
                problems.append(f"{where}: '{item.path}': {exc}")
            else:
                if actual != item.sha256:
                    problems.append(f"{where}: '{item.path}' has SHA-256 {actual}, not the reviewed {item.sha256}: the document changed after review")
        evidence.append(
            Evidence(
                id=f"doc:{item.id}",
                kind=EvidenceKind.document,
                source=item.reviewed_by,
                locator=item.path or item.title,
                sha256=item.sha256,
                excerpt=f"{item.title} - reviewed by {item.reviewed_by} on {item.reviewed_at}: {item.note}",
                collected_at=item.reviewed_at,
                criteria=sorted(set(item.criteria)),
                strength=Strength.reviewed,
                says="met",
            )
        )
    if problems:
        raise InputError(f"{len(problems)} problem(s) in the reviewed-documents file:\n" + "\n".join(problems))
    return evidence


def load_resolutions(path: Path, rubric: Rubric) -> list[Resolution]:
    parsed, doc = _validate(path, ResolutionFile)
    known = sorted(rubric.criterion_index())
    problems: list[str] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(parsed.resolutions):  # type: ignore[attr-defined]
        loc = ("resolutions", i, "criterion")
        if item.criterion not in rubric.criterion_index():
            problems.append(f"{doc.where(loc)}: {format_key_path(loc)}: {_unknown(item.criterion, known)}")
        elif item.criterion in seen:
            problems.append(f"{doc.where(loc)}: {format_key_path(loc)}: '{item.criterion}' is decided twice (first in resolutions[{seen[item.criterion]}])")
        seen.setdefault(item.criterion, i)
    if problems:
        raise InputError(f"{len(problems)} problem(s) in the resolutions file:\n" + "\n".join(problems))
    return list(parsed.resolutions)  # type: ignore[attr-defined]
