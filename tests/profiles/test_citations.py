"""Criterion.cites: a profile criterion's regulation clauses, resolved from the catalogue and carried
in the rubric (and so in every assessment's snapshot); a rubric that cites nothing keeps its digest."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from mlops_audit import paths
from mlops_audit.rubric.loader import default_rubric, rubric_digest
from mlops_audit.rubric.model import Criterion, Rubric
from mlops_audit.rubric.profiles import available_profiles, bundled_profile, combined_rubric
REPO_ROOT = Path(__file__).resolve().parents[2]


def _keys(value, found: set[str]) -> set[str]:
    if isinstance(value, dict):
        found |= set(value)
        for v in value.values():
            _keys(v, found)
    elif isinstance(value, list):
        for v in value:
            _keys(v, found)
    return found


def test_the_caict_rubric_digest_is_unchanged_by_the_cites_field() -> None:
    base = default_rubric()
    dump = base.rubric.model_dump(mode="json")
    assert "cites" not in _keys(dump, set())  # no criterion of the guide cites a regulation
    # The digest published in the committed rubric reference (docs/rubric.md, made before the field
    # existed and kept current by its own staleness test) is still the digest the loader computes.
    published = re.search(r"Content digest: `sha256:([0-9a-f]{64})`", (REPO_ROOT / "docs" / "rubric.md").read_text(encoding="utf-8"))
    assert published and base.digest == published.group(1) == rubric_digest(base.rubric)


def test_an_empty_cites_dumps_as_if_the_field_did_not_exist() -> None:
    _d, _p, criterion = next(iter(default_rubric().rubric.criteria()))
    data = criterion.model_dump(mode="json")
    assert "cites" not in data
    with_empty = Criterion.model_validate(data | {"cites": []})
    assert with_empty.model_dump(mode="json") == data and with_empty == criterion
    cited = Criterion.model_validate(data | {"cites": [{"clause": "PIPL.art24", "regulation": "PIPL", "ref": "Art. 24"}]})
    assert cited.model_dump(mode="json")["cites"] == [{"clause": "PIPL.art24", "regulation": "PIPL", "ref": "Art. 24"}]
    with pytest.raises(ValueError, match="clause"):
        Criterion.model_validate(data | {"cites": [{"clause": "Art. 24 of PIPL", "regulation": "PIPL", "ref": "Art. 24"}]})


@pytest.mark.parametrize("name", available_profiles())
def test_every_profile_criterion_carries_its_resolved_citations(name: str) -> None:
    profile = bundled_profile(name)
    clauses = profile.clause_index()
    sources = profile.source_index()
    criteria = profile.criteria()
    assert criteria
    for _d, _p, c in criteria:
        assert [x.clause for x in c.cites] == list(profile.cites[c.id]), c.id
        for x in c.cites:
            assert x.ref == clauses[x.clause].ref
            assert x.regulation == sources[clauses[x.clause].source].identifier


def test_the_combined_rubric_carries_citations_and_round_trips_through_its_schema() -> None:
    profile = bundled_profile("cn-finance")
    combined = combined_rubric([profile])
    dump = combined.rubric.model_dump(mode="json")
    assert Rubric.model_validate(dump) == combined.rubric
    schema = json.loads((paths.schema_dir() / "rubric.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(dump, schema)
    cited = {c["id"]: c["cites"] for d in dump["domains"] for p in d["practices"] for c in p["criteria"] if "cites" in c}
    assert set(cited) == {c.id for _d, _p, c in profile.criteria()}
    assert {"clause": "PIPL.art24", "regulation": profile.source_index()["PIPL"].identifier, "ref": "Art. 24"} in cited["CNF.explainability.L3"]
    assert combined.digest != default_rubric().digest
