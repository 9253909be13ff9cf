"""The labelled-repository file: the committed one is valid, and the contract refuses broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.evidence.labels import LABELS_FILE, SCHEMA_FILE, LabelFile, labels_schema_text, load_labels
from mlops_audit.errors import InputError
from mlops_audit.evidence.repo.registry import all_detectors

LABEL = {"kind": "has_ci_pipeline", "present": True, "paths": [".github/workflows/ci.yml"], "note": "runs on push"}


def repo(name: str = "acme/one", split: str = "dev", labels: list[dict] | None = None, **extra: object) -> dict:
    return {
        "repo": name,
        "commit": "a" * 40,
        "split": split,
        "kind_of_repo": "test project",
        "labels": [dict(LABEL)] if labels is None else labels,
        **extra,
    }


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "labels.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_committed_labels_are_valid_and_complete() -> None:
    labels = load_labels(LABELS_FILE)
    known = {d.id for d in all_detectors()}
    assert labels.unknown_kinds(known) == []
    # Today every detector is labelled; a detector added later is listed by bench_accuracy as
    # "detectors without labels (not scored)" until it is labelled, rather than failing this test.
    assert len(labels.kinds) >= 22
    assert len(labels.repos) >= 36
    heldout = [r for r in labels.repos if r.split == "heldout"]
    assert len(heldout) >= 24 and len(heldout) * 3 >= len(labels.repos) - len([r for r in labels.repos if r.split == "spent"])
    assert sum(r.decoy for r in heldout) >= 2
    assert sum(r.decoy for r in labels.repos) >= 4
    for item in labels.repos:
        assert [label.kind for label in item.labels] == labels.kinds, item.repo
        assert item.batch is not None, f"{item.repo}: every committed repository names its labelling batch"


def test_the_committed_labels_have_practices_present_and_absent_for_every_kind() -> None:
    labels = load_labels(LABELS_FILE)
    for kind in labels.kinds:
        values = {r.label(kind).present for r in labels.repos}
        assert values == {True, False}, f"{kind}: every repository has the same label, so it measures nothing"


def test_a_valid_file_loads(tmp_path: Path) -> None:
    path = write(tmp_path, "kinds: [has_ci_pipeline]\nrepos:\n- repo: acme/one\n  commit: '" + "b" * 40 + "'\n  split: heldout\n"
                 "  kind_of_repo: app\n  decoy: true\n  labels:\n  - {kind: has_ci_pipeline, present: false, paths: [], note: none, uncertain: true}\n")
    labels = load_labels(path)
    assert labels.repos[0].split == "heldout" and labels.repos[0].decoy
    assert labels.repos[0].checkout_name == "acme+one"
    assert labels.repos[0].label("has_ci_pipeline").uncertain


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kinds": ["has_ci_pipeline"], "repos": [repo(), repo()]}, "repositories listed twice: acme/one"),
        ({"kinds": ["has_ci_pipeline", "has_unit_tests"], "repos": [repo()]}, "not labelled: has_unit_tests"),
        ({"kinds": ["has_ci_pipeline"], "repos": [repo(labels=[LABEL, LABEL])]}, "labelled twice: has_ci_pipeline"),
        ({"kinds": ["has_ci_pipeline"], "repos": [repo(labels=[LABEL, {**LABEL, "kind": "serves_model"}])]}, "not in 'kinds': serves_model"),
        ({"kinds": ["has_ci_pipeline", "has_ci_pipeline"], "repos": [repo()]}, "kinds listed twice"),
        ({"kinds": ["has_ci_pipeline"], "repos": [repo(split="test")]}, "split"),
        ({"kinds": ["has_ci_pipeline"], "repos": [repo(name="no-slash")]}, "is not owner/name"),
        ({"kinds": ["has_ci_pipeline"], "repos": [{**repo(), "commit": "HEAD"}]}, "40-hex-digit"),
        ({"kinds": ["has_ci_pipeline"], "repos": [repo(labels=[{**LABEL, "paths": []}])]}, "name at least one path"),
        ({"kinds": ["has_ci_pipeline"], "repos": [repo(labels=[{**LABEL, "paths": ["../etc/passwd"]}])]}, "no '..'"),
        ({"kinds": ["has_ci_pipeline"], "repos": [repo(labels=[{**LABEL, "paths": ["/abs"]}])]}, "relative"),
        ({"kinds": ["has_ci_pipeline"], "repos": [repo(labels=[{**LABEL, "kind": "Has CI"}])]}, "not a detector id"),
        ({"kinds": ["has_ci_pipeline"], "repos": [repo(colour="blue")]}, "Extra inputs are not permitted"),
    ],
)
def test_broken_files_are_refused_with_the_reason(data: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("'", "'")):
        LabelFile.model_validate(data)


def test_a_load_error_names_the_file_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, "kinds: [has_ci_pipeline]\nrepos:\n- repo: acme/one\n  commit: '" + "c" * 40 + "'\n  split: later\n"
                 "  kind_of_repo: app\n  labels:\n  - {kind: has_ci_pipeline, present: false, note: none}\n")
    with pytest.raises(InputError) as caught:
        load_labels(path)
    text = str(caught.value)
    assert f"{path}:5:" in text and "repos[0].split" in text


def test_unknown_kinds_are_reported_against_a_registry() -> None:
    labels = LabelFile.model_validate({"kinds": ["has_ci_pipeline"], "repos": [repo()]})
    assert labels.unknown_kinds({"has_unit_tests"}) == ["has_ci_pipeline"]
    assert labels.unknown_kinds({"has_ci_pipeline", "has_unit_tests"}) == []


def test_the_published_json_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == labels_schema_text(), (
        "benchmarks/evidence/labels.schema.json is stale: run python benchmarks/evidence/labels.py"
    )


def test_a_batch_is_a_number_with_an_optional_part_letter(tmp_path: Path) -> None:
    import yaml

    base = {"version": 1, "kinds": ["has_ci_pipeline"]}
    assert load_labels(write(tmp_path, yaml.safe_dump({**base, "repos": [repo(batch="10b")]}))).repos[0].batch == "10b"
    with pytest.raises(InputError, match="batch"):
        load_labels(write(tmp_path, yaml.safe_dump({**base, "repos": [repo(batch="ten")]})))
