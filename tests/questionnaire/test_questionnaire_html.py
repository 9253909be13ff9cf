"""The HTML questionnaire: a self-contained page whose own script hands back an answers file the importer accepts.

The page's inline script runs in Node.js (see questionnaire_page.py) on the fields as a browser's
FormData gives them, so what is tested is the page as exported: its inputs, its field names, its
embedded rubric data and its script together.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
import yaml
from questionnaire_page import Page, needs_node

from mlops_audit.cli import cli
from mlops_audit.evidence.answers import (
    Answer,
    AnswerFile,
    Organisation,
    Respondent,
    RosterEntry,
    RubricRef,
)
from mlops_audit.evidence.questionnaire.export import make_form, render
from mlops_audit.evidence.questionnaire.form import routed_to
from mlops_audit.evidence.questionnaire.importer import read_answer_file
from mlops_audit.evidence.questionnaire.prefill import Finding
from mlops_audit.rubric.loader import load_rubric

LANGS = ("zh", "en", "both")
PROPOSAL_WARNING = (
    "DE.ingest.L5: answer proposed by orchestrates_pipeline is not confirmed; it is ignored until the respondent sets confirmed to yes"
)


def page_of(rubric, *, lang="en", roles=("data_engineer",), filled=None, findings=None) -> Page:
    form, _ = make_form(rubric, lang=lang, roles=list(roles), filled=filled, findings=findings)
    return Page.parse(render(form, "html"))


def imported(file: dict, rubric, tmp_path: Path, name: str = "answers.json"):
    """The downloaded JSON read back by the importer, as `check` and `assess --answers` read it."""
    path = tmp_path / name
    path.write_text(json.dumps(file, indent=2, ensure_ascii=False), encoding="utf-8")
    return read_answer_file(path, rubric)


def errors(problems) -> list[str]:
    return [str(p) for p in problems if p.severity == "error"]


def header_filled(page: Page) -> Page:
    return page.type("organisation.name", "示例银行").type("respondent.id", "r-data-07")


# Round trips --------------------------------------------------------------------------------


@needs_node
@pytest.mark.parametrize("lang", LANGS)
def test_a_filled_file_exported_as_html_downloads_back_unchanged(rubric, filled, lang, tmp_path):
    page = page_of(rubric, lang=lang, filled=filled)
    file, page_problems = page.download()
    assert page_problems == []
    model, problems = imported(file, rubric, tmp_path)
    assert errors(problems) == []
    warnings = [p.message for p in problems if p.severity == "warning"]
    assert warnings[0] == PROPOSAL_WARNING and len(warnings) == 2
    assert warnings[1].startswith("1 answer(s) to questions not asked of this respondent's roles (data_engineer): MD.track.L1")
    assert model == filled  # answers, comments, evidence, n/a, unknown, the proposal, header and roster


@needs_node
def test_the_downloaded_file_has_the_answers_json_structure(rubric, filled, tmp_path):
    file, _ = page_of(rubric, filled=filled).download()
    json_export = json.loads(render(make_form(rubric, lang="en", roles=["data_engineer"], filled=filled)[0], "json"))
    assert list(file) == list(json_export)  # format, rubric, organisation, respondent, roster, answered_at, answers
    assert file["format"] == "mlops-audit/answers@1"
    assert file["rubric"] == rubric.ref  # id, version and digest embedded in the page
    by_id = {a["criterion"]: a for a in file["answers"]}
    assert by_id["DE.ingest.L5"]["proposed_by"] == "orchestrates_pipeline" and by_id["DE.ingest.L5"]["confirmed"] is False
    assert "proposed_by" not in by_id["DE.ingest.L1"]  # a person's answer carries no proposal fields
    # The fingerprint lets the importer name criteria that changed since export, as with the JSON export.
    exported = {a["criterion"]: a["question"]["fingerprint"] for a in json_export["answers"]}
    assert all(a["question"] == {"fingerprint": exported[a["criterion"]]} for a in file["answers"])


@needs_node
def test_a_person_fills_in_a_blank_page(rubric, tmp_path):
    page = page_of(rubric, lang="zh")
    assert page.checked("respondent.roles") == ["data_engineer"]  # the --role filter, pre-ticked
    header_filled(page).type("organisation.scope", "信贷").type("respondent.team", "数据平台").type("answered_at", "2026-12-01")
    page.tick("respondent.roles", "mlops_engineer")
    assert page.value_of("roster.0.dedicated") == ""  # printed empty; left so, it reads as dedicated
    page.type("roster.0.person", "p-01").type("roster.0.roles", "数据工程师，mlops_engineer").select("roster.0.dedicated", "no")
    page.type("roster.1.person", "p-02").type("roster.1.roles", "data_scientist")
    page.choose("value:DE.ingest.L1", "partial").type("comment:DE.ingest.L1", "  两个脚本  \n  第二行  ")
    page.type("evidence:DE.ingest.L1", "https://git.example/a\n\n  docs/b.md  \n")
    page.choose("value:DE.ingest.L2", "n/a").choose("value:DE.ingest.L3", "unknown")
    page.choose("value:DE.quality.L1", "3").choose("value:DE.quality.L2", "all")
    page.choose("value:DE.quality.L5", "#number").type("number:DE.quality.L5", "12.5")
    page.type("comment:DE.ingest.L4", "no value, only a comment")
    file, page_problems = page.download()
    assert page_problems == []
    model, problems = imported(file, rubric, tmp_path)
    assert errors(problems) == [] and model is not None
    assert model.organisation == Organisation(name="示例银行", scope="信贷")
    assert model.respondent == Respondent(id="r-data-07", roles=["data_engineer", "mlops_engineer"], team="数据平台")
    assert model.roster == [
        RosterEntry(person="p-01", roles=["data_engineer", "mlops_engineer"], dedicated=False),
        RosterEntry(person="p-02", roles=["data_scientist"], dedicated=True),
    ]
    assert model.answered_at == "2026-12-01"
    assert model.answers == [
        Answer(criterion="DE.ingest.L1", value="partial", comment="两个脚本\n  第二行", evidence=["https://git.example/a", "docs/b.md"]),
        Answer(criterion="DE.ingest.L2", value="n/a"),
        Answer(criterion="DE.ingest.L3", value="unknown"),
        Answer(criterion="DE.ingest.L4", value=None, comment="no value, only a comment"),
        Answer(criterion="DE.quality.L1", value=3),
        Answer(criterion="DE.quality.L2", value="all"),
        Answer(criterion="DE.quality.L5", value=12.5),
    ]


@needs_node
def test_typing_a_number_counts_even_if_its_radio_button_was_not_pressed(rubric, tmp_path):
    page = header_filled(page_of(rubric)).type("number:DE.quality.L5", "-5")
    file, page_problems = page.download()
    model, problems = imported(file, rubric, tmp_path)
    assert page_problems == [] and errors(problems) == []
    assert [(a.criterion, a.value) for a in model.answers] == [("DE.quality.L5", -5)]
    # n/a pressed wins over a number left in the field.
    file, _ = page.choose("value:DE.quality.L5", "n/a").download()
    assert [(a["criterion"], a["value"]) for a in file["answers"]] == [("DE.quality.L5", "n/a")]


@needs_node
def test_a_page_re_exported_from_its_own_download_is_byte_identical(rubric, filled, tmp_path):
    first = render(make_form(rubric, lang="zh", roles=["data_engineer"], filled=filled)[0], "html")
    file, _ = Page.parse(first).download()
    model, _ = imported(file, rubric, tmp_path)
    second = render(make_form(rubric, lang="zh", roles=["data_engineer"], filled=model)[0], "html")
    assert first == second


# Proposals ------------------------------------------------------------------------------------


@needs_node
def test_detector_proposals_are_shown_unconfirmed_until_the_respondent_ticks_confirm(rubric, tmp_path):
    findings = [Finding("orchestrates_pipeline", "pass", ("DE.quality.L1", "DE.ingest.L2"), ("dags/train.py:3",), "Airflow DAG")]
    page = header_filled(page_of(rubric, findings=findings))
    assert page.checked("value:DE.quality.L1") == ["3"]  # the scale's met threshold, pre-selected
    assert page.checked("value:DE.ingest.L2") == ["yes"]
    assert page.checked("confirmed:DE.quality.L1") == [] and page.value_of("evidence:DE.quality.L1") == "dags/train.py:3"
    assert page.named("confirmed:DE.ingest.L1") == []  # no proposal, nothing to confirm
    assert "orchestrates_pipeline" in page.html

    file, _ = page.download()
    model, problems = imported(file, rubric, tmp_path, "unconfirmed.json")
    proposal = {a.criterion: a for a in model.answers}["DE.quality.L1"]
    assert (proposal.value, proposal.proposed_by, proposal.confirmed) == (3, "orchestrates_pipeline", False)
    assert proposal.evidence == ["dags/train.py:3"] and proposal.comment == "orchestrates_pipeline: Airflow DAG"
    assert sum("is not confirmed" in p.message for p in problems) == 2

    page.tick("confirmed:DE.quality.L1", "yes").choose("value:DE.quality.L1", "2")  # the person disagrees, then confirms
    file, _ = page.download()
    model, problems = imported(file, rubric, tmp_path, "confirmed.json")
    confirmed = {a.criterion: a for a in model.answers}["DE.quality.L1"]
    assert (confirmed.value, confirmed.proposed_by, confirmed.confirmed) == (2, "orchestrates_pipeline", True)
    assert [p.message for p in problems if "is not confirmed" in p.message] == [
        "DE.ingest.L2: answer proposed by orchestrates_pipeline is not confirmed; it is ignored until the respondent sets confirmed to yes"
    ]


# Checks in the page ---------------------------------------------------------------------------


@needs_node
def test_the_page_refuses_to_download_what_the_importer_would_refuse(rubric, tmp_path):
    page = page_of(rubric, roles=())
    assert page.checked("respondent.roles") == []
    _, problems = page.download()
    assert problems == ["Organisation is required", "Respondent id is required (a pseudonym such as r-data-01)", "Choose at least one role"]
    file, _ = page.download()
    _, import_problems = imported(file, rubric, tmp_path)
    assert {p.message.split(" is ")[0] for p in import_problems if p.severity == "error"} >= {"organisation.name", "respondent.id", "respondent.roles"}

    page = header_filled(page_of(rubric)).type("respondent.id", "r" * 121)
    page.type("roster.1.person", "p-09").type("roster.2.roles", "wizard").type("roster.3.person", "p-10").type("roster.3.roles", "Data engineer")
    page.type("number:DE.quality.L5", "twelve")
    _, problems = page.download()
    assert problems == [
        "Respondent id: at most 120 characters",
        "Roster row 2: give the person's roles",
        "Roster row 3: give the person's id",
        "Roster row 3: unknown role 'wizard'",
        "DE.quality.L5: 'twelve' is not a number",
    ]  # roster row 4 names a role by its English name, which the importer accepts


@needs_node
@pytest.mark.parametrize(
    ("typed", "accepted"),
    [
        ("12", 12), ("-5", -5), ("+3", 3), ("12.5", 12.5), (".5", 0.5), ("5.", 5), ("1e-05", 1e-05), ("2.5E3", 2500),
        (" 7 ", 7), ("9007199254740991", 9007199254740991), ("9007199254740994", 9007199254740994.0), ("1e16", 1e16), ("-2e300", -2e300),
        ("abc", None), ("0x10", None), ("1_000", None), ("inf", None), ("NaN", None), ("1e400", None), ("1,5", None), ("", None),
    ],
)
def test_numbers_the_page_accepts_are_numbers_the_importer_accepts_unchanged(rubric, typed, accepted, tmp_path):
    page = header_filled(page_of(rubric)).choose("value:DE.quality.L5", "#number").type("number:DE.quality.L5", typed)
    file, page_problems = page.download()
    if accepted is None and typed:
        assert len(page_problems) == 1 and page_problems[0].startswith("DE.quality.L5: ")
        return
    if accepted is None:  # the number button pressed, nothing typed: no answer
        assert page_problems == [] and file["answers"] == []
        return
    assert page_problems == []
    model, problems = imported(file, rubric, tmp_path)
    assert errors(problems) == []
    [answer] = model.answers
    assert answer.value == accepted and type(answer.value) is type(accepted)


@needs_node
@pytest.mark.parametrize("number", [7, -0.000123, 12.5, 1e16, 123456789.123])
def test_a_number_answer_from_a_filled_file_comes_back_as_the_same_number(rubric, filled, number, tmp_path):
    answers = [a if a.criterion != "DE.quality.L5" else a.model_copy(update={"value": number}) for a in filled.answers]
    original = filled.model_copy(update={"answers": answers})
    file, page_problems = page_of(rubric, filled=original).download()
    model, problems = imported(file, rubric, tmp_path)
    assert page_problems == [] and errors(problems) == []
    [value] = [a.value for a in model.answers if a.criterion == "DE.quality.L5"]
    assert value == number and type(value) is type(number)


# Escaping and self-containment ----------------------------------------------------------------

HOSTILE = "</textarea></script><script>alert(1)</script><img src=x onerror=alert(2)> \"quoted\" 'single' & more"


def hostile_rubric(tmp_path: Path, fixture_rubric_path: Path):
    data = yaml.safe_load(fixture_rubric_path.read_text(encoding="utf-8"))
    data["title"] = {"zh": "标题" + HOSTILE, "en": "Title" + HOSTILE}
    domain = data["domains"][0]
    domain["name"] = {"zh": "领域" + HOSTILE, "en": "Domain" + HOSTILE}
    practice = domain["practices"][0]
    practice["title"] = {"zh": "实践" + HOSTILE, "en": "Practice" + HOSTILE}
    question = practice["criteria"][0]["question"]
    question["text"] = {"zh": "问题" + HOSTILE, "en": "Question" + HOSTILE}
    question["help"] = {"zh": "帮助" + HOSTILE, "en": "Help" + HOSTILE}
    for criterion in (c for p in domain["practices"] for c in p["criteria"]):
        q = criterion["question"]
        if q["type"] == "choice":
            q["choices"][0]["label"] = {"zh": "选项" + HOSTILE, "en": "Choice" + HOSTILE}
        if q["type"] == "number":
            q["unit"] = {"zh": "单位" + HOSTILE, "en": "Unit" + HOSTILE}
    data["roles"][3]["name"] = {"zh": "角色" + HOSTILE, "en": "Role" + HOSTILE}
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_rubric(path)


def hostile_answers(rubric) -> AnswerFile:
    return AnswerFile(
        rubric=RubricRef(**rubric.ref),
        organisation=Organisation(name="Org" + HOSTILE, scope="Scope" + HOSTILE),
        respondent=Respondent(id="r-<b>01</b>", roles=["data_engineer"], team="Team" + HOSTILE),
        roster=[RosterEntry(person="p-<i>", roles=["data_engineer"], team="Team" + HOSTILE)],
        answered_at="2026<br>",
        answers=[
            Answer(criterion="DE.ingest.L1", value="yes", comment="Comment" + HOSTILE + "\nline 2", evidence=["https://x.example/?a=1&b=<2>", HOSTILE]),
            Answer(criterion="DE.ingest.L2", value="no", proposed_by="det" + HOSTILE, confirmed=False),
        ],
    )


def test_every_rubric_and_answer_text_is_escaped_never_markup(rubric, fixture_rubric_path, tmp_path):
    loaded = hostile_rubric(tmp_path, fixture_rubric_path)
    for lang in LANGS:
        page = page_of(loaded, lang=lang, filled=hostile_answers(loaded))
        assert page.tags.count("script") == 2 and "img" not in page.tags  # the page's own two, nothing injected
        assert "<script>alert" not in page.html and "<img" not in page.html and "</textarea></script>" not in page.html
        assert page.html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 10  # shown as text wherever it appears
        assert page.value_of("organisation.name") == "Org" + HOSTILE
        assert page.value_of("comment:DE.ingest.L1") == "Comment" + HOSTILE + "\nline 2"
        meta_text = page.scripts["questionnaire-meta"]
        assert "<" not in meta_text and ">" not in meta_text and "&" not in meta_text  # tojson escapes them
        assert page.meta["criteria"][1]["proposed_by"] == "det" + HOSTILE


@needs_node
def test_hostile_answers_come_back_exactly_as_written(rubric, fixture_rubric_path, tmp_path):
    loaded = hostile_rubric(tmp_path, fixture_rubric_path)
    original = hostile_answers(loaded)
    file, page_problems = page_of(loaded, filled=original).download()
    assert page_problems == []
    model, problems = imported(file, loaded, tmp_path)
    assert errors(problems) == []
    assert model == original


def _external_references(page: Page) -> list[str]:
    found = [f"<{tag} {name}={value}>" for tag, name, value in page.attrs if name in ("src", "href", "action", "formaction", "data", "poster", "srcset")]
    found += [f"<{tag}>" for tag in page.tags if tag in ("link", "img", "iframe", "object", "embed", "base", "audio", "video", "source", "frame")]
    code = page.style + page.scripts["questionnaire-logic"]
    found += [w for w in ("url(", "@import", "http:", "https:", "fetch(", "XMLHttpRequest", "WebSocket", "EventSource", "import(", "sendBeacon") if w in code]
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_is_self_contained_and_loads_nothing(rubric, filled, lang):
    blank = page_of(rubric, lang=lang)
    assert "http://" not in blank.html and "https://" not in blank.html
    assert _external_references(blank) == []
    assert _external_references(page_of(rubric, lang=lang, filled=filled)) == []  # links in answers stay text in boxes


def test_the_content_security_policy_allows_exactly_the_pages_own_style_and_script(rubric):
    page = page_of(rubric)
    [policy] = [value for tag, name, value in page.attrs if tag == "meta" and name == "content" and "default-src" in value]

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"

    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'" and directives["connect-src"] == "'none'" and directives["form-action"] == "'none'"
    # A browser runs the script and applies the style only if their hashes match: a mismatch breaks the page.
    assert directives["script-src"] == digest(page.scripts["questionnaire-logic"])
    assert directives["style-src"] == digest(page.style)


# Languages, roles, printing -------------------------------------------------------------------


def test_languages_follow_lang_as_in_the_other_formats(rubric):
    zh, en, both = (page_of(rubric, lang=lang) for lang in LANGS)
    assert '<html lang="zh-CN">' in zh.html and '<html lang="en">' in en.html
    assert "中文Is DE.ingest L1 done?" in zh.html and "Is DE.ingest L1 done?" not in zh.html.replace("中文Is DE.ingest L1 done?", "")
    assert "中文Is DE.ingest L1 done?" not in en.html and "Is DE.ingest L1 done?" in en.html
    assert "中文Is DE.ingest L1 done?" in both.html and "\nIs DE.ingest L1 done?" in both.html
    assert "> 是</label>" in zh.html and "> yes</label>" in en.html and "> 是 yes</label>" in both.html
    assert "下载答卷" in zh.html and "Download answers" not in zh.html and "Download answers" in en.html
    assert zh.meta["messages"]["roles_required"] == "请至少选择一个角色"
    # The answer values the script reads are the canonical ones whatever the language.
    assert zh.options("value:DE.ingest.L1") == en.options("value:DE.ingest.L1") == ["", "yes", "no", "partial", "n/a", "unknown"]


@pytest.mark.parametrize("roles", [(), ("data_scientist",), ("data_engineer", "mlops_engineer")])
def test_role_filter_keeps_only_the_questions_routed_to_those_roles(rubric, roles):
    page = page_of(rubric, roles=roles)
    expected = [c.id for _, _, c in rubric.rubric.criteria() if routed_to(c, list(roles))]
    assert page.question_ids() == expected == [c["id"] for c in page.meta["criteria"]]
    assert page.checked("respondent.roles") == [r for r in rubric.rubric.role_ids() if r in roles]


def test_inputs_match_the_question_types(rubric):
    page = page_of(rubric, roles=())
    assert page.options("value:DE.quality.L1") == ["", "0", "1", "2", "3", "4", "n/a", "unknown"]  # scale 0-4
    assert page.options("value:DE.quality.L2") == ["", "none", "some", "all", "n/a", "unknown"]  # choice
    assert page.options("value:DE.quality.L5") == ["", "#number", "n/a", "unknown"]  # number, typed beside its unit
    assert [c.type for c in page.named("number:DE.quality.L5")] == ["text"] and "> days</label>" in page.html
    for cid in page.question_ids():
        assert page.checked(f"value:{cid}") == [""]  # a blank page has nothing answered
        assert [c.type for c in page.named(f"comment:{cid}")] == ["textarea"]
        assert [c.type for c in page.named(f"evidence:{cid}")] == ["textarea"]


def test_a_filled_file_is_shown_in_the_inputs(rubric, filled):
    page = page_of(rubric, lang="zh", filled=filled)
    assert page.value_of("organisation.name") == "示例银行 Example Bank" and page.value_of("respondent.id") == "r-data-01"
    assert page.value_of("roster.0.roles") == "data_engineer, mlops_engineer" and page.value_of("roster.0.dedicated") == "no"
    assert page.checked("value:DE.ingest.L1") == ["yes"] and page.checked("value:DE.ingest.L3") == ["n/a"]
    assert page.checked("value:DE.ingest.L4") == ["unknown"] and page.checked("value:DE.quality.L1") == ["3"]
    assert page.checked("value:DE.quality.L5") == ["#number"] and page.value_of("number:DE.quality.L5") == "12.5"
    assert page.value_of("comment:DE.quality.L2") == "- not a markdown field\n### nor a heading"
    assert page.value_of("evidence:DE.ingest.L1") == "https://git.example/ingest\ndocs/ingest.md"
    assert page.checked("confirmed:DE.ingest.L5") == [] and page.checked("value:DE.ingest.L5") == ["yes"]
    assert "MD.track.L1" in page.question_ids()  # answered outside the role filter: kept


def test_print_stylesheet_shows_empty_boxes_and_hides_the_screen_controls(rubric):
    page = page_of(rubric)
    printed = page.style[page.style.index("@media print") :]
    assert re.search(r"\.screen-only, \.blank-option, \.toolbar \{ display: none !important; \}", printed)
    assert re.search(r"textarea \{[^}]*min-height", printed) and re.search(r"input\[type=text\], textarea, select \{ border: 1px solid #000", printed)
    assert 'class="toolbar screen-only"' in page.html and 'class="option blank-option"' in page.html
    assert page.html.count('<li class="print-only">') == 1


def test_saved_work_is_kept_per_exported_page(rubric, filled):
    """The script keys localStorage by rubric digest, page and respondent: another export never restores this one's work."""
    findings = [Finding("orchestrates_pipeline", "pass", ("DE.quality.L1",), (), None)]
    blank, again, from_file, prefilled = (
        page_of(rubric).meta["page"],
        page_of(rubric).meta["page"],
        page_of(rubric, filled=filled).meta["page"],
        page_of(rubric, findings=findings).meta["page"],
    )
    assert blank == again and len({blank, from_file, prefilled}) == 3
    assert page_of(rubric, lang="zh").meta["page"] != blank
    assert 'meta.rubric.digest + ":" + meta.page + ":"' in page_of(rubric).scripts["questionnaire-logic"]


