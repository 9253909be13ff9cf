"""From a campaign to files the CLI reads, to an assessment, to reports; history and diff.

Nothing is locked in the database: `write_inputs` lays out a campaign exactly as an assessor would
hand it to the CLI (answers/<respondent>.json, evidence/<file>, waivers.<ext>), and the assessment
is `mlops_audit.workflow.run_assessment` on those files, so `mlops-audit assess` on the same files
gives the same assessment.json bytes (tested).
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from mlops_audit.errors import AuditError
from mlops_audit.evidence.answers import AnswerFile
from mlops_audit.evidence.questionnaire.export import FORMATS as ANSWER_FORMATS
from mlops_audit.evidence.questionnaire.export import make_form, render
from mlops_audit.result.model import Assessment
from mlops_audit.rubric.loader import LoadedRubric
from mlops_audit.server import campaigns, ledger
from mlops_audit.server.campaigns import ClientError
from mlops_audit.server.db import AssessmentRow, Campaign, CampaignFile, RenderedFile
from mlops_audit.util.clock import now as clock_now
from mlops_audit.util.jsonio import pretty_json

REPORT_FILES = {
    # download name -> (render_reports format, language or None)
    "report.zh.html": ("html", "zh"),
    "report.en.html": ("html", "en"),
    "report.zh.pdf": ("pdf", "zh"),
    "report.en.pdf": ("pdf", "en"),
    "assessment.oscal.json": ("oscal", None),
    "assessment.sarif": ("sarif", None),
    "assessment.xlsx": ("xlsx", None),
}
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# What an assessor can attach to a campaign: collect JSON, a zipped run folder, waivers, a zipped
# reviewed-documents folder (reviewed.yaml and the documents it names), decisions on conflicts, a
# public key whose signed runs count as verified (`assess --trust-key`), a zipped portfolio folder
# (`mlops-audit portfolio collect`; `assess --portfolio`).
FILE_KINDS = ("evidence", "run", "waivers", "documents", "resolutions", "trust_key", "portfolio")
PORTFOLIO_FILE = "portfolio.json"
MAX_KEY_FILE = 16 * 1024  # a PEM public key is about 113 bytes
DOCUMENTS_FILE = "reviewed.yaml"


def safe_filename(name: str, default: str = "file") -> str:
    base = SAFE_NAME.sub("_", Path(name or "").name).strip("._") or default
    return base[:120]


def answer_files(session: Session, rubric: LoadedRubric, campaign: Campaign, *, submitted_only: bool) -> list[AnswerFile]:
    everyone = campaigns.respondents_of(session, campaign)
    chosen = [r for r in everyone if r.submitted_at is not None or not submitted_only]
    rows = campaigns.answers_by_respondent(session, chosen)
    files = [campaigns.answer_file(session, rubric, campaign, r, everyone, rows[r.id]) for r in chosen]
    return [f for f in files if f.answers or not submitted_only]


def answer_bytes(rubric: LoadedRubric, model: AnswerFile, fmt: str, lang: str = "en") -> bytes:
    """One respondent's file in a CLI format: `answers` is the bare answers@1 JSON (what assessments
    read), the others are the questionnaire exporter's re-export of a filled file."""
    if fmt == "answers":
        return pretty_json(model.model_dump(mode="json")).encode("utf-8")
    if fmt not in ANSWER_FORMATS:
        raise ClientError(422, f"format: expected one of {', '.join(ANSWER_FORMATS)}")
    form, _ = make_form(rubric, lang=lang, roles=list(model.respondent.roles), filled=model)
    return render(form, fmt)


def campaign_files(session: Session, campaign: Campaign, kind: str) -> list[CampaignFile]:
    return list(session.scalars(select(CampaignFile).where(CampaignFile.campaign_id == campaign.id, CampaignFile.kind == kind).order_by(CampaignFile.id)))


