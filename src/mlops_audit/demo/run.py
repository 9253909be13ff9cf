"""`mlops-audit demo`: the whole product on bundled material, offline, in about a minute.

1. runs the reference pipeline's default scenario (seven stages, drift, retraining, canary) and
   verifies its audit trail;
2. writes the example bank's answers (five respondents, several formats) and last year's answers;
3. collects repository evidence from the reference pipeline's own source tree;
4. assesses (answers + repository + verified run + waivers), with last year's assessment as the
   previous one, and renders the reports in Chinese and English plus the exports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from mlops_audit.errors import AuditError
from mlops_audit.evidence.model import WaiverFile
from mlops_audit.result.model import Assessment
from mlops_audit.util.clock import now as clock_now
from mlops_audit.util.jsonio import atomic_write_text, pretty_json, write_json

Progress = Callable[[str], None]
REPORT_FORMATS = ["html", "pdf", "json", "oscal", "sarif", "xlsx"]
DEMO_PROFILES = ["cn-finance"]


@dataclass
class DemoResult:
    out_dir: Path
    assessment: Assessment
    run_ok: bool
    written: list[Path] = field(default_factory=list)


def _write_answer_files(
    loaded, out: Path, *, maturity_shift: int = 0, formats: bool = True, evidenced: frozenset[str] = frozenset()
) -> list[Path]:
    import yaml

    from mlops_audit.demo.example_org import answer_files

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for persona, model in answer_files(loaded, maturity_shift=maturity_shift, evidenced=evidenced):
        data = model.model_dump(mode="json", exclude_none=True)
        fmt = persona.fmt if formats else "yaml"
        if fmt == "xlsx":
            written.append(_write_xlsx(loaded, model, out / f"{persona.id}.xlsx"))
            continue
        if fmt == "json":
            path = out / f"{persona.id}.json"
            atomic_write_text(path, pretty_json(data))
        else:
            path = out / f"{persona.id}.yaml"
            atomic_write_text(path, yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120))
        written.append(path)
    return written


def _write_xlsx(loaded, model, path: Path) -> Path:
    """A filled Excel questionnaire in Chinese, as a business user returns it."""
    from mlops_audit.evidence.questionnaire.export import make_form, render
    from mlops_audit.util.jsonio import atomic_write_bytes

    form, _ = make_form(loaded, lang="zh", roles=list(model.respondent.roles), filled=model)
    return atomic_write_bytes(path, render(form, "xlsx"))


def evidenced_criteria(loaded, collection, trails) -> frozenset[str]:
    """Criteria the automated sources will show met: passing detectors, and the run's routes."""
    from mlops_audit.evidence.runs import CreditedRun, evidence_from_runs
    from mlops_audit.rubric.model import Strength

    ids = {cid for f in collection.findings if getattr(f.outcome, "value", f.outcome) == "pass" for cid in f.criteria}
    if trails and trails[0][1].ok:
        events = [e for _, result in trails if result.ok for e in result.events]
        run = CreditedRun(run_id="demo", events=events, strength=Strength.verified, head_hash=None)
        ids |= {cid for e in evidence_from_runs(loaded.rubric, [run], None) for cid in e.criteria}
    return frozenset(ids)


def write_documents(loaded, out: Path) -> Path | None:
    """The assessor's reviewed-documents file, with the (fictional) documents beside it."""
    import hashlib

    import yaml

    from mlops_audit.demo.example_org import reviewed_documents

    docs = reviewed_documents(loaded)
    if not docs:
        return None
    folder = out / "documents"
    entries = []
    for file_name, title, text, criteria in docs:
        atomic_write_text(folder / file_name, text)
        entries.append({
            "id": file_name.removesuffix(".md"), "title": title, "path": file_name,
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "reviewed_by": "王敏 / Wang Min (lead assessor)", "reviewed_at": "2026-11-27",
            "note": "Read in full; the sections named per criterion describe the practice and its approval.",
            "criteria": criteria,
        })
    path = folder / "reviewed.yaml"
    atomic_write_text(path, yaml.safe_dump({"format": "mlops-audit/reviewed-documents@1", "documents": entries}, allow_unicode=True, sort_keys=False))
    return path


def reference_run(run_dir: Path, *, at, signing_key, progress: Progress | None = None) -> None:  # noqa: ANN001
    """The reference pipeline's default scenario for the example bank, signed with `signing_key`,
    its clock two hours before `at` (the demo's step 1; `serve --demo` runs the same)."""
    from reference_pipeline.config import load_config
    from reference_pipeline.run import run_pipeline

    from mlops_audit.demo.example_org import ORGANISATION

    ticks = iter(range(10**9))
    run_pipeline(
        load_config(None),
        run_dir,
        clock=lambda: at - timedelta(hours=2) + timedelta(seconds=next(ticks)),
        run_id=f"demo-{at.strftime('%Y%m%d')}",
        progress=progress or (lambda _m: None),
        signing_key=signing_key,
        organisation=ORGANISATION.name,
    )


