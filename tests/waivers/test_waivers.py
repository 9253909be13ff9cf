"""Waiver files: every problem reported in one pass, with its place; unknown criteria are errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlops_audit.errors import InputError
from mlops_audit.evidence.waivers import load_waivers
from mlops_audit.rubric.loader import load_catalogue, rubric_digest, LoadedRubric, _read_rubric_documents
from mlops_audit.rubric.model import Rubric

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "rubric_small.yaml"


@pytest.fixture(scope="module")
def rubric() -> LoadedRubric:
    data, _ = _read_rubric_documents(FIXTURE)
    r = Rubric.model_validate(data)
    return LoadedRubric(rubric=r, path=FIXTURE, digest=rubric_digest(r), catalogue=load_catalogue())


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """format: mlops-audit/waivers@1
waivers:
  - criterion: DE.ingest.L5
    justification: legacy system, replaced in Q2
    approved_by: CRO
    expires: 2027-06-30
"""


def test_a_valid_file_loads_with_its_date_as_typed(rubric, tmp_path):
    [w] = load_waivers(write(tmp_path, GOOD), rubric)
    assert w.criterion == "DE.ingest.L5" and w.expires == "2027-06-30"


def test_an_expired_waiver_is_not_an_input_error(rubric, tmp_path):
    [w] = load_waivers(write(tmp_path, GOOD.replace("2027-06-30", "2001-01-01")), rubric)
    assert w.expires == "2001-01-01"


def test_unknown_criterion_is_an_error_with_place_and_suggestion(rubric, tmp_path):
    path = write(tmp_path, GOOD.replace("DE.ingest.L5", "DE.ingst.L5"))
    with pytest.raises(InputError) as caught:
        load_waivers(path, rubric)
    message = str(caught.value)
    assert caught.value.exit_code == 2
    assert f"{path}:3:5: waivers[0].criterion: unknown criterion 'DE.ingst.L5' (did you mean 'DE.ingest.L5'?)" in message, message


def test_every_problem_is_reported_in_one_pass(rubric, tmp_path):
    text = """format: mlops-audit/waivers@1
waivers:
  - criterion: DE.ingest.L5
    justification: legacy
    approved_by: CRO
    expires: 30/06/2027
  - criterion: NO.such.L1
    justification: "  "
    approved_by: CRO
    expires: 2027-01-01
  - criterion: DE.ingest.L5
    approved_by: CIO
    expires: yes
    note: extra
"""
    with pytest.raises(InputError) as caught:
        load_waivers(write(tmp_path, text), rubric)
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("7 problem(s) in the waiver file")
    body = "\n".join(lines[1:])
    assert re.search(r":6:\d+: waivers\[0\]\.expires: expected an ISO 8601 date such as 2027-06-30, got '30/06/2027'", body)
    assert re.search(r":7:\d+: waivers\[1\]\.criterion: unknown criterion 'NO.such.L1'", body)
    assert re.search(r":8:\d+: waivers\[1\]\.justification: .*blank", body)
    assert re.search(r"waivers\[2\]\.justification: Field required", body)
    assert re.search(r":13:\d+: waivers\[2\]\.expires: .*\(got true\)", body)  # what was typed, not Python's True
    assert re.search(r":14:\d+: waivers\[2\]\.note: unexpected key", body)
    assert "waived twice (first at" in body
    assert len(lines) == 1 + 7  # six schema/date/id problems + the duplicate


def test_not_a_mapping_is_one_clear_problem(rubric, tmp_path):
    with pytest.raises(InputError, match="expected a mapping with 'format: mlops-audit/waivers@1'"):
        load_waivers(write(tmp_path, "- just a list\n"), rubric)


def test_without_a_rubric_ids_are_not_checked_but_everything_else_is(tmp_path):
    [w] = load_waivers(write(tmp_path, GOOD.replace("DE.ingest.L5", "ANY.id")))
    assert w.criterion == "ANY.id"
    with pytest.raises(InputError, match="expires: expected an ISO 8601 date"):
        load_waivers(write(tmp_path, GOOD.replace("2027-06-30", "soon")))


def test_workflow_uses_this_loader():
    import mlops_audit.workflow as workflow
    from mlops_audit.evidence import waivers

    assert workflow.load_waivers is waivers.load_waivers
