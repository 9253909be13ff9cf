"""Reviewed documents (strength `reviewed`) and assessor resolutions: reading the files an assessor
writes by hand, every problem reported at once with its place."""

from __future__ import annotations

import hashlib
import json

import pytest
import yaml

from mlops_audit.cli import cli
from mlops_audit.errors import InputError
from mlops_audit.evidence.documents import load_documents, load_resolutions
from mlops_audit.rubric.model import Strength
from tests.conftest import SMALL_RUBRIC, answer_file


def policy_accepting(rubric, *ids):
    return rubric.evidence_policy.model_copy(update={"accept_reviewed": list(ids)})


def write(path, data):
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def doc(**over):
    base = {"id": "mra-policy", "title": "Model risk policy v3", "sha256": "a" * 64, "reviewed_by": "Li Wei (assessor)",
            "reviewed_at": "2026-11-20", "note": "section 4 sets the shared rule library", "criteria": ["DE.ingest.L2"]}
    return {**base, **over}


def test_a_reviewed_document_becomes_evidence_at_reviewed_strength(tmp_path, small_rubric):
    pdf = tmp_path / "policy.pdf"
    pdf.write_bytes(b"%PDF policy")
    digest = hashlib.sha256(b"%PDF policy").hexdigest()
    f = write(tmp_path / "docs.yaml", {"format": "mlops-audit/reviewed-documents@1", "documents": [doc(path="policy.pdf", sha256=digest)]})
    [e] = load_documents(f, small_rubric.rubric, small_rubric.rubric.evidence_policy)
    assert (e.kind, e.strength, e.says, e.sha256, e.criteria) == ("document", Strength.reviewed, "met", digest, ["DE.ingest.L2"])
    assert "Li Wei" in e.excerpt and "2026-11-20" in e.excerpt


def test_every_problem_is_reported_at_once_with_its_place(tmp_path, small_rubric):
    (tmp_path / "changed.pdf").write_bytes(b"edited after review")
    f = write(tmp_path / "docs.yaml", {"documents": [
        doc(criteria=["DE.ingset.L3", "DE.ingest.L4"]),
        doc(id="mra-policy", path="changed.pdf"),
        doc(id="escape", path="../outside.pdf"),
    ]})
    with pytest.raises(InputError) as err:
        load_documents(f, small_rubric.rubric, small_rubric.rubric.evidence_policy)
    text = str(err.value)
    assert "5 problem(s)" in text
    assert "docs.yaml:" in text and "documents[0].criteria[0]: unknown criterion 'DE.ingset.L3' (did you mean 'DE.ingest.L3'?)" in text
    assert "documents[0].criteria[1]: criterion 'DE.ingest.L4' does not accept a reviewed document" in text
    assert "duplicate document id 'mra-policy'" in text
    assert "the document changed after review" in text
    assert "must be a relative path inside" in text


def test_the_policy_decides_which_higher_level_criteria_accept_a_document(tmp_path, small_rubric):
    rubric = small_rubric.rubric
    f = write(tmp_path / "docs.yaml", {"documents": [doc(criteria=["DE.ingest.L5"])]})
    with pytest.raises(InputError):
        load_documents(f, rubric, rubric.evidence_policy)
    [e] = load_documents(f, rubric, policy_accepting(rubric, "DE.ingest.L5"))
    assert e.criteria == ["DE.ingest.L5"]


def test_a_symlinked_document_is_refused(tmp_path, small_rubric):
    (tmp_path / "real.pdf").write_bytes(b"x")
    (tmp_path / "link.pdf").symlink_to(tmp_path / "real.pdf")
    f = write(tmp_path / "docs.yaml", {"documents": [doc(path="link.pdf")]})
    with pytest.raises(InputError, match="links are not followed"):
        load_documents(f, small_rubric.rubric, small_rubric.rubric.evidence_policy)


def test_resolutions_name_known_criteria_once(tmp_path, small_rubric):
    entry = {"criterion": "DE.ingest.L3", "side": "evidence", "decided_by": "Li Wei", "decided_at": "2026-11-29", "reason": "saw it"}
    f = write(tmp_path / "res.yaml", {"resolutions": [dict(entry), dict(entry), {**entry, "criterion": "DE.ingest.L33"}, {**entry, "side": "both"}]})
    with pytest.raises(InputError) as err:
        load_resolutions(f, small_rubric.rubric)
    assert "resolutions[3].side" in str(err.value)  # schema first
    f = write(tmp_path / "res.yaml", {"resolutions": [dict(entry), dict(entry), {**entry, "criterion": "DE.ingest.L33"}]})
    with pytest.raises(InputError) as err:
        load_resolutions(f, small_rubric.rubric)
    assert "decided twice" in str(err.value) and "did you mean 'DE.ingest.L3'" in str(err.value)


def test_assess_cli_takes_documents_and_resolutions(runner, tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text(yaml.safe_dump(answer_file("r1", ["data_engineer"], {"DE.ingest.L2": "yes", "DE.ingest.L3": "no"}).model_dump(mode="json", exclude_none=True)), encoding="utf-8")
    docs = write(tmp_path / "docs.yaml", {"documents": [doc()]})
    evidence = tmp_path / "ev.json"
    res = write(tmp_path / "res.yaml", {"resolutions": [{"criterion": "DE.ingest.L2", "side": "evidence", "decided_by": "x", "decided_at": "2026-11-29", "reason": "r"}]})
    out = tmp_path / "out"
    result = runner.invoke(cli, ["assess", "--rubric", str(SMALL_RUBRIC), "--answers", str(answers), "--documents", str(docs),
                                 "--resolutions", str(res), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    c = next(c for c in data["criteria"] if c["id"] == "DE.ingest.L2")
    assert (c["outcome"], c["strength"], c["basis"]) == ("met", "reviewed", "yes+met")
    assert {i["kind"] for i in data["inputs"]} >= {"documents", "resolutions"}
    assert "resolution_unused" in {k["kind"] for k in data["caveats"]}
    assert not evidence.exists()
