"""The issue's scenario on the real reference pipeline: its run proves our demo pipeline, not the
organisation's system, so outside the demo it adds nothing to an assessment."""

from __future__ import annotations

import json
from typing import Any

import yaml

from mlops_audit.cli import cli
from mlops_audit.rubric.loader import default_rubric
from tests.conftest import extreme_answer


def test_all_no_answers_plus_a_reference_pipeline_run_stay_at_zero(default_run: Any, tmp_path, runner) -> None:
    manifest = json.loads((default_run.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["system"]["reference"] is True and manifest["system"]["id"] == "mlops-audit-reference-pipeline"
    rubric = default_rubric().rubric
    answers = {
        "format": "mlops-audit/answers@1",
        "rubric": {"id": rubric.id, "version": rubric.version},
        "organisation": {"name": "Example Bank"},
        "respondent": {"id": "everyone", "roles": rubric.role_ids()},
        "answers": [{"criterion": c.id, "value": extreme_answer(c, best=False)} for _, _, c in rubric.criteria()],
    }
    (tmp_path / "no.yaml").write_text(yaml.safe_dump(answers, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(cli, ["assess", "--answers", str(tmp_path / "no.yaml"), "--run", str(default_run.run_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    assert data["overall"]["score"] == 0.0
    assert [c["id"] for c in data["criteria"] if c["outcome"] == "met"] == []
    assert {r["status"] for r in data["runs"]} == {"reference"}
    assert "bundled reference pipeline" in result.output
