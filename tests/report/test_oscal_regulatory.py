"""OSCAL assessment-results with regulator profiles: one finding per obligation, targeting the
obligation's statement in the profile's OSCAL catalog, carrying its status, weakest strength and
what it rests on; valid under NIST's schema and compliance-trestle's models."""

from __future__ import annotations

import json

import pytest
from test_report_exports import oscal_errors

from mlops_audit.evidence.model import Evidence
from mlops_audit.report.oscal import PROP_NS, md, obligation_statement_id, to_oscal
from mlops_audit.rubric.loader import default_rubric
from mlops_audit.rubric.oscal_catalog import profile_catalog
from mlops_audit.rubric.profiles import bundled_profile, combined_rubric
from mlops_audit.scoring.engine import AssessmentInputs, assess
from mlops_audit.scoring.regulatory import regulatory_coverage
from tests.conftest import AT, answer_file, extreme_answer

trestle_ar = pytest.importorskip("trestle.oscal.assessment_results")

PROFILES = ("cn-finance", "us-model-risk")


@pytest.fixture(scope="module")
def profiled():
    """Base + two profiles scored together: every criterion answered at its best up to level 2,
    worst above, and one profile criterion evidenced by a reviewed document and a verified run."""
    profiles = [bundled_profile(n) for n in PROFILES]
    loaded = combined_rubric(profiles)
    rubric = loaded.rubric
    answers = {c.id: extreme_answer(c, best=c.level <= 3) for _d, _p, c in rubric.criteria()}
    roles = [r.id for r in rubric.roles]
    evidence = (
        Evidence(id="run:run-1:CNF.explainability.L3", kind="pipeline", source="run-1", locator="run-1#7", strength="verified", says="met", criteria=["CNF.explainability.L3"]),
    )
    a = assess(AssessmentInputs(rubric=loaded, answer_files=[("a.yaml", answer_file("r1", roles, answers))], evidence=evidence), assessed_at=AT)
    return a.model_copy(update={"regulatory": regulatory_coverage(a, profiles)})


def _props(item) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in item.get("props", []):
        assert p["ns"] == PROP_NS
        out.setdefault(p["name"], []).append(p["value"])
    return out


def _obligation_findings(doc):
    return [f for f in doc["assessment-results"]["results"][0]["findings"] if "obligation-status" in _props(f)]


def test_every_obligation_is_a_finding_with_its_status_strength_and_bases(profiled) -> None:
    doc = to_oscal(profiled)
    findings = _obligation_findings(doc)
    obligations = [(reg, ob) for reg in profiled.regulatory.regulations for ob in reg.obligations]
    assert len(findings) == len(obligations) > 20
    by_clause = {(_props(f)["profile"][0], _props(f)["clause-id"][0]): f for f in findings}
    assert len(by_clause) == len(findings)
    statuses = set()
    for reg, ob in obligations:
        f = by_clause[(reg.profile, ob.id)]
        props = _props(f)
        statuses.add(ob.status)
        assert props["regulation"] == [reg.identifier] and props["clause"] == [ob.ref]
        assert props["obligation-status"] == [ob.status]
        assert props.get("strength") == ([ob.strength.value] if ob.strength else None)
        expected = [c.id for b in ob.bases for c in b.criteria] + [f"{p.id}@L{p.required_level}" for b in ob.bases for p in b.practices]
        assert props["rests-on"] == list(dict.fromkeys(expected))
        assert f["target"]["type"] == "statement-id" and f["target"]["target-id"] == obligation_statement_id(ob.id)
        state = f["target"]["status"]
        assert (state["state"] == "satisfied") == (ob.status in ("met", "not_applicable"))
        assert state["reason"] == {"met": "pass", "not_applicable": "other", "not_assessed": "other"}.get(ob.status, "fail")
    assert {"met", "partial"} <= statuses  # the fixture exercises more than one status


def test_an_obligation_met_through_evidence_links_that_evidence(profiled) -> None:
    doc = to_oscal(profiled)
    ar = doc["assessment-results"]
    run_observation = next(o["uuid"] for o in ar["results"][0]["observations"] if o["title"] == "run:run-1:CNF.explainability.L3")
    f = next(f for f in _obligation_findings(doc) if _props(f)["clause-id"] == ["PIPL.art24"])
    assert "CNF.explainability.L3" in _props(f)["rests-on"]
    assert {"observation-uuid": run_observation} in f["related-observations"]
    # The finding names the profile catalog whose statement it targets, as a back-matter resource.
    (link,) = f["links"]
    resource = next(r for r in ar["back-matter"]["resources"] if f"#{r['uuid']}" == link["href"])
    assert resource["rlinks"] == [{"href": "cn-finance.catalog.json"}]


