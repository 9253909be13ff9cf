"""Machine-readable exports: assessment JSON, OSCAL assessment-results, SARIF, Excel."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest
import regex
from jsonschema import Draft4Validator, Draft7Validator, validators

import report_builders as builders
from mlops_audit.errors import InputError
from mlops_audit.report import render_reports
from mlops_audit.report.exports import assessment_json_bytes, assessment_schema, load_assessment, report_digest
from mlops_audit.report.oscal import md, to_oscal
from mlops_audit.report.sarif import to_sarif
from mlops_audit.report.xlsx import to_xlsx
from mlops_audit.result.model import Assessment, InputRef
from mlops_audit.util.jsonio import pretty_json, sha256_file

TESTS = Path(__file__).resolve().parents[1]
OSCAL_SCHEMA = TESTS / "report" / "schemas" / "oscal_assessment-results_schema.json"
SARIF_SCHEMA = TESTS / "repo" / "schemas" / "sarif-schema-2.1.0.json"


def _regex_pattern(validator, pattern, instance, schema):
    """`pattern` with the `regex` module: NIST's schema uses \\p{L}, which `re` rejects."""
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


OscalValidator = validators.extend(Draft7Validator, {"pattern": _regex_pattern})


def oscal_errors(document) -> list[str]:
    schema = json.loads(OSCAL_SCHEMA.read_text(encoding="utf-8"))
    validator = OscalValidator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    return [f"{list(e.path)}: {e.message[:200]}" for e in validator.iter_errors(document)]


def sarif_errors(document) -> list[str]:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return [f"{list(e.path)}: {e.message[:200]}" for e in Draft4Validator(schema).iter_errors(document)]


@pytest.mark.parametrize("which", ["rich", "sparse"])
def test_oscal_validates_against_the_nist_schema(which, rich, sparse):
    document = to_oscal(rich if which == "rich" else sparse)
    assert oscal_errors(document) == []


