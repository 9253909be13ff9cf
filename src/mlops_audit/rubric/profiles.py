"""Regulator profiles: rubric modules that add a regulation's obligations beside the CAICT rubric.

A profile is a folder `rubrics/profiles/<name>/` holding

- `profile.yaml`: id, version, the base rubric it extends, bilingual title and description, its
  sources (instrument, issuer, year, status), the criteria a reviewed document may meet
  (`accept_reviewed`, added to the evidence policy when the profile is scored) and `domain_files`;
- `clauses.yaml`: its clause catalogue - the articles, sections or subcategories it uses, each with a
  short title in our own words, its source and how its existence and content were confirmed
  (`confirmed`: read in the instrument's text; `secondary`: read in agreeing secondary sources;
  `self_confirmed`: checked by the profile's author, `confirmed_in` says where). There is no
  'inferred' status: an article number nobody confirmed cannot be cited;
- `crosswalk.yaml`: rows obligation -> CAICT criteria / practice levels, each `full` or `partial`;
- domain files in the CAICT rubric's domain format, where every practice and criterion also carries
  `cites:` (ids of the profile's catalogue). `clauses:` keeps its meaning (the guide clause the
  practice sits under): the Criterion model accepts only guide clause ids. A criterion's ids are
  resolved into `Criterion.cites` (clause id, the regulation's identifier, the clause label), so a
  rubric snapshot names the regulation clauses its profile criteria serve.

`load_profile` validates all of it against the base rubric and reports every problem as
file:line:column. `combined_rubric` builds base + profile domains (the evidence policy extended by
the profiles' `accept_reviewed`; same id as the base, the profiles in the version's build metadata),
which is what scoring a profile reads.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from mlops_audit import paths
from mlops_audit.errors import InputError, RubricError
from mlops_audit.rubric.loader import (
    LoadedRubric,
    _load_yaml,
    _pydantic_problems,
    default_rubric,
    known_detector_ids,
    reference_problems,
    rubric_digest,
)
from mlops_audit.rubric.model import Citation, Domain, EvidencePolicy, Frozen, Identifier, LevelNumber, ProfileClauseId, Rubric, Text
from mlops_audit.rubric.soundness import route_problems
from mlops_audit.util.safeyaml import KeyPath, LocatedDocument, format_key_path

PROFILE_FILE = "profile.yaml"
CLAUSES_FILE = "clauses.yaml"
CROSSWALK_FILE = "crosswalk.yaml"

ProfileId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9\-]*$", min_length=2, max_length=40)]


class ClauseStatus(StrEnum):
    confirmed = "confirmed"  # read in the instrument's text or an official reproduction
    secondary = "secondary"  # read in agreeing secondary sources that quote or summarise it
    self_confirmed = "self_confirmed"  # checked by the profile's author; confirmed_in says where


class SourceStatus(StrEnum):
    in_force = "in_force"  # binding law or regulation in force
    guidance = "guidance"  # supervisory guidance or a standard, current
    voluntary = "voluntary"  # a voluntary framework
    superseded = "superseded"  # kept as a legacy crosswalk only


class ProfileSource(Frozen):
    id: Identifier
    identifier: Annotated[str, Field(min_length=1, max_length=120)]  # e.g. "JR/T 0221-2021"
    title: Text
    issuer: Text
    year: Annotated[int, Field(ge=1990, le=2100)]
    status: SourceStatus
    url: str | None = None
    note: Text | None = None


class ProfileClause(Frozen):
    id: ProfileClauseId
    source: Identifier  # a ProfileSource id
    ref: Annotated[str, Field(min_length=1, max_length=60)]  # the article / section / subcategory label
    title: Text  # short, in our own words
    status: ClauseStatus
    confirmed_in: Annotated[str, Field(min_length=1, max_length=400)] | None = None

    @model_validator(mode="after")
    def _says_where(self) -> ProfileClause:
        if self.status is not ClauseStatus.confirmed and not self.confirmed_in:
            raise ValueError(f"clause '{self.id}' with status '{self.status.value}' must say where it was confirmed (confirmed_in)")
        return self


class ClauseFile(Frozen):
    clauses: Annotated[list[ProfileClause], Field(min_length=1)]


class CrosswalkRow(Frozen):
    """An obligation served by base-rubric criteria (each must be met) and practice levels (each
    must be reached). `full`: meeting the row meets the obligation; `partial`: it covers part."""

    obligation: ProfileClauseId
    coverage: Literal["full", "partial"]
    criteria: list[Identifier] = Field(default_factory=list)
    practices: dict[Identifier, LevelNumber] = Field(default_factory=dict)
    note: Text

    @model_validator(mode="after")
    def _targets(self) -> CrosswalkRow:
        if not self.criteria and not self.practices:
            raise ValueError("a crosswalk row needs at least one target in 'criteria' or 'practices'")
        return self


class CrosswalkFile(Frozen):
    rows: list[CrosswalkRow] = Field(default_factory=list)


class ProfileMeta(Frozen):
    id: ProfileId
    version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")]
    base_rubric: Identifier
    title: Text
    description: Text
    # Criteria citing an obligation up to this level decide whether it is met (levels above go
    # beyond what the obligation asks); a clause cited only above it uses its lowest citing level.
    obligation_level: Annotated[int, Field(ge=1, le=5)] = 3
    sources: Annotated[list[ProfileSource], Field(min_length=1)]
    accept_reviewed: list[Identifier] = Field(default_factory=list)
    domain_files: Annotated[list[str], Field(min_length=1)]


@dataclass(frozen=True)
class Profile:
    """A validated profile: metadata, catalogue, crosswalk, domains and each item's citations."""

    meta: ProfileMeta
    clauses: tuple[ProfileClause, ...]
    crosswalk: tuple[CrosswalkRow, ...]
    domains: tuple[Domain, ...]
    cites: dict[str, tuple[str, ...]]  # practice or criterion id -> profile clause ids
    path: Path

    @property
    def id(self) -> str:
        return self.meta.id

    def clause_index(self) -> dict[str, ProfileClause]:
        return {c.id: c for c in self.clauses}

    def source_index(self) -> dict[str, ProfileSource]:
        return {s.id: s for s in self.meta.sources}

    def criteria(self):
        return [(d, p, c) for d in self.domains for p in d.practices for c in p.criteria]

    def citing_criteria(self, clause_id: str) -> list[str]:
        return [c.id for _d, _p, c in self.criteria() if clause_id in self.cites.get(c.id, ())]

    def articles_used(self, source_id: str) -> list[str]:
        return [c.ref for c in self.clauses if c.source == source_id]


