"""A fillable, printable HTML questionnaire: one self-contained file (inline CSS and script, no network).

The page carries the respondent's details, the roster and one fieldset per question with the input
its answer type needs (radio buttons for yes/no, scale and choice; a number field with its unit),
an evidence box and a comment box. Its script (`reports/static/questionnaire.js`) turns the form's
fields into an answers@1 JSON file, the structure the JSON export writes and the importer reads,
and keeps work in the browser's localStorage. There is no HTML reader: people hand in the JSON.
The importer stays the authority; the page checks only what is cheap to mirror.

Every text from the rubric or from a filled file goes through jinja2 autoescape. What the script
needs sits in a `<script type="application/json">` element written with `tojson`, which escapes
`<`, `>`, `&` and `'`. A Content-Security-Policy naming the hashes of our own style and script lets
nothing else run or load, should anything ever slip through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from mlops_audit.evidence.answers import ANSWERS_FORMAT, Answer
from mlops_audit.evidence.questionnaire.form import (
    NA_TOKEN,
    UNKNOWN_TOKEN,
    YES_NO_TOKENS,
    Form,
    FormRow,
    describe_allowed,
    label,
    pick,
)
from mlops_audit.evidence.questionnaire.validate import canonical_value
from mlops_audit.rubric.model import QuestionType
from mlops_audit.util import templates
from mlops_audit.util.jsonio import canonical_json, sha256_text

TEMPLATE = "questionnaire.html.j2"
NUMBER_OPTION = "#number"  # the radio button standing for "the number typed in the field beside it"
ROSTER_BLANK_ROWS = 5
MAX_RESPONDENT_ID = 120  # the AnswerFile model's limits, mirrored by maxlength and the script
MAX_ORGANISATION = 200

# Page texts: key -> (Chinese, English).
TEXTS: dict[str, tuple[str, str]] = {
    "title": ("MLOps 成熟度评估问卷", "MLOps maturity questionnaire"),
    "digest": ("评估准则摘要", "Rubric digest"),
    "instructions": ("说明", "Instructions"),
    "respondent": ("答卷人", "Respondent"),
    "organisation": ("组织名称", "Organisation"),
    "scope": ("评估范围", "Scope"),
    "respondent_id": ("答卷人编号（化名，如 r-data-01，不要写姓名）", "Respondent id (a pseudonym such as r-data-01, not a name)"),
    "roles": ("角色", "Roles"),
    "team": ("团队", "Team"),
    "answered_at": ("日期", "Date"),
    "roster": ("角色名册", "Roster"),
    "roster_note": (
        "登记谁担任哪些角色（化名；角色用编号或名称，逗号分隔）。不需要时留空。",
        "Who holds which roles (pseudonyms; roles as ids or names, comma-separated). Leave blank if not needed.",
    ),
    "person": ("人员编号（化名）", "Person (pseudonym)"),
    "role_ids": ("角色", "Roles"),
    "dedicated": ("专职", "Dedicated"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "level": ("级别", "Level"),
    "asked_of": ("询问角色", "asked of"),
    "allowed": ("可选答案", "Answers"),
    "evidence": ("证据（链接或文档，每行一个）", "Evidence (links or documents, one per line)"),
    "comment": ("备注", "Comment"),
    "no_answer": ("未作答", "no answer"),
    "number": ("数值", "number"),
    "proposed": ("检测器建议的答案，来源：", "Answer proposed by a detector:"),
    "proposed_note": (
        "核实后勾选“确认”；不同意就改答案再确认。未确认的建议不计分。",
        "Check it, then tick Confirm; if you disagree, change the answer and confirm. Unconfirmed proposals are not scored.",
    ),
    "confirm": ("确认此答案", "Confirm this answer"),
    "download": ("下载答卷（JSON）", "Download answers (JSON)"),
    "discard": ("清除本浏览器保存的答卷", "Discard saved answers"),
    "print": ("打印", "Print"),
    "no_script": (
        "本页的脚本未运行：可以打印本页手工填写，但无法下载答卷。",
        "The page's script is not running: you can print this page and fill it in by hand, but not download answers.",
    ),
}
STEPS: list[tuple[str, str]] = [
    (
        "填写组织名称、答卷人编号（化名）、角色与团队。",
        "Fill in the organisation, your respondent id (a pseudonym), your roles and team.",
    ),
    (
        "每题选一个答案；不适用选“不适用”，不清楚选“不清楚”。可补充证据链接（每行一个）与备注。",
        (
            "Choose one answer per question: n/a if it does not apply, unknown if you do not know. Add evidence links "
            "(one per line) and a comment if you like."
        ),
    ),
    (
        "完成后点“下载答卷”，把下载的 JSON 文件交给评估人（可用 mlops-audit questionnaire check 检查）。",
        (
            "When done, press 'Download answers' and hand the JSON file to the assessor (check it with "
            "mlops-audit questionnaire check)."
        ),
    ),
]
SCREEN_STEPS: list[tuple[str, str]] = [
    (
        (
            "答卷随时自动保存在本浏览器（localStorage，按准则摘要、本页面与答卷人编号区分），刷新或关闭后重新打开本页面不会丢失；"
            "清除浏览器数据会删除它，所以完成后请下载。"
        ),
        (
            "Your answers are saved in this browser as you go (localStorage, keyed by the rubric digest, this page and "
            "your respondent id), so reloading the page or opening it again does not lose them; clearing the browser's "
            "data does, so download when you are done."
        ),
    ),
]
PRINT_STEPS: list[tuple[str, str]] = [
    ("纸面填写：每题勾选一个方框，在框内写证据与备注。", "On paper: tick one box per question and write evidence and comments in the boxes."),
]
# Messages the script shows; {name} marks a value it fills in.
SCRIPT_MESSAGES: dict[str, tuple[str, str]] = {
    "organisation_required": ("请填写组织名称", "Organisation is required"),
    "respondent_required": ("请填写答卷人编号（化名，如 r-data-01）", "Respondent id is required (a pseudonym such as r-data-01)"),
    "roles_required": ("请至少选择一个角色", "Choose at least one role"),
    "too_long": ("{field}：最多 {max} 个字符", "{field}: at most {max} characters"),
    "roster_person": ("名册第 {row} 行：请填写人员编号", "Roster row {row}: give the person's id"),
    "roster_roles": ("名册第 {row} 行：请填写角色", "Roster row {row}: give the person's roles"),
    "roster_unknown_role": ("名册第 {row} 行：未知角色“{role}”", "Roster row {row}: unknown role '{role}'"),
    "bad_value": ("{id}：“{value}”不是可选答案", "{id}: '{value}' is not one of the answers allowed"),
    "not_a_number": ("{id}：“{value}”不是数字", "{id}: '{value}' is not a number"),
    "fix_first": ("下载前请先修正：", "Fix these before downloading:"),
    "downloaded": (
        "已生成 {file}。请交给评估人；可用 mlops-audit questionnaire check 检查。",
        "Saved {file}. Hand it to the assessor; check it with mlops-audit questionnaire check.",
    ),
    "saved": ("已保存在本浏览器（{time}）", "Saved in this browser ({time})"),
    "progress": ("已答 {answered} / {total} 题", "{answered} of {total} questions answered"),
    "hidden": ("（另有 {count} 题未面向所勾选的角色，已隐藏）", "({count} questions not asked of the ticked roles are hidden)"),
    "restored": (
        "已恢复本浏览器保存的答卷（答卷人 {id}，{time}）。要重新开始，请点“清除本浏览器保存的答卷”。",
        "Restored the answers saved in this browser (respondent {id}, {time}). To start afresh, press 'Discard saved answers'.",
    ),
    "storage_unavailable": (
        "本浏览器不允许保存答卷（localStorage 不可用）：请在关闭页面前下载。",
        "This browser does not let the page save your answers (no localStorage): download them before closing the page.",
    ),
}


@dataclass(frozen=True)
class Option:
    value: str  # what the script reads: a canonical answer value, NUMBER_OPTION, or "" for no answer
    label: str
    checked: bool


@dataclass(frozen=True)
class QuestionView:
    id: str
    level: int
    practice: str
    practice_id: str
    roles: str
    text: str
    help: str
    allowed: str
    type: str
    options: list[Option]
    number: str  # the number typed, for number questions
    unit: str
    evidence: str
    comment: str
    proposal: bool  # carries proposed_by and confirmed, as the other formats do
    proposed_by: str
    confirmed: bool


def _is_proposal(answer: Answer | None) -> bool:
    return answer is not None and (answer.proposed_by is not None or not answer.confirmed)


def _number_text(value: float) -> str:
    # repr is the shortest text giving the same float back, which the script parses to the same double.
    return repr(value)


def answer_options(row: FormRow, lang: str) -> tuple[list[Option], str]:
    """The radio buttons of a question (canonical values, labels in `lang`), the answer's one checked,
    and the number field's text. Public: the server's respondent page offers the same choices."""
    q = row.criterion.question
    value: Any = None
    if row.answer is not None:
        value = canonical_value(q, row.answer.value)
    choices: list[tuple[str, str]] = [("", label("未作答", "no answer", lang))]
    number = ""
    if q.type is QuestionType.yes_no:
        choices += [(en, label(zh, en, lang)) for zh, en in zip(YES_NO_TOKENS["zh"], YES_NO_TOKENS["en"], strict=True)]
    elif q.type is QuestionType.scale:
        assert q.scale_min is not None and q.scale_max is not None
        for i, point in enumerate(range(q.scale_min, q.scale_max + 1)):
            tail = f" {pick(q.scale_labels[i], lang, ' / ')}" if q.scale_labels else ""
            choices.append((str(point), f"{point}{tail}"))
    elif q.type is QuestionType.choice:
        choices += [(c.value, pick(c.label, lang, " / ")) for c in q.choices or []]
    else:
        choices.append((NUMBER_OPTION, label("数值", "number", lang)))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number, value = _number_text(value), NUMBER_OPTION
    choices += [("n/a", label(NA_TOKEN["zh"], NA_TOKEN["en"], lang)), ("unknown", label(UNKNOWN_TOKEN["zh"], UNKNOWN_TOKEN["en"], lang))]
    wanted = "" if value is None else str(value)
    if wanted not in {v for v, _ in choices}:
        # The form holds only validated answers; one the page cannot show must not vanish silently.
        raise ValueError(f"{row.criterion.id}: answer {row.answer.value if row.answer else None!r} has no input on the HTML form")
    return [Option(v, text, v == wanted) for v, text in choices], number


def _question_view(row: FormRow, lang: str) -> QuestionView:
    c = row.criterion
    q = c.question
    a = row.answer
    options, number = answer_options(row, lang)
    return QuestionView(
        id=c.id,
        level=c.level,
        practice=pick(row.practice.title, lang, " / "),
        practice_id=row.practice.id,
        roles=", ".join(q.roles),
        text=pick(q.text, lang),
        help=pick(q.help, lang),
        allowed=describe_allowed(c, lang),
        type=q.type.value,
        options=options,
        number=number,
        unit=pick(q.unit, lang, " / ") if q.unit else "",
        evidence="\n".join(a.evidence) if a else "",
        comment=(a.comment or "") if a else "",
        proposal=_is_proposal(a),
        proposed_by=(a.proposed_by or "") if a else "",
        confirmed=bool(a and a.confirmed),
    )


def _criterion_meta(row: FormRow) -> dict[str, Any]:
    q = row.criterion.question
    entry: dict[str, Any] = {"id": row.criterion.id, "type": q.type.value, "fingerprint": row.fingerprint, "roles": list(q.roles)}
    if q.type is QuestionType.scale:
        entry["scale_min"], entry["scale_max"] = q.scale_min, q.scale_max
    if q.type is QuestionType.choice:
        entry["choices"] = [c.value for c in q.choices or []]
    if _is_proposal(row.answer):
        assert row.answer is not None
        entry["proposed_by"] = row.answer.proposed_by
    return entry


def page_identity(form: Form) -> str:
    """A short digest of what the page was exported with (rubric, language, questions, answers, proposals).

    The script keeps work in localStorage under it, so a page exported again with other answers or
    proposals starts from its own content, not from another page's saved state.
    """
    content = {
        "lang": form.lang,
        "header": form.header_dict(),
        "rows": [[row.criterion.id, row.fingerprint, row.answer.model_dump(mode="json") if row.answer else None] for row in form.rows],
    }
    return sha256_text(canonical_json(content))[:16]


def script_meta(form: Form) -> dict[str, Any]:
    """What the page's script needs: the rubric reference, the questions' shapes, role spellings, messages."""
    lang = form.lang
    role_names = sorted({s.strip().lower() for r in form.rubric.rubric.roles for s in (r.id, r.name.zh, r.name.en)})
    return {
        "format": ANSWERS_FORMAT,
        "rubric": dict(form.rubric_ref),
        "page": page_identity(form),
        "criteria": [_criterion_meta(row) for row in form.rows],
        "role_names": role_names,
        "limits": {"respondent.id": MAX_RESPONDENT_ID, "organisation.name": MAX_ORGANISATION, "roster.person": MAX_RESPONDENT_ID},
        "field_names": {
            "respondent.id": label("答卷人编号", "Respondent id", lang),
            "organisation.name": label(*TEXTS["organisation"], lang),
            "roster.person": label(*TEXTS["person"], lang),
        },
        "messages": {key: label(zh, en, lang) for key, (zh, en) in SCRIPT_MESSAGES.items()},
    }


def _environment() -> Environment:
    return templates.environment()


def _static(name: str) -> Markup:
    return templates.inline_static(name)


def write_html(form: Form) -> str:
    """The questionnaire page; byte-identical for the same form."""
    lang = form.lang
    css, js = _static("questionnaire.css"), _static("questionnaire.js")
    t = {key: label(zh, en, lang) for key, (zh, en) in TEXTS.items()}
    h = form.header
    r = form.rubric.rubric
    roles = [{"id": role.id, "name": pick(role.name, lang, " / "), "checked": role.id in h.roles} for role in r.roles]
    roster = [
        {"person": e.person, "roles": ", ".join(e.roles), "dedicated": e.dedicated, "team": e.team or "", "blank": False} for e in h.roster
    ] + [{"person": "", "roles": "", "dedicated": True, "team": "", "blank": True} for _ in range(ROSTER_BLANK_ROWS)]  # blank: prints empty, reads as dedicated
    domains = [
        {"id": domain.id, "name": pick(domain.name, lang, " / "), "questions": [_question_view(row, lang) for row in rows]}
        for domain, rows in form.by_domain()
    ]
    csp = templates.content_security_policy(styles=[css], scripts=[js])
    return _environment().get_template(TEMPLATE).render(
        t=t,
        lang=lang,
        html_lang="en" if lang == "en" else "zh-CN",
        rubric_title=pick(r.title, lang, " / "),
        rubric=form.rubric_ref,
        header=h,
        roles=roles,
        roster=roster,
        domains=domains,
        steps=[label(zh, en, lang, " ") for zh, en in STEPS],
        screen_steps=[label(zh, en, lang, " ") for zh, en in SCREEN_STEPS],
        print_steps=[label(zh, en, lang, " ") for zh, en in PRINT_STEPS],
        number_option=NUMBER_OPTION,
        limits={"respondent": MAX_RESPONDENT_ID, "organisation": MAX_ORGANISATION},
        meta=script_meta(form),
        css=css,
        js=js,
        csp=csp,
    )