def campaign_findings(session: Session, campaign: Campaign) -> list:
    """The findings of every attached collect JSON, for detector proposals on respondents' pages."""
    import json

    from mlops_audit.evidence.questionnaire.prefill import parse_findings

    findings = []
    for item in campaign_files(session, campaign, "evidence"):
        try:
            findings += parse_findings(json.loads(item.data), item.filename)
        except (AuditError, ValueError) as exc:
            raise ClientError(422, f"attached evidence {item.filename}: {getattr(exc, 'message', exc)}") from None
    return findings


@dataclass
class Inputs:
    root: Path
    answers: Path | None
    evidence: list[Path]
    waivers: Path | None
    runs: list[Path]
    answers_log: Path | None
    documents: list[Path]
    resolutions: Path | None
    trust_keys: list[Path]
    portfolios: list[Path]


def write_inputs(session: Session, rubric: LoadedRubric, campaign: Campaign, root: Path, *, submitted_only: bool = True, log: bool = True) -> Inputs:
    """The campaign's inputs as files: submitted answers (JSON), attached evidence, the latest waivers,
    the campaign's answers log (a closed trail folder, as `log.zip` holds it). `submitted_only=False`
    (the dashboard's live view) writes every respondent's saved answers instead."""
    answers_dir = root / "answers"
    files = answer_files(session, rubric, campaign, submitted_only=submitted_only)
    if files:
        answers_dir.mkdir(parents=True)
        for model in files:
            (answers_dir / f"{safe_filename(model.respondent.id)}.json").write_bytes(answer_bytes(rubric, model, "answers"))
    evidence = _each(session, campaign, "evidence", root / "evidence", "evidence.json")
    trust_keys = _each(session, campaign, "trust_key", root / "keys", "key.pem")
    runs = _unpacked(session, campaign, "run", root / "runs", run_root)
    waivers = _latest(session, campaign, "waivers", root)
    documents = _unpacked(session, campaign, "documents", root / "documents", documents_file)
    resolutions = _latest(session, campaign, "resolutions", root)
    portfolios = _unpacked(session, campaign, "portfolio", root / "portfolios", portfolio_folder)
    answers_log = ledger.export(session, campaign.id, root / log_folder(campaign)) if log else None
    return Inputs(root, answers_dir if files else None, evidence, waivers, runs, answers_log, documents, resolutions, trust_keys, portfolios)


def _each(session: Session, campaign: Campaign, kind: str, folder: Path, default: str) -> list[Path]:
    """Every attached file of a kind (collect JSON, keys) as <folder>/<id>-<its name>."""
    found = []
    for item in campaign_files(session, campaign, kind):
        path = folder / f"{item.id}-{safe_filename(item.filename, default)}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(item.data)
        found.append(path)
    return found


def _unpacked(session: Session, campaign: Campaign, kind: str, folder: Path, unpack) -> list[Path]:  # noqa: ANN001
    """Every attached archive of a kind, unpacked into its own folder by `unpack` (which checks it)."""
    found = []
    for item in campaign_files(session, campaign, kind):
        dest = folder / f"{item.id}-{safe_filename(Path(item.filename).stem, kind)}"
        dest.mkdir(parents=True)
        found.append(unpack(item.data, dest, item.filename))
    return found


def _latest(session: Session, campaign: Campaign, kind: str, root: Path) -> Path | None:
    """The latest attached file of a kind (waivers, resolutions) as <kind>.<its extension>."""
    attached = campaign_files(session, campaign, kind)
    if not attached:
        return None
    latest = attached[-1]
    path = root / (kind + (Path(latest.filename).suffix.lower() or ".yaml"))
    path.write_bytes(latest.data)
    return path


def log_folder(campaign: Campaign) -> str:
    return f"campaign-{campaign.id}-log"


