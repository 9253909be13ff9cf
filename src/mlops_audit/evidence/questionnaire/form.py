"""The questionnaire as a format-neutral form: what every writer renders and every reader fills.

A `Form` is the rubric's questions (optionally only those routed to some roles), the respondent's
details and, for a filled or pre-filled questionnaire, the answers given so far. Writers (Excel,
YAML, JSON, CSV, Markdown) render a Form; readers turn a file back into a `RawFile` that
`validate.py` checks against the rubric. Keeping one Form shape is what makes the round trip
export -> fill -> import -> export lossless for every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_audit.evidence.answers import ANSWERS_FORMAT, AnswerFile, RosterEntry
from mlops_audit.evidence.answers import Answer as AnswerModel
from mlops_audit.rubric.loader import LoadedRubric
from mlops_audit.rubric.model import Criterion, Domain, Practice, QuestionType, Text
from mlops_audit.util.jsonio import canonical_json, sha256_text

LANGS = ("zh", "en", "both")
YES_NO_TOKENS = {"en": ("yes", "no", "partial"), "zh": ("是", "否", "部分")}
NA_TOKEN = {"en": "n/a", "zh": "不适用"}
UNKNOWN_TOKEN = {"en": "unknown", "zh": "不清楚"}


_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def _meaning(value: object) -> object:
    """Text as far as its meaning goes: full-width punctuation and half-width alike (NFKC), curly
    quotes as straight ones, runs of white space as one space."""
    import unicodedata

    if isinstance(value, str):
        return " ".join(unicodedata.normalize("NFKC", value).translate(_QUOTES).split())
    if isinstance(value, dict):
        return {k: _meaning(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_meaning(v) for v in value]
    return value


def criterion_fingerprint(criterion: Criterion) -> str:
    """Short digest of what a respondent answers: the criterion's statement and its question (text,
    help, type, scale, choices and their outcomes, unit and thresholds). Stored at export, it names
    the answers whose question changed since. Typography (full- or half-width punctuation, quotes,
    spacing) and what the respondent never sees (evidence routes, weights, remediation, clauses,
    routing to roles) do not change it."""
    q = criterion.question.model_dump(mode="json", exclude={"roles"})
    return sha256_text(canonical_json(_meaning({"text": criterion.text.model_dump(mode="json"), "question": q})))[:16]


def pick(text: Text | None, lang: str, sep: str = "\n") -> str:
    """A bilingual text in the form's language; `both` shows Chinese then English."""
    if text is None:
        return ""
    if lang == "both":
        return text.zh if text.zh == text.en else f"{text.zh}{sep}{text.en}"
    return text.get(lang)


def label(zh: str, en: str, lang: str, sep: str = " ") -> str:
    return pick(Text(zh=zh, en=en), lang, sep)


def token_lang(lang: str) -> str:
    """Answer tokens are Chinese for a Chinese form, English otherwise (both are accepted on import)."""
    return "zh" if lang == "zh" else "en"


def choice_tokens(criterion: Criterion, lang: str) -> list[str]:
    """What a person picks for a choice question: the options' Chinese labels on a Chinese form
    (the import maps a label back to its value), the stored values otherwise. A label that would
    be ambiguous or cannot sit in a dropdown (a double quote) falls back to the value."""
    choices = criterion.question.choices or []
    if token_lang(lang) != "zh":
        return [c.value for c in choices]
    labels = [c.label.zh.strip() for c in choices]
    usable = len({x.lower() for x in labels}) == len(labels) and not any('"' in x or not x for x in labels)
    return labels if usable else [c.value for c in choices]


def allowed_tokens(criterion: Criterion, lang: str) -> list[str]:
    """The answer values offered for a question (dropdown entries), n/a and unknown last."""
    q = criterion.question
    tl = token_lang(lang)
    if q.type is QuestionType.yes_no:
        values = list(YES_NO_TOKENS[tl])
    elif q.type is QuestionType.scale:
        assert q.scale_min is not None and q.scale_max is not None
        values = [str(v) for v in range(q.scale_min, q.scale_max + 1)]
    elif q.type is QuestionType.choice:
        values = choice_tokens(criterion, lang)
    else:
        values = []
    return values + [NA_TOKEN[tl], UNKNOWN_TOKEN[tl]]


