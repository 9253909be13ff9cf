"""What a format reader hands to the validator: untyped values, each with the place it came from.

Readers know the layout of their format (sheet and cell, line, CSV row) but nothing of the rubric;
`validate.py` knows the rubric but nothing of layouts. The places are strings such as
`answers.xlsx:数据工程!E14`, `answers.yaml:37:5` or `answers.csv:12`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KeyPath = tuple[str | int, ...]

# Answer fields a reader may deliver; anything else in an answer entry is an error.
ANSWER_FIELDS = ("criterion", "value", "comment", "evidence", "proposed_by", "confirmed")


@dataclass(frozen=True)
class Problem:
    where: str  # file:line, file:line:column or file:sheet!cell
    message: str
    severity: str = "error"  # error | warning
    code: str | None = None  # machine-readable kind where a caller acts on it (unknown_criterion, criterion_changed)
    subject: str | None = None  # the criterion id the code is about

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"

    def located(self) -> str:
        """'where: message', for callers that print their own 'warning:' or 'error:' prefix."""
        return f"{self.where}: {self.message}"


Locate = Callable[[str | None], str]  # None: the entry as a whole; a field name: that field


def fixed_places(where: str, fields: dict[str, str] | None = None) -> Locate:
    """Places known up front: the entry's, and per field where the format knows better."""
    fields = fields if fields is not None else {}
    return lambda name: where if name is None else fields.get(name, where)


@dataclass
class RawAnswer:
    """One answer entry (a row, a list item or a Markdown section) as read, not yet checked."""

    fields: dict[str, Any]  # criterion, value, comment, evidence, proposed_by, confirmed, or unknown keys
    place: Locate  # computed only when a problem needs it (JSON positions cost a second parse)
    fingerprint: str | None = None  # the criterion's fingerprint at export, when the format kept it

    @property
    def where(self) -> str:
        return self.place(None)

    def at(self, name: str) -> str:
        return self.place(name)

    def is_blank(self) -> bool:
        """A row nobody wrote in (only the exported criterion id, or nothing at all)."""
        return all(_blank(v) for k, v in self.fields.items() if k != "criterion")


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict)):
        return not value
    return False


@dataclass
class RawFile:
    """A questionnaire file as read: the header in AnswerFile shape, the answers, and read problems."""

    source: str
    header: dict[str, Any] | None  # None when the reader could not find a header at all
    header_where: Callable[[KeyPath], str]
    answers: list[RawAnswer] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Criteria the questionnaire was exported with (Excel keeps this in its hidden sheet), if known.
    exported_criteria: list[str] | None = None
    fatal: bool = False  # nothing usable could be read (empty, too big, not the format at all)


def failed(source: str, message: str) -> RawFile:
    """A file that could not be read at all."""
    return RawFile(source, None, lambda _loc: source, [], [Problem(source, message)], fatal=True)
