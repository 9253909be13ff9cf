"""The terminal progress line of long collects: terminals only, after a delay, erased at the end."""

from __future__ import annotations

import io
from pathlib import Path

from click.testing import CliRunner

from mlops_audit.cli import cli
from mlops_audit.evidence.repo.collect import collect_with_index
from mlops_audit.evidence.repo.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0  # every look at the clock: one second later
        return self.now


def test_nothing_is_drawn_before_the_delay_nor_on_a_pipe() -> None:
    terminal, pipe = Terminal(), io.StringIO()
    quick = Progress(terminal, clock=lambda: 0.0)
    quick.update("step")
    quick.done()
    piped = Progress(pipe, clock=Clock())
    for _ in range(10):
        piped.update("step")
    piped.done()
    assert terminal.getvalue() == "" and pipe.getvalue() == ""


def test_a_long_collect_draws_one_line_in_place_and_erases_it(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("import mlflow\n", encoding="utf-8")
    terminal = Terminal()
    progress = Progress(terminal, clock=Clock())
    result, _ = collect_with_index(tmp_path, progress=progress)
    shown = terminal.getvalue()
    assert shown.startswith("\r\x1b[Kcollect: 1 files listed; detector ") and shown.endswith("\r\x1b[K")
    assert "\n" not in shown and shown.count("\r\x1b[K") > 2
    assert result.findings  # the collect itself is unchanged


def test_the_cli_prints_no_progress_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("import mlflow\n", encoding="utf-8")
    outcome = CliRunner().invoke(cli, ["collect", str(tmp_path)])
    assert outcome.exit_code == 0, outcome.output
    assert "\x1b[K" not in outcome.output and outcome.output.lstrip().startswith("{")