def run(session: Session, rubric: LoadedRubric, campaign: Campaign, *, assessor: str, assessed_at: datetime | None = None) -> AssessmentRow:
    """Score the campaign with the CLI's engine; the assessment records the answers log's head (the
    CLI verifies the exported log and checks the answers against it, as `assess --answers-log` does)."""
    from mlops_audit.workflow import write_assessment

    campaigns.check_rubric(campaign, rubric)
    problem = ledger.check_chain(ledger.lines(session, campaign.id))
    if problem:
        raise ClientError(409, problem)
    with tempfile.TemporaryDirectory(prefix="mlops-audit-serve-") as tmp:
        inputs = write_inputs(session, rubric, campaign, Path(tmp))
        if inputs.answers is None and not inputs.evidence and not inputs.runs and not inputs.documents and not inputs.portfolios:
            raise ClientError(409, "nothing to assess yet: no respondent has submitted answers and no evidence is attached")
        options = assess_options(campaign, inputs, assessor=assessor, assessed_at=assessed_at or clock_now())
        result = _assess(options)
        data = write_assessment(result, Path(tmp) / "out").read_bytes()
        used = {
            "profiles": list(options.profiles),
            "accept_reference_runs": options.accept_reference_runs,
            "trust_keys": [p.relative_to(inputs.root).as_posix() for p in options.trust_keys],
            "arguments": cli_arguments(options),
            "source_date_epoch": int(datetime.fromisoformat(result.assessed_at.replace("Z", "+00:00")).timestamp()),
        }
    log = next(i for i in result.inputs if i.kind == "answers_log")
    row = AssessmentRow(
        campaign_id=campaign.id,
        organisation=campaign.organisation,
        rubric_version=result.rubric.version,
        assessed_at=result.assessed_at,
        overall_level=result.overall.level,
        overall_score=None if result.overall.score is None else f"{result.overall.score:.1f}",
        log_head=log.sha256,
        log_count=log.entries,
        data=data,
        settings=json.dumps(used, ensure_ascii=False),
        created_at=campaigns.now(),
    )
    session.add(row)
    session.flush()
    return row


def assess_options(campaign: Campaign, inputs: Inputs, *, assessor: str | None, assessed_at: datetime):  # noqa: ANN201
    """The `AssessOptions` of the campaign's files and settings: what `mlops-audit assess` builds
    from the arguments `cli_arguments` gives."""
    from mlops_audit.server.settings import profiles_of
    from mlops_audit.workflow import AssessOptions

    return AssessOptions(
        answers=[inputs.answers] if inputs.answers else [],
        answers_log=inputs.answers_log,
        evidence_files=list(inputs.evidence),
        runs=list(inputs.runs),
        waivers=inputs.waivers,
        documents=list(inputs.documents),
        resolutions=inputs.resolutions,
        trust_keys=list(inputs.trust_keys),
        portfolios=list(inputs.portfolios),
        accept_reference_runs=bool(campaign.accept_reference_runs),
        profiles=profiles_of(campaign),
        organisation=campaign.organisation,
        scope=campaign.scope,
        assessor=assessor,
        assessed_at=assessed_at,
        display_root=inputs.root,
    )


def cli_arguments(options) -> list[str]:  # noqa: ANN001
    """`mlops-audit assess` arguments that read the same files and settings as `options`, with paths
    relative to its display root (the unpacked inputs.zip); `--out out`."""
    rel = lambda path: path.relative_to(options.display_root).as_posix()  # noqa: E731
    args = ["assess"]
    args += [a for path in options.answers for a in ("--answers", rel(path))]
    if options.answers_log:
        args += ["--answers-log", rel(options.answers_log)]
    args += [a for path in options.evidence_files for a in ("--evidence", rel(path))]
    args += [a for path in options.runs for a in ("--run", rel(path))]
    args += [a for path in options.trust_keys for a in ("--trust-key", rel(path))]
    if options.accept_reference_runs:
        args.append("--accept-reference-run")
    args += [a for name in options.profiles for a in ("--profile", name)]
    args += [a for path in options.portfolios for a in ("--portfolio", rel(path))]
    args += [a for path in options.documents for a in ("--documents", rel(path))]
    if options.resolutions:
        args += ["--resolutions", rel(options.resolutions)]
    if options.waivers:
        args += ["--waivers", rel(options.waivers)]
    args += ["--organisation", options.organisation]
    if options.scope:
        args += ["--scope", options.scope]
    if options.assessor:
        args += ["--assessor", options.assessor]
    return [*args, "--out", "out"]


