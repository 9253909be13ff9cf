"""What every stage receives: the config, the run folder, the trail and the injected timer.

Stages never read the wall clock or global state; the orchestrator (`run.py`) owns the order and
hands each stage the outputs of the previous ones explicitly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from mlops_audit.errors import AuditError
from mlops_audit.util.jsonio import write_json

from reference_pipeline.config import PipelineConfig


class StageFailed(AuditError):
    """A stage's own check failed (quality gate, CI check, validation); the run stops here."""

    exit_code = 1


class Trail(Protocol):
    """The part of `mlops_audit.evidence.trail.AuditTrail` the stages use (a null trail has it too)."""

    def record(self, *, clause: str, action: str, actor: str, role: str, inputs: Sequence[Any] = (),
               outputs: Sequence[str] = (), params: dict[str, Any] | None = None,
               metrics: dict[str, float] | None = None, decision: Any = None) -> Any: ...

    def ref(self, path: str, name: str | None = None) -> Any: ...

    def close(self, signing_key: Any = None) -> Any: ...


@dataclass
class RunContext:
    config: PipelineConfig
    run_dir: Path
    trail: Trail
    timer: Callable[[], float] = time.perf_counter
    clock: Callable[[], datetime] | None = None  # the trail's clock, for times a step records itself
    progress: Callable[[str], None] = lambda message: None
    events: int = 0
    clauses: list[str] = field(default_factory=list)

    def now_iso(self) -> str:
        """The current time of the run's clock (the wall clock when none was injected)."""
        from mlops_audit.util.clock import isoformat, now

        return isoformat((self.clock or now)())

    def actor(self, role: str, stage: str) -> str:
        return f"{getattr(self.config.actors, role)}@{stage}"

    def path(self, relative: str) -> Path:
        target = self.run_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def ref(self, relative: str, name: str | None = None) -> Any:
        """An input reference to a file already in the run folder, hashed now."""
        return self.trail.ref(relative, name)

    def write_json(self, relative: str, obj: Any) -> str:
        write_json(self.path(relative), obj)
        return relative

    def record(
        self,
        clause: str,
        action: str,
        role: str,
        stage: str,
        *,
        inputs: Iterable[Any] = (),
        outputs: Iterable[str] = (),
        params: dict[str, Any] | None = None,
        metrics: dict[str, float] | None = None,
        decision: Any = None,
    ) -> Any:
        event = self.trail.record(
            clause=clause,
            action=action,
            actor=self.actor(role, stage),
            role=role,
            inputs=list(inputs),
            outputs=list(outputs),
            params=params or {},
            metrics=metrics or {},
            decision=decision,
        )
        self.events += 1
        self.clauses.append(clause)
        return event
