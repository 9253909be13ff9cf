"""Page 1 tells the truth: every caveat, what blocks the next level (with owners), honest strengths."""

from __future__ import annotations

import re

import pytest

from mlops_audit.report.caveats import Caveat, caveats_for, derive_caveats
from mlops_audit.report.context import source_line
from mlops_audit.report.exports import report_digest
from mlops_audit.report.html import render_html
from mlops_audit.report.priorities import gap_lines, next_level_blockers, next_level_target, other_gaps, owner_roles, strengths
from mlops_audit.rubric.model import Outcome


def kinds(a, previous=None) -> list[str]:
    return [c.kind for c in caveats_for(a, previous)]


def cover_of(html: str) -> str:
    """The first page's HTML: the cover section, before the table of contents."""
    start = html.index('<section class="cover">')
    return html[start : html.index("</section>", start)]


def recomputed(a, **update):
    """A copy with some fields changed and no stored caveats, so they are recomputed from its parts
    (as for an assessment written before the engine stated caveats)."""
    return a.model_copy(update={**update, "caveats": []})


def test_the_engines_caveats_are_shown_as_stored(rich_small):
    found = {c.kind: c for c in caveats_for(rich_small)}
    assert set(found) == {c.kind for c in rich_small.caveats}
    assert {"conflicts", "unsubstantiated", "waiver_expired", "waiver_unknown_criterion"} <= set(found)
    assert found["conflicts"].severity == "critical"
    for c in found.values():
        assert c.text("zh") and c.text("en") and c.text("zh") != c.text("en")


def test_an_assessment_without_stored_caveats_gets_them_recomputed_the_engines_way(rich_small):
    again = caveats_for(recomputed(rich_small))
    assert [(c.kind, c.severity, c.criteria) for c in again] == [(c.kind, c.severity, tuple(c.criteria)) for c in rich_small.caveats]


def test_low_coverage_is_a_critical_caveat(rich_small):
    assert "low_coverage" not in kinds(rich_small)
    low = recomputed(rich_small, overall=rich_small.overall.model_copy(update={"coverage": 0.02}))
    caveat = next(c for c in caveats_for(low) if c.kind == "low_coverage")
    assert caveat.severity == "critical" and "2%" in caveat.text("en")


def test_runs_that_failed_or_are_unsigned_are_caveats(rich_small):
    run = rich_small.runs[0]
    failed = recomputed(rich_small, runs=[run.model_copy(update={"ok": False, "problems": ["hash chain broken at seq 3"], "first_bad_seq": 3})])
    unsigned = recomputed(rich_small, runs=[run.model_copy(update={"signature": "absent", "credited": True, "status": "credited"})])
    assert "run_not_verified" in kinds(failed) and "run_unsigned" not in kinds(failed)
    assert "run_unsigned" in kinds(unsigned) and "run_not_verified" not in kinds(unsigned)


def test_rubric_change_and_other_subject_against_previous(rich_small, previous_small):
    assert "rubric_changed" not in kinds(rich_small, previous_small)
    other_rubric = previous_small.model_copy(update={"rubric": previous_small.rubric.model_copy(update={"version": "0.9.0"})})
    assert "rubric_changed" in kinds(rich_small, other_rubric)
    other_bank = previous_small.model_copy(update={"organisation": previous_small.organisation.model_copy(update={"name": "Other Bank"})})
    caveat = next(c for c in caveats_for(rich_small, other_bank) if c.kind == "previous_other_subject")
    assert "Other Bank" in caveat.text("en") and caveat.severity == "critical"


def test_unrouted_answers_are_a_caveat(rich_small):
    target = next(c for c in rich_small.criteria if any(x.outcome is not None for x in c.answers))
    changed = [
        c.model_copy(update={"answers": [x.model_copy(update={"routed": False}) for x in c.answers]}) if c.id == target.id else c
        for c in rich_small.criteria
    ]
    caveat = next(c for c in caveats_for(recomputed(rich_small, criteria=changed)) if c.kind == "unrouted_answers")
    assert target.id in caveat.criteria