def shell_command(arguments: list[str], source_date_epoch: int | None = None) -> str:
    import shlex

    prefix = f"SOURCE_DATE_EPOCH={source_date_epoch} " if source_date_epoch is not None else ""
    return prefix + shlex.join(["mlops-audit", *arguments])


def _assess(options) -> Assessment:  # noqa: ANN001
    """`run_assessment` (what `mlops-audit assess` calls) on the campaign's files; problems are 422."""
    from mlops_audit.workflow import run_assessment

    try:
        return run_assessment(options)
    except AuditError as exc:
        raise ClientError(422, exc.message) from None


def live_assessment(session: Session, rubric: LoadedRubric, campaign: Campaign) -> Assessment | None:
    """The assessment the campaign would get if every saved answer (submitted or not) were scored
    now with the attached evidence: the dashboard's live conflicts. None without attached evidence
    or runs (no conflict is possible then). Not stored, not logged; the log is not an input (drafts
    are not submitted)."""
    with tempfile.TemporaryDirectory(prefix="mlops-audit-live-") as tmp:
        inputs = write_inputs(session, rubric, campaign, Path(tmp), submitted_only=False, log=False)
        if not inputs.evidence and not inputs.runs and not inputs.documents and not inputs.portfolios:
            return None
        return _assess(assess_options(campaign, inputs, assessor=None, assessed_at=clock_now()))


def load(row: AssessmentRow) -> Assessment:
    return Assessment.model_validate_json(row.data)


def history_of_campaign(session: Session, campaign_id: int) -> list[AssessmentRow]:
    return list(session.scalars(select(AssessmentRow).where(AssessmentRow.campaign_id == campaign_id).order_by(AssessmentRow.id)))


def _shown(message: str, tmp: Path, names: dict[str, str]) -> str:
    """Problems name the uploaded file, never the server's temporary folder."""
    for path, name in names.items():
        message = message.replace(path, name)
    return message.replace(str(tmp) + "/", "")


def check_campaign_file(kind: str, path: Path, shown: str) -> None:
    """An attached file is checked when attached, with the CLI's messages (as `assess` reads it)."""
    from pydantic import ValidationError

    from mlops_audit.evidence.documents import load_documents, load_resolutions
    from mlops_audit.evidence.repo.model import CollectionResult
    from mlops_audit.rubric.loader import default_rubric
    from mlops_audit.workflow import load_waivers

    if kind == "run":
        run_root(path.read_bytes(), path.parent / "unpacked", shown)
        return
    if kind == "trust_key":
        from mlops_audit.server.settings import check_trust_key

        check_trust_key(path.read_bytes(), shown)
        return
    rubric = default_rubric()
    try:
        if kind == "portfolio":
            portfolio_folder(path.read_bytes(), path.parent / "unpacked", shown)
        elif kind == "documents":
            reviewed = documents_file(path.read_bytes(), path.parent / "unpacked", shown)
            load_documents(reviewed, rubric.rubric, rubric.rubric.evidence_policy)
        elif kind == "resolutions":
            load_resolutions(path, rubric.rubric)
        elif kind == "evidence":
            try:
                CollectionResult.model_validate_json(path.read_bytes())
            except ValidationError as exc:
                e = exc.errors(include_url=False)[0]
                where = ".".join(str(p) for p in e["loc"])
                raise ClientError(422, f"{shown}: not an mlops-audit collection (JSON from 'mlops-audit collect'): {where}: {e['msg']}") from None
        else:
            load_waivers(path)
    except AuditError as exc:
        names = {str(path): shown, str(path.parent / "unpacked") + "/": f"{shown}: "}
        raise ClientError(422, _shown(exc.message, path.parent, names)) from None