def describe_allowed(criterion: Criterion, lang: str) -> str:
    """One line telling a person what they may answer, with scale and choice labels."""
    q = criterion.question
    tl = token_lang(lang)
    tail = f"{NA_TOKEN[tl]} / {UNKNOWN_TOKEN[tl]}"
    if q.type is QuestionType.yes_no:
        return " / ".join(YES_NO_TOKENS[tl]) + " / " + tail
    if q.type is QuestionType.scale:
        assert q.scale_min is not None and q.scale_max is not None
        if q.scale_labels:
            points = "; ".join(f"{q.scale_min + i} = {pick(t, lang, ' / ')}" for i, t in enumerate(q.scale_labels))
            return f"{q.scale_min}-{q.scale_max} ({points}) / {tail}"
        return f"{q.scale_min}-{q.scale_max} / {tail}"
    if q.type is QuestionType.choice:
        return "; ".join(f"{c.value} = {pick(c.label, lang, ' / ')}" for c in q.choices or []) + f" / {tail}"
    unit = f" ({pick(q.unit, lang, ' / ')})" if q.unit else ""
    return label("数值", "a number", lang, " / ") + unit + f" / {tail}"


def display_value(criterion: Criterion, value: object, lang: str) -> object:
    """How a stored (canonical) answer value is shown in a form of the given language."""
    if value is None:
        return None
    tl = token_lang(lang)
    if value == "n/a":
        return NA_TOKEN[tl]
    if value == "unknown":
        return UNKNOWN_TOKEN[tl]
    if criterion.question.type is QuestionType.yes_no and value in YES_NO_TOKENS["en"]:
        return YES_NO_TOKENS[tl][YES_NO_TOKENS["en"].index(value)]  # type: ignore[arg-type]
    if criterion.question.type is QuestionType.choice:
        values = [c.value for c in criterion.question.choices or []]
        if value in values:
            return choice_tokens(criterion, lang)[values.index(value)]
    return value


@dataclass(frozen=True)
class FormRow:
    domain: Domain
    practice: Practice
    criterion: Criterion
    answer: AnswerModel | None = None

    @property
    def fingerprint(self) -> str:
        return criterion_fingerprint(self.criterion)


@dataclass
class FormHeader:
    """The respondent's details; blank in a fresh questionnaire."""

    organisation: str | None = None
    scope: str | None = None
    respondent: str | None = None
    roles: list[str] = field(default_factory=list)
    team: str | None = None
    answered_at: str | None = None
    roster: list[RosterEntry] = field(default_factory=list)


@dataclass
class Form:
    rubric: LoadedRubric
    lang: str
    roles: list[str]  # the role filter used at export ([] = every question)
    header: FormHeader
    rows: list[FormRow]

    @property
    def rubric_ref(self) -> dict[str, str]:
        return self.rubric.ref

    def by_domain(self) -> list[tuple[Domain, list[FormRow]]]:
        out: dict[str, tuple[Domain, list[FormRow]]] = {}
        for row in self.rows:
            out.setdefault(row.domain.id, (row.domain, []))[1].append(row)
        return list(out.values())

    def header_dict(self) -> dict[str, object]:
        """The AnswerFile-shaped header (everything except the answers), blanks kept as empty strings."""
        h = self.header
        return {
            "format": ANSWERS_FORMAT,
            "rubric": dict(self.rubric_ref),
            "organisation": {"name": h.organisation or "", "scope": h.scope},
            "respondent": {"id": h.respondent or "", "roles": list(h.roles), "team": h.team},
            "roster": [e.model_dump(mode="json") for e in h.roster],
            "answered_at": h.answered_at,
        }


def routed_to(criterion: Criterion, roles: list[str]) -> bool:
    return not roles or bool(set(criterion.question.roles) & set(roles))


def build_form(
    rubric: LoadedRubric,
    *,
    lang: str = "zh",
    roles: list[str] | None = None,
    filled: AnswerFile | None = None,
) -> Form:
    """The questions to ask (routed to `roles`, or all), carrying a filled file's answers if given.

    A criterion answered in `filled` is always kept, even outside the role filter: re-exporting a
    filled file never loses an answer.
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    roles = list(roles or [])
    answers = {a.criterion: a for a in filled.answers} if filled else {}
    rows = [
        FormRow(d, p, c, answers.get(c.id))
        for d, p, c in rubric.rubric.criteria()
        if routed_to(c, roles) or c.id in answers
    ]
    header = FormHeader(roles=list(roles))
    if filled is not None:
        header = FormHeader(
            organisation=filled.organisation.name,
            scope=filled.organisation.scope,
            respondent=filled.respondent.id,
            roles=list(filled.respondent.roles),
            team=filled.respondent.team,
            answered_at=filled.answered_at,
            roster=list(filled.roster),
        )
    return Form(rubric=rubric, lang=lang, roles=roles, header=header, rows=rows)
