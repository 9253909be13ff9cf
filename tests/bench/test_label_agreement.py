"""bench_label_agreement: two blind readings of the same repositories compared exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from benchmarks.bench_label_agreement import compare, load_second, main
from benchmarks.evidence.labels import LabelFile
from mlops_audit.errors import InputError

KINDS = ["has_ci_pipeline", "has_unit_tests", "validates_data"]


def entry(name: str, values: dict[str, bool], unsure: tuple[str, ...] = (), decoy: bool = False, commit: str = "a" * 40) -> dict:
    return {
        "repo": name, "commit": commit, "split": "heldout", "kind_of_repo": "made up", "decoy": decoy,
        "labels": [
            {"kind": k, "present": values[k], "paths": ["x"] if values[k] else [], "note": "n", "uncertain": k in unsure} for k in KINDS
        ],
    }


FIRST = LabelFile.model_validate({"kinds": KINDS, "repos": [
    entry("a/one", {"has_ci_pipeline": True, "has_unit_tests": True, "validates_data": False}),
    entry("a/two", {"has_ci_pipeline": False, "has_unit_tests": True, "validates_data": True}, unsure=("validates_data",)),
    entry("a/three", {"has_ci_pipeline": True, "has_unit_tests": False, "validates_data": False}),
]})


def test_agreement_counts_only_labels_both_readers_were_sure_of() -> None:
    second = LabelFile.model_validate({"kinds": KINDS, "repos": [
        entry("a/one", {"has_ci_pipeline": True, "has_unit_tests": False, "validates_data": True}, decoy=True),
        entry("a/two", {"has_ci_pipeline": False, "has_unit_tests": True, "validates_data": False}),
    ]}).repos
    report = compare(FIRST, list(second))
    overall = report["overall"]
    # a/one: ci agree (both present), tests first only, validates second only; a/two: ci agree (absent),
    # tests agree (present), validates uncertain in the first reading and answered differently.
    assert overall == {
        "both_certain": 5, "agree": 3, "first_only": 1, "second_only": 1, "both_present": 2,
        "uncertain": 1, "uncertain_differ": 1, "kappa": pytest.approx(0.167, abs=1e-3), "share_agree": 0.6,
    }
    assert report["per_kind"]["has_ci_pipeline"]["kappa"] == 1.0
    assert report["per_kind"]["validates_data"]["both_certain"] == 1 and report["per_kind"]["validates_data"]["uncertain"] == 1
    assert report["decoy_differs"] == ["a/one"] and report["repos"] == 2


def test_a_second_reading_of_an_unknown_repository_or_another_commit_is_refused() -> None:
    with pytest.raises(InputError, match="a/four is not in the labels file"):
        compare(FIRST, list(LabelFile.model_validate({"kinds": KINDS, "repos": [entry("a/four", {k: False for k in KINDS})]}).repos))
    with pytest.raises(InputError, match="read at bbbbbbbbbbbb, the labels are for aaaaaaaaaaaa"):
        compare(FIRST, list(LabelFile.model_validate({"kinds": KINDS, "repos": [entry("a/one", {k: False for k in KINDS}, commit="b" * 40)]}).repos))


def test_command_line_names_the_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labels = tmp_path / "labels.yaml"
    labels.write_text(yaml.safe_dump(FIRST.model_dump()))
    second = tmp_path / "second.yaml"
    second.write_text(yaml.safe_dump({"repos": [entry("a/three", {"has_ci_pipeline": True, "has_unit_tests": False, "validates_data": False})]}))
    assert main([str(second), "--labels", str(labels)]) == 0
    assert "both certain: 3 labels, 3 agree (1.0)" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just a list\n")
    assert main([str(bad), "--labels", str(labels)]) == 2
    assert f"{bad}: expected a mapping with a 'repos' list" in capsys.readouterr().err
    with pytest.raises(InputError, match="not a valid second reading"):
        load_second(_write(tmp_path / "half.yaml", {"repos": [{"repo": "a/one"}]}), KINDS)


def _write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data))
    return path
