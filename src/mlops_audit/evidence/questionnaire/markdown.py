"""Printable Markdown questionnaires that can also be read back.

Layout: YAML front matter between `---` lines holds the respondent's details (the AnswerFile
header). Each question is a `### CRITERION-ID` section; the rubric's text is quoted (`> `) so that
it can never be mistaken for an answer. Answers are the list items `- Answer:`, `- Evidence:`,
`- Comment:`, `- Proposed by:` and `- Confirmed:` (Chinese labels are accepted too); a value runs
on over following lines indented by four spaces (one evidence link per line).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from mlops_audit.errors import InputError
from mlops_audit.evidence.questionnaire.form import Form, FormRow, describe_allowed, display_value, label, pick
from mlops_audit.evidence.questionnaire.raw import KeyPath, Problem, RawAnswer, RawFile, failed, fixed_places
from mlops_audit.util.safeyaml import load_yaml_text

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "value": ("Answer", "回答"),
    "evidence": ("Evidence", "证据"),
    "comment": ("Comment", "备注"),
    "proposed_by": ("Proposed by", "建议来源"),
    "confirmed": ("Confirmed", "已确认"),
}
_LABEL_TO_FIELD = {lab.lower(): name for name, labels in FIELD_LABELS.items() for lab in labels}
FIELD_LINE = re.compile(r"^- (?P<label>[^:：]{1,40})[:：][ \t]?(?P<rest>.*)$")
HEADING = re.compile(r"^###[ \t]+(?P<id>\S+)[ \t]*$")
FINGERPRINT = re.compile(r"^<!-- q:(?P<fp>[0-9a-f]{16}) -->$")
CONTINUATION = "    "


def _field_label(name: str, lang: str) -> str:
    en, zh = FIELD_LABELS[name]
    return zh if lang == "zh" else en


def _quote(text: str) -> list[str]:
    return ["> " + line if line.strip() else ">" for line in text.splitlines()]


def _field(name: str, value: str | None, lang: str) -> list[str]:
    lines = (value or "").split("\n")
    out = [f"- {_field_label(name, lang)}: {lines[0]}".rstrip()]
    out += [(CONTINUATION + line).rstrip() if line.strip() else CONTINUATION for line in lines[1:]]
    return out


def _section(row: FormRow, lang: str) -> list[str]:
    c = row.criterion
    q = c.question
    a = row.answer
    lines = [
        f"### {c.id}",
        f"<!-- q:{row.fingerprint} -->",
        "",
        *_quote(
            label("级别", "Level", lang, "/")
            + f" {c.level} · {row.practice.id} {pick(row.practice.title, lang, ' / ')} · "
            + label("询问角色", "asked of", lang, "/")
            + f": {', '.join(q.roles)}"
        ),
        ">",
        *_quote(pick(q.text, lang)),
    ]
    if q.help:
        lines += [">", *_quote(pick(q.help, lang))]
    lines += [">", *_quote(label("可选答案", "Answers", lang, "/") + ": " + describe_allowed(c, lang)), ""]
    value = display_value(c, a.value, lang) if a else None
    lines += _field("value", None if value is None else str(value), lang)
    lines += _field("evidence", "\n".join(a.evidence) if a else None, lang)
    lines += _field("comment", a.comment if a else None, lang)
    if a is not None and (a.proposed_by or not a.confirmed):
        lines += _field("proposed_by", a.proposed_by, lang)
        lines += _field("confirmed", "yes" if a.confirmed else "no", lang)
    return lines + [""]


def write_markdown(form: Form) -> str:
    lang = form.lang
    front = yaml.safe_dump(form.header_dict(), sort_keys=False, allow_unicode=True, default_flow_style=False, width=10**6)
    lines = ["---", front.rstrip("\n"), "---", ""]
    lines.append(f"# {pick(form.rubric.rubric.title, lang, ' / ')}")
    lines.append("")
    lines.append(
        label(
            "请在上方 `---` 之间填写组织名称、答卷人化名（respondent.id）与角色。每题在“回答：”后作答，可补充证据链接（每行一个）与备注；续行缩进四个空格。",
            "Fill in the organisation, your pseudonymous respondent id and roles between the `---` lines above. Answer each "
            "question after 'Answer:', optionally with evidence links (one per line) and a comment; continuation lines are "
            "indented by four spaces.",
            lang,
            "\n\n",
        )
    )
    lines.append("")
    for domain, rows in form.by_domain():
        lines += [f"## {pick(domain.name, lang, ' / ')}", ""]
        for row in rows:
            lines += _section(row, lang)
    return "\n".join(lines).rstrip("\n") + "\n"


def _front_matter(lines: list[str], source: str) -> tuple[dict[str, Any] | None, Any, int, list[Problem]]:
    """Header data, a locator into it, the index of the first body line, and problems."""
    if not lines or lines[0].strip() != "---":
        return None, lambda _loc: f"{source}:1", 0, [Problem(f"{source}:1", "no front matter; expected the respondent's details between '---' lines at the top")]
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return None, lambda _loc: f"{source}:1", len(lines), [Problem(f"{source}:1", "front matter is not closed by a '---' line")]
    try:
        doc = load_yaml_text("\n".join(lines[1:end]), source)
    except InputError as exc:
        m = re.match(rf"^{re.escape(source)}:(\d+)(?::\d+)?: (.*)$", exc.message, re.S)
        if m:
            return None, lambda _loc: source, end + 1, [Problem(f"{source}:{int(m.group(1)) + 1}", m.group(2))]
        return None, lambda _loc: source, end + 1, [Problem(source, exc.message)]

    def where(loc: KeyPath) -> str:
        pos = doc.locate(loc)
        return f"{source}:{pos[0] + 1}" if pos else f"{source}:1"

    if not isinstance(doc.data, dict):
        return None, where, end + 1, [Problem(f"{source}:2", "front matter must be a mapping with organisation, respondent, rubric, roster")]
    return doc.data, where, end + 1, []


def read_markdown(text: str, source: str) -> RawFile:
    if not text.strip():
        return failed(source, "file is empty; expected a Markdown questionnaire exported by 'mlops-audit questionnaire export'")
    # Only \n (and \r) end lines: other Unicode line separators inside a comment stay text.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header, header_where, body, problems = _front_matter(lines, source)
    answers: list[RawAnswer] = []
    current: RawAnswer | None = None
    places: dict[str, str] = {}
    field_name: str | None = None
    for i in range(body, len(lines)):
        line = lines[i]
        number = i + 1
        heading = HEADING.match(line)
        if heading:
            places = {"criterion": f"{source}:{number}"}
            current = RawAnswer({"criterion": heading.group("id")}, fixed_places(f"{source}:{number}", places))
            answers.append(current)
            field_name = None
            continue
        if line.startswith("#"):
            current, field_name = None, None  # a higher heading ends the section
            continue
        if current is None:
            continue
        fp = FINGERPRINT.match(line.strip())
        if fp and current.fingerprint is None:
            current.fingerprint = fp.group("fp")
            continue
        m = FIELD_LINE.match(line)
        if m:
            name = _LABEL_TO_FIELD.get(m.group("label").strip().lower())
            if name is None:
                problems.append(
                    Problem(f"{source}:{number}", f"unknown field '{m.group('label')}'; expected " + ", ".join(f"'{v[0]}'" for v in FIELD_LABELS.values()))
                )
                field_name = None
                continue
            if name in current.fields:
                problems.append(Problem(f"{source}:{number}", f"'{m.group('label')}' is given twice for {current.fields['criterion']}; the first is used"))
                field_name = None
                continue
            current.fields[name] = m.group("rest").strip()
            places[name] = f"{source}:{number}"
            field_name = name
            continue
        if field_name is not None and (line.startswith(CONTINUATION) or line.startswith("\t") or not line.strip()):
            if not line.strip():
                # A blank line continues the value only if an indented line follows it.
                following = next((ln for ln in lines[i + 1 :] if ln.strip()), "")
                if not (following.startswith(CONTINUATION) or following.startswith("\t")):
                    field_name = None
                    continue
            prior = current.fields[field_name]
            current.fields[field_name] = f"{prior}\n{line.strip()}" if prior or line.strip() else ""
            continue
        field_name = None
    for entry in answers:
        for name in ("value", "comment", "proposed_by", "confirmed"):
            if name in entry.fields and isinstance(entry.fields[name], str):
                entry.fields[name] = entry.fields[name].strip() or None
    return RawFile(source, header, header_where, answers, problems)
