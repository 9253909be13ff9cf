"""Byte-level contracts: canonical JSON, atomic writes with ordinary permissions."""

import os
import stat

import pytest

from mlops_audit.util.jsonio import atomic_write_text, canonical_json, pretty_json


def test_canonical_json_sorts_keys_and_keeps_unicode():
    assert canonical_json({"b": 1, "a": "数据"}) == '{"a":"数据","b":1}'
    assert pretty_json({"b": 1, "a": 2}).endswith("}\n")


def test_canonical_json_refuses_nan():
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_atomic_write_replaces_whole_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "out" / "a.json"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["a.json"]


def test_atomic_write_gives_the_mode_a_new_file_would_have(tmp_path):
    old = os.umask(0o022)
    try:
        target = atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


# safeyaml: the positioned safe loader (libyaml-backed when available) -------------------------

from mlops_audit.util import safeyaml  # noqa: E402


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &x [1]\nb: *x\n", "f.yaml:1:4: YAML syntax error: YAML anchors"),
        ("a: 1\na: 2\n", "f.yaml:2:1: duplicate key 'a'"),
        ("[" * 100 + "]" * 100, "nesting deeper than 64 levels"),
        ("x: \x7f\n", "f.yaml:1: character U+007F is not allowed"),
        ("a: [1, 2\n", "f.yaml:2:1: YAML syntax error"),
    ],
    ids=["anchors", "duplicate-key", "deep-nesting", "control-character", "syntax"],
)
def test_hostile_or_broken_yaml_gives_a_located_problem(text, expected):
    with pytest.raises(safeyaml.YamlProblem) as info:
        safeyaml.load_yaml_text(text, "f.yaml")
    assert expected in str(info.value)


def test_positions_are_one_based_line_and_column_per_key_path():
    doc = safeyaml.load_yaml_text("a:\n  b: [x, y]\nc: 2026-01-01\n", "f.yaml")
    assert doc.data == {"a": {"b": ["x", "y"]}, "c": "2026-01-01"}  # dates stay text
    assert doc.where(("a", "b", 1)) == "f.yaml:2:10"
    assert doc.where(("c",)) == "f.yaml:3:1"


def test_the_fast_and_the_pure_python_paths_agree(monkeypatch):
    text = "x:\n  - {k: 1, v: [a, b]}\n  - n/a\ny: yes\n"
    fast = safeyaml.load_yaml_text(text, "f.yaml")
    monkeypatch.setattr(safeyaml, "_FAST_LOADER", None)
    pure = safeyaml.load_yaml_text(text, "f.yaml")
    assert (fast.data, fast.positions) == (pure.data, pure.positions)
