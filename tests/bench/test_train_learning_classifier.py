"""The learning-material classifier's trainer on generated rows (no checkouts): training is
deterministic, and the nested evaluation judges the threshold RULE on rounds it never saw (session 12)."""

from __future__ import annotations

import json
import random

import pytest

from benchmarks import train_learning_classifier as train

NAMES = train.feature_names()
MATERIAL = ("notebook_share", "numbered_top_share", "lesson_folders", "exercise_code_share", "material_title", "teaching_readme", "words:course", "words:units", "words:learners")
SYSTEM = ("test_files", "package_code_share", "root_ci", "root_package", "words:operations", "words:team")


def _row(repo: str, batch: str, decoy: bool, rng: random.Random, *, looks_like_a_decoy: bool = False) -> train.Row:
    values = {name: rng.gauss(0.0, 1.0) for name in NAMES}
    if decoy or looks_like_a_decoy:  # material: notebooks, numbered folders, course words; no packages, tests or CI
        shift = 1.8 if looks_like_a_decoy else 3.0  # a team's system only somewhat like the material
        values.update({name: shift + rng.random() for name in MATERIAL})
        values.update({name: -shift - rng.random() for name in SYSTEM})
    return train.Row(repo, batch, decoy, False, values)


def _rows() -> list[train.Row]:
    rng = random.Random(12)
    rows = [_row(f"{b}/p{i}", b, False, rng) for b in "1234" for i in range(10)]
    rows += [_row(f"{b}/d{i}", b, True, rng) for b in "1234" for i in range(8)]
    rows.append(_row("4/team-system-shaped-like-a-course", "4", False, rng, looks_like_a_decoy=True))
    return rows


def _model_json(rows: list[train.Row]) -> str:
    oof = train.leave_one_batch_out(rows, NAMES)
    final = train.fit(rows, NAMES)
    threshold = train.choose_threshold(rows, oof, final)
    model = final.model_copy(update={"threshold": threshold, "lobo": train.batch_table(rows, oof, threshold)})
    return json.dumps(model.model_dump(mode="json"), sort_keys=True)


def test_training_twice_on_the_same_rows_gives_the_identical_model_file() -> None:
    assert _model_json(_rows()) == _model_json(_rows())
    assert train.nested_rounds(_rows(), NAMES) == train.nested_rounds(_rows(), NAMES)


def test_the_in_sample_threshold_sits_above_every_project_by_construction() -> None:
    rows = _rows()
    oof = train.leave_one_batch_out(rows, NAMES)
    threshold = train.choose_threshold(rows, oof, train.fit(rows, NAMES))
    assert threshold < 1 and all(oof[r.repo] < threshold for r in rows if not r.decoy)


def test_the_nested_evaluation_flags_the_project_that_alone_set_the_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one course-shaped team's system sets the in-sample threshold (it can flag nothing there);
    judged by a threshold chosen without its round, it is flagged: what the nested rows report (the
    rule without session 13's floor, which the next test keeps)."""
    monkeypatch.setattr(train.teachingmodel, "THRESHOLD_FLOOR", 0.5)
    rows = _rows()
    nested = {n["batch"]: n for n in train.nested_rounds(rows, NAMES)}
    assert set(nested) == {"1", "2", "3", "4"}
    assert nested["4"]["projects_flagged"] == 1 and nested["4"]["gap"] < 0
    assert nested["4"]["threshold"] < train.choose_threshold(rows, train.leave_one_batch_out(rows, NAMES), train.fit(rows, NAMES))
    for batch in "123":  # rounds of plain projects: none flagged, a positive gap, most decoys caught
        assert nested[batch]["projects_flagged"] == 0 and nested[batch]["gap"] > 0
        assert nested[batch]["decoys_caught"] >= 6 and nested[batch]["decoys"] == 8


def test_the_threshold_floor_keeps_the_project_that_alone_set_the_threshold_unflagged() -> None:
    """Session 13: whatever a round's projects, the rule never chooses below THRESHOLD_FLOOR - the
    same course-shaped system is not flagged by any round's threshold."""
    nested = train.nested_rounds(_rows(), NAMES)
    assert all(n["threshold"] >= train.teachingmodel.THRESHOLD_FLOOR for n in nested)
    assert all(n["projects_flagged"] == 0 and n["gap"] > 0 for n in nested)
