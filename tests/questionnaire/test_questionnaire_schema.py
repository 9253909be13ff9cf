"""The published answers JSON Schema matches the model and accepts what the JSON export writes."""

from __future__ import annotations

import json

import jsonschema
import pytest

from mlops_audit import paths
from mlops_audit.evidence.questionnaire.export import make_form, render
from mlops_audit.evidence.questionnaire.schema import SCHEMA_FILE, answers_json_schema
from mlops_audit.util.jsonio import pretty_json


def test_published_schema_is_the_generated_one():
    assert (paths.schema_dir() / SCHEMA_FILE).read_text(encoding="utf-8") == pretty_json(answers_json_schema())


def test_filled_json_export_validates_against_the_schema(rubric, filled):
    form, _ = make_form(rubric, lang="both", filled=filled)
    document = json.loads(render(form, "json"))
    jsonschema.Draft202012Validator(answers_json_schema()).validate(document)
    assert all("question" in answer for answer in document["answers"])


def test_schema_rejects_a_misspelt_key_as_the_importer_does(rubric, filled):
    form, _ = make_form(rubric, lang="en", filled=filled)
    document = json.loads(render(form, "json"))
    document["answers"][0]["valeu"] = "yes"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(answers_json_schema()).validate(document)
