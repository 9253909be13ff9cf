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