def profiles_dir() -> Path:
    return paths.rubrics_dir() / "profiles"


def available_profiles() -> list[str]:
    root = profiles_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / PROFILE_FILE).is_file())


def _strip_cites(data: Any, loc: KeyPath, cites: dict[KeyPath, tuple[Any, KeyPath]]) -> Any:
    """Copy a domain mapping without the profile-only `cites` keys, remembering them by key path."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    practices = _pop_cites_of_each(out, "practices", loc, cites)
    for pi, practice in enumerate(practices or ()):
        if isinstance(practice, dict):
            _pop_cites_of_each(practice, "criteria", loc + ("practices", pi), cites)
    return out


def _pop_cites_of_each(parent: dict[str, Any], key: str, loc: KeyPath, cites: dict[KeyPath, tuple[Any, KeyPath]]) -> list[Any] | None:
    """Replace `parent[key]` (a list) by copies of its mappings without `cites`, recorded by key path."""
    items = parent.get(key)
    if not isinstance(items, list):
        return None
    copies = []
    for i, item in enumerate(items):
        if isinstance(item, dict):
            item = dict(item)
            cites[loc + (key, i)] = (item.pop("cites", None), loc + (key, i))
        copies.append(item)
    parent[key] = copies
    return copies


def _with_citations(domain: Domain, cites: dict[str, tuple[str, ...]], clauses: list[ProfileClause], sources: list[ProfileSource]) -> Domain:
    """The domain with each criterion's `cites` ids resolved into self-describing Citations (the
    assessment's rubric snapshot carries them; unknown ids were reported already and are skipped)."""
    by_id = {c.id: c for c in clauses}
    identifier = {s.id: s.identifier for s in sources}

    def citations(cid: str) -> list[Citation]:
        return [Citation(clause=ref, regulation=identifier.get(by_id[ref].source, by_id[ref].source), ref=by_id[ref].ref) for ref in cites.get(cid, ()) if ref in by_id]

    practices = [p.model_copy(update={"criteria": [c.model_copy(update={"cites": citations(c.id)}) for c in p.criteria]}) for p in domain.practices]
    return domain.model_copy(update={"practices": practices})