def documents_file(data: bytes, dest: Path, shown: str) -> Path:
    """Unpack a zipped reviewed-documents folder; its reviewed.yaml (at the top or in its one folder),
    whose document paths are read beside it as `assess --documents` reads them."""
    from mlops_audit.server.uploads import safe_unzip

    safe_unzip(data, dest, shown)
    entries = list(dest.iterdir())
    root = dest if (dest / DOCUMENTS_FILE).is_file() else (entries[0] if len(entries) == 1 and entries[0].is_dir() else dest)
    if not (root / DOCUMENTS_FILE).is_file():
        raise ClientError(422, f"{shown}: no {DOCUMENTS_FILE} at the top of the archive or in its one folder; zip the documents folder itself")
    return root / DOCUMENTS_FILE


def portfolio_folder(data: bytes, dest: Path, shown: str) -> Path:
    """Unpack a zipped portfolio folder; the folder holding portfolio.json (the archive's top or its
    one folder), whose index is read as `assess --portfolio` reads it."""
    from mlops_audit.portfolio.store import load_portfolio
    from mlops_audit.server.uploads import safe_unzip

    safe_unzip(data, dest, shown)
    entries = list(dest.iterdir())
    root = dest if (dest / PORTFOLIO_FILE).is_file() else (entries[0] if len(entries) == 1 and entries[0].is_dir() else dest)
    if not (root / PORTFOLIO_FILE).is_file():
        raise ClientError(422, f"{shown}: no {PORTFOLIO_FILE} at the top of the archive or in its one folder; zip the folder 'mlops-audit portfolio collect' wrote")
    load_portfolio(root)
    return root


def run_root(data: bytes, dest: Path, shown: str) -> Path:
    """Unpack a zipped run folder and verify its trails as `assess --run` does; the run folder (the
    archive's top level or its one folder). A run that does not verify is refused with the problems."""
    from mlops_audit.server.uploads import safe_unzip
    from mlops_audit.workflow import verify_trails

    safe_unzip(data, dest, shown)
    entries = [p for p in dest.iterdir()]
    root = dest if (dest / "audit.jsonl").is_file() else (entries[0] if len(entries) == 1 and entries[0].is_dir() else None)
    if root is None or not (root / "audit.jsonl").is_file():
        raise ClientError(422, f"{shown}: no audit.jsonl at the top of the archive or in its one folder; zip the run folder itself")
    results = verify_trails(root)
    bad = [(trail, r) for trail, r in results if not r.ok]
    if bad:
        problems = "; ".join(f"{t.relative_to(root).as_posix() or '.'}: {'; '.join(r.problems[:3])}" for t, r in bad)
        raise ClientError(422, f"{shown}: the run does not verify ({problems})")
    return root


def read_uploaded_answers(files: list[tuple[str, bytes]], rubric: LoadedRubric) -> list[AnswerFile]:
    """Uploaded answer files read by the CLI's importer; every problem reported with the file's name."""
    from mlops_audit.evidence.questionnaire.importer import read_answer_files

    with tempfile.TemporaryDirectory(prefix="mlops-audit-import-") as tmp:
        names: dict[str, str] = {}
        paths = []
        for index, (filename, data) in enumerate(files):
            path = Path(tmp) / f"{index}-{safe_filename(filename, 'answers')}"
            path.write_bytes(data)
            names[str(path)] = filename
            paths.append(path)
        imported = read_answer_files(paths, rubric)
        if imported.errors:
            raise ClientError(422, "\n".join(_shown(str(p), Path(tmp), names) for p in imported.errors))
        return [model for _source, model in imported.files]


def get(session: Session, assessment_id: int) -> AssessmentRow:
    row = session.get(AssessmentRow, assessment_id)
    if row is None:
        raise ClientError(404, f"assessment {assessment_id} not found")
    return row


def history(session: Session, organisation: str) -> list[AssessmentRow]:
    return list(session.scalars(select(AssessmentRow).where(AssessmentRow.organisation == organisation).order_by(AssessmentRow.id)))


def previous(session: Session, row: AssessmentRow) -> AssessmentRow | None:
    return session.scalar(
        select(AssessmentRow).where(AssessmentRow.organisation == row.organisation, AssessmentRow.id < row.id).order_by(AssessmentRow.id.desc()).limit(1)
    )


