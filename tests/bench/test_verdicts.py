"""The decoy-or-not verdict file and what bench_verdicts scores from it (conventions.md §2-§3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.bench_verdicts import score_one, summarise
from benchmarks.evidence.verdicts import ML_KINDS, RepoVerdict, load_verdicts, verdicts_schema_text
from mlops_audit.errors import InputError

SHA = "a" * 40


def _entry(repo: str = "o/course", **over: object) -> str:
    fields = {"repo": repo, "commit": SHA, "batch": "12va", "decoy": "true", "shape": "course", "kind_of_repo": "a course", "note": "lessons/"}
    fields.update({k: str(v).lower() if isinstance(v, bool) else v for k, v in over.items()})
    return "- " + "\n  ".join(f"{k}: {v}" for k, v in fields.items()) + "\n"


def _write(tmp_path: Path, *entries: str) -> Path:
    path = tmp_path / "verdicts.yaml"
    path.write_text("repos:\n" + "".join(entries), encoding="utf-8")
    return path


def _verdict(decoy: bool, **over: object) -> RepoVerdict:
    return RepoVerdict(repo="o/r", commit=SHA, batch="12va", decoy=decoy, shape="course" if decoy else "service", kind_of_repo="x", note="y", **over)  # type: ignore[arg-type]


def test_a_valid_file_loads_with_heldout_as_the_default_split(tmp_path: Path) -> None:
    loaded = load_verdicts(_write(tmp_path, _entry(), _entry("o/svc", decoy=False, shape="service")))
    assert [(v.repo, v.decoy, v.split) for v in loaded.repos] == [("o/course", True, "heldout"), ("o/svc", False, "heldout")]


def test_a_bad_commit_is_named_with_its_line_and_key(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_verdicts(_write(tmp_path, _entry(), _entry("o/b", commit="abc")))
    assert "verdicts.yaml:" in str(err.value) and "repos[1].commit" in str(err.value) and "40-hex-digit" in str(err.value)


def test_an_unknown_shape_and_a_repeated_repository_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="shape"):
        load_verdicts(_write(tmp_path, _entry(shape="podcast")))
    with pytest.raises(InputError, match="listed twice: o/course"):
        load_verdicts(_write(tmp_path, _entry(), _entry("O/Course")))


def test_a_repository_already_fully_labelled_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"repos\[0\]\.repo: o/course is also in labels.yaml"):
        load_verdicts(_write(tmp_path, _entry()), labelled={"O/course"})


def test_a_decoys_pass_on_an_ml_kind_is_a_false_pass_and_its_upkeep_is_not_scored() -> None:
    outcomes = {"tunes_hyperparameters": "pass", "is_reproducible": "partial", "has_ci_pipeline": "pass", "tags_releases": "pass", "serves_model": "fail"}
    row = score_one(_verdict(True), outcomes, "none")
    assert row["ml_false_passes"] == ["is_reproducible", "tunes_hyperparameters"]
    assert row["agreement"] == "missed"
    assert set(ML_KINDS).isdisjoint({"has_ci_pipeline", "tags_releases", "pins_dependencies", "has_unit_tests"})


def test_a_project_has_no_false_passes_and_a_course_verdict_on_it_is_a_false_flag() -> None:
    row = score_one(_verdict(False), {"tunes_hyperparameters": "pass"}, "course")
    assert row["ml_false_passes"] == [] and row["agreement"] == "false flag"
    assert score_one(_verdict(False), {}, "partly")["agreement"] == "partly"


def test_the_summary_leaves_uncertain_labels_out_and_counts_by_kind() -> None:
    rows = [
        score_one(_verdict(True), {"tracks_experiments": "pass", "has_container": "pass"}, "partly"),
        score_one(_verdict(True), {}, "course"),
        score_one(_verdict(True, uncertain=True), {"serves_model": "pass"}, "none"),
        score_one(_verdict(False), {}, "none"),
    ]
    s = summarise(rows)
    assert (s["repos"], s["uncertain"], s["decoys"], s["decoys_with_a_false_pass"], s["decoy_false_passes"]) == (3, 1, 2, 1, 2)
    assert s["decoy_false_passes_by_kind"] == {"has_container": 1, "tracks_experiments": 1}
    assert s["decoy_verdicts"] == {"caught": 1, "partly": 1} and s["project_verdicts"] == {"clear": 1}


def test_the_published_schema_is_current() -> None:
    committed = Path(__file__).resolve().parents[2] / "benchmarks" / "evidence" / "verdicts.schema.json"
    assert committed.read_text(encoding="utf-8") == verdicts_schema_text()


def test_the_ml_kinds_of_the_conventions_are_the_collectors_non_upkeep_detectors() -> None:
    from mlops_audit.evidence.repo.registry import all_detectors

    assert set(ML_KINDS) == {d.id for d in all_detectors() if not d.upkeep}