# The command ----------------------------------------------------------------------------------


def test_export_html_by_format_or_by_suffix_and_from_a_filled_file(runner, rubric, filled, fixture_rubric_path, tmp_path):
    base = ["questionnaire", "export", "--rubric", str(fixture_rubric_path), "--role", "data_engineer"]
    to_stdout = runner.invoke(cli, [*base, "--format", "html", "--lang", "en"])
    assert to_stdout.exit_code == 0, to_stdout.output
    assert to_stdout.stdout.startswith("<!DOCTYPE html>") and Page.parse(to_stdout.stdout).question_ids()[0] == "DE.ingest.L1"

    out = tmp_path / "q.html"
    by_suffix = runner.invoke(cli, [*base, "--out", str(out)])
    assert by_suffix.exit_code == 0 and f"wrote {out} (html, 11 question(s))" in by_suffix.stderr
    assert out.read_text(encoding="utf-8") == render(make_form(rubric, lang="zh", roles=["data_engineer"])[0], "html").decode("utf-8")

    source = tmp_path / "filled.yaml"
    source.write_bytes(render(make_form(rubric, lang="en", filled=filled)[0], "yaml"))
    converted = runner.invoke(cli, [*base, "--from", str(source), "--out", str(tmp_path / "filled.html")])
    assert converted.exit_code == 0, converted.output
    page = Page.parse((tmp_path / "filled.html").read_bytes())
    assert page.checked("value:DE.quality.L2") == ["some"] and page.value_of("respondent.id") == "r-data-01"