def rendered(session: Session, row: AssessmentRow, name: str) -> bytes:
    """A report file of an assessment, rendered by `render_reports` once and then kept."""
    if name == "assessment.json":
        return row.data
    if name not in REPORT_FILES:
        raise ClientError(404, f"no report named '{name}'; expected assessment.json or one of {', '.join(REPORT_FILES)}")
    cached = session.scalar(select(RenderedFile.data).where(RenderedFile.assessment_id == row.id, RenderedFile.name == name))
    if cached is not None:
        return cached
    from mlops_audit.report import render_reports

    fmt, lang = REPORT_FILES[name]
    prev_row = previous(session, row)
    with tempfile.TemporaryDirectory(prefix="mlops-audit-report-") as tmp:
        written = render_reports(load(row), formats=[fmt], lang=[lang or "zh"], out_dir=Path(tmp), previous=load(prev_row) if prev_row else None)
        data = next(p for p in written if p.name == name).read_bytes()
    session.add(RenderedFile(assessment_id=row.id, name=name, data=data))
    return data


def trend_chart(rows: list[AssessmentRow], lang: str = "en"):  # noqa: ANN201
    """Overall and per-domain scores of an organisation's assessments, oldest first (the report's
    bar chart, inline SVG). Bars of different rubric versions carry the version: not comparable."""
    from mlops_audit.report.charts import Bar, BarGroup, grouped_bars

    loaded = [(row, load(row)) for row in rows]
    if not loaded:
        return None
    label = lambda row, a: f"#{row.id} {a.assessed_at[:10]} · v{a.rubric.version}"  # noqa: E731
    groups = [BarGroup("overall" if lang == "en" else "总体", [Bar(label(r, a), a.overall.score, a.overall.level) for r, a in loaded])]
    names = {d.id: d.name.get(lang) for _r, a in loaded for d in a.rubric_snapshot.domains}
    for domain_id, name in names.items():
        bars = [Bar(label(r, a), d.score, d.level) for r, a in loaded for d in a.domains if d.id == domain_id]
        groups.append(BarGroup(name, bars))
    return grouped_bars(groups, title="score by assessment" if lang == "en" else "历次评估得分", empty_label="n/a")


def diff_text(old: AssessmentRow, new: AssessmentRow) -> str:
    from mlops_audit.report.diff import diff_assessments, format_diff_text

    return format_diff_text(diff_assessments(load(old), load(new)))


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # deterministic archive
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def answers_zip(session: Session, rubric: LoadedRubric, campaign: Campaign, fmt: str, lang: str = "en") -> bytes:
    """Every respondent's answers (submitted or not) in one CLI format; `answers` = bare answers@1 JSON."""
    files = answer_files(session, rubric, campaign, submitted_only=False)
    suffix = "json" if fmt == "answers" else fmt
    return zip_bytes({f"answers/{safe_filename(m.respondent.id)}.{suffix}": answer_bytes(rubric, m, fmt, lang) for m in files})


COMMAND_FILE = "assess-command.txt"


def inputs_zip(session: Session, rubric: LoadedRubric, campaign: Campaign, *, assessor: str | None = None) -> bytes:
    """Exactly the files an assessment of the campaign reads now, laid out as it reads them, and
    `assess-command.txt`: the `mlops-audit assess` command (files and settings: keys, profiles,
    reference runs) that gives the server's assessment.json in the unpacked folder."""
    with tempfile.TemporaryDirectory(prefix="mlops-audit-inputs-") as tmp:
        root = Path(tmp)
        inputs = write_inputs(session, rubric, campaign, root)
        files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
        arguments = cli_arguments(assess_options(campaign, inputs, assessor=assessor, assessed_at=clock_now()))
        files[COMMAND_FILE] = (shell_command(arguments) + "\n").encode("utf-8")
        return zip_bytes(files)


def log_zip(session: Session, campaign: Campaign) -> bytes:
    with tempfile.TemporaryDirectory(prefix="mlops-audit-log-") as tmp:
        folder = ledger.export(session, campaign.id, Path(tmp) / "log")
        return zip_bytes({f"{log_folder(campaign)}/{p.name}": p.read_bytes() for p in sorted(folder.iterdir())})