def test_caveats_are_ordered_by_severity(rich_small):
    order = {"critical": 0, "warning": 1, "info": 2}
    ranks = [order[c.severity] for c in caveats_for(rich_small)]
    assert ranks == sorted(ranks) and ranks


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_caveat_is_on_the_cover(rich_small, previous_small, lang):
    other_rubric = previous_small.model_copy(update={"rubric": previous_small.rubric.model_copy(update={"version": "0.9.0"})})
    a = recomputed(
        rich_small,
        overall=rich_small.overall.model_copy(update={"coverage": 0.02}),
        runs=[rich_small.runs[0].model_copy(update={"signature": "absent", "credited": True, "status": "credited"})],
    )
    html = render_html(a, lang, report_digest=report_digest(a), previous=other_rubric)
    cover = cover_of(html)
    expected = caveats_for(a, other_rubric)
    assert {c.kind for c in expected} >= {"low_coverage", "conflicts", "unsubstantiated", "waiver_expired", "waiver_unknown_criterion", "run_unsigned", "rubric_changed"}
    from markupsafe import escape

    for caveat in expected:
        assert str(escape(caveat.text(lang))) in cover, caveat.kind
    assert cover.count('class="caveat sev-') == len(expected)


def test_next_level_blockers_are_exactly_what_holds_the_level(rich_small):
    target = next_level_target(rich_small)
    assert target == rich_small.overall.level + 1
    groups = next_level_blockers(rich_small)
    practices = {p.id: p for p in rich_small.practices}
    blockers = [b for g in groups for b in g.blockers]
    assert blockers
    for b in blockers:
        assert b.level <= target and practices[b.practice].level < target
        assert b.outcome not in (Outcome.met, Outcome.waived, Outcome.not_applicable)
    # every practice below the target level has at least one blocker (else it would be at the target)
    below = {p.id for p in rich_small.practices if p.applicable and p.level < target}
    assert below == {b.practice for b in blockers}
    # nothing else: every unmet criterion at or under the target in those practices is listed
    expected = {
        c.id for c in rich_small.criteria
        if c.applicable and c.practice in below and c.level <= target and c.outcome not in (Outcome.met, Outcome.waived, Outcome.not_applicable)
    }
    assert {b.criterion for b in blockers} == expected
    assert not {g.criterion for g in other_gaps(rich_small)} & expected


def test_next_level_blockers_are_the_engines_overall_gaps_in_its_order(rich, rich_small):
    for a in (rich, rich_small):
        engine = [g.criterion for g in a.gaps if g.blocks == "overall"]
        ours = [b.criterion for g in next_level_blockers(a) for b in g.blockers]
        assert sorted(ours) == sorted(engine) and engine
        for group in next_level_blockers(a):
            within = [b.criterion for b in group.blockers]
            assert within == [c for c in engine if c in within]


def test_owner_roles_come_from_the_raci(rich_small):
    rubric = rich_small.rubric_snapshot
    for _, practice, criterion in rubric.criterion_index().values():
        owners = owner_roles(rubric, criterion.id)
        assert owners
        if practice.raci and practice.raci.accountable:
            assert owners == tuple(practice.raci.accountable)
        else:
            assert set(owners) <= set(rubric.role_ids()) | set(criterion.question.roles)


def test_strengths_never_list_a_practice_far_below_its_level(rich_small):
    clean = rich_small.model_copy(
        update={"criteria": [c.model_copy(update={"conflict": False, "unsubstantiated": False, "contested": False}) for c in rich_small.criteria]}
    )
    best = max(clean.practices, key=lambda p: (p.level, p.score or 0))
    assert best.level >= 2 and best.id in strengths(clean, 5)
    hollow = [p.model_copy(update={"score": 20.0}) if p.id == best.id else p for p in clean.practices]
    assert best.id not in strengths(clean.model_copy(update={"practices": hollow}), 5)
    # a conflict under the level it claims disqualifies it too (MD.track has one at L4 in the fixture)
    target = next(c for c in clean.criteria if c.practice == best.id and c.level <= best.level)
    flagged = [c.model_copy(update={"conflict": True}) if c.id == target.id else c for c in clean.criteria]
    assert best.id not in strengths(clean.model_copy(update={"criteria": flagged}), 5)
    assert all(p.level >= 2 for p in clean.practices if p.id in strengths(clean, 5))


