"""The CLI as a user meets it: help, version, exit codes, rubric commands and assess."""

from __future__ import annotations

import json
import subprocess
import sys

import yaml

from mlops_audit import __version__
from mlops_audit.cli import COMMANDS, cli
from tests.conftest import SMALL_RUBRIC


def test_help_lists_every_command_without_importing_heavy_libraries():
    code = (
        "import sys; from mlops_audit.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pandas', 'sklearn', 'weasyprint', 'openpyxl', 'numpy') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for name in COMMANDS:
        assert name in out
    assert "HEAVY []" in out


def test_every_listed_command_is_built():
    missing = [name for name in COMMANDS if (cli.get_command(None, name).help or "").startswith("NOT BUILT")]
    assert not missing, f"commands listed but not built: {missing}"


def test_short_help_in_the_lazy_table_matches_each_command(runner):
    for name, (_target, short) in COMMANDS.items():
        command = cli.get_command(None, name)
        assert command is not None
        if (command.help or "").startswith("NOT BUILT"):
            continue  # reported by test_every_listed_command_is_built
        doc = (command.help or "").strip().splitlines()[0] if command.help else ""
        assert doc == short, f"{name}: table says {short!r}, command says {doc!r}"


def test_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_rubric_validate_ok_and_broken(runner, tmp_path):
    # The small engine fixture breaks the evidence-route rules on purpose; the bundled rubric keeps them.
    ok = runner.invoke(cli, ["rubric", "validate"])
    assert ok.exit_code == 0, ok.output
    assert "ok: caict-mlops-2023 " in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL_RUBRIC.read_text(encoding="utf-8").replace("version: 0.1.0", "version: one"), encoding="utf-8")
    result = runner.invoke(cli, ["rubric", "validate", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml:" in result.output and "version" in result.output
    assert "Traceback" not in result.output


def test_rubric_show_json_is_the_whole_resolved_rubric(runner):
    result = runner.invoke(cli, ["rubric", "show", "--rubric", str(SMALL_RUBRIC), "--format", "json"])
    data = json.loads(result.output)
    assert data["rubric"]["id"] == "test-small"
    assert len([c for d in data["rubric"]["domains"] for p in d["practices"] for c in p["criteria"]]) == 16


def test_rubric_coverage_exits_one_and_names_uncovered_clauses(runner):
    result = runner.invoke(cli, ["rubric", "coverage", "--rubric", str(SMALL_RUBRIC), "--format", "json"])
    assert result.exit_code == 1
    mapping = json.loads(result.output[: result.output.rindex("}") + 1])
    assert mapping["PA.3.step2"] == [f"MD.track.L{i}" for i in range(1, 6)]
    assert mapping["CASE.mra.3"] == []
    assert len(mapping) == 73


def write_answers(path, answers, respondent="r1", roles=("data_engineer",)):
    path.write_text(
        yaml.safe_dump(
            {
                "rubric": {"id": "test-small", "version": "0.1.0"},
                "organisation": {"name": "Example Bank"},
                "respondent": {"id": respondent, "roles": list(roles)},
                "answers": [{"criterion": k, "value": v} for k, v in answers.items()],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )


def test_assess_writes_assessment_and_prints_a_summary(runner, tmp_path):
    write_answers(tmp_path / "a.yaml", {"DE.ingest.L1": "yes", "DE.quality.L1": 4, "MD.track.L1": "yes"})
    out = tmp_path / "out"
    result = runner.invoke(cli, ["assess", "--rubric", str(SMALL_RUBRIC), "--answers", str(tmp_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "OVERALL" in result.output
    # The summary leads with what blocks the next overall level, before other gaps.
    lines = result.output.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("what stands between you and level"))
    assert lines[head + 1].startswith("  -> ")
    others = [i for i, line in enumerate(lines) if line.startswith("other gaps, by impact")]
    assert not others or others[0] > head
    data = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    assert data["format"] == "mlops-audit/assessment@1"
    assert [i["kind"] for i in data["inputs"]] == ["answers"]
    assert "entries" not in data["inputs"][0]  # only an answers log's input carries a count


def test_assess_fail_under_exits_one(runner, tmp_path):
    write_answers(tmp_path / "a.yaml", {"DE.ingest.L1": "yes"})
    result = runner.invoke(cli, ["assess", "--rubric", str(SMALL_RUBRIC), "--answers", str(tmp_path / "a.yaml"), "--out", str(tmp_path / "o"), "--fail-under", "1"])
    assert result.exit_code == 1
    assert "below --fail-under 1" in result.output


def test_assess_bad_answers_exit_two_naming_file_and_line(runner, tmp_path):
    write_answers(tmp_path / "a.yaml", {"DE.ingest.L1": "maybe", "DE.unknown": "yes", "DE.ingest.L2": "yes"})
    result = runner.invoke(cli, ["assess", "--rubric", str(SMALL_RUBRIC), "--answers", str(tmp_path / "a.yaml"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "a.yaml:" in result.output and "expected yes, no, partial" in result.output
    assert "unknown criterion id 'DE.unknown'" in result.output
    assert "Traceback" not in result.output


def test_assess_output_is_deterministic_under_source_date_epoch(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764504000")
    write_answers(tmp_path / "a.yaml", {"DE.ingest.L1": "yes", "DE.ingest.L2": "no"})
    texts = []
    for name in ("o1", "o2"):
        result = runner.invoke(cli, ["assess", "--rubric", str(SMALL_RUBRIC), "--answers", str(tmp_path / "a.yaml"), "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        texts.append((tmp_path / name / "assessment.json").read_bytes())
    assert texts[0] == texts[1]
    assert json.loads(texts[0])["assessed_at"] == "2025-11-30T12:00:00Z"


def test_assess_needs_a_source(runner, tmp_path):
    result = runner.invoke(cli, ["assess", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "at least one source" in result.output
