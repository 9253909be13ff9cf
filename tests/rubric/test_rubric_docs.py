"""The generated rubric reference (docs/rubric.md): what it shows, and that the committed copy is current."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlops_audit.rubric.docs import REGENERATE, main, render_rubric_markdown
from mlops_audit.paths import default_rubric_path
from mlops_audit.rubric.loader import LoadedRubric, default_rubric, load_rubric
SMALL_RUBRIC = Path(__file__).resolve().parents[1] / "fixtures" / "rubric_small.yaml"

REPO_ROOT = Path(__file__).resolve().parents[2]
COMMITTED = REPO_ROOT / "docs" / "rubric.md"


def _unescaped_pipes(line: str) -> int:
    return line.count("|") - line.count("\\|")


def _row(markdown: str, criterion_id: str) -> str:
    rows = [line for line in markdown.splitlines() if line.startswith(f"| `{criterion_id}` |")]
    assert len(rows) == 1, f"expected one table row for {criterion_id}"
    return rows[0]


def test_committed_reference_matches_a_fresh_render() -> None:
    fresh = render_rubric_markdown(default_rubric())
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.is_file() else ""
    assert committed == fresh, f"docs/rubric.md is stale: run `{REGENERATE}` and commit the result"


def test_every_domain_practice_and_criterion_appears_in_both_languages(small_rubric: LoadedRubric) -> None:
    text = render_rubric_markdown(small_rubric)
    for d in small_rubric.rubric.domains:
        assert d.name.zh in text and d.name.en in text
        for p in d.practices:
            assert f"### `{p.id}` {p.title.zh} / {p.title.en}" in text
            for c in p.criteria:
                row = _row(text, c.id)
                assert c.text.zh in row and c.text.en in row
                assert f"| {c.level} |" in row and f"| {c.source.value} |" in row


def test_criterion_rows_list_clauses_detectors_and_pipeline_steps(small_rubric: LoadedRubric) -> None:
    text = render_rubric_markdown(small_rubric)
    for _, _, c in small_rubric.rubric.criteria():
        row = _row(text, c.id)
        for ref in (*c.clauses, *c.detectors, *c.pipeline_steps):
            assert f"`{ref}`" in row


def _bundled_domain_alone(tmp_path: Path, domain_file: str) -> LoadedRubric:
    """The bundled rubric's metadata with a single one of its domain files."""
    bundled = default_rubric_path()
    data = yaml.safe_load((bundled / "rubric.yaml").read_text(encoding="utf-8"))
    data["domain_files"] = [domain_file]
    domain = yaml.safe_load((bundled / domain_file).read_text(encoding="utf-8"))
    kept = {c["id"] for p in domain["practices"] for c in p["criteria"]}
    policy = data["evidence_policy"]
    policy["accept_reviewed"] = [cid for cid in policy.get("accept_reviewed", []) if cid in kept]
    (tmp_path / "domains").mkdir()
    (tmp_path / "rubric.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (tmp_path / domain_file).write_bytes((bundled / domain_file).read_bytes())
    return load_rubric(tmp_path)


def test_practices_show_pipeline_part_raci_and_crosswalk(tmp_path: Path) -> None:
    loaded = _bundled_domain_alone(tmp_path, "domains/requirements.yaml")
    text = render_rubric_markdown(loaded)
    for _, practice in loaded.rubric.practices():
        section = text.split(f"### `{practice.id}`", 1)[1].split("\n### ", 1)[0]
        assert f"Pipeline part: `{practice.pipeline_part}`" in section
        for slot, letter in (("responsible", "R"), ("accountable", "A"), ("consulted", "C"), ("informed", "I")):
            assert f"**{letter}**" in section
            for role in getattr(practice.raci, slot):
                assert f"(`{role}`)" in section
        cw = practice.crosswalk
        google = "—" if cw.google_mlops_level is None else str(cw.google_mlops_level)
        microsoft = "—" if cw.microsoft_mlops_level is None else str(cw.microsoft_mlops_level)
        assert f"Google MLOps {google}; Microsoft MLOps {microsoft}; 覆盖 coverage `{cw.coverage}`" in section
        for test in cw.ml_test_score:
            assert test in section
        if cw.note is not None:
            assert cw.note.zh in section and cw.note.en in section


def test_rendering_is_deterministic(small_rubric: LoadedRubric) -> None:
    assert render_rubric_markdown(small_rubric) == render_rubric_markdown(small_rubric)


def test_the_clause_index_flags_clauses_no_criterion_cites(small_rubric: LoadedRubric) -> None:
    text = render_rubric_markdown(small_rubric)
    cited = {ref for _, _, c in small_rubric.rubric.criteria() for ref in (*c.clauses, *c.pipeline_steps)}
    uncited = [cid for cid in small_rubric.catalogue.ids() if cid not in cited]
    assert uncited, "the small rubric is expected to leave clauses uncovered"
    for cid in small_rubric.catalogue.ids():
        line = next(line for line in text.splitlines() if line.startswith(f"| `{cid}` |"))
        assert ("not covered" in line) == (cid in uncited)


def _rubric_with_criterion_text(tmp_path: Path, en: str) -> tuple[Path, str]:
    data = yaml.safe_load(SMALL_RUBRIC.read_text(encoding="utf-8"))
    criterion = data["domains"][0]["practices"][0]["criteria"][0]
    criterion["text"]["en"] = en
    path = tmp_path / "rubric.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, criterion["id"]


def test_table_cells_cannot_break_the_table_or_inject_html(tmp_path: Path) -> None:
    path, cid = _rubric_with_criterion_text(tmp_path, "left | right\nnext line <script>alert(1)</script>")
    text = render_rubric_markdown(load_rubric(path))
    row = _row(text, cid)
    header = next(line for line in text.splitlines() if line.startswith("| ID | 级别 Level |"))
    assert _unescaped_pipes(row) == _unescaped_pipes(header)
    assert "<script>" not in text
    assert "left \\| right next line &lt;script&gt;" in row


def test_write_creates_the_document_and_check_detects_staleness(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "docs" / "rubric.md"
    args = ["--rubric", str(SMALL_RUBRIC), "--output", str(output)]
    assert main(["--check", *args]) == 1  # nothing written yet
    assert main(["--write", *args]) == 0
    assert output.read_text(encoding="utf-8") == render_rubric_markdown(load_rubric(SMALL_RUBRIC))
    assert main(["--check", *args]) == 0
    output.write_text(output.read_text(encoding="utf-8") + "hand edit\n", encoding="utf-8")
    assert main(["--check", *args]) == 1
    assert "stale" in capsys.readouterr().err
    assert [p.name for p in output.parent.iterdir()] == ["rubric.md"]  # no temp file left behind


def test_a_broken_rubric_is_reported_without_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "rubric.yaml"
    broken.write_text("id: x\nversion: nope\n", encoding="utf-8")
    assert main(["--rubric", str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "rubric.yaml" in err


def test_criterion_rows_show_run_routes_and_the_documents_an_assessor_reviews() -> None:
    loaded = default_rubric()
    text = render_rubric_markdown(loaded)
    sla = _row(text, "OP.alerting.L4")
    assert "event `PA.7.step2` `acknowledge_alert` with `classification` acknowledged within `sla_hours`" in sla
    series = loaded.rubric.criterion_index()["DL.ci_feedback.L4"][2].run_series
    assert f"in ≥ {series.min_runs} runs over ≥ {series.min_span_days} days, each with `{series.metric}`" in _row(text, "DL.ci_feedback.L4")
    reviewed = loaded.rubric.criterion_index()["OP.alerting.L5"][2]
    row = _row(text, "OP.alerting.L5")
    for document in reviewed.documents:
        assert document.zh in row and document.en in row
    assert "not accepted by the evidence policy" not in row
    assert f"`{reviewed.id}`" in text.split("## 证据策略", 1)[1].split("\n## ", 1)[0]  # listed in the policy section
    assert _unescaped_pipes(sla) == _unescaped_pipes(row)


def test_documents_the_policy_does_not_accept_are_marked_so(tmp_path: Path) -> None:
    data = yaml.safe_load((Path(__file__).resolve().parents[1] / "fixtures" / "rubric_routes.yaml").read_text(encoding="utf-8"))
    criterion = data["domains"][0]["practices"][0]["criteria"][4]
    criterion["documents"] = [{"zh": "质量事件报告", "en": "The quality-incident report"}]
    (tmp_path / "rubric.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    row = _row(render_rubric_markdown(load_rubric(tmp_path / "rubric.yaml")), criterion["id"])
    assert "质量事件报告 / The quality-incident report（策略未接受 / not accepted by the evidence policy）" in row
