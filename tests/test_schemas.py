"""Published JSON Schemas in rubrics/schema are generated from the pydantic models: never stale."""

import json

import jsonschema

from mlops_audit import schemas


def test_published_schemas_are_up_to_date():
    stale = schemas.stale_schemas()
    assert not stale, f"regenerate with 'mlops-audit rubric schema --out rubrics/schema': {stale}"


def test_every_published_schema_is_a_valid_json_schema():
    for name, text in schemas.generate_all().items():
        jsonschema.Draft202012Validator.check_schema(json.loads(text)), name


def test_an_assessment_validates_against_its_published_schema(small_rubric):
    from mlops_audit.scoring.engine import AssessmentInputs, assess
    from tests.conftest import AT, answer_file

    a = assess(AssessmentInputs(rubric=small_rubric, answer_files=[("a.yaml", answer_file("r", ["data_engineer"], {"DE.ingest.L1": "yes"}))]), assessed_at=AT)
    schema = json.loads(schemas.generate_all()["assessment.schema.json"])
    jsonschema.validate(a.model_dump(mode="json"), schema)