def test_html_is_not_an_answer_file(runner, rubric, filled, fixture_rubric_path, tmp_path):
    page = tmp_path / "q.html"
    page.write_bytes(render(make_form(rubric, lang="en", filled=filled)[0], "html"))
    check = runner.invoke(cli, ["questionnaire", "check", "--rubric", str(fixture_rubric_path), str(page)])
    assert check.exit_code == 2
    assert f"{page}: error: an HTML questionnaire is not read back; open it in a browser, press its 'Download answers' button" in check.stderr
    answers = tmp_path / "a.yaml"
    answers.write_bytes(render(make_form(rubric, lang="en", filled=filled)[0], "yaml"))
    merge = runner.invoke(cli, ["questionnaire", "merge", "--rubric", str(fixture_rubric_path), str(answers), "--out", str(tmp_path / "m.html")])
    assert merge.exit_code == 2 and "expected a .yaml, .json, .xlsx, .csv or .md file" in merge.stderr
    assert not (tmp_path / "m.html").exists()


@needs_node
def test_every_question_of_the_bundled_rubric_can_be_answered_on_the_page(tmp_path):
    from mlops_audit.rubric.loader import default_rubric

    bundled = default_rubric()
    page = header_filled(page_of(bundled, lang="both", roles=()))
    page.tick("respondent.roles", bundled.rubric.role_ids()[0])
    expected = {}
    for cid in page.question_ids():
        first_value = page.options(f"value:{cid}")[1]  # after "no answer": yes, the scale's lowest point, a choice, the number
        page.choose(f"value:{cid}", first_value)
        if first_value == "#number":
            page.type(f"number:{cid}", "2.5")
        expected[cid] = 2.5 if first_value == "#number" else first_value
    file, page_problems = page.download()
    assert page_problems == []
    model, problems = imported(file, bundled, tmp_path)
    assert errors(problems) == []
    assert {a.criterion: a.value for a in model.answers} == {
        cid: int(v) if isinstance(v, str) and v.lstrip("-").isdigit() else v for cid, v in expected.items()
    }
    assert len(model.answers) == len(list(bundled.rubric.criteria()))


