"""DESIGN §4, rule by rule: each test pins one line of the scoring contract."""

from __future__ import annotations

import pytest

from mlops_audit.evidence.model import Waiver
from mlops_audit.rubric.model import Outcome, Strength
from mlops_audit.scoring.engine import AssessmentInputs, assess
from tests.conftest import AT, answer_file, repo_evidence, run_evidence

DE = "data_engineer"
DS = "data_scientist"


def run(rubric, files=(), evidence=(), waivers=(), **kw):
    named = [(f"{i}.yaml", f) for i, f in enumerate(files)]
    return assess(AssessmentInputs(rubric=rubric, answer_files=named, evidence=list(evidence), waivers=list(waivers), **kw), assessed_at=AT)


def crit(assessment, cid):
    return next(c for c in assessment.criteria if c.id == cid)


def practice(assessment, pid):
    return next(p for p in assessment.practices if p.id == pid)


# Rule 1: outcomes and credit -------------------------------------------------------------------


def test_credit_is_one_for_met_half_for_partial_zero_for_unmet_and_not_assessed(small_rubric):
    a = run(small_rubric, [answer_file("r1", [DE], {"DE.ingest.L1": "yes", "DE.ingest.L2": "partial", "DE.ingest.L2.2": "no"})])
    assert [crit(a, c).credit for c in ("DE.ingest.L1", "DE.ingest.L2", "DE.ingest.L2.2", "DE.ingest.L3")] == [1.0, 0.5, 0.0, 0.0]
    assert crit(a, "DE.ingest.L3").outcome is Outcome.not_assessed
    # 6 criteria, equal weights: (1 + 0.5) / 6
    assert practice(a, "DE.ingest").score == pytest.approx(25.0)
    assert practice(a, "DE.ingest").coverage == pytest.approx(0.5)  # 3 of 6 assessed


def test_not_applicable_and_waived_leave_the_denominator(small_rubric):
    base = {"DE.ingest.L1": "yes", "DE.ingest.L2": "yes"}
    na = dict(base, **{"DE.ingest.L3": "n/a", "DE.ingest.L4": "n/a"})
    a = run(small_rubric, [answer_file("r1", [DE], na)], waivers=[Waiver(criterion="DE.ingest.L5", justification="legacy", approved_by="cro", expires="2027-01-01")])
    assert crit(a, "DE.ingest.L3").outcome is Outcome.not_applicable
    assert crit(a, "DE.ingest.L5").outcome is Outcome.waived
    # counted: L1, L2, L2.2 -> 2 met of 3
    assert practice(a, "DE.ingest").score == pytest.approx(200 / 3, abs=0.01)
    assert "DE.ingest.L5" in [w.criterion for w in a.waivers if w.status == "applied"]


# Rule 2: reconciliation ------------------------------------------------------------------------


def test_repo_finding_makes_a_criterion_met_at_evidenced_strength(small_rubric):
    a = run(small_rubric, evidence=[repo_evidence("versions_data", ["DE.ingest.L3"])])
    c = crit(a, "DE.ingest.L3")
    assert (c.outcome, c.strength) == (Outcome.met, Strength.evidenced)


def test_verified_step_outranks_weaker_evidence(small_rubric):
    a = run(small_rubric, evidence=[repo_evidence("orchestrates_pipeline", ["DE.ingest.L4"]), run_evidence("DE.ingest.L4")])
    c = crit(a, "DE.ingest.L4")
    assert (c.outcome, c.strength) == (Outcome.met, Strength.verified)


def test_answers_combine_by_majority_of_routed_roles_and_a_tie_goes_lower(small_rubric):
    # DE.ingest.L2.2 is asked of data engineers and data scientists: one role says yes, one says no.
    a = run(small_rubric, [answer_file("r1", [DE], {"DE.ingest.L2.2": "yes"}), answer_file("r2", [DS], {"DE.ingest.L2.2": "no"})])
    c = crit(a, "DE.ingest.L2.2")
    assert c.claimed is Outcome.unmet and c.outcome is Outcome.unmet
    assert c.contested and c.agreement == pytest.approx(0.5)
    assert "DE.ingest.L2.2" in a.contested