def test_summary_explains_the_weakest_link_in_one_sentence(rich_html):
    for lang, html in rich_html.items():
        sentences = re.findall(r'<p class="weakest-link">([^<]*)</p>', html)
        assert len(sentences) == 1, lang


def test_console_lists_caveats_then_blockers_then_other_gaps(rich_small):
    lines = gap_lines(rich_small)
    blocking = next(i for i, line in enumerate(lines) if line.startswith("blocking level"))
    other = next(i for i, line in enumerate(lines) if line.startswith("other gaps"))
    caveat_lines = [i for i, line in enumerate(lines) if line.startswith(("CRITICAL:", "WARNING:", "INFO:"))]
    assert caveat_lines and max(caveat_lines) < blocking < other
    listed = " ".join(lines[blocking:other])
    for g in next_level_blockers(rich_small):
        for b in g.blockers:
            assert b.criterion in listed
    assert "owner:" in lines[blocking + 2]


def test_guide_year_printed_once():
    assert source_line("CAICT", "Practice Guide (2023)", 2023) == "CAICT · Practice Guide (2023)"
    assert source_line("CAICT", "Practice Guide", 2023) == "CAICT · Practice Guide (2023)"


def test_caveat_text_falls_back_to_english():
    assert Caveat("x", "info", {"en": "only english"}).text("zh") == "only english"


def test_derived_caveats_are_deterministic(rich_small):
    assert derive_caveats(rich_small) == derive_caveats(rich_small)


def test_the_cover_lists_at_most_twelve_blockers_and_says_how_many_more(rich):
    from mlops_audit.report.context import COVER_BLOCKERS
    from mlops_audit.report.i18n import messages
    from mlops_audit.report.context import build_context

    a = rich.model_copy(
        update={
            "criteria": [c.model_copy(update={"outcome": Outcome.unmet}) if c.applicable else c for c in rich.criteria],
            "practices": [p.model_copy(update={"level": 1}) for p in rich.practices],
            "overall": rich.overall.model_copy(update={"level": 1}),
        }
    )
    total = sum(len(g.blockers) for g in next_level_blockers(a))
    assert total > COVER_BLOCKERS
    nl = build_context(a, messages("en"), report_digest="x" * 64)["summary"]["next_level"]
    assert len(nl["cover_rows"]) == COVER_BLOCKERS
    assert nl["cover_more"] == f"... and {total - COVER_BLOCKERS} more, listed with what to do in the executive summary."
    assert sum(len(d["rows"]) for d in nl["domains"]) == total  # the summary lists every one
    html = render_html(a, "en", report_digest=report_digest(a))
    assert cover_of(html).count("<tr><td>") == COVER_BLOCKERS


def test_the_weakest_link_sentence_names_at_most_three_practices(rich):
    from mlops_audit.report.context import WEAKEST_NAMED, build_context
    from mlops_audit.report.i18n import messages

    weakest = [p for d in rich.domains if d.id in rich.overall.weakest for p in d.weakest]
    sentence = build_context(rich, messages("en"), report_digest="x")["summary"]["weakest_link"]
    if len(set(weakest)) > WEAKEST_NAMED:
        assert f" and {len(set(weakest)) - WEAKEST_NAMED} more at level" in sentence
    assert sentence.count(", ") <= WEAKEST_NAMED + 2  # the rule's own comma, the list, nothing more


def test_a_regulator_profiles_domains_never_block_the_next_level(rich_small):
    blockers = next_level_blockers(rich_small)
    domain = blockers[0].domain
    rubric = rich_small.rubric_snapshot
    marked = rubric.model_copy(update={"domains": [d.model_copy(update={"profile": "cn-finance"}) if d.id == domain else d for d in rubric.domains]})
    a = rich_small.model_copy(update={"rubric_snapshot": marked})
    assert domain not in {g.domain for g in next_level_blockers(a)}
