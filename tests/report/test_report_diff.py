"""diff_assessments: improvement, regression, level changes, and the rubric-version warning."""

from __future__ import annotations

from mlops_audit.report.diff import diff_assessments, format_diff_text


def test_diff_of_an_assessment_with_itself_shows_no_movement(rich):
    d = diff_assessments(rich, rich)
    assert d.comparable and d.criteria == []
    assert d.overall.direction == "unchanged"
    assert all(c.direction == "unchanged" for c in d.domains + d.practices + d.pipeline_parts)


def test_diff_finds_improved_and_regressed_criteria(previous, rich):
    forward = diff_assessments(previous, rich)
    backward = diff_assessments(rich, previous)
    improved = {c.id for c in forward.criteria_by("improved")}
    assert improved, "the later assessment is better on some criteria"
    assert improved == {c.id for c in backward.criteria_by("regressed")}
    before = {c.id: c for c in previous.criteria}
    for change in forward.criteria_by("improved"):
        assert before[change.id].outcome == change.old_outcome
    moved = {c.id: c for c in forward.practices}
    for p in rich.practices:
        old = next(q for q in previous.practices if q.id == p.id)
        if p.level > old.level:
            assert moved[p.id].direction == "improved"
    text = format_diff_text(forward)
    assert "WARNING" not in text and "criteria improved:" in text


def test_diff_across_rubric_versions_warns_and_lists_no_movement(previous, rich):
    newer = rich.model_copy(update={"rubric": rich.rubric.model_copy(update={"version": "9.9.9", "digest": "f" * 64})})
    d = diff_assessments(previous, newer)
    assert not d.comparable
    assert d.criteria == [] and d.practices == [] and d.domains == []
    assert any(x.startswith("version ") for x in d.rubric_differences)
    assert any(x.startswith("digest ") for x in d.rubric_differences)
    text = format_diff_text(d)
    assert text.startswith("WARNING: the two assessments were scored against DIFFERENT rubrics")
    assert "not comparable" in text and "improved" not in text.split("\n", 4)[-1]
