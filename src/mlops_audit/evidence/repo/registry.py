"""The detector registry: a plain dict filled by the `@detector` decorator, modules listed explicitly.

A detector is a small pure function `(RepoIndex) -> Observation` with its metadata beside it. Which
rubric criteria a detector evidences is NOT stated here: the rubric's `Criterion.detectors` is the
single source of that link (see `collect.criteria_by_detector`).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from mlops_audit.evidence.repo.model import Confidence, FindingOutcome, Kind, Location

# Every detector module, in report order. Adding a module is one line here.
DETECTOR_MODULES: tuple[str, ...] = (
    "mlops_audit.evidence.repo.detectors.ci",
    "mlops_audit.evidence.repo.detectors.tests",
    "mlops_audit.evidence.repo.detectors.data",
    "mlops_audit.evidence.repo.detectors.experiments",
    "mlops_audit.evidence.repo.detectors.deployment",
    "mlops_audit.evidence.repo.detectors.monitoring",
    "mlops_audit.evidence.repo.detectors.pipelines",
    "mlops_audit.evidence.repo.detectors.governance",
    "mlops_audit.evidence.repo.detectors.history",
)

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_LOCATIONS = 20


@dataclass(frozen=True)
class Observation:
    """What a detector observed: its outcome, why, and where (collect turns it into a Finding)."""

    outcome: FindingOutcome
    message: str
    locations: tuple[Location, ...] = ()
    confidence: Confidence | None = None  # overrides the detector's default when the evidence is weaker

    @classmethod
    def passed(cls, message: str, locations: list[Location] | None = None, confidence: Confidence | None = None) -> Observation:
        return cls(FindingOutcome.pass_, message, tuple(_dedupe(locations or [])[:MAX_LOCATIONS]), confidence)

    @classmethod
    def partly(cls, message: str, locations: list[Location] | None = None, confidence: Confidence | None = None) -> Observation:
        """The practice is present but incomplete: `message` says what is missing, with counts."""
        return cls(FindingOutcome.partial, message, tuple(_dedupe(locations or [])[:MAX_LOCATIONS]), confidence)

    @classmethod
    def failed(cls, message: str, locations: list[Location] | None = None) -> Observation:
        return cls(FindingOutcome.fail, message, tuple(_dedupe(locations or [])[:MAX_LOCATIONS]))

    @classmethod
    def not_applicable(cls, reason: str) -> Observation:
        return cls(FindingOutcome.not_applicable, reason)


Shape = tuple[str, Callable[[Any], list[Location]]]  # what finding one says, and the in-house rule finding it


def first_passing(repo: Any, shapes: Iterable[Shape], confidence: Confidence | None = None) -> Observation | None:
    """A detector's weaker shapes tried in order: the first rule that finds locations passes with its
    message; None when none does. Rules after the first that finds are never run."""
    for message, rule in shapes:
        found = rule(repo)
        if found:
            return Observation.passed(message, found, confidence=confidence)
    return None


def _dedupe(locations: list[Location]) -> list[Location]:
    seen: set[tuple[str, int | None]] = set()
    out = []
    for loc in locations:
        key = (loc.path, loc.line)
        if key not in seen:
            seen.add(key)
            out.append(loc)
    return out


def at(path: str, line: int | None = None) -> Location:
    return Location(path=path, line=line)


@dataclass(frozen=True)
class Detector:
    id: str
    title: str
    kind: Kind
    remediation: str
    confidence: Confidence
    needles: tuple[str, ...]
    run: Callable[..., Observation] = field(compare=False)
    words: tuple[str, ...] = ()
    reads_history: bool = False
    module: str = ""
    upkeep: bool = False  # how the repository itself is kept (CI, tests, pins...), not a practice of an ML system


_REGISTRY: dict[str, Detector] = {}


class DuplicateDetectorId(ValueError):
    pass


def detector(
    *,
    id: str,
    title: str,
    kind: Kind,
    remediation: str,
    confidence: Confidence = Confidence.high,
    needles: tuple[str, ...] = (),
    words: tuple[str, ...] = (),
    reads_history: bool = False,
    upkeep: bool = False,
) -> Callable[[Callable[..., Observation]], Callable[..., Observation]]:
    """Register a detector. `needles`: words and phrases of Python code the detector looks for (see
    `RepoIndex.python_mentioning`); `words`: lowercase words it asks YAML files for (see
    `RepoIndex.mentions`). The collector reads every file once for all of them. `reads_history`: the
    detector waits for `git log` (which runs in the background meanwhile), so it runs last. `upkeep`:
    the detector judges how the repository itself is kept (CI, tests, pins, scanners, owners, tags),
    which a course or a template does as much as a team's system; every other detector judges a
    practice on an ML system, which learning material only teaches (`learning.set_aside_in_learning_material`)."""
    if not _ID.match(id):
        raise ValueError(f"detector id '{id}' must be snake_case")
    if not title.endswith("?"):
        raise ValueError(f"detector '{id}': the title must be a yes/no question ending in '?'")

    def register(func: Callable[..., Observation]) -> Callable[..., Observation]:
        if id in _REGISTRY:
            raise DuplicateDetectorId(f"detector id '{id}' is registered twice ({_REGISTRY[id].module} and {func.__module__})")
        _REGISTRY[id] = Detector(
            id=id,
            title=title,
            kind=Kind(kind),
            remediation=remediation,
            confidence=Confidence(confidence),
            needles=tuple(needles),
            words=tuple(words),
            reads_history=reads_history,
            upkeep=upkeep,
            run=func,
            module=func.__module__,
        )
        return func

    return register


def all_detectors() -> list[Detector]:
    """Every registered detector, in module order then definition order."""
    for module in DETECTOR_MODULES:
        importlib.import_module(module)
    order = {name: i for i, name in enumerate(DETECTOR_MODULES)}
    # Sorted, not insertion order: a test importing one module first must not reorder reports.
    return sorted(
        _REGISTRY.values(), key=lambda d: (order.get(d.module, len(order)), d.run.__code__.co_firstlineno, d.id)
    )


def get_detector(detector_id: str) -> Detector:
    detectors = {d.id: d for d in all_detectors()}
    if detector_id not in detectors:
        raise KeyError(f"no detector '{detector_id}'")
    return detectors[detector_id]


def all_needles() -> set[str]:
    return {n for d in all_detectors() for n in d.needles}


def all_words() -> set[str]:
    return {w for d in all_detectors() for w in d.words}
