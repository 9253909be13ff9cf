"""Read answered questionnaires of any format into AnswerFile models, collecting every problem with its place.

Formats by file suffix: .xlsx (Excel), .yaml/.yml, .json, .csv and .md. Each file is size-capped,
read by its format's reader (layout only) and checked by `validate.py` (rubric rules). A problem
in one answer drops only that answer; a file that cannot be used at all is reported and the other
files are still read. Across files, one respondent id answering twice is an error (the second
file's answers would otherwise be ignored silently by scoring).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mlops_audit.evidence.answers import AnswerFile
from mlops_audit.evidence.questionnaire.merge import CONSOLIDATED_ID
from mlops_audit.evidence.questionnaire.raw import Problem, RawFile, failed
from mlops_audit.evidence.questionnaire.validate import validate_raw
from mlops_audit.rubric.loader import LoadedRubric

__all__ = ["AnswerImport", "Problem", "read_answer_file", "read_answer_files", "expand_answer_paths", "read_raw"]

MAX_ANSWER_FILE_BYTES = 8 * 1024 * 1024
ANSWER_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx", ".csv", ".md")


@dataclass
class AnswerImport:
    files: list[tuple[str, AnswerFile]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]


def _is_answer_file(path: Path) -> bool:
    # Skip Excel's lock files (~$name.xlsx) and hidden files such as editor backups.
    return path.is_file() and path.suffix.lower() in ANSWER_SUFFIXES and not path.name.startswith(("~$", "."))


def expand_answer_paths(paths: list[Path]) -> list[Path]:
    """Files as given, and the answer files inside any folder given (sorted, not recursive)."""
    out: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if _is_answer_file(p)))
        else:
            out.append(path)
    return out


def read_raw(path: Path, rubric: LoadedRubric) -> RawFile:
    """Read one file with its format's reader; nothing is checked against the rubric yet."""
    source = str(path)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return failed(
            source,
            "an HTML questionnaire is not read back; open it in a browser, press its 'Download answers' button "
            "and use the JSON file it saves",
        )
    if suffix not in ANSWER_SUFFIXES:
        return failed(source, f"unsupported answer file type '{suffix or path.name}'; expected one of {', '.join(ANSWER_SUFFIXES)}")
    try:
        if not path.is_file():
            return failed(source, "file not found" if not path.exists() else "not a regular file")
        size = path.stat().st_size
        if size > MAX_ANSWER_FILE_BYTES:
            return failed(source, f"{size} bytes is larger than {MAX_ANSWER_FILE_BYTES // (1024 * 1024)} MiB; refusing to read")
        raw = path.read_bytes()
    except OSError as exc:
        return failed(source, f"cannot read: {exc.strerror or exc}")
    if suffix == ".xlsx":
        from mlops_audit.evidence.questionnaire.xlsx import read_xlsx

        return read_xlsx(raw, source, rubric.rubric)
    if suffix == ".csv":
        from mlops_audit.evidence.questionnaire.csvfile import read_csv

        return read_csv(raw, source)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return failed(f"{source}:{line}", f"not valid UTF-8 (byte offset {exc.start}); save the file as UTF-8")
    if suffix == ".md":
        from mlops_audit.evidence.questionnaire.markdown import read_markdown

        return read_markdown(text, source)
    from mlops_audit.evidence.questionnaire.structured import read_structured

    return read_structured(text, source, is_json=suffix == ".json")


def read_answer_file(path: Path, rubric: LoadedRubric) -> tuple[AnswerFile | None, list[Problem]]:
    return validate_raw(read_raw(Path(path), rubric), rubric)


def read_answer_files(paths: list[Path], rubric: LoadedRubric) -> AnswerImport:
    result = AnswerImport()
    expanded = expand_answer_paths(paths)
    if not expanded:
        result.problems.append(Problem(", ".join(map(str, paths)) or "(no paths)", "no answer files found; expected " + ", ".join(ANSWER_SUFFIXES)))
    by_respondent: dict[str, str] = {}
    for path in expanded:
        model, problems = read_answer_file(path, rubric)
        result.problems.extend(problems)
        if model is None:
            continue
        first = by_respondent.get(model.respondent.id)
        if first is not None:
            result.problems.append(
                Problem(str(path), f"respondent id '{model.respondent.id}' also answered in {first}; give each respondent their own id")
            )
            continue
        by_respondent[model.respondent.id] = str(path)
        result.files.append((str(path), model))
    if CONSOLIDATED_ID in by_respondent and len(by_respondent) > 1:
        result.problems.append(
            Problem(
                by_respondent[CONSOLIDATED_ID],
                "a consolidated (merged) answer file is read together with individual respondents; "
                "anyone in both is counted twice. Pass either the merged file or the individual files",
                "warning",
            )
        )
    return result