def test_each_role_votes_once_however_many_holders_it_has(small_rubric):
    # Three data engineers say yes, two data scientists say no, one says yes: DS votes no (lower median
    # of no,no,yes), DE votes yes -> tie of roles -> lower -> unmet.
    files = [answer_file(f"de{i}", [DE], {"DE.ingest.L2.2": "yes"}) for i in range(3)]
    files += [answer_file("ds1", [DS], {"DE.ingest.L2.2": "no"}), answer_file("ds2", [DS], {"DE.ingest.L2.2": "no"}), answer_file("ds3", [DS], {"DE.ingest.L2.2": "yes"})]
    assert crit(run(small_rubric, files), "DE.ingest.L2.2").outcome is Outcome.unmet
    files[4] = answer_file("ds2", [DS], {"DE.ingest.L2.2": "yes"})
    assert crit(run(small_rubric, files), "DE.ingest.L2.2").outcome is Outcome.met


def test_only_routed_respondents_vote_when_any_of_them_answered(small_rubric):
    # DE.ingest.L1 is asked of data engineers; a data scientist's "no" does not outvote them.
    files = [answer_file("de", [DE], {"DE.ingest.L1": "yes"}), answer_file("ds", [DS], {"DE.ingest.L1": "no"})]
    c = crit(run(small_rubric, files), "DE.ingest.L1")
    assert c.outcome is Outcome.met
    assert [a.routed for a in c.answers] == [True, False]
    # Without a routed answer, the others' answers are used.
    c = crit(run(small_rubric, [answer_file("ds", [DS], {"DE.ingest.L1": "yes"})]), "DE.ingest.L1")
    assert c.outcome is Outcome.met


def test_not_applicable_only_when_every_vote_says_so(small_rubric):
    files = [answer_file("a", [DE], {"DE.ingest.L1": "n/a"}), answer_file("b", [DE], {"DE.ingest.L1": "n/a"})]
    assert crit(run(small_rubric, files), "DE.ingest.L1").outcome is Outcome.not_applicable
    files.append(answer_file("c", [DE], {"DE.ingest.L1": "yes"}))
    assert crit(run(small_rubric, files), "DE.ingest.L1").outcome is Outcome.met


def test_unknown_answers_are_not_votes(small_rubric):
    files = [answer_file("a", [DE], {"DE.ingest.L1": "unknown"}), answer_file("b", [DE], {"DE.ingest.L1": "yes"})]
    assert crit(run(small_rubric, files), "DE.ingest.L1").outcome is Outcome.met
    assert crit(run(small_rubric, files[:1]), "DE.ingest.L1").outcome is Outcome.not_assessed


def test_scale_choice_and_number_answers_map_to_outcomes(small_rubric):
    files = [answer_file("a", [DE], {"DE.quality.L1": 2, "DE.quality.L2": "all", "DE.quality.L5": 10})]
    a = run(small_rubric, files)
    assert crit(a, "DE.quality.L1").claimed is Outcome.partial  # scale 2 >= partial_at 2 < met_at 3
    assert crit(a, "DE.quality.L2").claimed is Outcome.met
    assert crit(a, "DE.quality.L5").claimed is Outcome.partial  # 10 days: worse than 7, within 30


def test_saying_no_against_evidence_is_a_recorded_conflict_and_the_answer_stands(small_rubric):
    a = run(small_rubric, [answer_file("r1", [DE], {"DE.ingest.L3": "no"})], evidence=[repo_evidence("versions_data", ["DE.ingest.L3"])])
    assert crit(a, "DE.ingest.L3").outcome is Outcome.unmet  # evidence corroborates, never votes
    [conflict] = a.conflicts
    assert (conflict.criterion, conflict.kind, conflict.respondents) == ("DE.ingest.L3", "denied_against_evidence", ["r1"])
    assert conflict.resolution is None
    assert [c.kind for c in a.caveats if c.criteria == ["DE.ingest.L3"]] == ["conflicts"]


