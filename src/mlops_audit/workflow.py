"""The assessment workflow at the I/O edge: read every source, verify runs, score, write.

`mlops-audit assess` and `mlops-audit demo` both call `run_assessment`; tests call it too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from mlops_audit.errors import InputError
from mlops_audit.evidence.answers import Organisation
from mlops_audit.evidence.documents import load_documents, load_resolutions
from mlops_audit.evidence.model import Evidence, Waiver
from mlops_audit.evidence.runs import CreditedRun, credit_run, evidence_from_runs
from mlops_audit.evidence.waivers import load_waivers
from mlops_audit.result.model import Assessment, InputRef, LearningMaterialNote, RepoRecord, RunRecord
from mlops_audit.rubric.loader import LoadedRubric, default_rubric, load_policy, load_rubric, policy_problems
from mlops_audit.rubric.profiles import combined_rubric, extend_policy, resolve_profile
from mlops_audit.rubric.model import EvidencePolicy, Strength
from mlops_audit.scoring.engine import AssessmentInputs, assess
from mlops_audit.util.clock import isoformat
from mlops_audit.util.clock import now as clock_now
from mlops_audit.util.jsonio import sha256_file, sha256_text, write_json
from mlops_audit.util.safeyaml import format_key_path

Progress = Callable[[str], None]


@dataclass
class AssessOptions:
    answers: list[Path] = field(default_factory=list)
    answers_log: Path | None = None  # a campaign's exported answers log (serve); verified against the answers
    repos: list[Path] = field(default_factory=list)
    evidence_files: list[Path] = field(default_factory=list)  # output of `mlops-audit collect`
    runs: list[Path] = field(default_factory=list)
    waivers: Path | None = None
    policy: Path | None = None
    rubric: Path | None = None
    organisation: str | None = None
    scope: str | None = None
    assessor: str | None = None
    assessed_at: datetime | None = None  # injected; defaults to clock.now() (SOURCE_DATE_EPOCH aware)
    # How paths are named in the result: relative to display_root when under it, or by an explicit
    # name. Never absolute paths of the machine that ran the assessment.
    display_root: Path | None = None
    names: dict[Path, str] = field(default_factory=dict)
    trust_keys: list[Path] = field(default_factory=list)  # Ed25519 public keys whose signed runs are `verified`
    documents: list[Path] = field(default_factory=list)  # reviewed-documents files (strength `reviewed`)
    resolutions: Path | None = None  # assessor decisions on conflicts
    accept_reference_runs: bool = False  # credit runs of the bundled reference pipeline (the demo; printed as a caveat)
    portfolios: list[Path] = field(default_factory=list)  # folders of 'mlops-audit portfolio collect' (estate shares)
    profiles: list[str] = field(default_factory=list)  # regulator profiles (names or folders) scored beside the rubric


@dataclass(frozen=True)
class _Namer:
    """Names paths for the result: as given, relative to a root, or by an explicit name."""

    root: Path | None = None
    names: dict[Path, str] = field(default_factory=dict)

    def __call__(self, path: Path) -> str:
        if path in self.names:
            return self.names[path]
        if self.root is not None:
            try:
                return path.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                pass
        return path.as_posix()


def _collect_repo(path: Path, loaded: LoadedRubric, progress: Progress, name: _Namer, at: datetime) -> tuple[list[Evidence], RepoRecord, InputRef, list[str]]:
    from mlops_audit.evidence.repo.collect import collect

    if not path.is_dir():
        raise InputError(f"{path}: --repo expects a folder (a checkout of the repository)")
    progress(f"collecting evidence from {path}")
    result = collect(path, rubric=loaded, now=at)
    return _repo_evidence(result, name(path), loaded)


def _repo_evidence(result, name: str, loaded: LoadedRubric) -> tuple[list[Evidence], RepoRecord, InputRef, list[str]]:
    from mlops_audit.evidence.sources import evidence_from_findings

    evidence, warnings = evidence_from_findings(name, result.findings, None, loaded.rubric)
    outcomes = [getattr(f.outcome, "value", f.outcome) for f in result.findings]
    git = result.git.model_dump(mode="json") if hasattr(result.git, "model_dump") else dict(result.git or {})
    record = RepoRecord(
        name=name,
        findings=len(outcomes),
        passed=outcomes.count("pass"),
        partial=outcomes.count("partial"),
        failed=outcomes.count("fail"),
        not_applicable=outcomes.count("not_applicable"),
        errors=outcomes.count("error"),
        git=git,
        learning_material=_learning_material_note(result),
    )
    head = git.get("head") if isinstance(git, dict) else None
    digest = head if isinstance(head, str) else sha256_text(result.model_dump_json())
    return evidence, record, InputRef(kind="repo", name=name, sha256=digest), warnings


def _learning_material_note(result) -> LearningMaterialNote | None:  # noqa: ANN001 (a CollectionResult)
    """The collection's learning-material verdict, when it found any (a collection written before
    the verdict existed reads back with the default, "none")."""
    found = result.stats.learning_material
    if found.verdict == "none":
        return None
    return LearningMaterialNote(verdict=found.verdict, code_share=found.code_share, counted=found.counted, reasons=list(found.reasons[:3]))


def _load_collection(path: Path):
    from mlops_audit.evidence.repo.model import CollectionResult

    try:
        return CollectionResult.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read evidence file: {exc}") from None
    except ValidationError as exc:
        e = exc.errors(include_url=False)[0]
        raise InputError(f"{path}: not an mlops-audit collection (JSON from 'mlops-audit collect'): {format_key_path(tuple(e['loc']))}: {e['msg']}") from None


def nested_trails(run_dir: Path) -> list[Path]:
    """The run folder's own trail and the trails one level inside it (e.g. an independent
    validation written under `validation/`, which must see the development trail closed)."""
    inner = sorted(p for p in run_dir.iterdir() if p.is_dir() and not p.is_symlink() and (p / "audit.jsonl").is_file())
    return [run_dir, *inner]


def verify_trails(run_dir: Path) -> list[tuple[Path, object]]:
    """Verify every trail of a run. A nested trail counts only when the outer one verifies."""
    from mlops_audit.evidence.trail import verify_run

    results = []
    for trail_dir in nested_trails(run_dir):
        results.append((trail_dir, verify_run(trail_dir)))
    return results


def executed_clauses(results: list[tuple[Path, object]]) -> set[str]:
    """Clauses executed in trails that verified; nothing at all when the outer trail did not."""
    if not results or not results[0][1].ok:
        return set()
    return {clause for _, r in results if r.ok for clause in r.clauses_executed}


def _trusted_key_ids(paths: list[Path]) -> list[str]:
    from mlops_audit.evidence.trail.keys import key_id, load_public_key

    ids = []
    for path in paths:
        try:
            ids.append(key_id(load_public_key(path)))
        except (InputError, ValueError, OSError) as exc:
            raise InputError(f"--trust-key {path}: not an Ed25519 public key in PEM form ({exc})") from None
    return ids


def _run_records(
    paths: list[Path], policy: EvidencePolicy, organisation: str | None,
    trusted: frozenset[str], accept_reference: bool, progress: Progress, name: _Namer,
) -> tuple[list[RunRecord], list[CreditedRun], list[InputRef]]:
    """Verify every trail of every run folder and decide what each is worth (evidence/runs.py).

    Trails nested in a run folder (an independent validation) belong to that run: their events
    join the run's, the run is worth its weakest credited part, and a nested trail counts only when
    the outer one verifies. A trail given twice (nested and explicitly, or twice) is counted once.
    """
    records: list[RunRecord] = []
    credited: list[CreditedRun] = []
    refs: list[InputRef] = []
    seen: dict[tuple[str | None, str | None], str] = {}
    for path in paths:
        progress(f"verifying pipeline run {name(path)}")
        manifest = path / "manifest.json"
        refs.append(InputRef(kind="run", name=name(path), sha256=sha256_file(manifest) if manifest.is_file() else None))
        results = verify_trails(path)
        outer_name = name(results[0][0])
        outer_ok = results[0][1].ok
        outer_system = results[0][1].system
        events: list = []
        strengths: list[Strength] = []
        outer_credited, outer_status = False, "duplicate"  # nothing inside a run counts unless the run itself does
        for i, (trail_dir, result) in enumerate(results):
            system = result.system or (outer_system if i else None)
            base = dict(
                name=name(trail_dir), run_id=result.run_id, ok=result.ok, problems=list(result.problems),
                event_count=result.event_count, head_hash=result.head_hash, merkle_root=result.merkle_root,
                signature=str(result.signature), clauses_executed=sorted(result.clauses_executed) if result.ok else [],
                first_bad_seq=result.first_bad_seq, signer=result.signature_keyid,
                trusted_signer=result.signature == "valid" and result.signature_keyid in trusted,
                system=system, reference=bool((system or {}).get("reference")), nested_in=outer_name if i else None,
            )
            key = (result.run_id, result.head_hash)
            if key in seen:
                records.append(RunRecord(**base, status="duplicate", duplicate_of=seen[key], reason=f"the same trail as {seen[key]}; counted once"))
                continue
            seen[key] = base["name"]
            if i and not outer_credited:
                status = "not_verified" if not outer_ok else outer_status
                records.append(RunRecord(**base, status=status, reason=f"the run it belongs to ({outer_name}) is not credited ({outer_status})"))  # type: ignore[arg-type]
                continue
            decision = credit_run(
                verified=result.ok, system=system, signature=base["signature"], signer=result.signature_keyid,
                organisation=organisation, trusted_signers=trusted, unsigned_runs=policy.unsigned_runs,
                accept_reference=accept_reference,
            )
            ok = decision.status == "credited"
            if i == 0:
                outer_credited, outer_status = ok, decision.status
            records.append(RunRecord(**base, credited=ok, status=decision.status, strength=decision.strength, reason=decision.reason))  # type: ignore[arg-type]
            if ok:
                events += list(result.events or [])
                strengths.append(decision.strength)  # type: ignore[arg-type]
        if strengths and outer_credited:
            weakest = min(strengths, key=lambda s: s.rank)
            credited.append(CreditedRun(run_id=results[0][1].run_id or path.name, events=events, strength=weakest, head_hash=results[0][1].head_hash))
    return records, credited, refs


def _organisation(opts: AssessOptions, answer_files: list) -> str | None:
    """The organisation assessed: --organisation, else the first answer file's (as the engine picks it)."""
    if opts.organisation:
        return opts.organisation
    for _source, answer_file in sorted(answer_files, key=lambda item: item[0]):
        if answer_file.organisation is not None:
            return answer_file.organisation.name
    return None


