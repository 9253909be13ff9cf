"""Rubric text a reviewer signs off (issue 17 point 5): each class of fault, checked everywhere.

Mechanical checks of the classes an independent read found; each names the class it guards.
"""

from __future__ import annotations

import re

import pytest

from mlops_audit.rubric.loader import LoadedRubric, default_rubric
from mlops_audit.rubric.model import Criterion, QuestionType, Source


@pytest.fixture(scope="module")
def loaded() -> LoadedRubric:
    return default_rubric()


def _criteria(loaded: LoadedRubric) -> list[Criterion]:
    return [c for _, _, c in loaded.rubric.criteria()]


# A level-1 criterion is the minimum a practice must show, never a description of a deficient
# state: "met: model files kept on a shared drive" would read as praise of the deficiency.
DEFICIENT_STATE = re.compile(
    r"shared drive|personal folder|from memory|in (their|his|her) head|trial and error|complaints|"
    r"\bnobody\b|\bno one\b|\bonly when\b|when someone notices|each in their own way|roughly",
    re.IGNORECASE,
)


def test_level_1_criteria_state_a_minimum(loaded: LoadedRubric) -> None:
    level_1 = [c for c in _criteria(loaded) if c.level == 1]
    assert level_1
    not_minimum = [c.id for c in level_1 if not c.text.en.startswith("At least") or "至少" not in c.text.zh]
    assert not_minimum == []
    deficient = [(c.id, m.group()) for c in level_1 if (m := DEFICIENT_STATE.search(c.text.en))]
    assert deficient == []


def test_level_1_criteria_are_derived_not_the_guides(loaded: LoadedRubric) -> None:
    # The guide defines no levels: a level-1 minimum is a weakened reading of a clause, so `derived`.
    guide = [c.id for c in _criteria(loaded) if c.level == 1 and c.source is Source.guide]
    assert guide == []


# Yes/no questions ask about the practice the criterion states, not about one past event.
EVENT_QUESTION = re.compile(
    r"^(Did|Was|Were|Has any|Have any)\b|\bever\b|\b(was|were) last\b|\bthe (latest|last) (release|project|change|rule change)\b"
)


def test_yes_no_questions_ask_about_the_practice_not_one_event(loaded: LoadedRubric) -> None:
    events = [
        (c.id, c.question.text.en)
        for c in _criteria(loaded)
        if c.question.type is QuestionType.yes_no and EVENT_QUESTION.search(c.question.text.en)
    ]
    assert events == []


UNIVERSAL_EN = re.compile(r"\b(every|each|all)\b", re.IGNORECASE)
UNIVERSAL_ZH = re.compile(r"每|所有|全部")
UNIT_WORDS = {"percent": ("%", "%"), "days": ("days", "天"), "hours": ("hours", "小时")}


def _number_stated(value: float, unit_en: str, unit_zh: str, c: Criterion) -> bool:
    number = f"{value:g}"
    en = re.search(rf"(?<![\d.]){re.escape(number)}\s*{re.escape(unit_en)}", c.text.en)
    zh = re.search(rf"(?<![\d.]){re.escape(number)}\s*{re.escape(unit_zh)}", c.text.zh)
    return bool(en and zh)


def test_number_thresholds_agree_with_the_text(loaded: LoadedRubric) -> None:
    """A number question's met_at is the bar the criterion's text states.

    A share that must be total (100 %, or 0 % of a bad thing) rests on the text's "every/each/all";
    any other bar is written in the text with its unit, in both languages.
    """
    numbers = [c for c in _criteria(loaded) if c.question.type is QuestionType.number]
    assert numbers
    disagree = []
    for c in numbers:
        q = c.question
        unit = q.unit.en if q.unit is not None else ""
        assert unit in UNIT_WORDS, f"{c.id}: unit {unit!r} has no rule here yet"
        total = unit == "percent" and q.met_at == (100 if q.direction == "higher_is_better" else 0)
        if total:
            ok = bool(UNIVERSAL_EN.search(c.text.en) and UNIVERSAL_ZH.search(c.text.zh))
        else:
            ok = _number_stated(q.met_at, *UNIT_WORDS[unit], c)
        if not ok:
            disagree.append((c.id, q.met_at, unit))
    assert disagree == []


def test_the_threshold_check_catches_a_bar_the_text_does_not_state(loaded: LoadedRubric) -> None:
    c = loaded.rubric.criterion_index()["DE.feature_store.L5"][2]
    assert _number_stated(c.question.met_at, "%", "%", c)
    assert not _number_stated(c.question.met_at + 5, "%", "%", c)


def test_scale_thresholds_sit_on_the_label_that_says_the_criterion(loaded: LoadedRubric) -> None:
    # Where a criterion claims the result is used to improve (level-5 wording), the met point is the
    # scale's top label, which says so; a lower point would credit "used but not improved".
    improving = re.compile(r"\bimprov", re.IGNORECASE)
    wrong = []
    for c in _criteria(loaded):
        q = c.question
        if q.type is not QuestionType.scale or q.scale_labels is None:
            continue
        top = q.scale_labels[-1].en
        if improving.search(c.text.en) and improving.search(top) and q.met_at != q.scale_max:
            wrong.append((c.id, q.met_at))
    assert wrong == []


def test_separation_of_duties_rules_are_graded_as_the_criteria_require_them(loaded: LoadedRubric) -> None:
    # ORG.roles_raci.L3.2 requires every separation-of-duties rule at level 3 (and DL.deployment.L3.2,
    # DL.integration_testing.L3.2 require two of them in the delivery domain): none may be "recommended".
    rubric = loaded.rubric
    l3 = rubric.criterion_index()["ORG.roles_raci.L3.2"][2]
    assert "separation-of-duties rules" in l3.text.en.lower()
    assert [s.id for s in rubric.separation_of_duties if s.severity != "required"] == []


def test_a_model_inventory_is_asked_at_level_2(loaded: LoadedRubric) -> None:
    inventory = [c.id for c in _criteria(loaded) if c.level <= 2 and "model inventory" in c.text.en.lower()]
    assert inventory, "a bank's baseline: a model inventory at level 2, not only level 5"


CREDIT_METRICS = re.compile(r"\b(PSI|CSI|KS|Gini)\b")


def test_level_2_criteria_do_not_impose_credit_scorecard_metrics(loaded: LoadedRubric) -> None:
    # Level 2 applies to every model; PSI, KS and Gini fit a credit scorecard, not a ranker or a
    # regression. They may appear as an example for a classifier, never as the rule.
    imposed = [
        c.id
        for c in _criteria(loaded)
        if c.level <= 2 and CREDIT_METRICS.search(c.text.en) and "for example" not in c.text.en
    ]
    assert imposed == []
