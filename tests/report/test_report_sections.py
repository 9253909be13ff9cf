"""Every section is there for a rich assessment, and says why it is empty for a sparse one."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from mlops_audit.report.context import SECTIONS, build_context
from mlops_audit.report.exports import report_digest
from mlops_audit.report.i18n import messages

LANGS = ("zh", "en")


class _Sections(HTMLParser):
    """Collects the text of each <section>, keyed by its section heading id."""

    def __init__(self) -> None:
        super().__init__()
        self.current: str | None = None
        self.text: dict[str, list[str]] = {}
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h1" and (a.get("id") or "").startswith("sec-"):
            self.current = a["id"][4:]
            self.text[self.current] = []

    def handle_data(self, data):
        if self.current:
            self.text[self.current].append(data)


def sections_of(html: str) -> dict[str, str]:
    parser = _Sections()
    parser.feed(html)
    return {k: " ".join(v) for k, v in parser.text.items()}


@pytest.mark.parametrize("lang", LANGS)
def test_rich_report_has_every_section_in_order_with_content(rich_html, lang):
    html = rich_html[lang]
    ids = re.findall(r'<h1 id="sec-([a-z]+)" class="section(?: brief)?">', html)
    assert ids == list(SECTIONS)
    assert 'class="section brief"' not in html  # every section has content, so each starts a page
    t = messages(lang)
    sections = sections_of(html)
    # No section of a rich assessment falls back to an "absent" sentence for its main content.
    for key in ("nothing_assessed", "roster", "runs", "previous", "evidence", "waivers", "conflicts"):
        assert t(f"absent.{key}") not in html, f"rich report unexpectedly says: absent.{key}"
    assert t("parts.PA.2") in sections["pipeline"]
    assert "p-alice" in sections["roles"]  # holds two roles and breaks separation of duties
    assert t("roles.sod_violated") in sections["roles"]
    assert "CASE.mra.1" in sections["mra"]
    assert "JR/T 0221-2021" in sections["regulatory"] and t("regulatory.status_partial") in sections["regulatory"]
    assert t("exceptions.waiver_applied") in sections["exceptions"]
    assert t("exceptions.waiver_expired") in sections["exceptions"]
    assert "2020-01-31" in sections["exceptions"]  # the expired waiver's expiry date is shown
    assert t("exceptions.kind_denied_against_evidence") in sections["exceptions"]
    assert t("exceptions.kind_claimed_without_evidence") in sections["exceptions"]
    assert t("gaps.blocking") in sections["gaps"]
    assert t("trend.improved") in sections["trend"] or t("trend.regressed") in sections["trend"]
    assert "sha256 " + "a" * 64 in sections["appendix"]  # evidence register with digests
    assert t("appendix.trail_ok") in sections["appendix"]
    assert t("appendix.signoff_compliance") in sections["appendix"]


@pytest.mark.parametrize("lang", LANGS)
def test_cover_names_organisation_rubric_tool_and_report_digest(rich, rich_html, lang):
    html = rich_html[lang]
    cover = html.split('<nav class="toc"')[0]
    assert "示例银行 Example Bank" in cover
    assert rich.rubric.digest in cover
    assert f"{rich.rubric.id} {rich.rubric.version}" in cover
    assert f"{rich.tool.name} {rich.tool.version}" in cover
    assert report_digest(rich) in cover
    assert "张三" in cover


def test_executive_summary_names_the_level_in_each_language(rich, rich_html):
    level = rich.overall.level
    names = {lv.level: lv.name for lv in rich.rubric_snapshot.levels}
    summary_zh = sections_of(rich_html["zh"])["summary"]
    summary_en = sections_of(rich_html["en"])["summary"]
    assert names[level].zh in summary_zh and names[level].zh == "基础级"
    assert names[level].en in summary_en
    assert f"{rich.overall.score:.1f}" in summary_en
    assert "<svg" in rich_html["en"].split('id="sec-methodology"')[0]


@pytest.mark.parametrize("lang", LANGS)
def test_sparse_report_keeps_every_heading_and_says_why_each_part_is_empty(sparse_html, lang):
    html = sparse_html[lang]
    t = messages(lang)
    ids = re.findall(r'<h1 id="sec-([a-z]+)" class="section(?: brief)?">', html)
    assert ids == list(SECTIONS)
    sections = sections_of(html)
    expected = {
        "domains": "absent.nothing_assessed",
        "pipeline": "absent.nothing_assessed",
        "roles": "absent.roster",
        "mra": "absent.runs",
        "gaps": "absent.nothing_assessed",
        "trend": "absent.previous",
    }
    for section, key in expected.items():
        assert t(key) in sections[section], f"{section} should explain itself with {key}"
        assert f'<h1 id="sec-{section}" class="section brief">' in html  # no page of its own
    assert t("absent.waivers") in sections["exceptions"]
    assert t("absent.evidence") in sections["appendix"]
    assert t("absent.respondents") in sections["methodology"]
    assert t("absent.nothing_assessed") in sections["summary"]  # level 0 is explained, not asserted
    assert t("appendix.signoff") in sections["appendix"]  # the sign-off block is always there


def test_every_rich_section_has_data_the_sparse_one_lacks(rich, sparse):
    for lang in LANGS:
        t = messages(lang)
        r = build_context(rich, t, report_digest="x")
        s = build_context(sparse, t, report_digest="x")
        for key in ("domains", "pipeline", "roles", "mra", "gaps"):
            assert r[key]["present"] is True
            assert s[key]["present"] is False and s[key]["reason"]
        assert r["summary"]["strengths"] and not s["summary"]["strengths"]
        assert r["appendix"]["evidence"] and not s["appendix"]["evidence"]


def test_roadmap_targets_the_next_overall_level_and_orders_by_level(rich):
    ctx = build_context(rich, messages("en"), report_digest="x")
    gaps = ctx["gaps"]
    assert gaps["target"] == rich.overall.level + 1
    levels = [phase["level"] for phase in gaps["roadmap"]]
    assert levels == sorted(levels) and all(level <= gaps["target"] for level in levels)
    listed = {item["id"] for phase in gaps["roadmap"] for item in phase["items"]}
    # every criterion blocking a practice below the target appears in the roadmap
    below = {p.id for p in rich.practices if p.level < gaps["target"]}
    assert {g.criterion for g in rich.gaps if g.practice in below} <= listed
    assert gaps["total"] == len(listed)


def test_trend_with_a_different_rubric_warns_and_shows_no_movement(rich, previous):
    other = previous.model_copy(update={"rubric": previous.rubric.model_copy(update={"version": "0.0.9"})})
    for lang in LANGS:
        t = messages(lang)
        ctx = build_context(rich, t, previous=other, report_digest="x")["trend"]
        assert ctx["comparable"] is False
        assert "improved" not in ctx and "regressed" not in ctx
        assert any("version" in d for d in ctx["differences"])


def test_at_the_top_level_the_roadmap_says_there_is_nothing_left(rich):
    top = rich.model_copy(update={"overall": rich.overall.model_copy(update={"level": 5})})
    for lang in LANGS:
        t = messages(lang)
        gaps = build_context(top, t, report_digest="x")["gaps"]
        assert gaps == {"present": False, "reason": t("absent.top_level")}


def test_evidence_is_cited_by_short_labels_that_link_to_the_register(rich, rich_html):
    ctx = build_context(rich, messages("en"), report_digest="x")
    register = {e["anchor"]: e["label"] for e in ctx["appendix"]["evidence"]}
    assert [e["label"] for e in ctx["appendix"]["evidence"]] == [f"E{n}" for n in range(1, len(rich.evidence) + 1)]
    cited = [link for d in ctx["domains"]["items"] for p in d["practices"] for c in p["criteria"] for link in c["evidence"]]
    assert cited and all(register[link["anchor"]] == link["label"] for link in cited)
    for anchor_id in register:
        assert f'id="{anchor_id}"' in rich_html["en"]