def run_assessment(opts: AssessOptions, progress: Progress | None = None) -> Assessment:
    progress = progress or (lambda _msg: None)
    name = _Namer(opts.display_root, dict(opts.names))
    base = load_rubric(opts.rubric) if opts.rubric else default_rubric()
    chosen = [resolve_profile(n, base=base) for n in opts.profiles]
    loaded = combined_rubric(chosen, base=base) if chosen else base
    at = opts.assessed_at or clock_now()
    inputs: list[InputRef] = []
    warnings: list[str] = []
    evidence: list[Evidence] = []
    runs: list[RunRecord] = []
    repos: list[RepoRecord] = []

    policy = None
    if opts.policy:
        policy = extend_policy(load_policy(opts.policy), chosen)
        problems = policy_problems(policy, loaded.rubric, lambda loc: str(opts.policy))
        if problems:
            raise InputError("\n".join(problems))
        inputs.append(InputRef(kind="policy", name=name(opts.policy), sha256=sha256_file(opts.policy)))

    answer_files = []
    if opts.answers:
        from mlops_audit.evidence.questionnaire.importer import read_answer_files

        progress(f"reading answers from {len(opts.answers)} path(s)")
        imported = read_answer_files(list(opts.answers), loaded)
        if imported.errors:
            raise InputError(
                f"{len(imported.errors)} problem(s) in the answer files:\n" + "\n".join(str(p) for p in imported.problems)
            )
        # problems name their file as the result names it (never a path of this machine)
        shown_as = {str(source): name(Path(source)) for source, _file in imported.files}
        for problem in imported.problems:
            located = problem.located()
            where = next((s for s in shown_as if located.startswith(f"{s}:")), None)
            warnings.append(shown_as[where] + located[len(where):] if where else located)
        for source, answer_file in imported.files:
            shown = name(Path(source))
            answer_files.append((shown, answer_file))
            inputs.append(InputRef(kind="answers", name=shown, sha256=sha256_file(source)))
    if opts.answers_log:
        from mlops_audit.evidence.answers_log import check_answers_log

        progress(f"verifying the answers log {name(opts.answers_log)}")
        log = check_answers_log(opts.answers_log, name(opts.answers_log), answer_files)
        inputs.append(InputRef(kind="answers_log", name=name(opts.answers_log), sha256=log.head, entries=log.entries))

    waivers: list[Waiver] = []
    if opts.waivers:
        waivers = load_waivers(opts.waivers, loaded)
        inputs.append(InputRef(kind="waivers", name=name(opts.waivers), sha256=sha256_file(opts.waivers)))

    for repo in opts.repos:
        ev, record, ref, warn = _collect_repo(repo, loaded, progress, name, at)
        evidence += ev
        repos.append(record)
        inputs.append(ref)
        warnings += warn
    for file in opts.evidence_files:
        ev, record, ref, warn = _repo_evidence(_load_collection(file), name(file), loaded)
        evidence += ev
        repos.append(record)
        inputs.append(ref.model_copy(update={"sha256": sha256_file(file)}))
        warnings += warn
    effective_policy = policy or loaded.rubric.evidence_policy
    trusted = frozenset(_trusted_key_ids(list(opts.trust_keys)))
    for key_path in opts.trust_keys:
        inputs.append(InputRef(kind="trust_key", name=name(key_path), sha256=sha256_file(key_path)))
    records, credited, refs = _run_records(
        list(opts.runs), effective_policy, _organisation(opts, answer_files), trusted,
        opts.accept_reference_runs, progress, name,
    )
    runs += records
    inputs += refs
    evidence += evidence_from_runs(loaded.rubric, credited, isoformat(at))
    for record in records:
        if not record.ok and record.duplicate_of is None:
            warnings.append(f"pipeline trail {record.name} failed verification and contributes nothing: " + "; ".join(record.problems[:3]))
        elif record.status not in ("credited", "not_verified"):
            warnings.append(f"pipeline trail {record.name} is not credited: {record.reason}")

    for folder in opts.portfolios:
        from mlops_audit.evidence.estate import evidence_from_portfolio
        from mlops_audit.portfolio.store import load_portfolio

        progress(f"reading portfolio {name(folder)}")
        evidence += evidence_from_portfolio(loaded.rubric, load_portfolio(folder), name(folder))
        index = folder / "portfolio.json"
        inputs.append(InputRef(kind="portfolio", name=name(folder), sha256=sha256_file(index) if index.is_file() else None))

    resolutions = []
    for doc_path in opts.documents:
        evidence += load_documents(doc_path, loaded.rubric, effective_policy)
        inputs.append(InputRef(kind="documents", name=name(doc_path), sha256=sha256_file(doc_path)))
    if opts.resolutions:
        resolutions = load_resolutions(opts.resolutions, loaded.rubric)
        inputs.append(InputRef(kind="resolutions", name=name(opts.resolutions), sha256=sha256_file(opts.resolutions)))

    organisation = Organisation(name=opts.organisation, scope=opts.scope) if opts.organisation else None
    progress("scoring")
    assessment = assess(
        AssessmentInputs(
            rubric=loaded,
            answer_files=answer_files,
            evidence=evidence,
            waivers=waivers,
            policy=policy,
            runs=runs,
            repos=repos,
            inputs=inputs,
            organisation=organisation,
            assessor=opts.assessor,
            warnings=warnings,
            resolutions=resolutions,
        ),
        assessed_at=at,
    )
    if not chosen:
        return assessment
    from mlops_audit.scoring.regulatory import regulatory_coverage

    return assessment.model_copy(update={"regulatory": regulatory_coverage(assessment, chosen)})


def write_assessment(assessment: Assessment, out_dir: Path) -> Path:
    return write_json(out_dir / "assessment.json", assessment.model_dump(mode="json"))
