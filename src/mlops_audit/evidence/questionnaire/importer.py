"""Read answered questionnaires into AnswerFile models, collecting every problem with its place.

MINIMAL VERSION: YAML and JSON answer files only. Excel, CSV and Markdown import, rubric-digest
round-trip checks and per-cell locations are the questionnaire issue's work and extend this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from mlops_audit.errors import InputError
from mlops_audit.evidence.answers import AnswerFile, check_answer_value
from mlops_audit.rubric.loader import LoadedRubric
from mlops_audit.util.safeyaml import format_key_path, load_yaml_file

MAX_ANSWER_FILE_BYTES = 16 * 1024 * 1024
ANSWER_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Problem:
    where: str  # file:line or file:sheet!cell
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"


@dataclass
class AnswerImport:
    files: list[tuple[str, AnswerFile]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def expand_answer_paths(paths: list[Path]) -> list[Path]:
    """Files as given, and the answer files inside any folder given (sorted, not recursive)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in ANSWER_SUFFIXES))
        else:
            out.append(path)
    return out


def read_answer_file(path: Path, rubric: LoadedRubric) -> tuple[AnswerFile | None, list[Problem]]:
    name = str(path)
    if not path.is_file():
        return None, [Problem(name, "file not found")]
    if path.stat().st_size > MAX_ANSWER_FILE_BYTES:
        return None, [Problem(name, f"larger than {MAX_ANSWER_FILE_BYTES // (1024 * 1024)} MiB; refusing to read")]
    suffix = path.suffix.lower()
    if suffix not in ANSWER_SUFFIXES:
        return None, [Problem(name, f"unsupported answer file type '{suffix}' (expected .yaml, .yml or .json)")]
    try:
        doc = load_yaml_file(path)  # JSON is YAML; positions come for free
    except InputError as exc:
        if suffix == ".json":
            try:
                json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError) as jexc:
                return None, [Problem(name, f"not valid JSON: {jexc}")]
        return None, [Problem(name, exc.message.removeprefix(name + ":").strip() or exc.message)]
    if not isinstance(doc.data, dict):
        return None, [Problem(doc.where(()), "expected a mapping with format, rubric, organisation, respondent, roster and answers")]
    problems: list[Problem] = []
    try:
        model = AnswerFile.model_validate(doc.data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            problems.append(Problem(doc.where(loc), f"{format_key_path(loc)}: {err['msg']}"))
        return None, problems
    index = rubric.rubric.criterion_index()
    roles = set(rubric.rubric.role_ids())
    for i, role in enumerate(model.respondent.roles):
        if role not in roles:
            problems.append(Problem(doc.where(("respondent", "roles", i)), f"unknown role '{role}'"))
    for i, entry in enumerate(model.roster):
        for k, role in enumerate(entry.roles):
            if role not in roles:
                problems.append(Problem(doc.where(("roster", i, "roles", k)), f"unknown role '{role}'"))
    seen: set[str] = set()
    for i, answer in enumerate(model.answers):
        where = doc.where(("answers", i))
        if answer.criterion not in index:
            problems.append(Problem(where, f"unknown criterion id '{answer.criterion}'"))
            continue
        if answer.criterion in seen:
            problems.append(Problem(where, f"criterion '{answer.criterion}' is answered more than once"))
            continue
        seen.add(answer.criterion)
        expected = check_answer_value(index[answer.criterion][2].question, answer.value)
        if expected:
            problems.append(Problem(doc.where(("answers", i, "value")), f"{answer.criterion}: {expected}, got {answer.value!r}"))
    if model.rubric.id != rubric.rubric.id:
        problems.append(Problem(doc.where(("rubric", "id")), f"answers are for rubric '{model.rubric.id}', not '{rubric.rubric.id}'"))
    elif model.rubric.digest and model.rubric.digest != rubric.digest:
        problems.append(
            Problem(doc.where(("rubric", "digest")), "rubric digest differs from the rubric in use (it changed since export)", "warning")
        )
    if any(p.severity == "error" for p in problems):
        # Keep the valid answers: drop only the bad ones.
        bad = {p.where for p in problems}
        kept = [a for i, a in enumerate(model.answers) if doc.where(("answers", i)) not in bad and doc.where(("answers", i, "value")) not in bad]
        model = model.model_copy(update={"answers": kept})
    return model, problems


def read_answer_files(paths: list[Path], rubric: LoadedRubric) -> AnswerImport:
    result = AnswerImport()
    for path in expand_answer_paths(paths):
        model, problems = read_answer_file(path, rubric)
        result.problems.extend(problems)
        if model is not None:
            result.files.append((str(path), model))
    return result