def test_saying_yes_where_a_detector_found_nothing_is_a_recorded_conflict(small_rubric):
    a = run(small_rubric, [answer_file("r1", [DE], {"DE.ingest.L3": "yes"})], evidence=[repo_evidence("versions_data", ["DE.ingest.L3"], says="unmet")])
    [conflict] = a.conflicts
    assert conflict.kind == "claimed_without_evidence"
    assert crit(a, "DE.ingest.L3").outcome is Outcome.partial  # the claim stands, unsubstantiated


def test_a_detector_that_found_nothing_with_no_answer_makes_it_unmet(small_rubric):
    a = run(small_rubric, evidence=[repo_evidence("versions_data", ["DE.ingest.L3"], says="unmet")])
    c = crit(a, "DE.ingest.L3")
    assert (c.outcome, c.strength) == (Outcome.unmet, Strength.evidenced)


# Rule 3: evidence policy -----------------------------------------------------------------------


def test_claims_suffice_at_levels_one_and_two_but_not_from_level_three(small_rubric):
    a = run(small_rubric, [answer_file("r1", [DE], {"DE.ingest.L2": "yes", "DE.ingest.L3": "yes"})])
    assert crit(a, "DE.ingest.L2").outcome is Outcome.met
    c = crit(a, "DE.ingest.L3")
    assert (c.outcome, c.unsubstantiated, c.required_strength) == (Outcome.partial, True, Strength.evidenced)
    assert a.unsubstantiated == ["DE.ingest.L3"]


def test_criteria_naming_pipeline_steps_need_a_verified_run_from_level_three(small_rubric):
    a = run(small_rubric, evidence=[repo_evidence("orchestrates_pipeline", ["DE.ingest.L4"])])
    c = crit(a, "DE.ingest.L4")
    assert (c.required_strength, c.outcome, c.unsubstantiated) == (Strength.verified, Outcome.partial, True)


def test_support_too_weak_for_the_policy_does_not_overturn_not_applicable(small_rubric):
    # DE.ingest.L3 needs evidenced support; one respondent says it does not apply to them.
    says_na = answer_file("a", [DE], {"DE.ingest.L3": "n/a"})
    says_yes = answer_file("b", [DE], {"DE.ingest.L3": "yes"})
    assert crit(run(small_rubric, [says_na]), "DE.ingest.L3").outcome is Outcome.not_applicable
    # A bare "yes" beside it stays n/a (as partial it would lower the score), and is shown as contested.
    c = crit(run(small_rubric, [says_na, says_yes]), "DE.ingest.L3")
    assert (c.outcome, c.unsubstantiated, c.contested) == (Outcome.not_applicable, False, True)
    # Without the n/a vote the same "yes" is an unsubstantiated partial, as rule 3 says.
    assert crit(run(small_rubric, [says_yes]), "DE.ingest.L3").outcome is Outcome.partial
    # Even evidence strong enough for the policy does not overturn it on its own: it is a conflict.
    a = run(small_rubric, [says_na], evidence=[repo_evidence("versions_data", ["DE.ingest.L3"])])
    assert crit(a, "DE.ingest.L3").outcome is Outcome.not_applicable
    assert [c.kind for c in a.conflicts] == ["not_applicable_against_evidence"]


def test_a_policy_given_for_the_run_overrides_the_rubric_default(small_rubric):
    lenient = small_rubric.rubric.evidence_policy.model_copy(
        update={"id": "lenient", "min_strength": {i: Strength.claimed for i in range(1, 6)}, "verified_for_pipeline_steps_from_level": 6}
    )
    a = run(small_rubric, [answer_file("r1", [DE], {"DE.ingest.L3": "yes"})], policy=lenient)
    assert crit(a, "DE.ingest.L3").outcome is Outcome.met
    assert a.policy.id == "lenient"


