"""Load a rubric (a folder or one YAML file) and report every problem as file:line:column.

A rubric folder holds `rubric.yaml` (metadata, levels, roles, RACI, separation of duties, evidence
policy and the ordered list `domain_files`) and one YAML file per domain. A single-file rubric has
its `domains` inline. The loader gathers every problem it can find before failing, so an author
fixes them all in one pass; no traceback reaches the user.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mlops_audit import paths
from mlops_audit.errors import InputError, RubricError
from mlops_audit.rubric.model import ClauseCatalogue, EvidencePolicy, Rubric
from mlops_audit.util.jsonio import canonical_json, sha256_text
from mlops_audit.util.safeyaml import KeyPath, LocatedDocument, format_key_path, load_yaml_file

RUBRIC_FILE = "rubric.yaml"


@dataclass(frozen=True)
class LoadedRubric:
    """A validated rubric with where it came from and its content digest."""

    rubric: Rubric
    path: Path
    digest: str  # sha256 of the canonical JSON of the resolved rubric: independent of formatting
    catalogue: ClauseCatalogue

    @property
    def ref(self) -> dict[str, str]:
        return {"id": self.rubric.id, "version": self.rubric.version, "digest": self.digest}


def rubric_digest(rubric: Rubric) -> str:
    return sha256_text(canonical_json(rubric.model_dump(mode="json")))


def _pydantic_problems(
    exc: ValidationError, locate: Any, prefix: KeyPath = ()
) -> list[str]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = prefix + tuple(err["loc"])
        where = locate(loc)
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (not part of the rubric format; check the spelling)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        if "input" in err and err["type"] not in ("missing", "extra_forbidden") and not isinstance(
            err["input"], (dict, list)
        ):
            msg += f" (got {err['input']!r})"
        problems.append(f"{where}: {format_key_path(loc)}: {msg}")
    return problems


class _RubricSources:
    """Maps a key path in the assembled rubric back to the file and position it came from."""

    def __init__(self, main: LocatedDocument, domains: list[tuple[LocatedDocument, KeyPath]]) -> None:
        self.main = main
        self.domains = domains  # per domain index: (document, key path of the domain inside it)

    def __call__(self, loc: KeyPath) -> str:
        if len(loc) >= 2 and loc[0] == "domains" and isinstance(loc[1], int) and loc[1] < len(self.domains):
            doc, inner = self.domains[loc[1]]
            return doc.where(inner + tuple(loc[2:]))
        return self.main.where(loc)


def _load_yaml(path: Path, display: str | None = None) -> LocatedDocument:
    """YAML problems in a rubric are rubric problems: one message, file:line:column first."""
    try:
        return load_yaml_file(path, display=display)
    except RubricError:
        raise
    except InputError as exc:
        raise RubricError([exc.message]) from None


def _read_rubric_documents(path: Path) -> tuple[dict[str, Any], _RubricSources]:
    main_file = path / RUBRIC_FILE if path.is_dir() else path
    if not main_file.is_file():
        raise InputError(f"{path}: no rubric here (expected a rubric folder with {RUBRIC_FILE}, or a YAML file)")
    main = _load_yaml(main_file)
    if not isinstance(main.data, dict):
        raise RubricError([f"{main.where(())}: expected a mapping with the rubric's keys at the top level"])
    data = dict(main.data)
    domain_sources: list[tuple[LocatedDocument, KeyPath]] = []
    if "domain_files" in data:
        if "domains" in data:
            raise RubricError([f"{main.where(('domains',))}: give either 'domains' or 'domain_files', not both"])
        files = data.pop("domain_files")
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise RubricError([f"{main.where(('domain_files',))}: expected a list of file names"])
        domains = []
        problems = []
        for i, name in enumerate(files):
            candidate = (main_file.parent / name).resolve()
            if not candidate.is_relative_to(main_file.parent.resolve()):
                problems.append(f"{main.where(('domain_files', i))}: '{name}' lies outside the rubric folder")
                continue
            if not candidate.is_file():
                problems.append(f"{main.where(('domain_files', i))}: domain file '{name}' does not exist")
                continue
            doc = _load_yaml(candidate, display=str(main_file.parent / name))
            domains.append(doc.data)
            domain_sources.append((doc, ()))
        if problems:
            raise RubricError(problems)
        data["domains"] = domains
    else:
        for i, _ in enumerate(data.get("domains") or []):
            domain_sources.append((main, ("domains", i)))
    return data, _RubricSources(main, domain_sources)


def reference_problems(rubric: Rubric, catalogue: ClauseCatalogue, detector_ids: set[str], locate: Any) -> list[str]:
    """Cross-reference checks pydantic cannot do alone: unique ids and references that must exist."""
    problems: list[str] = []
    clause_ids = set(catalogue.ids())
    role_ids = set(rubric.role_ids())

    def dupes(kind: str, items: list[tuple[str, KeyPath]]) -> None:
        counts = Counter(i for i, _ in items)
        for ident, loc in items:
            if counts[ident] > 1:
                problems.append(f"{locate(loc + ('id',))}: {format_key_path(loc)}: duplicate {kind} id '{ident}'")

    dupes("role", [(r.id, ("roles", i)) for i, r in enumerate(rubric.roles)])
    dupes("domain", [(d.id, ("domains", i)) for i, d in enumerate(rubric.domains)])
    dupes(
        "practice",
        [(p.id, ("domains", di, "practices", pi)) for di, d in enumerate(rubric.domains) for pi, p in enumerate(d.practices)],
    )
    dupes(
        "criterion",
        [
            (c.id, ("domains", di, "practices", pi, "criteria", ci))
            for di, d in enumerate(rubric.domains)
            for pi, p in enumerate(d.practices)
            for ci, c in enumerate(p.criteria)
        ],
    )
    dupes("separation-of-duties rule", [(s.id, ("separation_of_duties", i)) for i, s in enumerate(rubric.separation_of_duties)])

    def clauses(refs: list[str], loc: KeyPath) -> None:
        for k, ref in enumerate(refs):
            if ref not in clause_ids:
                problems.append(f"{locate(loc + (k,))}: {format_key_path(loc + (k,))}: unknown clause id '{ref}' (not in the clause catalogue)")

    def roles(refs: list[str], loc: KeyPath) -> None:
        for k, ref in enumerate(refs):
            if ref not in role_ids:
                problems.append(f"{locate(loc + (k,))}: {format_key_path(loc + (k,))}: unknown role '{ref}' (roles: {', '.join(sorted(role_ids))})")

    def raci(r: Any, loc: KeyPath) -> None:
        if r is None:
            return
        for slot in ("responsible", "accountable", "consulted", "informed"):
            roles(getattr(r, slot), loc + (slot,))

    for i, role in enumerate(rubric.roles):
        clauses([role.clause], ("roles", i, "clause"))
    for i, entry in enumerate(rubric.pipeline_raci):
        raci(entry.raci, ("pipeline_raci", i, "raci"))
    parts = [e.part for e in rubric.pipeline_raci]
    for part in sorted({p for p in parts if parts.count(p) > 1}):
        problems.append(f"{locate(('pipeline_raci',))}: pipeline_raci: part {part} is listed more than once")
    for i, sod in enumerate(rubric.separation_of_duties):
        roles(sod.roles, ("separation_of_duties", i, "roles"))
        clauses(sod.clauses, ("separation_of_duties", i, "clauses"))
    for di, d in enumerate(rubric.domains):
        clauses(d.clauses, ("domains", di, "clauses"))
        for pi, p in enumerate(d.practices):
            ploc: KeyPath = ("domains", di, "practices", pi)
            clauses(p.clauses, ploc + ("clauses",))
            raci(p.raci, ploc + ("raci",))
            for ci, c in enumerate(p.criteria):
                cloc = ploc + ("criteria", ci)
                clauses(c.clauses, cloc + ("clauses",))
                clauses(c.pipeline_steps, cloc + ("pipeline_steps",))
                for k, route in enumerate(c.trail_events):
                    clauses([route.clause], cloc + ("trail_events", k, "clause"))
                if c.run_series is not None:
                    clauses(c.run_series.steps, cloc + ("run_series", "steps"))
                roles(c.question.roles, cloc + ("question", "roles"))
                named = [(("detectors", k), det) for k, det in enumerate(c.detectors)]
                if c.estate is not None:
                    named += [(("estate", "detectors", k), det) for k, det in enumerate(c.estate.detectors)]
                for where, det in named:
                    if det not in detector_ids:
                        problems.append(
                            f"{locate(cloc + where)}: {format_key_path(cloc + where)}: unknown detector id '{det}'"
                        )
    problems += policy_problems(rubric.evidence_policy, rubric, lambda loc: locate(("evidence_policy", *loc)))
    return problems


def policy_problems(policy: EvidencePolicy, rubric: Rubric, locate: Any) -> list[str]:
    """An evidence policy may accept reviewed documents only for criteria that say which documents."""
    index = rubric.criterion_index()
    problems = []
    for k, cid in enumerate(policy.accept_reviewed):
        loc = ("accept_reviewed", k)
        where = f"{locate(loc)}: evidence_policy.{format_key_path(loc)}"
        if cid not in index:
            near = difflib.get_close_matches(cid, list(index), n=1)
            problems.append(f"{where}: unknown criterion '{cid}'" + (f" (did you mean '{near[0]}'?)" if near else ""))
        elif not index[cid][2].documents:
            problems.append(f"{where}: criterion '{cid}' lists no documents to review")
    return problems


def known_detector_ids() -> set[str]:
    """Ids of repository detectors that exist, plus those announced as planned."""
    from mlops_audit.evidence import detector_catalogue

    return detector_catalogue.known_ids()


@cache
def load_catalogue(path: Path | None = None) -> ClauseCatalogue:
    path = path or paths.clause_catalogue_path()
    doc = _load_yaml(path)
    try:
        return ClauseCatalogue.model_validate(doc.data)
    except ValidationError as exc:
        raise RubricError(_pydantic_problems(exc, doc.where)) from None


def load_rubric(path: str | Path | None = None, *, catalogue: ClauseCatalogue | None = None) -> LoadedRubric:
    """Load, validate and cross-check a rubric. Raises RubricError listing every problem."""
    rubric_path = Path(path) if path is not None else paths.default_rubric_path()
    catalogue = catalogue or load_catalogue()
    data, locate = _read_rubric_documents(rubric_path)
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        raise RubricError(_pydantic_problems(exc, locate)) from None
    problems = reference_problems(rubric, catalogue, known_detector_ids(), locate)
    if problems:
        raise RubricError(problems)
    return LoadedRubric(rubric=rubric, path=rubric_path, digest=rubric_digest(rubric), catalogue=catalogue)


@cache
def default_rubric() -> LoadedRubric:
    """The bundled CAICT rubric, loaded once per process."""
    return load_rubric()


def load_policy(path: str | Path) -> EvidencePolicy:
    """An evidence policy file that overrides the rubric's default for one run."""
    doc = _load_yaml(Path(path))
    try:
        return EvidencePolicy.model_validate(doc.data)
    except ValidationError as exc:
        raise RubricError(_pydantic_problems(exc, doc.where)) from None
