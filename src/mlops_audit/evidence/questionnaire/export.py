"""Export a questionnaire (blank, pre-filled or already answered) in any of the supported formats."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from mlops_audit.errors import InputError
from mlops_audit.evidence.answers import AnswerFile
from mlops_audit.evidence.questionnaire.form import LANGS, Form, build_form
from mlops_audit.evidence.questionnaire.prefill import Finding, apply_prefill
from mlops_audit.rubric.loader import LoadedRubric

FORMATS = ("xlsx", "yaml", "json", "csv", "md")  # written and read back (import, check, merge, assess)
# Written only: the HTML page is filled in a browser and hands back an answers@1 JSON file.
EXPORT_FORMATS = (*FORMATS, "html")
_SUFFIX_FORMAT = {".xlsx": "xlsx", ".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv", ".md": "md", ".html": "html", ".htm": "html"}
TEXT_FORMATS = ("yaml", "json", "csv", "md")


def format_for_path(path: Path) -> str | None:
    return _SUFFIX_FORMAT.get(path.suffix.lower())


def render(form: Form, fmt: str, generated_at: datetime | None = None) -> bytes:
    """The form in one format, as the bytes to write."""
    if fmt == "xlsx":
        from mlops_audit.evidence.questionnaire.xlsx import write_xlsx

        return write_xlsx(form, generated_at)
    if fmt == "csv":
        from mlops_audit.evidence.questionnaire.csvfile import write_csv

        return write_csv(form)
    if fmt == "md":
        from mlops_audit.evidence.questionnaire.markdown import write_markdown

        return write_markdown(form).encode("utf-8")
    if fmt == "html":
        from mlops_audit.evidence.questionnaire.htmlform import write_html

        return write_html(form).encode("utf-8")
    if fmt in ("yaml", "json"):
        from mlops_audit.evidence.questionnaire.structured import write_json, write_yaml

        return (write_yaml(form) if fmt == "yaml" else write_json(form)).encode("utf-8")
    raise InputError(f"unknown questionnaire format '{fmt}'; expected one of {', '.join(EXPORT_FORMATS)}")


def check_roles(rubric: LoadedRubric, roles: list[str]) -> list[str]:
    known = rubric.rubric.role_ids()
    unknown = [r for r in roles if r not in known]
    if unknown:
        raise InputError(f"--role: unknown role(s) {', '.join(unknown)}; expected one of {', '.join(known)}")
    return list(dict.fromkeys(roles))


def make_form(
    rubric: LoadedRubric,
    *,
    lang: str = "zh",
    roles: list[str] | None = None,
    filled: AnswerFile | None = None,
    findings: list[Finding] | None = None,
) -> tuple[Form, int]:
    """The form to export and how many answers detectors proposed."""
    if lang not in LANGS:
        raise InputError(f"--lang: unknown language '{lang}'; expected one of {', '.join(LANGS)}")
    roles = check_roles(rubric, list(roles or []))
    form = build_form(rubric, lang=lang, roles=roles, filled=filled)
    if findings:
        return apply_prefill(form, findings)
    return form, 0