def _run_page_function(page: Page, call: str):
    import subprocess

    from questionnaire_page import NODE

    driver = (
        '\nconst input = JSON.parse(require("fs").readFileSync(0, "utf8"));\n'
        "const meta = JSON.parse(input.meta);\nconst q = globalThis.mlopsAuditQuestionnaire;\n"
        f"process.stdout.write(JSON.stringify({call}));\n"
    )
    payload = json.dumps({"meta": page.scripts["questionnaire-meta"], "entries": page.entries()})
    done = subprocess.run([NODE, "-e", page.scripts["questionnaire-logic"] + driver], input=payload, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@needs_node
def test_the_page_shows_only_questions_asked_of_the_ticked_roles_and_counts_answers(rubric, filled):
    page = page_of(rubric, lang="en", roles=(), filled=filled)  # every question on the page
    everything = [c.id for _, _, c in rubric.rubric.criteria()]
    asked = [c.id for _, _, c in rubric.rubric.criteria() if "data_engineer" in c.question.roles]
    assert set(asked) < set(everything)
    assert _run_page_function(page, 'q.routedIds(meta, ["data_engineer"])') == asked
    assert _run_page_function(page, "q.routedIds(meta, [])") == everything
    # every choice made counts as answered, "unknown" and an unconfirmed proposal's choice included
    answered = {a.criterion for a in filled.answers}
    count = _run_page_function(page, 'q.answeredCount(input.entries, q.routedIds(meta, ["data_engineer"]))')
    assert count == len(answered & set(asked)) == 8
    assert _run_page_function(page, "q.answeredCount(input.entries, q.routedIds(meta, []))") == len(answered) == 9
    html = render(make_form(rubric, lang="en", roles=[], filled=filled)[0], "html").decode("utf-8")
    assert '<p id="progress" class="progress" aria-live="polite"></p>' in html
    for c in rubric.rubric.criteria():
        assert f'id="q-{c[2].id}"' in html  # the boxes the script hides or shows
