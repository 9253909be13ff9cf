"""`questionnaire export` writes the same bytes in any process; its time is SOURCE_DATE_EPOCH when set."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest

from mlops_audit.cli import cli
from mlops_audit.evidence.questionnaire.export import make_form, render
from tests.fresh_process import run_cli

EPOCH = int(datetime(2026, 12, 1, 8, 0, tzinfo=UTC).timestamp())


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_is_byte_identical_in_a_fresh_process(rubric, filled, fixture_rubric_path, fmt, tmp_path, runner, monkeypatch):
    form, _ = make_form(rubric, lang="zh", filled=filled)
    (tmp_path / "filled.yaml").write_bytes(render(form, "yaml"))
    args = ["questionnaire", "export", "--rubric", str(fixture_rubric_path), "--from", "filled.yaml", "--lang", "both"]
    run_cli([*args, "--out", f"fresh.{fmt}"], cwd=tmp_path, source_date_epoch=EPOCH)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    result = runner.invoke(cli, [*args, "--out", f"here.{fmt}"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"fresh.{fmt}").read_bytes() == (tmp_path / f"here.{fmt}").read_bytes()


def test_workbook_time_is_source_date_epoch(filled, fixture_rubric_path, tmp_path, runner, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    result = runner.invoke(cli, ["questionnaire", "export", "--rubric", str(fixture_rubric_path), "--out", str(tmp_path / "q.xlsx")])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(io.BytesIO((tmp_path / "q.xlsx").read_bytes())) as z:
        assert {info.date_time for info in z.infolist()} == {(2026, 12, 1, 8, 0, 0)}
        core = z.read("docProps/core.xml").decode("utf-8")
    assert ">2026-12-01T08:00:00Z</dcterms:created>" in core and ">2026-12-01T08:00:00Z</dcterms:modified>" in core
