"""Caveats (the report's first page): every kind the engine can raise, in both languages."""

from __future__ import annotations

import re

from mlops_audit.result.model import Caveat, Conflict, LearningMaterialNote, RepoRecord, RunRecord, WaiverRecord
from mlops_audit.scoring.caveats import LOW_COVERAGE, assessment_caveats

HALF_WIDTH_BESIDE_CHINESE = re.compile(r"[\u4e00-\u9fff][,:;()!?]|[,:;()!?][\u4e00-\u9fff]")


def run(name, **over):
    base = dict(name=name, run_id=name, ok=True, problems=[], event_count=3, head_hash="0" * 64, merkle_root="0" * 64,
                signature="valid", clauses_executed=[], trusted_signer=True, credited=True, status="credited", strength="verified")
    return RunRecord(**{**base, **over})


def every_caveat() -> list[Caveat]:
    runs = [
        run("tampered", ok=False, first_bad_seq=4, problems=["seq 4: hash mismatch"], credited=False, status="not_verified", strength=None),
        run("other", credited=False, status="other_organisation", strength=None),
        run("unbound", credited=False, status="unbound", strength=None),
        run("ref-accepted", reference=True),
        run("ref", reference=True, credited=False, status="reference", strength=None),
        run("unsigned", signature="absent", trusted_signer=False, strength="evidenced"),
        run("untrusted", trusted_signer=False, strength="evidenced"),
        run("excluded", signature="absent", trusted_signer=False, credited=False, status="excluded_by_policy", strength=None),
        run("twice", duplicate_of="unsigned", status="duplicate", credited=False, strength=None),
    ]
    conflicts = [Conflict(criterion="A.L3", kind="denied_against_evidence", respondents=["r"], evidence=["e"], detail="d")]
    waivers = [WaiverRecord(criterion="B.L4", justification="j", approved_by="a", expires="2020-01-01", status="expired"),
               WaiverRecord(criterion="X.L9", justification="j", approved_by="a", expires="2030-01-01", status="unknown_criterion")]
    repos = [RepoRecord(name="a-course", findings=22, passed=1, failed=21, not_applicable=0, errors=0,
                        learning_material=LearningMaterialNote(verdict="course", code_share=1.0, reasons=["README.md speaks of a workshop"]))]
    return assessment_caveats([], conflicts, LOW_COVERAGE / 2, runs, waivers, ["C.L2"], repos)


def test_every_run_that_is_not_worth_verified_is_named_in_a_caveat():
    caveats = every_caveat()
    named = {s for c in caveats for s in c.subjects}
    assert named >= {"tampered", "other", "unbound", "ref-accepted", "ref", "unsigned", "untrusted", "excluded", "twice"}
    kinds = {c.kind for c in caveats}
    assert kinds >= {"conflicts", "low_coverage", "run_not_verified", "run_other_organisation", "run_unbound", "run_reference",
                     "run_unsigned", "run_untrusted_signer", "run_duplicate", "waiver_expired", "waiver_unknown_criterion", "resolution_unused",
                     "repo_learning_material"}
    tampered = next(c for c in caveats if c.kind == "run_not_verified")
    assert "seq 4" in tampered.message.en and "seq 4" in tampered.message.zh


def test_critical_caveats_come_first():
    order = {"critical": 0, "warning": 1, "info": 2}
    ranks = [order[c.severity] for c in every_caveat()]
    assert ranks == sorted(ranks) and ranks[0] == 0


def test_chinese_caveats_use_full_width_punctuation():
    for caveat in every_caveat():
        assert not HALF_WIDTH_BESIDE_CHINESE.search(caveat.message.zh), caveat.message.zh
