"""Property-based tests of the scoring contract (DESIGN §4 rule 6 and the aggregation rules)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlops_audit.evidence.answers import Answer
from mlops_audit.evidence.model import Evidence, Waiver
from mlops_audit.rubric.loader import load_rubric
from mlops_audit.rubric.model import Outcome, QuestionType
from mlops_audit.scoring.engine import AssessmentInputs, assess
from mlops_audit.util.jsonio import canonical_json
from tests.conftest import AT, SMALL_RUBRIC, answer_file, extreme_answer

RUBRIC = load_rubric(SMALL_RUBRIC)
CRITERIA = {c.id: c for _, _, c in RUBRIC.rubric.criteria()}
IDS = sorted(CRITERIA)
ROLES = ["data_engineer", "data_scientist", "ops_engineer"]
ORDER = {Outcome.unmet: 0, Outcome.not_assessed: 0, Outcome.partial: 1, Outcome.met: 2}


def values_for(cid: str):
    q = CRITERIA[cid].question
    common = st.sampled_from(["n/a", "unknown"])
    if q.type is QuestionType.yes_no:
        return st.one_of(st.sampled_from(["yes", "no", "partial"]), common)
    if q.type is QuestionType.scale:
        return st.one_of(st.integers(q.scale_min, q.scale_max), common)
    if q.type is QuestionType.choice:
        return st.one_of(st.sampled_from([c.value for c in q.choices]), common)
    return st.one_of(st.floats(0, 100, allow_nan=False), common)


def met_value(cid: str):
    return extreme_answer(CRITERIA[cid], best=True)


@st.composite
def respondents(draw):
    count = draw(st.integers(0, 4))
    files = []
    for i in range(count):
        roles = draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=2, unique=True))
        chosen = draw(st.lists(st.sampled_from(IDS), max_size=len(IDS), unique=True))
        answers = {cid: draw(values_for(cid)) for cid in chosen}
        files.append((f"r{i}.yaml", answer_file(f"r{i}", roles, answers)))
    return files


evidence_items = st.lists(
    st.builds(
        lambda cid, says, strength, n: Evidence(
            id=f"e{n}:{cid}", kind="pipeline" if strength == "verified" else "repo", source="d", locator="x",
            strength=strength, says=says, criteria=[cid],
        ),
        st.sampled_from(IDS), st.sampled_from(["met", "unmet", "not_applicable"]), st.sampled_from(["evidenced", "verified"]), st.integers(0, 999),
    ),
    max_size=5,
    unique_by=lambda e: e.id,
)
waivers = st.lists(
    st.builds(lambda cid, exp: Waiver(criterion=cid, justification="j", approved_by="a", expires=exp), st.sampled_from(IDS), st.sampled_from(["2020-01-01", "2030-01-01"])),
    max_size=3,
)


def score(files, evidence=(), waived=()):
    return assess(AssessmentInputs(rubric=RUBRIC, answer_files=files, evidence=list(evidence), waivers=list(waived)), assessed_at=AT)


def snapshot(a):
    return (
        a.overall.level, a.overall.score,
        {d.id: (d.level, d.score) for d in a.domains},
        {p.id: (p.level, p.score) for p in a.practices},
    )


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(respondents(), evidence_items, waivers)
def test_same_inputs_give_byte_identical_json(files, evidence, waived):
    one = canonical_json(score(files, evidence, waived).model_dump(mode="json"))
    two = canonical_json(score(list(reversed(files)), list(reversed(evidence)), waived).model_dump(mode="json"))
    assert one == two


def at_least(new, old):
    return new is not None and (old is None or new >= old - 1e-9)


@FAST
@given(respondents(), evidence_items, waivers, st.sampled_from(IDS), st.booleans())
def test_adding_met_evidence_never_lowers_a_score_or_level(files, evidence, waived, cid, as_answer):
    before = score(files, evidence, waived)
    if as_answer:
        extra = answer_file("new", list(CRITERIA[cid].question.roles), {cid: met_value(cid)})
        after = score(files + [("zz.yaml", extra)], evidence, waived)
    else:
        verified = Evidence(id=f"new:{cid}", kind="pipeline", source="run", locator="run#1", strength="verified", says="met", criteria=[cid])
        after = score(files, evidence + [verified], waived)
    assert after.overall.level >= before.overall.level
    if before.overall.score is not None:
        assert at_least(after.overall.score, before.overall.score)
    for b, a in zip(before.practices, after.practices, strict=True):
        assert a.applicable or not b.applicable
        if b.applicable:
            assert a.level >= b.level
        if b.score is not None:
            assert at_least(a.score, b.score), (b.id, b.score, a.score)
    for b, a in zip(before.domains, after.domains, strict=True):
        assert a.applicable or not b.applicable
        if b.applicable:
            assert a.level >= b.level
        if b.score is not None:
            assert at_least(a.score, b.score)


@FAST
@given(respondents(), evidence_items)
def test_not_applicable_and_waived_criteria_carry_no_weight(files, evidence):
    a = score(files, evidence)
    for practice in a.practices:
        items = [c for c in a.criteria if c.practice == practice.id]
        counted = [c for c in items if c.outcome not in (Outcome.not_applicable, Outcome.waived)]
        if not counted:
            assert practice.score is None
            continue
        expected = 100 * sum(c.weight * c.credit for c in counted) / sum(c.weight for c in counted)
        assert abs(practice.score - expected) < 0.01
        assert all(c.contribution == 0 for c in items if c not in counted)


@FAST
@given(respondents(), evidence_items, waivers)
def test_levels_are_gated_by_the_weakest_link(files, evidence, waived):
    a = score(files, evidence, waived)
    for practice in a.practices:
        if not practice.applicable:
            continue
        for c in a.criteria:
            if c.practice == practice.id and c.level <= practice.level:
                assert c.outcome in (Outcome.met, Outcome.waived, Outcome.not_applicable)
    for domain in a.domains:
        levels = [p.level for p in a.practices if p.domain == domain.id and p.applicable]
        assert domain.level == (min(levels) if levels else 0)
    live = [d.level for d in a.domains if d.applicable]
    assert a.overall.level == (min(live) if live else 0)


@FAST
@given(respondents(), st.sampled_from(IDS))
def test_changing_one_answer_changes_only_what_depends_on_it(files, cid):
    if not files:
        return
    name, first = files[0]
    changed = first.model_copy(update={"answers": [a for a in first.answers if a.criterion != cid] + [Answer(criterion=cid, value="unknown")]})
    before = score(files)
    after = score([(name, changed)] + files[1:])
    practice_id = next(c.practice for c in before.criteria if c.id == cid)
    for b, a in zip(before.criteria, after.criteria, strict=True):
        if b.id != cid:
            assert (b.outcome, b.claimed, b.strength) == (a.outcome, a.claimed, a.strength)
    for b, a in zip(before.practices, after.practices, strict=True):
        if b.id != practice_id:
            assert (b.level, b.score) == (a.level, a.score)