def _validate(model: type, doc: LocatedDocument, problems: list[str], data: Any = None) -> Any:
    try:
        return model.model_validate(doc.data if data is None else data)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, doc.where))
        return None


def _read_doc(path: Path, display: str, problems: list[str]) -> LocatedDocument | None:
    if not path.is_file():
        problems.append(f"{display}: missing (a profile folder holds {PROFILE_FILE}, {CLAUSES_FILE} and {CROSSWALK_FILE})")
        return None
    try:
        return _load_yaml(path, display=display)
    except RubricError as exc:
        problems.extend(exc.problems)
        return None


def load_profile(folder: str | Path, base: LoadedRubric | None = None) -> Profile:
    """Load and validate one profile folder against the base rubric. Raises RubricError listing
    every problem (file:line:column), InputError when the folder is not a profile."""
    folder = Path(folder)
    if not (folder / PROFILE_FILE).is_file():
        raise InputError(f"{folder}: not a profile folder (no {PROFILE_FILE})")
    base = base or default_rubric()
    problems: list[str] = []
    shown = lambda name: str(folder / name)  # noqa: E731
    meta_doc = _read_doc(folder / PROFILE_FILE, shown(PROFILE_FILE), problems)
    clause_doc = _read_doc(folder / CLAUSES_FILE, shown(CLAUSES_FILE), problems)
    cross_doc = _read_doc(folder / CROSSWALK_FILE, shown(CROSSWALK_FILE), problems)
    meta = _validate(ProfileMeta, meta_doc, problems) if meta_doc else None
    clause_file = _validate(ClauseFile, clause_doc, problems) if clause_doc else None
    cross_file = _validate(CrosswalkFile, cross_doc, problems) if cross_doc else None

    domains: list[Domain] = []
    domain_docs: list[LocatedDocument] = []
    cite_locs: list[tuple[LocatedDocument, dict[KeyPath, tuple[Any, KeyPath]], Domain]] = []
    if meta is not None:
        if meta.base_rubric != base.rubric.id:
            problems.append(f"{meta_doc.where(('base_rubric',))}: base_rubric: profile extends '{meta.base_rubric}', but the base rubric is '{base.rubric.id}'")
        for i, name in enumerate(meta.domain_files):
            candidate = (folder / name).resolve()
            if not candidate.is_relative_to(folder.resolve()):
                problems.append(f"{meta_doc.where(('domain_files', i))}: '{name}' lies outside the profile folder")
                continue
            if not candidate.is_file():
                problems.append(f"{meta_doc.where(('domain_files', i))}: domain file '{name}' does not exist")
                continue
            try:
                doc = _load_yaml(candidate, display=shown(name))
            except RubricError as exc:
                problems.extend(exc.problems)
                continue
            cites: dict[KeyPath, tuple[Any, KeyPath]] = {}
            data = _strip_cites(doc.data, (), cites)
            domain = _validate(Domain, doc, problems, data=data if isinstance(data, dict) else {"_": data})
            if domain is not None:
                domains.append(domain)
                domain_docs.append(doc)
                cite_locs.append((doc, cites, domain))
    if problems or meta is None or clause_file is None or cross_file is None:
        raise RubricError(problems or ["profile did not load"])

    clause_ids = {c.id for c in clause_file.clauses}
    source_ids = {s.id for s in meta.sources}
    index = base.rubric.criterion_index()
    base_practices = {p.id for _d, p in base.rubric.practices()}

    def dupes(kind: str, items: list[tuple[str, str]]) -> None:
        counts = Counter(i for i, _ in items)
        for ident, where in items:
            if counts[ident] > 1:
                problems.append(f"{where}: duplicate {kind} id '{ident}'")

    dupes("source", [(s.id, meta_doc.where(("sources", i, "id"))) for i, s in enumerate(meta.sources)])
    dupes("clause", [(c.id, clause_doc.where(("clauses", i, "id"))) for i, c in enumerate(clause_file.clauses)])
    for i, clause in enumerate(clause_file.clauses):
        if clause.source not in source_ids:
            problems.append(f"{clause_doc.where(('clauses', i, 'source'))}: clauses[{i}].source: unknown source '{clause.source}' (sources: {', '.join(sorted(source_ids))})")

    def unknown_clause(ref: str, where: str, key: str) -> None:
        near = difflib.get_close_matches(ref, sorted(clause_ids), n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        problems.append(f"{where}: {key}: unknown clause '{ref}' (not in the profile's {CLAUSES_FILE}){hint}")

    cites_by_id: dict[str, tuple[str, ...]] = {}
    for doc, cites, domain in cite_locs:
        for (raw, loc) in cites.values():
            key = format_key_path(loc + ("cites",))
            if raw is None:
                problems.append(f"{doc.where(loc)}: {key}: required key is missing (the profile clauses this item serves)")
                continue
            if not isinstance(raw, list) or not raw or not all(isinstance(x, str) for x in raw):
                problems.append(f"{doc.where(loc + ('cites',))}: {key}: expected a non-empty list of clause ids")
                continue
            for k, ref in enumerate(raw):
                if ref not in clause_ids:
                    unknown_clause(ref, doc.where(loc + ("cites", k)), f"{key}[{k}]")
            item = domain.practices[loc[1]]
            item_id = item.id if len(loc) == 2 else item.criteria[loc[3]].id
            cites_by_id[item_id] = tuple(raw)

    for i, row in enumerate(cross_file.rows):
        rloc: KeyPath = ("rows", i)
        if row.obligation not in clause_ids:
            unknown_clause(row.obligation, cross_doc.where(rloc + ("obligation",)), format_key_path(rloc + ("obligation",)))
        for k, cid in enumerate(row.criteria):
            if cid not in index:
                near = difflib.get_close_matches(cid, list(index), n=1)
                problems.append(f"{cross_doc.where(rloc + ('criteria', k))}: {format_key_path(rloc + ('criteria', k))}: unknown criterion '{cid}' of the base rubric" + (f" (did you mean '{near[0]}'?)" if near else ""))
        for pid in row.practices:
            if pid not in base_practices:
                near = difflib.get_close_matches(pid, sorted(base_practices), n=1)
                problems.append(f"{cross_doc.where(rloc + ('practices', pid))}: {format_key_path(rloc + ('practices',))}: unknown practice '{pid}' of the base rubric" + (f" (did you mean '{near[0]}'?)" if near else ""))

    profile = Profile(
        meta=meta,
        clauses=tuple(clause_file.clauses),
        crosswalk=tuple(cross_file.rows),
        domains=tuple(_with_citations(d, cites_by_id, clause_file.clauses, meta.sources) for d in domains),
        cites=cites_by_id,
        path=folder,
    )
    # Every obligation in the catalogue is served by something: a crosswalk row or a criterion.
    served = {r.obligation for r in profile.crosswalk} | {ref for _d, _p, c in profile.criteria() for ref in cites_by_id.get(c.id, ())}
    for i, clause in enumerate(clause_file.clauses):
        if clause.id not in served:
            problems.append(f"{clause_doc.where(('clauses', i, 'id'))}: clause '{clause.id}' is served by no crosswalk row and cited by no criterion (drop it, or map it)")

    # An obligation whose crosswalk rows are all partial can only be met through the profile's own
    # criteria: one must cite it, or the catalogue promises what nothing can show.
    cited = {ref for _d, _p, c in profile.criteria() for ref in cites_by_id.get(c.id, ())}
    full = {r.obligation for r in profile.crosswalk if r.coverage == "full"}
    for i, clause in enumerate(clause_file.clauses):
        if clause.id in served and clause.id not in cited | full:
            problems.append(f"{clause_doc.where(('clauses', i, 'id'))}: clause '{clause.id}' has only partial crosswalk rows and no criterion of the profile cites it, so it could never be met")

    own = {c.id for _d, _p, c in profile.criteria()}
    for k, cid in enumerate(meta.accept_reviewed):
        where = f"{meta_doc.where(('accept_reviewed', k))}: accept_reviewed[{k}]"
        if cid not in own:
            problems.append(f"{where}: '{cid}' is not a criterion of this profile")
    documents = {c.id for _d, _p, c in profile.criteria() if c.documents}
    for k, cid in enumerate(meta.accept_reviewed):
        if cid in own and cid not in documents:
            problems.append(f"{meta_doc.where(('accept_reviewed', k))}: accept_reviewed[{k}]: criterion '{cid}' lists no documents to review")

    if not problems:
        # The same cross-reference and soundness rules as the base rubric, over base + profile.
        combined = _combine(base.rubric, [profile])
        offset = len(base.rubric.domains)

        def locate(loc: KeyPath) -> str:
            if len(loc) >= 2 and loc[0] == "domains" and isinstance(loc[1], int) and loc[1] >= offset:
                return domain_docs[loc[1] - offset].where(tuple(loc[2:]))
            return meta_doc.where(())

        problems += reference_problems(combined, base.catalogue, known_detector_ids(), locate)
        positions = {c.id: (doc, ("practices", pi, "criteria", ci)) for doc, _c, d in cite_locs for pi, p in enumerate(d.practices) for ci, c in enumerate(p.criteria)}
        for problem in route_problems(combined):
            if problem.criterion in positions:
                doc, loc = positions[problem.criterion]
                problems.append(f"{doc.where(loc)}: {problem}")
    if problems:
        raise RubricError(problems)
    return profile


def _combine(base: Rubric, profiles: list[Profile]) -> Rubric:
    policy = extend_policy(base.evidence_policy, profiles)
    domains = list(base.domains) + [d.model_copy(update={"profile": p.id}) for p in profiles for d in p.domains]
    # The id stays the base rubric's: answers given to the base questionnaire remain answers to the
    # same rubric (the importer checks the id) and profile questions are simply more of them. The
    # version's build metadata names the profiles, and the digest tells any combination apart, so a
    # comparison with an assessment made without them is flagged as a rubric change.
    return base.model_copy(
        update={
            "version": f"{base.version.split('+')[0]}+" + ".".join(f"{p.id}-{p.meta.version}" for p in profiles) if profiles else base.version,
            "evidence_policy": policy,
            "domains": domains,
        }
    )


def combined_rubric(profiles: list[Profile], base: LoadedRubric | None = None) -> LoadedRubric:
    """The base rubric with the profiles' domains appended and their accept_reviewed criteria added
    to the evidence policy: what `assess --profile` scores. Validated again as a whole (pydantic and
    cross-references), so a combination of valid profiles that clashes (a duplicate id) is refused."""
    base = base or default_rubric()
    if not profiles:
        return base
    rubric = _combine(base.rubric, profiles)
    try:
        rubric = Rubric.model_validate(rubric.model_dump())
    except ValidationError as exc:
        raise RubricError([f"profiles {', '.join(p.id for p in profiles)}: {problem}" for problem in _pydantic_problems(exc, lambda loc: "combined rubric")]) from None
    problems = reference_problems(rubric, base.catalogue, known_detector_ids(), lambda loc: f"profiles {', '.join(p.id for p in profiles)}")
    if problems:
        raise RubricError(problems)
    return LoadedRubric(rubric=rubric, path=base.path, digest=rubric_digest(rubric), catalogue=base.catalogue)


def extend_policy(policy: EvidencePolicy, profiles: list[Profile]) -> EvidencePolicy:
    """An evidence policy (e.g. one given with --policy) with the profiles' accept_reviewed added."""
    accept = list(policy.accept_reviewed)
    for profile in profiles:
        accept += [cid for cid in profile.meta.accept_reviewed if cid not in accept]
    return policy.model_copy(update={"accept_reviewed": accept})


def _known(name: str) -> None:
    known = available_profiles()
    if name not in known:
        near = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        raise InputError(f"unknown profile '{name}'{hint}; bundled profiles: {', '.join(known) or 'none'}")


@cache
def bundled_profile(name: str) -> Profile:
    """A bundled profile by name, validated against the bundled rubric, loaded once per process.
    InputError naming the bundled ones when there is no such profile."""
    _known(name)
    return load_profile(profiles_dir() / name)


def resolve_profile(name_or_path: str, base: LoadedRubric | None = None) -> Profile:
    """A bundled profile name, or a path to a profile folder, validated against `base` (default:
    the bundled rubric)."""
    path = Path(name_or_path)
    if (path / PROFILE_FILE).is_file():
        return load_profile(path, base=base)
    if base is None:
        return bundled_profile(name_or_path)
    _known(name_or_path)
    return load_profile(profiles_dir() / name_or_path, base=base)


def with_profiles(base: LoadedRubric, names: tuple[str, ...] | list[str]) -> LoadedRubric:
    """The base rubric with the named profiles combined in (the base itself when none is named):
    what a command given `--profile NAME` (repeatable) reads."""
    if not names:
        return base
    return combined_rubric([resolve_profile(n, base=base) for n in names], base=base)