def test_each_target_is_a_statement_of_the_profile_catalog(profiled) -> None:
    statements = {}
    for name in PROFILES:
        catalog = profile_catalog(bundled_profile(name), lang="en", at=AT)["catalog"]
        statements[name] = {part["id"] for g in catalog["groups"] for c in g.get("controls", []) if c.get("class") == "obligation" for part in c["parts"] if part["name"] == "statement"}
    for f in _obligation_findings(to_oscal(profiled)):
        assert f["target"]["target-id"] in statements[_props(f)["profile"][0]]


def test_with_profiles_the_document_validates_with_nist_schema_and_trestle(profiled) -> None:
    doc = to_oscal(profiled)
    assert oscal_errors(doc) == []
    trestle_ar.AssessmentResults.model_validate(json.loads(json.dumps(doc["assessment-results"])))
    assert to_oscal(profiled) == doc  # deterministic: uuid5 throughout
    uuids = [f["uuid"] for f in doc["assessment-results"]["results"][0]["findings"]]
    assert len(uuids) == len(set(uuids))


def test_without_profiles_there_are_no_obligation_findings(profiled) -> None:
    plain = profiled.model_copy(update={"regulatory": None})
    doc = to_oscal(plain)
    assert _obligation_findings(doc) == []
    assert not any("profile-id" in _props(r) for r in doc["assessment-results"]["back-matter"]["resources"])


def test_trestle_rejects_a_broken_obligation_finding(profiled) -> None:
    doc = to_oscal(profiled)
    _obligation_findings(doc)[0]["target"]["status"]["state"] = "mostly"
    with pytest.raises(Exception, match="state"):
        trestle_ar.AssessmentResults.model_validate(json.loads(json.dumps(doc["assessment-results"])))
    assert oscal_errors(doc)


# --- Criterion.cites in the report and the OSCAL findings -------------------------------------------


def test_criterion_findings_carry_the_clauses_a_profile_criterion_cites(profiled) -> None:
    index = profiled.rubric_snapshot.criterion_index()
    findings = {_props(f)["practice"][0] + "/" + f["target"]["target-id"]: f for f in to_oscal(profiled)["assessment-results"]["results"][0]["findings"] if f["target"]["type"] == "objective-id"}
    cited = 0
    for key, f in findings.items():
        criterion = index[key.split("/", 1)[1]][2]
        props = [p for p in f["props"] if p["name"] == "cites"]
        assert [p["value"] for p in props] == [x.clause for x in criterion.cites]
        assert [p["remarks"] for p in props] == [md(f"{x.regulation} {x.ref}") for x in criterion.cites]
        cited += bool(props)
    assert cited == sum(1 for _d, _p, c in profiled.rubric_snapshot.criteria() if c.cites) > 0


def test_the_report_shows_each_profile_criterions_clauses_and_none_for_the_guides(profiled) -> None:
    from mlops_audit.report.context import anchor
    from mlops_audit.report.html import render_html

    en = render_html(profiled, "en", report_digest="0" * 64)
    zh = render_html(profiled, "zh", report_digest="0" * 64)
    block = en.split(f'id="{anchor("cr", "CNF.explainability.L3")}"', 1)[1].split('<div id="cr-', 1)[0]
    assert '<div class="cites">Serves: JR/T 0221-2021 7, ' in block and "Art. 24</div>" in block
    assert '<div class="cites">对应条款：JR/T 0221-2021 7、' in zh
    guide_id = next(c.id for d, _p, c in profiled.rubric_snapshot.criteria() if d.profile is None)
    guide = en.split(f'id="{anchor("cr", guide_id)}"', 1)[1].split('<div id="cr-', 1)[0]
    assert 'class="cites"' not in guide
    assert en.count('<div class="cites">') == sum(1 for _d, _p, c in profiled.rubric_snapshot.criteria() if c.cites)


def test_the_workbook_shows_which_regulation_clauses_each_profile_criterion_serves(profiled, rich_small) -> None:
    """As the HTML report and OSCAL do: a 'Serves' column on the criteria sheet, only when the rubric cites."""
    import io

    from openpyxl import load_workbook

    from mlops_audit.report.i18n import messages
    from mlops_audit.report.xlsx import to_xlsx

    t = messages("en")
    sheet = load_workbook(io.BytesIO(to_xlsx(profiled, "en")))[t("xlsx.criteria")]
    header = [cell.value for cell in sheet[1]]
    assert header[-1] == t("detail.cites") == "Serves"
    index = profiled.rubric_snapshot.criterion_index()
    rows = {row[0]: row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    cited = [c.id for c in profiled.criteria if index[c.id][2].cites]
    assert cited and all(rows[cid] for cid in cited)
    first = index[cited[0]][2].cites[0]
    assert f"{first.regulation} {first.ref}" in rows[cited[0]]
    assert not any(rows[c.id] for c in profiled.criteria if not index[c.id][2].cites)
    # a CAICT-only assessment keeps its columns
    plain = load_workbook(io.BytesIO(to_xlsx(rich_small, "en")))[t("xlsx.criteria")]
    assert t("detail.cites") not in [cell.value for cell in plain[1]]
