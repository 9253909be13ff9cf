"""YAML and JSON questionnaires for engineers: the AnswerFile shape itself, one entry per criterion.

YAML carries the question, allowed answers and help as comments above each entry, plus a marker
`# [CRITERION q:FINGERPRINT]` naming the criterion's content at export (read back to tell which
criteria changed). JSON carries the same in a `question` field per answer, ignored on import; an
editor can check it against `rubrics/schema/answers.schema.json`.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from mlops_audit.errors import InputError
from mlops_audit.evidence.questionnaire.form import Form, FormRow, describe_allowed, display_value, label, pick
from mlops_audit.evidence.questionnaire.raw import Problem, RawAnswer, RawFile, failed
from mlops_audit.util.safeyaml import LocatedDocument, load_yaml_text

FINGERPRINT_MARK = re.compile(r"^\s*#\s*\[(?P<id>[A-Za-z][A-Za-z0-9_.\-]*) q:(?P<fp>[0-9a-f]{16})\]\s*$")
INFORMATIONAL_KEYS = ("question",)  # per answer, written for people and editors, ignored on import


def _answer_dict(row: FormRow, lang: str) -> dict[str, Any]:
    a = row.answer
    out: dict[str, Any] = {
        "criterion": row.criterion.id,
        "value": display_value(row.criterion, a.value, lang) if a else None,
        "comment": a.comment if a else None,
        "evidence": list(a.evidence) if a else [],
    }
    if a is not None and (a.proposed_by is not None or not a.confirmed):
        out["proposed_by"] = a.proposed_by
        out["confirmed"] = a.confirmed
    return out


def _question_dict(row: FormRow, lang: str) -> dict[str, Any]:
    q = row.criterion.question
    return {
        "text": pick(q.text, lang),
        "help": pick(q.help, lang) or None,
        "type": q.type.value,
        "allowed": describe_allowed(row.criterion, lang),
        "level": row.criterion.level,
        "practice": f"{row.practice.id} {pick(row.practice.title, lang, ' / ')}",
        "roles": list(q.roles),
        "fingerprint": row.fingerprint,
    }


class _BlankNullDumper(yaml.SafeDumper):
    """Writes None as an empty value (`value:`), which reads back as None and invites filling in."""


_BlankNullDumper.add_representer(type(None), lambda d, _v: d.represent_scalar("tag:yaml.org,2002:null", ""))


def _dump(obj: Any) -> str:
    return yaml.dump(obj, Dumper=_BlankNullDumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10**6)


def _comment(text: str) -> list[str]:
    return [f"#   {line}".rstrip() for line in text.splitlines() if line.strip()]


def write_yaml(form: Form) -> str:
    lang = form.lang
    lines = [
        "# " + label("mlops-audit 问卷", "mlops-audit questionnaire", lang, " / ") + f" — {pick(form.rubric.rubric.title, lang, ' / ')}",
        "# " + label(
            "填写 organisation.name、respondent.id（化名，如 r-data-01）与 respondent.roles；每题在 value 处作答，可填 comment 与 evidence（链接列表）。",
            "Fill in organisation.name, respondent.id (a pseudonym such as r-data-01) and respondent.roles; answer each question in "
            "'value', optionally with a comment and evidence links.",
            lang,
            "\n# ",
        ),
        "# " + label(
            "proposed_by 表示检测器建议的答案：核实后把 confirmed 改为 true。", "proposed_by marks an answer a detector proposed: check it, then set confirmed to true.", lang, "\n# "
        ),
        "# " + label("检查：mlops-audit questionnaire check 本文件", "Check with: mlops-audit questionnaire check THIS_FILE", lang, "\n# "),
        "",
        _dump(form.header_dict()).rstrip("\n"),
    ]
    if not form.rows:
        lines.append("answers: []")
    else:
        lines.append("answers:")
    current = None
    for row in form.rows:
        if row.domain.id != current:
            current = row.domain.id
            lines += ["", f"# ==== {pick(row.domain.name, lang, ' / ')} ({row.domain.id}) ===="]
        q = row.criterion.question
        lines.append("")
        lines.append(f"# [{row.criterion.id} q:{row.fingerprint}]")
        lines.append(
            "# "
            + label("级别", "Level", lang, "/")
            + f" {row.criterion.level} · {row.practice.id} {pick(row.practice.title, lang, ' / ')} · "
            + label("询问角色", "asked of", lang, "/")
            + f": {', '.join(q.roles)}"
        )
        lines += _comment(pick(q.text, lang))
        if q.help:
            lines += _comment(pick(q.help, lang))
        lines.append("#   " + label("可选答案", "answers", lang, "/") + ": " + describe_allowed(row.criterion, lang))
        lines.append(_dump([_answer_dict(row, lang)]).rstrip("\n"))
    return "\n".join(lines) + "\n"


def write_json(form: Form) -> str:
    doc: dict[str, Any] = dict(form.header_dict())
    doc["answers"] = [{**_answer_dict(row, form.lang), "question": _question_dict(row, form.lang)} for row in form.rows]
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _json_data(text: str) -> Any:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise ValueError(f"duplicate key '{key}'")
            out[key] = value
        return out

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not a number JSON allows")

    return json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constants)


class _LazyJsonPositions:
    """Line and column of JSON keys, found (by reading the JSON as YAML) only when a message needs one."""

    def __init__(self, data: Any, text: str, source: str) -> None:
        self.data, self.text, self.source = data, text, source
        self._located: LocatedDocument | None = None

    def where(self, path: tuple[str | int, ...]) -> str:
        if self._located is None:
            try:  # JSON is YAML for almost every file people write
                positions = load_yaml_text(self.text, self.source).positions
            except InputError:
                positions = {}
            self._located = LocatedDocument(self.data, self.source, positions)
        return self._located.where(path)


def _entry_places(doc: LocatedDocument | _LazyJsonPositions, index: int) -> Any:
    return lambda name: doc.where(("answers", index) if name is None else ("answers", index, name))


def read_structured(text: str, source: str, is_json: bool) -> RawFile:
    """Parse YAML or JSON text (already size-checked and decoded) into a RawFile."""
    if not text.strip():
        return failed(source, "file is empty; expected an answer file exported by 'mlops-audit questionnaire export'")
    doc: LocatedDocument | _LazyJsonPositions
    if is_json:
        try:
            data = _json_data(text)
        except (ValueError, RecursionError) as exc:
            line = getattr(exc, "lineno", None)
            return failed(f"{source}:{line}" if line else source, f"not valid JSON: {getattr(exc, 'msg', exc)}")
        doc = _LazyJsonPositions(data, text, source)
    else:
        try:
            doc = load_yaml_text(text, source)
        except InputError as exc:
            where, _, message = exc.message.partition(": ")
            return failed(where if where.startswith(source) else source, message or exc.message)
    data = doc.data
    if not isinstance(data, dict):
        return failed(doc.where(()), "expected a mapping with format, rubric, organisation, respondent, roster and answers")
    problems: list[Problem] = []
    header = {k: v for k, v in data.items() if k not in ("answers", "$schema")}
    answers_data = data.get("answers")
    raw_answers: list[RawAnswer] = []
    if answers_data is None:
        answers_data = []
    if not isinstance(answers_data, list):
        problems.append(Problem(doc.where(("answers",)), "answers must be a list of {criterion, value, comment, evidence} entries"))
        answers_data = []
    fingerprints: dict[str, str] = {}
    if not is_json:
        for line in text.splitlines():
            m = FINGERPRINT_MARK.match(line)
            if m:
                fingerprints.setdefault(m.group("id"), m.group("fp"))
    for i, item in enumerate(answers_data):
        if not isinstance(item, dict):
            problems.append(Problem(doc.where(("answers", i)), f"answers[{i}]: expected a mapping with criterion and value, got {type(item).__name__}"))
            continue
        fields = {k: v for k, v in item.items() if k not in INFORMATIONAL_KEYS}
        fingerprint = None
        question = item.get("question")
        if isinstance(question, dict) and isinstance(question.get("fingerprint"), str):
            fingerprint = question["fingerprint"]
        elif isinstance(item.get("criterion"), str):
            fingerprint = fingerprints.get(item["criterion"])
        raw_answers.append(RawAnswer(fields, _entry_places(doc, i), fingerprint))
    return RawFile(source, header, doc.where, raw_answers, problems)
