"""`collect` prints a summary table on a terminal, JSON when piped or asked."""

from __future__ import annotations

import json

from click.testing import CliRunner

from mlops_audit.cli import cli


def _repo(tmp_path):
    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "tests" / "test_model.py").write_text("def test_it():\n    assert 1 + 1 == 2\n", encoding="utf-8")
    (repo / "Dockerfile").write_text("FROM python:3.12\n", encoding="utf-8")
    return repo


def test_piped_output_stays_json_and_the_table_is_there_when_asked(tmp_path):
    repo = _repo(tmp_path)
    piped = CliRunner().invoke(cli, ["collect", str(repo)])  # the test runner's stdout is not a terminal
    assert piped.exit_code == 0, piped.output
    document = json.loads(piped.stdout)
    table = CliRunner().invoke(cli, ["collect", str(repo), "--format", "table"])
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["detector", "result", "conf."]
    findings = document["findings"]
    assert len(lines) == len(findings) + 2
    order = [line.split()[1] for line in lines[1:-1]]
    ranks = {"FAIL": 0, "ERROR": 1, "pass": 2, "n/a": 3}
    assert [ranks[o] for o in order] == sorted(ranks[o] for o in order)  # failures first
    passed = sum(1 for f in findings if f["outcome"] == "pass")
    assert f"{passed} pass" in lines[-1] and lines[-1].startswith("repo: ")
    assert "Dockerfile" in table.stdout  # a location is shown


def test_a_terminal_gets_the_table(tmp_path, monkeypatch):
    from mlops_audit.commands import collect

    repo = _repo(tmp_path)
    monkeypatch.setattr(collect, "stdout_is_terminal", lambda: True)
    result = CliRunner().invoke(cli, ["collect", str(repo)])
    assert result.exit_code == 0 and result.stdout.startswith("detector")