def test_oscal_validator_is_not_vacuous(rich):
    document = to_oscal(rich)
    document["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] = "fine"
    document["assessment-results"]["uuid"] = "6f1c2a57-3a8e-1d5e-9b0e-2f4b8f6f9a01"  # a v1 UUID
    assert len(oscal_errors(document)) >= 2


def test_oscal_maps_findings_observations_and_hashes(rich):
    ar = to_oscal(rich)["assessment-results"]
    result = ar["results"][0]
    targets = {f["target"]["target-id"]: f["target"]["status"]["state"] for f in result["findings"]}
    for c in rich.criteria:
        assert targets[c.id] == ("satisfied" if c.outcome.value in ("met", "not_applicable") else "not-satisfied")
    assert {p.id for p in rich.practices} <= set(targets)
    assert len(result["observations"]) == len(rich.evidence) + len(rich.respondents)
    hashes = [h["value"] for r in ar["back-matter"]["resources"] for link in r.get("rlinks", []) for h in link.get("hashes", [])]
    assert rich.rubric.digest in hashes and builders.HEX_A in hashes
    plan = ar["import-ap"]["href"][1:]
    assert plan in {r["uuid"] for r in ar["back-matter"]["resources"]}
    uuids = [ar["uuid"], result["uuid"]] + [f["uuid"] for f in result["findings"]] + [o["uuid"] for o in result["observations"]]
    assert len(uuids) == len(set(uuids))


def test_oscal_escapes_untrusted_text_for_markdown(rich):
    text = pretty_json(to_oscal(rich))
    assert "<script>" not in text and "<img" not in text
    assert md("[x](javascript:alert(1)) <b>") == "\\[x\\](javascript:alert(1)) &lt;b&gt;"


def test_oscal_uuids_are_deterministic_uuid5(rich):
    assert to_oscal(rich) == to_oscal(rich)
    assert to_oscal(rich)["assessment-results"]["uuid"][14] == "5"


@pytest.mark.parametrize("which", ["rich", "sparse"])
def test_sarif_validates_against_the_oasis_schema(which, rich, sparse):
    assert sarif_errors(to_sarif(rich if which == "rich" else sparse)) == []


def test_sarif_has_a_rule_per_practice_and_real_locations(rich):
    run = to_sarif(rich)["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rule_ids == [p.id for _, p in rich.rubric_snapshot.practices()]
    results = run["results"]
    assert results, "the rich assessment has unmet criteria"
    failing = {c.id for c in rich.criteria if c.applicable and c.outcome.value not in ("met", "waived")}
    assert {r["properties"]["criterion"] for r in results} == failing
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "assessment.json" in uris  # criteria without repository evidence point at the assessment
    assert any(u.startswith("src/pipeline/") for u in uris)  # repository evidence gives its own path
    for r in results:
        assert run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]


def test_assessment_json_round_trips_byte_for_byte(rich, tmp_path):
    data = assessment_json_bytes(rich)
    path = tmp_path / "a.json"
    path.write_bytes(data)
    again = load_assessment(path)
    assert again == rich
    assert assessment_json_bytes(again) == data


def test_inputs_carry_entries_only_when_counted_and_older_nulls_still_load(rich, tmp_path):
    log = InputRef(kind="answers_log", name="log", sha256="ab" * 32, entries=0)  # zero is a count, kept
    assessment = rich.model_copy(update={"inputs": [*rich.inputs, log]})
    document = json.loads(assessment_json_bytes(assessment))
    assert [i.get("entries", "absent") for i in document["inputs"]] == ["absent"] * len(rich.inputs) + [0]
    # An assessment.json written before `entries` was omitted (an explicit null) still loads, as equal.
    document["inputs"] = [{"entries": None, **i} for i in document["inputs"][:-1]] + document["inputs"][-1:]
    path = tmp_path / "older.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert load_assessment(path) == assessment
    jsonschema.validate(document, assessment_schema())  # the published schema admits both forms


def test_exports_are_deterministic(rich, previous, tmp_path):
    first = render_reports(rich, formats="html,json,oscal,sarif", lang="both", out_dir=tmp_path / "1", previous=previous)
    second = render_reports(rich, formats="html,json,oscal,sarif", lang="both", out_dir=tmp_path / "2", previous=previous)
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    names = {p.name for p in first}
    assert {"report.zh.html", "report.en.html", "assessment.json", "assessment.oscal.json", "assessment.sarif"} <= names
    # the digest printed on the report is the sha256 of assessment.json as written
    digest = sha256_file(tmp_path / "1" / "assessment.json")
    assert digest == report_digest(rich)
    assert digest in (tmp_path / "1" / "report.en.html").read_text(encoding="utf-8")


def test_assessment_schema_validates_the_assessment(rich, tmp_path):
    render_reports(rich, formats="json", lang="en", out_dir=tmp_path)
    schema = json.loads((tmp_path / "assessment.schema.json").read_text(encoding="utf-8"))
    document = json.loads((tmp_path / "assessment.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)


def test_workbook_holds_scores_and_gaps_and_never_formulas(rich):
    from openpyxl import load_workbook

    hostile = rich.model_copy(
        update={"evidence": [rich.evidence[0].model_copy(update={"source": '=HYPERLINK("http://x.invalid","y")'})] + list(rich.evidence[1:])}
    )
    wb = load_workbook(io.BytesIO(to_xlsx(hostile, "zh")))
    assert wb.sheetnames[:7] == ["概要", "实践", "准则", "差距", "证据", "须知事项", "冲突"]
    criteria = wb["准则"]
    assert criteria.max_row == len(rich.criteria) + 1
    assert wb["差距"].max_row == len(rich.gaps) + 1
    cell = wb["证据"]["C2"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"
    assert not any(c.data_type == "f" for row in wb["证据"].iter_rows() for c in row)


def test_chinese_workbook_speaks_chinese_and_shows_shares_as_percentages(rich):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(to_xlsx(rich, "zh")))
    header = [c.value for c in wb["准则"][1]]
    assert header[:8] == ["编号", "实践", "等级", "结论", "强度", "要求强度", "自述结论", "一致度"]
    assert not any(isinstance(v, str) and v.isascii() and v.isalpha() for v in header), header
    outcomes = {row[3].value for row in wb["准则"].iter_rows(min_row=2)}
    assert outcomes <= {"满足", "部分满足", "不满足", "不适用", "已豁免", "未评估"}
    assert {row[8].value for row in wb["准则"].iter_rows(min_row=2)} <= {"是", "否"}
    practices = wb["实践"]
    coverage = [row[6] for row in practices.iter_rows(min_row=2) if isinstance(row[6].value, float)]
    assert coverage and all(c.number_format == "0%" for c in coverage)
    summary = {row[0].value: row[1].value for row in wb["概要"].iter_rows(min_row=2)}
    assert summary["覆盖率"].endswith("%")
    english = load_workbook(io.BytesIO(to_xlsx(rich, "en")))
    assert english.sheetnames == ["Summary", "Practices", "Criteria", "Gaps", "Evidence", "Caveats", "Conflicts", "Regulatory coverage"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", ":1:2: not valid JSON"),
        ('["a"]', "expected a JSON object"),
        ('{"format": "other"}', "format: expected 'mlops-audit/assessment@1'"),
    ],
)
def test_loading_a_bad_assessment_names_the_file_and_place(tmp_path, content, expected):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="bad.json") as info:
        load_assessment(path)
    assert expected in info.value.message


def test_loading_names_the_key_that_is_wrong(rich, tmp_path):
    data = json.loads(assessment_json_bytes(rich))
    data["overall"]["level"] = "high"
    data["criteria"][3]["outcome"] = "great"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_assessment(path)
    assert "broken.json: overall.level:" in info.value.message
    assert "broken.json: criteria[3].outcome:" in info.value.message
    assert isinstance(rich, Assessment)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_workbook_carries_every_caveat_and_conflict_with_its_decision(rich, lang):
    from openpyxl import load_workbook

    from mlops_audit.evidence.model import Resolution
    from mlops_audit.report.i18n import messages

    t = messages(lang)
    first = rich.conflicts[0]
    decided = first.model_copy(update={"resolution": Resolution(criterion=first.criterion, side="evidence", decided_by="Li Wei",
                                                                  decided_at="2026-11-29", reason="checked with the team")})
    assessment = rich.model_copy(update={"conflicts": [decided, *rich.conflicts[1:]]})
    wb = load_workbook(io.BytesIO(to_xlsx(assessment, lang)))
    caveats = list(wb[t("xlsx.caveats")].iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in caveats] == [c.kind for c in assessment.caveats] and caveats
    assert {row[0] for row in caveats} <= {t(f"severity.{s}") for s in ("critical", "warning", "info")}
    assert all(row[2] == c.message.get(lang) for row, c in zip(caveats, assessment.caveats))
    conflicts = list(wb[t("xlsx.conflicts")].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in conflicts] == [k.criterion for k in assessment.conflicts]
    assert conflicts[0][4:] == (t("xlsx.side_evidence"), "Li Wei", "2026-11-29", "checked with the team")
    assert all(row[4] == t("xlsx.open") for row in conflicts[1:])
    header = next(wb[t("xlsx.criteria")].iter_rows(max_row=1, values_only=True))
    assert header[-1] == t("xlsx.basis")


def test_the_workbook_lists_every_regulatory_obligation(rich):
    from openpyxl import load_workbook

    from mlops_audit.report.i18n import messages

    t = messages("en")
    wb = load_workbook(io.BytesIO(to_xlsx(rich, "en")))
    rows = list(wb[t("sections.regulatory")].iter_rows(min_row=2, values_only=True))
    expected = [(reg.identifier, ob.ref) for reg in rich.regulatory.regulations for ob in reg.obligations]
    assert [(r[0], r[1]) for r in rows] == expected and rows
    assert {r[3] for r in rows} <= {t(f"regulatory.status_{s}") for s in ("met", "partial", "unmet", "not_applicable", "not_assessed")}
