"""The Assessment as JSON: the one serialisation every digest and attachment is taken from."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from mlops_audit.errors import InputError
from mlops_audit.result.model import Assessment
from mlops_audit.util.jsonio import pretty_json, sha256_bytes

MAX_ASSESSMENT_BYTES = 64 * 1024 * 1024


def assessment_json_bytes(assessment: Assessment) -> bytes:
    """Pretty, deterministic JSON (sorted keys): the content of assessment.json."""
    return pretty_json(assessment.model_dump(mode="json")).encode("utf-8")


def report_digest(assessment: Assessment) -> str:
    """The digest printed on the report: sha256 of assessment.json as written."""
    return sha256_bytes(assessment_json_bytes(assessment))


def assessment_schema() -> dict:
    return Assessment.model_json_schema()


def _where(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def load_assessment(path: Path) -> Assessment:
    """Read and validate an assessment JSON file; errors name the file and the key."""
    name = str(path)
    if not path.is_file():
        raise InputError(f"{name}: file not found (expected an assessment JSON written by 'mlops-audit assess')")
    if path.stat().st_size > MAX_ASSESSMENT_BYTES:
        raise InputError(f"{name}: larger than {MAX_ASSESSMENT_BYTES // (1024 * 1024)} MiB; refusing to read")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise InputError(f"{name}: expected a JSON object (an assessment), got {type(data).__name__}")
    if data.get("format") != "mlops-audit/assessment@1":
        raise InputError(
            f"{name}: format: expected 'mlops-audit/assessment@1', got {data.get('format')!r} (is this an assessment file?)"
        )
    try:
        return Assessment.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False)[:10]:
            msg = "required key is missing" if err["type"] == "missing" else err["msg"]
            problems.append(f"{name}: {_where(tuple(err['loc']))}: {msg}")
        more = exc.error_count() - len(problems)
        if more > 0:
            problems.append(f"{name}: ... and {more} more problem(s)")
        raise InputError("\n".join(problems)) from None
