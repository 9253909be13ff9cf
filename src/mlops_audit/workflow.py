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
from mlops_audit.evidence.model import Evidence, Waiver
from mlops_audit.evidence.waivers import load_waivers
from mlops_audit.result.model import Assessment, InputRef, RepoRecord, RunRecord
from mlops_audit.rubric.loader import LoadedRubric, default_rubric, load_policy, load_rubric
from mlops_audit.scoring.engine import AssessmentInputs, assess
from mlops_audit.util.clock import isoformat
from mlops_audit.util.clock import now as clock_now
from mlops_audit.util.jsonio import sha256_file, sha256_text, write_json
from mlops_audit.util.safeyaml import format_key_path

Progress = Callable[[str], None]


@dataclass
class AssessOptions:
    answers: list[Path] = field(default_factory=list)
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
        failed=outcomes.count("fail"),
        not_applicable=outcomes.count("not_applicable"),
        errors=outcomes.count("error"),
        git=git,
    )
    head = git.get("head") if isinstance(git, dict) else None
    digest = head if isinstance(head, str) else sha256_text(result.model_dump_json())
    return evidence, record, InputRef(kind="repo", name=name, sha256=digest), warnings


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


def _verify_run(path: Path, loaded: LoadedRubric, verified_at: str, progress: Progress, name: _Namer) -> tuple[list[Evidence], list[RunRecord], InputRef]:
    from mlops_audit.evidence.sources import evidence_from_run

    progress(f"verifying pipeline run {name(path)}")
    results = verify_trails(path)
    records = []
    seq_by_clause: dict[str, list[int]] = {}
    for trail_dir, result in results:
        for event in (result.events or []) if result.ok else []:
            seq_by_clause.setdefault(event.clause, []).append(event.seq)
        records.append(
            RunRecord(
                name=name(trail_dir),
                run_id=result.run_id,
                ok=result.ok,
                problems=list(result.problems),
                event_count=result.event_count,
                head_hash=result.head_hash,
                merkle_root=result.merkle_root,
                signature=str(result.signature),
                clauses_executed=sorted(result.clauses_executed) if result.ok else [],
            )
        )
    manifest = path / "manifest.json"
    ref = InputRef(kind="run", name=name(path), sha256=sha256_file(manifest) if manifest.is_file() else None)
    done = executed_clauses(results)
    if not done:
        return [], records, ref  # a run that fails verification contributes nothing
    outer = results[0][1]
    evidence = evidence_from_run(loaded.rubric, outer.run_id or path.name, sorted(done), seq_by_clause, outer.head_hash, verified_at)
    return evidence, records, ref


def run_assessment(opts: AssessOptions, progress: Progress | None = None) -> Assessment:
    progress = progress or (lambda _msg: None)
    name = _Namer(opts.display_root, dict(opts.names))
    loaded = load_rubric(opts.rubric) if opts.rubric else default_rubric()
    at = opts.assessed_at or clock_now()
    inputs: list[InputRef] = []
    warnings: list[str] = []
    evidence: list[Evidence] = []
    runs: list[RunRecord] = []
    repos: list[RepoRecord] = []

    policy = None
    if opts.policy:
        policy = load_policy(opts.policy)
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
        warnings.extend(str(p) for p in imported.problems)
        for source, answer_file in imported.files:
            shown = name(Path(source))
            answer_files.append((shown, answer_file))
            inputs.append(InputRef(kind="answers", name=shown, sha256=sha256_file(source)))

    waivers: list[Waiver] = []
    if opts.waivers:
        waivers = load_waivers(opts.waivers)
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
    for run in opts.runs:
        ev, records, ref = _verify_run(run, loaded, isoformat(at), progress, name)
        evidence += ev
        runs.extend(records)
        inputs.append(ref)
        for record in records:
            if not record.ok:
                warnings.append(f"pipeline trail {record.name} failed verification and contributes nothing: " + "; ".join(record.problems[:3]))

    organisation = Organisation(name=opts.organisation, scope=opts.scope) if opts.organisation else None
    progress("scoring")
    return assess(
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
        ),
        assessed_at=at,
    )


def write_assessment(assessment: Assessment, out_dir: Path) -> Path:
    return write_json(out_dir / "assessment.json", assessment.model_dump(mode="json"))
