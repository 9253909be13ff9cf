"""GRC interchange: OSCAL catalogs and profiles validated with compliance-trestle (models generated
from NIST's OSCAL schemas, and its profile resolver), and CISO Assistant libraries checked against
the structure its library importer reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from mlops_audit.cli import cli
from mlops_audit.rubric.ciso_export import URN_PATTERN, export_ciso, framework_urn, node_urn
from mlops_audit.rubric.loader import default_rubric
from mlops_audit.rubric.oscal_catalog import export_oscal, profile_file
from mlops_audit.rubric.profiles import available_profiles, bundled_profile

trestle_catalog = pytest.importorskip("trestle.oscal.catalog")
trestle_profile = pytest.importorskip("trestle.oscal.profile")
profile_resolver = pytest.importorskip("trestle.core.profile_resolver")

AT = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def profiles():
    return [bundled_profile(n) for n in available_profiles()]


@pytest.fixture(scope="module")
def oscal(profiles):
    return export_oscal(default_rubric(), profiles, lang="en", at=AT)


def _controls(items):
    for item in items or []:
        yield item
        yield from _controls(item.get("controls"))


def _catalog_ids(doc) -> list[str]:
    cat = doc["catalog"]
    return [c["id"] for g in cat["groups"] for c in _controls(g.get("controls"))]


def test_every_oscal_document_validates_with_trestle(oscal) -> None:
    assert len(oscal) == 1 + sum(1 + len(bundled_profile(n).meta.sources) for n in available_profiles())
    for name, doc in oscal.items():
        (kind,) = doc
        model = trestle_catalog.Catalog if kind == "catalog" else trestle_profile.Profile
        model.model_validate(json.loads(json.dumps(doc[kind])))
        if kind == "catalog":
            ids = _catalog_ids(doc)
            assert len(ids) == len(set(ids)), f"{name}: duplicate control ids"


def test_the_rubric_catalog_holds_every_practice_and_criterion(oscal) -> None:
    base = default_rubric()
    ids = set(_catalog_ids(oscal["caict-mlops-2023.catalog.json"]))
    assert ids == {p.id for _d, p in base.rubric.practices()} | set(base.rubric.criterion_index())


def test_each_regulation_profile_resolves_to_exactly_what_serves_it(tmp_path: Path, oscal, profiles, monkeypatch) -> None:
    (tmp_path / ".trestle").mkdir()
    monkeypatch.chdir(tmp_path)  # trestle resolves relative import hrefs from the working folder
    for name, doc in oscal.items():
        (tmp_path / name).write_text(json.dumps(doc), encoding="utf-8")
    base = default_rubric()
    for profile in profiles:
        for source in profile.meta.sources:
            resolved = profile_resolver.ProfileResolver.get_resolved_profile_catalog(tmp_path, tmp_path / profile_file(profile.id, source.id))
            got = {c["id"] for g in resolved.model_dump(by_alias=True, exclude_none=True).get("groups", []) for c in _controls(g.get("controls"))}
            obligations = [c.id for c in profile.clauses if c.source == source.id]
            expected = set(obligations) | {cid for ob in obligations for cid in profile.citing_criteria(ob)}
            for row in profile.crosswalk:
                if row.obligation in obligations:
                    expected |= set(row.criteria)
                    for pid in row.practices:
                        practice = next(p for _d, p in base.rubric.practices() if p.id == pid)
                        expected |= {pid} | {c.id for c in practice.criteria}
            assert got == expected, (profile.id, source.id)


def test_oscal_export_is_deterministic_and_escapes_text(profiles) -> None:
    again = export_oscal(default_rubric(), profiles, lang="zh", at=AT)
    assert json.dumps(again, sort_keys=True) == json.dumps(export_oscal(default_rubric(), profiles, lang="zh", at=AT), sort_keys=True)
    cat = again["cn-finance.catalog.json"]["catalog"]
    assert cat["metadata"]["title"] == "中国金融业人工智能监管要求"


# --- CISO Assistant -------------------------------------------------------------------------------
# The structure its importer reads (backend/library/utils.py in intuitem/ciso-assistant-community):
# FrameworkImporter.REQUIRED_FIELDS = {ref_id, urn} and a non-empty requirement_nodes;
# RequirementNodeImporter.REQUIRED_FIELDS = {urn}; RequirementMappingSetImporter.REQUIRED_FIELDS =
# {urn, name, source_framework_urn, target_framework_urn} with non-empty requirement_mappings, each
# {source_requirement_urn, target_requirement_urn, relationship}; URNs match core.models.URN_REGEX
# and are stored lower-case; translations are {locale: {field: text}}; the shipped libraries carry
# urn, locale, ref_id, name, description, copyright, version (an integer), provider, packager.
LIBRARY_FIELDS = {"urn", "locale", "ref_id", "name", "description", "copyright", "version", "provider", "packager", "objects"}
RELATIONSHIPS = {"equal", "subset", "superset", "intersect", "not_related"}


def _library_problems(lib: dict) -> list[str]:
    problems = [f"missing library field {f}" for f in LIBRARY_FIELDS - set(lib)]
    if not isinstance(lib.get("version"), int):
        problems.append("version must be an integer")
    fw = lib["objects"]["framework"]
    problems += [f"missing framework field {f}" for f in {"ref_id", "urn"} - set(fw)]
    nodes = fw.get("requirement_nodes") or []
    if not nodes:
        problems.append("no requirement nodes")
    seen: dict[str, int] = {}
    for k, node in enumerate(nodes):
        urn = node.get("urn")
        if not urn or not URN_PATTERN.match(urn) or urn != urn.lower():
            problems.append(f"node {k}: bad urn {urn!r}")
            continue
        if urn in seen:
            problems.append(f"node {k}: duplicate urn {urn}")
        parent = node.get("parent_urn")
        if parent is not None:
            if parent not in seen:
                problems.append(f"node {k}: parent {parent} not defined before it")
            elif node.get("depth") != seen[parent] + 1:
                problems.append(f"node {k}: depth {node.get('depth')} under a depth-{seen[parent]} parent")
        elif node.get("depth") != 1:
            problems.append(f"node {k}: top-level node at depth {node.get('depth')}")
        for locale, fields in (node.get("translations") or {}).items():
            if not isinstance(fields, dict) or not all(isinstance(v, str) and v for v in fields.values()):
                problems.append(f"node {k}: bad translations for {locale}")
        seen[urn] = node["depth"]
    for ms in lib["objects"].get("requirement_mapping_sets", []):
        problems += [f"mapping set: missing {f}" for f in {"urn", "name", "source_framework_urn", "target_framework_urn"} - set(ms)]
        for m in ms.get("requirement_mappings") or []:
            problems += [f"mapping: missing {f}" for f in {"source_requirement_urn", "target_requirement_urn", "relationship"} - set(m)]
            if m.get("relationship") not in RELATIONSHIPS:
                problems.append(f"mapping: relationship {m.get('relationship')!r}")
    return problems


def test_ciso_assistant_libraries_round_trip_through_yaml_in_the_importer_structure(profiles) -> None:
    base = default_rubric()
    docs = export_ciso(base, profiles)
    base_nodes = {n["urn"] for n in docs["caict-mlops-2023.yaml"]["objects"]["framework"]["requirement_nodes"]}
    assert len(base_nodes) == len(base.rubric.domains) + len(base.rubric.practices()) + len(base.rubric.criteria())
    for name, doc in docs.items():
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
        back = yaml.safe_load(text)
        assert back == doc, name
        assert _library_problems(back) == [], name
    for profile in profiles:
        lib = docs[f"{profile.id}.yaml"]
        nodes = {n["urn"]: n for n in lib["objects"]["framework"]["requirement_nodes"]}
        # Every obligation is an assessable node; every crosswalk row is a mapping to a node of the base library.
        for clause in profile.clauses:
            assert nodes[node_urn(profile.id, clause.id)]["assessable"] is True
        mappings = [m for ms in lib["objects"].get("requirement_mapping_sets", []) for m in ms["requirement_mappings"]]
        assert len(mappings) == sum(len(r.criteria) + len(r.practices) for r in profile.crosswalk)
        for m in mappings:
            assert m["source_requirement_urn"] in nodes and m["target_requirement_urn"] in base_nodes
        if mappings:
            assert lib["dependencies"] == [docs["caict-mlops-2023.yaml"]["urn"]]
            assert lib["objects"]["requirement_mapping_sets"][0]["target_framework_urn"] == framework_urn(base.rubric.id)
        zh = lib["translations"]["zh"]["name"]
        assert zh == profile.meta.title.zh


def test_the_structure_check_catches_what_the_importer_refuses() -> None:
    lib = export_ciso(default_rubric(), [])["caict-mlops-2023.yaml"]
    broken = json.loads(json.dumps(lib))
    broken["objects"]["framework"]["requirement_nodes"][1]["urn"] = "urn:bad urn"
    del broken["objects"]["framework"]["ref_id"]
    broken["version"] = "1.0.0"
    problems = _library_problems(broken)
    assert any("bad urn" in p for p in problems)
    assert "missing framework field ref_id" in problems and "version must be an integer" in problems


def test_rubric_export_cli_writes_the_files(tmp_path: Path, runner, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")
    result = runner.invoke(cli, ["rubric", "export", "--format", "oscal-catalog", "--out", str(tmp_path / "o"), "--profile", "cn-finance"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == sorted(
        ["caict-mlops-2023.catalog.json", "cn-finance.catalog.json", "cn-finance.JRT0221.profile.json", "cn-finance.PIPL.profile.json", "cn-finance.ALGO.profile.json"]
    )
    first = (tmp_path / "o" / "cn-finance.catalog.json").read_bytes()
    assert runner.invoke(cli, ["rubric", "export", "--format", "oscal-catalog", "--out", str(tmp_path / "o"), "--profile", "cn-finance"]).exit_code == 0
    assert (tmp_path / "o" / "cn-finance.catalog.json").read_bytes() == first
    result = runner.invoke(cli, ["rubric", "export", "--format", "ciso-assistant", "--out", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "c").glob("*.yaml"))) == 1 + len(available_profiles())
    result = runner.invoke(cli, ["rubric", "export", "--format", "ciso-assistant", "--out", str(tmp_path / "c"), "--profile", "cn-financ"])
    assert result.exit_code == 2 and "did you mean 'cn-finance'" in result.output


def test_rubric_list_names_the_profiles_and_their_sources(runner) -> None:
    result = runner.invoke(cli, ["rubric", "list"])
    assert result.exit_code == 0, result.output
    for name in available_profiles():
        assert f"\n{name}  " in result.output
    assert "SR 11-7 / OCC Bulletin 2011-12 (superseded)" in result.output


def test_questionnaire_export_with_a_profile_asks_its_questions(runner) -> None:
    result = runner.invoke(cli, ["questionnaire", "export", "--profile", "eu-ai-act-high-risk", "--format", "json", "--lang", "en"])
    assert result.exit_code == 0, result.output
    profile = bundled_profile("eu-ai-act-high-risk")
    for _d, _p, c in profile.criteria():
        assert c.id in result.output
    plain = runner.invoke(cli, ["questionnaire", "export", "--format", "json", "--lang", "en"])
    assert "EUAI." not in plain.output


def test_rubric_validate_checks_the_bundled_profiles_and_a_profile_folder(runner, tmp_path: Path) -> None:
    import shutil

    from mlops_audit.rubric.profiles import profiles_dir

    ok = runner.invoke(cli, ["rubric", "validate"])
    assert ok.exit_code == 0, ok.output
    for name in available_profiles():
        assert f"ok: profile {name} " in ok.output
    bad = tmp_path / "cn-genai"
    shutil.copytree(profiles_dir() / "cn-genai", bad)
    text = (bad / "domains" / "cn_genai.yaml").read_text(encoding="utf-8")
    (bad / "domains" / "cn_genai.yaml").write_text(text.replace("cites: [GENAI.art15]", "cites: [GENAI.art51]"), encoding="utf-8")
    result = runner.invoke(cli, ["rubric", "validate", str(bad)])
    assert result.exit_code == 2
    assert "cn_genai.yaml:" in result.output and "unknown clause 'GENAI.art51'" in result.output
    assert "Traceback" not in result.output


def test_a_profile_questionnaire_round_trips_and_needs_its_profile(runner, tmp_path: Path) -> None:
    exported = runner.invoke(cli, ["questionnaire", "export", "--profile", "cn-genai", "--format", "yaml", "--lang", "en", "--role", "business"])
    assert exported.exit_code == 0, exported.output
    text = exported.output.replace("  name: ''", "  name: Example Bank", 1).replace("  id: ''", "  id: r-biz-01", 1)
    text = text.replace("- criterion: CNG.content_labelling.L1\n  value:", "- criterion: CNG.content_labelling.L1\n  value: yes")
    answers = tmp_path / "a.yaml"
    answers.write_text(text, encoding="utf-8")
    ok = runner.invoke(cli, ["questionnaire", "check", "--profile", "cn-genai", str(answers)])
    assert ok.exit_code == 0, ok.output
    assert "1 answer(s) accepted, 0 error(s)" in ok.output
    without = runner.invoke(cli, ["questionnaire", "check", str(answers)])
    assert without.exit_code == 2
    assert "unknown criterion id 'CNG.content_labelling.L1'" in without.output


def test_rubric_show_with_a_profile_outlines_its_practices(runner) -> None:
    result = runner.invoke(cli, ["rubric", "show", "--profile", "nist-ai-rmf"])
    assert result.exit_code == 0, result.output
    assert "NIST.manage" in result.output and "L4 NIST.manage.L4" in result.output
    assert "+nist-ai-rmf-1.0.0" in result.output.splitlines()[0]
