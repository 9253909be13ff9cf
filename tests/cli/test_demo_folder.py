"""Re-running `mlops-audit demo` over an existing folder works, and never deletes what is not a demo."""

from __future__ import annotations

import click
import pytest

from mlops_audit.commands.demo import choose_folder, listing


def earlier_demo(folder):
    (folder / "run").mkdir(parents=True)
    (folder / "run" / "manifest.json").write_text("{}", encoding="utf-8")
    (folder / "demo-summary.json").write_text("{}", encoding="utf-8")
    return folder


def test_an_empty_or_absent_folder_is_used_as_given(tmp_path):
    assert choose_folder(tmp_path / "new", force=False) == (tmp_path / "new", None)
    (tmp_path / "empty").mkdir()
    assert choose_folder(tmp_path / "empty", force=False)[0] == tmp_path / "empty"


def test_a_used_folder_gives_the_next_free_numbered_folder(tmp_path):
    earlier_demo(tmp_path / "demo")
    earlier_demo(tmp_path / "demo-2")
    folder, note = choose_folder(tmp_path / "demo", force=False)
    assert folder == tmp_path / "demo-3" and "--force" in note
    assert (tmp_path / "demo" / "demo-summary.json").is_file()  # untouched


def test_force_replaces_an_earlier_demo_but_refuses_any_other_folder(tmp_path):
    earlier_demo(tmp_path / "demo")
    assert choose_folder(tmp_path / "demo", force=True)[0] == tmp_path / "demo"
    assert not (tmp_path / "demo").exists()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious", encoding="utf-8")
    with pytest.raises(click.UsageError, match="not an earlier demo"):
        choose_folder(tmp_path / "mine", force=True)
    assert (tmp_path / "mine" / "thesis.tex").read_text(encoding="utf-8") == "precious"


def test_the_final_listing_names_everything_in_the_folder(tmp_path):
    folder = earlier_demo(tmp_path / "demo")
    (folder / "report.zh.pdf").write_bytes(b"%PDF")
    names = [name for name, _ in listing(folder)]
    assert names == ["demo-summary.json", "report.zh.pdf", "run/"]
    assert dict(listing(folder))["run/"].startswith("reference pipeline run")