# Rule 4: practice level and score --------------------------------------------------------------


def test_practice_level_is_the_highest_level_with_everything_at_or_below_met_or_waived(small_rubric):
    answers = {"DE.ingest.L1": "yes", "DE.ingest.L2": "yes", "DE.ingest.L2.2": "yes"}
    a = run(small_rubric, [answer_file("r1", [DE], answers)], evidence=[repo_evidence("versions_data", ["DE.ingest.L3"])])
    assert practice(a, "DE.ingest").level == 3
    assert practice(a, "DE.ingest").blocking == ["DE.ingest.L4"]
    # A hole at level 2 caps the level at 1 even though level 3 is met.
    answers["DE.ingest.L2.2"] = "no"
    a = run(small_rubric, [answer_file("r1", [DE], answers)], evidence=[repo_evidence("versions_data", ["DE.ingest.L3"])])
    assert practice(a, "DE.ingest").level == 1


def test_a_waiver_counts_toward_the_level_but_is_listed_separately(small_rubric):
    w = Waiver(criterion="DE.ingest.L2.2", justification="vendor system", approved_by="cro", expires="2027-06-30")
    a = run(small_rubric, [answer_file("r1", [DE], {"DE.ingest.L1": "yes", "DE.ingest.L2": "yes"})], waivers=[w])
    assert practice(a, "DE.ingest").level == 2
    assert [(x.criterion, x.status) for x in a.waivers] == [("DE.ingest.L2.2", "applied")]


def test_an_expired_waiver_is_void_and_reported(small_rubric):
    w = Waiver(criterion="DE.ingest.L2.2", justification="vendor system", approved_by="cro", expires="2026-11-29")
    a = run(small_rubric, [answer_file("r1", [DE], {"DE.ingest.L1": "yes", "DE.ingest.L2": "yes"})], waivers=[w])
    assert crit(a, "DE.ingest.L2.2").outcome is Outcome.not_assessed
    assert practice(a, "DE.ingest").level == 1
    assert [(x.criterion, x.status) for x in a.waivers] == [("DE.ingest.L2.2", "expired")]
    assert any("expired" in warning for warning in a.warnings)


def test_a_waiver_on_a_met_criterion_is_unused(small_rubric):
    w = Waiver(criterion="DE.ingest.L1", justification="x", approved_by="cro", expires="2027-01-01")
    a = run(small_rubric, [answer_file("r1", [DE], {"DE.ingest.L1": "yes"})], waivers=[w])
    assert crit(a, "DE.ingest.L1").outcome is Outcome.met
    assert a.waivers[0].status == "unused"


def test_practice_score_weighs_criteria_by_their_weight(small_rubric):
    a = run(small_rubric, [answer_file("r1", [DE], {"DE.quality.L1": 4, "DE.quality.L2": "some"})])
    assert practice(a, "DE.quality").score == pytest.approx(100 * 1.5 / 5)


# Rule 5: weakest link and weighted means ---------------------------------------------------------


def test_domain_level_is_the_weakest_practice_and_score_the_weighted_mean(small_rubric):
    files = [answer_file("r1", [DE], {"DE.ingest.L1": "yes", "DE.quality.L1": 4, "DE.quality.L2": "all"})]
    a = run(small_rubric, files)
    ingest, quality = practice(a, "DE.ingest"), practice(a, "DE.quality")
    assert (ingest.level, quality.level) == (1, 2)
    data = next(d for d in a.domains if d.id == "data")
    assert data.level == 1 and data.weakest == ["DE.ingest"]
    # DE.quality weighs 2, DE.ingest 1.
    assert data.score == pytest.approx((1 * ingest.score + 2 * quality.score) / 3, abs=0.01)
    dev = next(d for d in a.domains if d.id == "dev")
    assert a.overall.level == min(data.level, dev.level) == 0
    assert a.overall.score == pytest.approx((data.score + dev.score) / 2, abs=0.01)


