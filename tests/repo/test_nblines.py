"""Findings in notebooks point at the line of the .ipynb file that holds the code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops_audit.evidence.repo.collect import build_index, run_detector
from mlops_audit.evidence.repo.nblines import code_line_maps
from mlops_audit.evidence.repo.registry import get_detector

CELLS = [
    {"cell_type": "markdown", "metadata": {}, "source": ["# Training\n", "mlflow is used below"]},
    {"cell_type": "code", "execution_count": 1, "metadata": {"tags": ["x"]}, "outputs": [{"output_type": "stream", "text": ["log\n"]}],
     "source": ["import mlflow\n", "mlflow.start_run()\n"]},
    {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [],
     "source": ["params = {'C': 1}\n", "mlflow.log_params(\n", "    params)\n", "mlflow.log_metric('auc', 0.9)"]},
]


def file_lines_of(text: str, needle: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]


@pytest.mark.parametrize("indent", [1, 2, None], ids=["nbformat", "indent-2", "one-line"])
def test_each_code_line_maps_to_the_file_line_holding_it(indent: int | None) -> None:
    text = json.dumps({"cells": CELLS, "metadata": {}, "nbformat": 4}, indent=indent)
    maps = code_line_maps(text, CELLS)
    assert maps is not None and maps[0] is not None  # markdown cells are placed too
    lines = text.splitlines()
    for cell, cell_map in zip(CELLS, maps, strict=True):
        assert cell_map is not None
        code = "".join(cell["source"])
        for number, code_line in enumerate(code.split("\n"), start=1):
            if code_line:
                assert json.dumps(code_line)[1:-1] in lines[cell_map[number - 1] - 1], (number, code_line)


def test_a_source_key_in_metadata_does_not_misplace_lines() -> None:
    cells = [dict(CELLS[1], metadata={"source": "papermill"}), CELLS[2]]
    text = json.dumps({"cells": cells, "metadata": {"source": ["x"]}}, indent=1)
    maps = code_line_maps(text, cells)
    assert maps is not None
    assert "mlflow.log_metric" in text.splitlines()[maps[1][3] - 1]  # type: ignore[index]


def test_source_as_one_string_maps_every_line_to_that_string() -> None:
    cells = [{"cell_type": "code", "source": "import mlflow\nmlflow.autolog()\n"}]
    text = json.dumps({"cells": cells}, indent=1)
    maps = code_line_maps(text, cells)
    assert maps is not None and set(maps[0] or ()) == set(file_lines_of(text, "mlflow.autolog"))


def test_a_structure_that_does_not_match_the_parsed_cells_gives_no_lines() -> None:
    text = json.dumps({"cells": CELLS}, indent=1)
    assert code_line_maps(text, CELLS[:2]) is None  # never a wrong line: none at all


def test_a_detector_reports_the_notebook_line_of_the_call(tmp_path: Path) -> None:
    text = json.dumps({"cells": CELLS, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)
    (tmp_path / "train.ipynb").write_text(text, encoding="utf-8")
    observation = run_detector(get_detector("tracks_experiments"), build_index(tmp_path))
    assert observation.outcome.value == "pass"
    assert sorted(loc.line for loc in observation.locations) == sorted(  # type: ignore[type-var]
        file_lines_of(text, "mlflow.log_params(") + file_lines_of(text, "mlflow.log_metric(")
    )
