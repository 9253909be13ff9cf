"""Every bundled regulator profile validates against the base rubric, cites only its own catalogue,
maps to base-rubric targets that exist and obeys the route-soundness rules; broken profiles are
refused with file:line messages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlops_audit.errors import InputError, RubricError
from mlops_audit.rubric.loader import default_rubric
from mlops_audit.rubric.profiles import (
    ClauseStatus,
    available_profiles,
    bundled_profile,
    combined_rubric,
    load_profile,
    profiles_dir,
    resolve_profile,
)
from mlops_audit.rubric.soundness import route_problems

REQUIRED = {"cn-finance", "cn-genai", "us-model-risk", "eu-ai-act-high-risk", "nist-ai-rmf"}


def test_the_required_profiles_are_bundled() -> None:
    assert REQUIRED <= set(available_profiles())


@pytest.mark.parametrize("name", available_profiles())
def test_profile_validates_and_is_sound(name: str) -> None:
    profile = bundled_profile(name)
    base = default_rubric()
    assert profile.criteria(), "a profile adds criteria"
    combined = combined_rubric([profile])
    own = {c.id for _d, _p, c in profile.criteria()}
    # The soundness rules hold for every profile criterion (the base rubric is the rubric work's).
    assert [p for p in route_problems(combined.rubric) if p.criterion in own] == []
    # Every criterion cites clauses of its own catalogue, and every catalogue clause is used.
    clause_ids = set(profile.clause_index())
    for _d, practice, criterion in profile.criteria():
        assert profile.cites[criterion.id], criterion.id
        assert set(profile.cites[criterion.id]) <= clause_ids
        assert set(profile.cites[practice.id]) <= clause_ids
    # Crosswalk targets exist in the base rubric.
    index = base.rubric.criterion_index()
    practices = {p.id for _d, p in base.rubric.practices()}
    for row in profile.crosswalk:
        assert set(row.criteria) <= set(index)
        assert set(row.practices) <= practices
    # Nothing cited rests on an inference, and non-'confirmed' statuses say where.
    for clause in profile.clauses:
        assert clause.status in set(ClauseStatus)
        if clause.status is not ClauseStatus.confirmed:
            assert clause.confirmed_in
    # Profile criteria are new: no id of the base rubric is redefined.
    assert not own & set(index)


def test_all_profiles_combine_into_one_rubric() -> None:
    profiles = [bundled_profile(n) for n in available_profiles()]
    combined = combined_rubric(profiles)
    base = default_rubric()
    assert len(combined.rubric.criteria()) == len(base.rubric.criteria()) + sum(len(p.criteria()) for p in profiles)
    # Same id as the base (answers to the base questionnaire stay valid), profiles in the version.
    assert combined.rubric.id == base.rubric.id
    assert combined.rubric.version == base.rubric.version.split("+")[0] + "+" + ".".join(f"{p.id}-{p.meta.version}" for p in profiles)
    assert set(combined.rubric.evidence_policy.accept_reviewed) >= {c for p in profiles for c in p.meta.accept_reviewed}
    assert combined.digest != base.digest


def _copy(tmp_path: Path, name: str = "cn-finance") -> Path:
    target = tmp_path / name
    shutil.copytree(profiles_dir() / name, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_citation_of_an_unknown_clause_is_refused_with_file_and_line(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "domains" / "cn_finance.yaml", "cites: [PIPL.art24]", "cites: [PIPL.art99]")
    with pytest.raises(RubricError) as err:
        load_profile(folder)
    message = "\n".join(err.value.problems)
    assert "cn_finance.yaml:" in message and "unknown clause 'PIPL.art99'" in message


def test_a_criterion_without_cites_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "domains" / "cn_finance.yaml", "        cites: [PIPL.art24]\n", "")
    with pytest.raises(RubricError, match="cites: required key is missing"):
        load_profile(folder)


def test_unknown_crosswalk_targets_roles_and_detectors_are_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "crosswalk.yaml", "DE.versioning_lineage.L3", "DE.versioning_lineage.L9")
    _edit(folder / "crosswalk.yaml", "ORG.mra_outcome: 3", "ORG.mra_outcomes: 3")
    with pytest.raises(RubricError) as err:
        load_profile(folder)
    message = "\n".join(err.value.problems)
    assert "unknown criterion 'DE.versioning_lineage.L9'" in message
    assert "unknown practice 'ORG.mra_outcomes'" in message and "did you mean 'ORG.mra_outcome'" in message

    folder = _copy(tmp_path / "b")
    _edit(folder / "domains" / "cn_finance.yaml", "roles: [ml_architect]", "roles: [compliance_officer]")
    _edit(folder / "domains" / "cn_finance.yaml", "trail_events:\n          - {clause: PA.4.step1", "detectors: [no_such_detector]\n        trail_events:\n          - {clause: PA.4.step1")
    with pytest.raises(RubricError) as err:
        load_profile(folder)
    message = "\n".join(err.value.problems)
    assert "unknown role 'compliance_officer'" in message and "unknown detector id 'no_such_detector'" in message
    assert "cn_finance.yaml:" in message


def test_unsound_routes_are_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    # A level-3 criterion whose documents the policy no longer accepts has no route left.
    _edit(folder / "profile.yaml", "  - CNF.piia.L3\n", "")
    with pytest.raises(RubricError, match=r"CNF.piia.L3: no route can reach the required strength 'evidenced'"):
        load_profile(folder)
    folder = _copy(tmp_path / "b")
    # A level-4 criterion reusing the level-3 route of its practice.
    _edit(folder / "domains" / "cn_finance.yaml", "action: dependency_audit, require: [libraries_audited, open_findings, audit_ref]", "action: adversarial_test, require: [attack_types, attack_success_rate, threshold]")
    with pytest.raises(RubricError, match=r"CNF.attack_defence.L4: level 4 reuses"):
        load_profile(folder)


def test_catalogue_rules(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "clauses.yaml", "status: secondary", "status: inferred")
    with pytest.raises(RubricError, match=r"clauses.yaml:\d+:\d+: clauses\[0\].status"):
        load_profile(folder)
    folder = _copy(tmp_path / "b")
    _edit(folder / "clauses.yaml", "    source: PIPL\n", "    source: GDPR\n")
    with pytest.raises(RubricError, match="unknown source 'GDPR'"):
        load_profile(folder)
    folder = _copy(tmp_path / "c")
    text = (folder / "clauses.yaml").read_text(encoding="utf-8")
    (folder / "clauses.yaml").write_text(text + "  - id: PIPL.art57\n    source: PIPL\n    ref: Art. 57\n    title: {zh: 泄露补救与通知, en: Breach remediation and notice}\n    status: confirmed\n", encoding="utf-8")
    with pytest.raises(RubricError, match="clause 'PIPL.art57' is served by no crosswalk row"):
        load_profile(folder)
    # Served only by a partial row: nothing could ever meet it.
    text = (folder / "crosswalk.yaml").read_text(encoding="utf-8")
    (folder / "crosswalk.yaml").write_text(text + "  - obligation: PIPL.art57\n    coverage: partial\n    criteria: [OP.alerting.L3]\n    note: {zh: 测试, en: test}\n", encoding="utf-8")
    with pytest.raises(RubricError, match="clause 'PIPL.art57' has only partial crosswalk rows and no criterion of the profile cites it"):
        load_profile(folder)


def test_unknown_profile_names_and_folders(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown profile 'cn-financ'.*did you mean 'cn-finance'"):
        resolve_profile("cn-financ")
    with pytest.raises(InputError, match="not a profile folder"):
        load_profile(tmp_path)
    assert resolve_profile(str(profiles_dir() / "cn-finance")).id == "cn-finance"


def test_docs_describe_every_profile_its_sources_and_practices() -> None:
    from pathlib import Path

    # The checkout's docs/ (the package may be installed non-editably, as in CI).
    text = (Path(__file__).resolve().parents[2] / "docs" / "profiles.md").read_text(encoding="utf-8")
    for name in available_profiles():
        profile = bundled_profile(name)
        assert f"### {name} " in text, name
        for source in profile.meta.sources:
            assert source.identifier in text or source.title.zh in text, source.identifier
        for domain in profile.domains:
            for practice in domain.practices:
                assert f"`{practice.id}`" in text, practice.id


@pytest.mark.parametrize("name", available_profiles())
def test_every_zh_string_of_a_profile_uses_full_width_punctuation(name: str) -> None:
    from tests.rubric.helpers import rubric_texts
    from tests.rubric.test_zh_typography import typography_problems

    profile = bundled_profile(name)
    texts = [t for d in profile.domains for t in rubric_texts(d, d.id)] + rubric_texts(profile.meta, "profile")
    texts += [t for c in profile.clauses for t in rubric_texts(c, c.id)] + [t for r in profile.crosswalk for t in rubric_texts(r, r.obligation)]
    assert texts
    assert [(where, p) for where, text in texts for p in typography_problems(text.zh)] == []
