"""Reports: render an Assessment as HTML and PDF (zh/en) and export it as JSON, OSCAL, SARIF, XLSX.

`render_reports` is the one entry point the CLI (`report`, `assess`, `demo`) calls. Renderers read
only the Assessment (it embeds the rubric snapshot); nothing is re-scanned while rendering.
Heavy libraries (WeasyPrint, openpyxl) are imported only when their format is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_audit.errors import AuditError

if TYPE_CHECKING:
    from mlops_audit.result.model import Assessment

FORMATS: tuple[str, ...] = ("html", "pdf", "json", "oscal", "sarif", "xlsx")
ASSESSMENT_FILE = "assessment.json"


def parse_formats(formats: str | Sequence[str]) -> list[str]:
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    chosen = []
    for item in items:
        name = item.strip().lower()
        if not name:
            continue
        if name not in FORMATS:
            raise AuditError(f"unknown report format '{name}' (expected some of: {', '.join(FORMATS)})")
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise AuditError(f"no report format given (expected some of: {', '.join(FORMATS)})")
    return chosen


def parse_languages(lang: str | Sequence[str]) -> list[str]:
    from mlops_audit.report.i18n import LANGUAGES, check_language

    if isinstance(lang, str):
        items = list(LANGUAGES) if lang == "both" else lang.split(",")
    else:
        items = list(lang)
    chosen = []
    for item in items:
        code = check_language(item.strip())
        if code not in chosen:
            chosen.append(code)
    if not chosen:
        raise AuditError("no report language given (expected zh, en or both)")
    return chosen


def _attachment_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not base or base in (".", ".."):
        raise AuditError(f"attachment name {name!r} is not a file name")
    return base


def _pdf_job(html: str, code: str, attachments: Mapping[str, bytes], created) -> bytes:  # noqa: ANN001
    from mlops_audit.report.pdf import render_pdf

    return render_pdf(html, lang=code, attachments=dict(attachments), created=created)


Progress = Callable[[str], None]


def _render_pdfs(pages: Mapping[str, str], attachments: Mapping[str, bytes], created, progress: Progress | None = None) -> dict[str, bytes]:  # noqa: ANN001
    """One PDF per language. Layout is single-threaded in WeasyPrint, so with two or more languages
    and cores each language renders in its own process (the same bytes as rendering in turn)."""
    import os

    if len(pages) > 1 and (os.cpu_count() or 1) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        try:
            context = multiprocessing.get_context("fork")
        except ValueError:  # platforms without fork render in turn
            context = None
        if context is not None:
            from concurrent.futures import as_completed

            with ProcessPoolExecutor(max_workers=min(len(pages), os.cpu_count() or 1), mp_context=context) as pool:
                futures = {pool.submit(_pdf_job, html, code, attachments, created): code for code, html in pages.items()}
                done: dict[str, bytes] = {}
                for future in as_completed(futures):
                    done[futures[future]] = future.result()
                    if progress:
                        progress(f"report.{futures[future]}.pdf laid out ({len(done)}/{len(pages)})")
                return {code: done[code] for code in pages}
    out = {}
    for n, (code, html) in enumerate(pages.items(), start=1):
        out[code] = _pdf_job(html, code, attachments, created)
        if progress:
            progress(f"report.{code}.pdf laid out ({n}/{len(pages)})")
    return out


def render_reports(
    assessment: Assessment,
    *,
    formats: str | Sequence[str],
    lang: str | Sequence[str],
    out_dir: Path,
    previous: Assessment | None = None,
    attachments: Mapping[str, bytes] | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write the requested formats into `out_dir` (atomically) and return the paths written.

    `progress`, when given, is called with one short line per step (PDF layout is the slow part:
    tens of seconds for the full rubric), so a CLI can show that work goes on.

    Files: report.<lang>.html, report.<lang>.pdf, assessment.json (+ assessment.schema.json),
    assessment.oscal.json, assessment.sarif, assessment.xlsx. The PDF embeds assessment.json and any
    `attachments` (file name -> bytes, e.g. a run's manifest.json).
    """
    from mlops_audit.report.exports import assessment_json_bytes, assessment_schema, report_digest
    from mlops_audit.util.clock import parse_timestamp
    from mlops_audit.util.jsonio import atomic_write_bytes, pretty_json, write_json

    say = progress or (lambda _msg: None)
    chosen = parse_formats(formats)
    languages = parse_languages(lang)
    if "pdf" in chosen:
        from mlops_audit.report.pdf import ensure_fonts

        for code in languages:  # fail before writing anything if a font is missing
            ensure_fonts(code)
    out_dir = Path(out_dir)
    written: list[Path] = []
    data = assessment_json_bytes(assessment)
    digest = report_digest(assessment)

    if "json" in chosen:
        written.append(atomic_write_bytes(out_dir / ASSESSMENT_FILE, data))
        written.append(write_json(out_dir / "assessment.schema.json", assessment_schema()))
    if "html" in chosen or "pdf" in chosen:
        from mlops_audit.report.html import render_html

        pdf_files = {ASSESSMENT_FILE: data}
        for name, content in sorted((attachments or {}).items()):
            pdf_files[_attachment_name(name)] = content
        pages: dict[str, str] = {}
        for code in languages:
            say(f"rendering the {code} report page")
            pages[code] = render_html(assessment, code, report_digest=digest, previous=previous)
            if "html" in chosen:
                written.append(atomic_write_bytes(out_dir / f"report.{code}.html", pages[code].encode("utf-8")))
        if "pdf" in chosen:
            created = parse_timestamp(assessment.assessed_at, where="assessment: assessed_at")
            say(f"laying out {len(pages)} PDF(s) ({', '.join(pages)}): the slow step, tens of seconds for a full rubric")
            for code, pdf in _render_pdfs(pages, pdf_files, created, progress).items():
                written.append(atomic_write_bytes(out_dir / f"report.{code}.pdf", pdf))
    if "oscal" in chosen:
        say("writing OSCAL")
        from mlops_audit.report.oscal import to_oscal

        written.append(atomic_write_bytes(out_dir / "assessment.oscal.json", pretty_json(to_oscal(assessment)).encode("utf-8")))
    if "sarif" in chosen:
        say("writing SARIF")
        from mlops_audit.report.sarif import to_sarif

        written.append(atomic_write_bytes(out_dir / "assessment.sarif", pretty_json(to_sarif(assessment)).encode("utf-8")))
    if "xlsx" in chosen:
        say("writing the Excel workbook")
        from mlops_audit.report.xlsx import to_xlsx

        written.append(atomic_write_bytes(out_dir / "assessment.xlsx", to_xlsx(assessment, languages[0])))
    return written


__all__ = ["FORMATS", "parse_formats", "parse_languages", "render_reports"]
