"""JSON Schema for answer files, generated from the AnswerFile model (published in rubrics/schema/)."""

from __future__ import annotations

import copy
from typing import Any

from mlops_audit.evidence.answers import ANSWERS_FORMAT, AnswerFile

SCHEMA_FILE = "answers.schema.json"
SCHEMA_ID = "https://mlops-audit.invalid/schema/answers.schema.json"  # a name, never fetched


def answers_json_schema() -> dict[str, Any]:
    """The schema editors use for YAML/JSON answer files.

    Generated from the pydantic model, plus the one thing the model does not carry: the
    informational `question` object the JSON export writes into each answer (ignored on import).
    """
    schema = copy.deepcopy(AnswerFile.model_json_schema(mode="validation"))
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}
    schema["title"] = "mlops-audit answer file"
    schema["description"] = (
        f"Answers of one respondent to the mlops-audit questionnaire ({ANSWERS_FORMAT}). "
        "Every question also accepts n/a and unknown besides the values of its type."
    )
    schema["properties"]["$schema"] = {"type": "string", "description": "Optional: where an editor finds this schema."}
    answer = schema["$defs"]["Answer"]
    answer["properties"]["question"] = {
        "type": "object",
        "description": "The question as exported, for people and editors; ignored on import.",
    }
    return schema