def test_contributions_add_up_to_the_overall_score(small_rubric):
    files = [answer_file("r1", [DE, DS], {"DE.ingest.L1": "yes", "DE.ingest.L2": "partial", "DE.quality.L1": 4, "MD.track.L1": "yes", "MD.track.L2": "no"})]
    a = run(small_rubric, files, evidence=[repo_evidence("tracks_experiments", ["MD.track.L3"])])
    assert sum(c.contribution for c in a.criteria) == pytest.approx(a.overall.score, abs=0.01)


def test_a_practice_with_nothing_applicable_is_left_out_of_its_domain(small_rubric):
    all_na = {f"DE.quality.L{i}": "n/a" for i in range(1, 6)}
    a = run(small_rubric, [answer_file("r1", [DE], {**all_na, "DE.ingest.L1": "yes"})])
    assert not practice(a, "DE.quality").applicable
    data = next(d for d in a.domains if d.id == "data")
    assert data.score == practice(a, "DE.ingest").score


# Rule 7: results record the rubric ---------------------------------------------------------------


def test_the_assessment_records_rubric_id_version_digest_and_tool_version(small_rubric):
    a = run(small_rubric)
    assert (a.rubric.id, a.rubric.version, a.rubric.digest) == ("test-small", "0.1.0", small_rubric.digest)
    assert a.tool.name == "mlops-audit" and a.tool.version
    assert a.rubric_snapshot == small_rubric.rubric


# Gaps ------------------------------------------------------------------------------------------------


def test_gaps_are_the_next_level_criteria_ordered_by_level_completion_then_gain(small_rubric):
    a = run(small_rubric, [answer_file("r1", [DE], {"DE.ingest.L1": "yes"})])
    by_practice = {}
    for gap in a.gaps:
        by_practice.setdefault(gap.practice, []).append(gap)
    assert {g.criterion for g in by_practice["DE.ingest"]} == {"DE.ingest.L2", "DE.ingest.L2.2"}
    assert all(g.target_level == 2 for g in by_practice["DE.ingest"])
    assert [g.criterion for g in by_practice["DE.quality"]] == ["DE.quality.L1"]
    order = {"overall": 0, "domain": 1, "practice": 2}
    keys = [(order[g.blocks], g.target_level, not g.completes_level, -g.gain) for g in a.gaps]
    assert keys == sorted(keys)
    # The gain is what meeting it would add to the overall score.
    gap = by_practice["DE.quality"][0]
    better = run(small_rubric, [answer_file("r1", [DE], {"DE.ingest.L1": "yes", "DE.quality.L1": 4})])
    assert better.overall.score - a.overall.score == pytest.approx(gap.gain, abs=0.01)


def test_gaps_lead_with_what_stands_between_the_organisation_and_its_next_level(small_rubric):
    # DE.ingest reaches level 1; every other practice stays at 0: the overall level is 0, and what
    # blocks level 1 comes first, before DE.ingest's level-2 criteria (which block only that practice).
    a = run(small_rubric, [answer_file("r1", [DE], {"DE.ingest.L1": "yes"})])
    assert a.overall.level == 0
    first = [g for g in a.gaps if g.blocks == "overall"]
    assert first and all(g.target_level == 1 for g in first)
    assert a.gaps[: len(first)] == first
    assert {g.blocks for g in a.gaps if g.practice == "DE.ingest"} == {"practice"}


def test_holding_extra_roles_the_question_is_not_asked_of_gives_no_extra_votes(small_rubric):
    # DE.ingest.L2.2 is asked of data engineers and data scientists. A data engineer says partial;
    # someone who is a data scientist and also architect, PM and business says yes: one vote each,
    # a tie, which goes to the lower answer.
    files = [
        answer_file("de", [DE], {"DE.ingest.L2.2": "partial"}),
        answer_file("many", [DS, "ml_architect", "project_manager", "business"], {"DE.ingest.L2.2": "yes"}),
    ]
    assert crit(run(small_rubric, files), "DE.ingest.L2.2").claimed is Outcome.partial