def run_demo(out_dir: Path, *, langs: list[str], progress: Progress | None = None) -> DemoResult:
    from mlops_audit.demo.example_org import waivers
    from mlops_audit.report import render_reports
    from mlops_audit.rubric.loader import default_rubric
    from mlops_audit.workflow import AssessOptions, run_assessment, verify_trails, write_assessment

    progress = progress or (lambda _m: None)
    out_dir.mkdir(parents=True, exist_ok=True)
    at = clock_now()
    from mlops_audit.rubric.profiles import with_profiles

    # The bank is assessed against the CAICT rubric and, beside it, the cn-finance regulator
    # profile (PBOC JR/T 0221-2021, PIPL, the algorithm-recommendation rules): regulatory coverage.
    loaded = with_profiles(default_rubric(), DEMO_PROFILES)

    run_dir = out_dir / "run"
    if run_dir.exists() and any(run_dir.iterdir()):
        raise AuditError(f"{run_dir}: already holds a pipeline run; choose an empty --out folder")
    progress("[1/6] reference pipeline: seven stages, drift episode, retraining, canary, model risk validation")
    import reference_pipeline

    from mlops_audit.evidence.trail.keys import generate_signing_key, save_signing_key

    # The demo signs its run with a key it generates and trusts, to show the strongest path
    # (verified) end to end. A real assessment trusts only keys the organisation controls.
    key_path = out_dir / "keys" / "demo-signing-key.pem"
    key = generate_signing_key()
    save_signing_key(key_path, key, overwrite=True)
    reference_run(run_dir, at=at, signing_key=key, progress=lambda msg: progress(f"      {msg}"))
    trails = verify_trails(run_dir)
    run_ok = all(result.ok for _, result in trails)
    for trail_dir, result in trails:
        shown = trail_dir.relative_to(out_dir).as_posix()
        progress(f"      audit trail {shown}: {'intact' if result.ok else 'NOT INTACT'}, {result.event_count} events")

    progress("[2/6] repository evidence from the reference pipeline's own source tree")
    from mlops_audit.evidence.repo.collect import collect

    repo = Path(reference_pipeline.__file__).resolve().parent
    collection = collect(repo, rubric=loaded, now=at)
    evidence_path = write_json(out_dir / "evidence.json", collection.model_dump(mode="json"))
    evidenced = evidenced_criteria(loaded, collection, trails)

    progress("[3/6] example bank: five respondents answer the questionnaire")
    answers_dir = out_dir / "answers"
    _write_answer_files(loaded, answers_dir, evidenced=evidenced)
    waiver_path = out_dir / "waivers.yaml"
    import yaml

    atomic_write_text(
        waiver_path,
        yaml.safe_dump(WaiverFile(waivers=waivers(loaded, evidenced)).model_dump(mode="json"), allow_unicode=True, sort_keys=False),
    )

    progress("[4/6] last year's assessment (answers only), for the trend")
    previous_dir = out_dir / "previous"
    _write_answer_files(loaded, previous_dir / "answers", maturity_shift=-1, formats=False)
    previous = run_assessment(
        AssessOptions(answers=[previous_dir / "answers"], profiles=DEMO_PROFILES, assessed_at=at - timedelta(days=365), display_root=out_dir)
    )
    write_assessment(previous, previous_dir)

    progress("[5/6] assessing: answers + repository evidence + signed run + reviewed documents + waivers")
    documents = write_documents(loaded, out_dir)
    options = dict(
        answers=[answers_dir],
        evidence_files=[evidence_path],
        runs=[run_dir],
        trust_keys=[key_path.with_name(key_path.name + ".pub")],
        # The run is of the bundled reference pipeline: credited here because this is the demo,
        # and the report says so on its first page.
        accept_reference_runs=True,
        waivers=waiver_path,
        documents=[documents] if documents else [],
        assessor="mlops-audit demo",
        assessed_at=at,
        display_root=out_dir,
        profiles=DEMO_PROFILES,
    )
    first = run_assessment(AssessOptions(**options))
    # The assessor looks at the conflicts and decides some; the others stay open on page 1.
    from mlops_audit.demo.example_org import decide_conflicts

    decisions = out_dir / "decisions.yaml"
    atomic_write_text(decisions, yaml.safe_dump({"format": "mlops-audit/resolutions@1", "resolutions": decide_conflicts(first.conflicts)},
                                                allow_unicode=True, sort_keys=False))
    assessment = run_assessment(AssessOptions(**options, resolutions=decisions), progress=lambda msg: progress(f"      {msg}"))
    written = [write_assessment(assessment, out_dir)]

    progress(f"[6/6] rendering reports ({', '.join(langs)}) and exports")
    attachments = {
        f"{trail_dir.relative_to(out_dir).as_posix().replace('/', '-')}-manifest.json": (trail_dir / "manifest.json").read_bytes()
        for trail_dir, _ in trails
        if (trail_dir / "manifest.json").is_file()
    }
    written += render_reports(
        assessment, formats=REPORT_FORMATS, lang=langs, out_dir=out_dir, previous=previous, attachments=attachments,
        progress=lambda msg: progress(f"      {msg}"),
    )
    write_json(out_dir / "demo-summary.json", {
        "overall_level": assessment.overall.level,
        "overall_score": assessment.overall.score,
        "run_verified": run_ok,
        "files": sorted(p.relative_to(out_dir).as_posix() for p in written),
    })
    return DemoResult(out_dir=out_dir, assessment=assessment, run_ok=run_ok, written=written)
