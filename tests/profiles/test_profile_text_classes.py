"""The rubric's text-class checks (tests/rubric/test_rubric_text_classes.py) hold for the profiles'
criteria too: level-1 minimums, derived level-1 criteria, practice questions, stated thresholds."""

from __future__ import annotations

import pytest

from mlops_audit.rubric.profiles import available_profiles, bundled_profile, combined_rubric
from tests.rubric import test_rubric_text_classes as classes

CHECKS = [
    classes.test_level_1_criteria_state_a_minimum,
    classes.test_level_1_criteria_are_derived_not_the_guides,
    classes.test_yes_no_questions_ask_about_the_practice_not_one_event,
    classes.test_number_thresholds_agree_with_the_text,
    classes.test_scale_thresholds_sit_on_the_label_that_says_the_criterion,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda f: f.__name__)
def test_profile_criteria_pass_the_rubric_text_classes(check) -> None:
    check(combined_rubric([bundled_profile(n) for n in available_profiles()]))
