"""A campaign's log: every answer change, submission and reopening as a hash-chained event.

Events have the audit-trail format (`evidence/trail/events.py`): the same body, canonical JSON line
and SHA-256 chain as a pipeline run's audit.jsonl, with run_id `campaign-<id>` and clause
`LC.questionnaire` (no criterion's pipeline steps name it, so an exported log never counts as a
pipeline run). Exported, the log is a closed trail folder (audit.jsonl, statement.json,
manifest.json written by the SDK's `write_closed_run`) that `mlops-audit verify` checks.

The caller holds the campaign's write lock (see `campaigns.lock_campaign`), so seq numbers never race.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mlops_audit.evidence.answers_log import CLAUSE
from mlops_audit.evidence.trail.events import ZERO_HASH, Event, ensure_json_value, event_hash
from mlops_audit.evidence.trail.manifest import ToolInfo, write_closed_run
from mlops_audit.evidence.trail.merkle import leaf_hash, root_from_leaf_hashes
from mlops_audit.server.db import LogEvent
from mlops_audit.util.clock import isoformat
from mlops_audit.util.clock import now as clock_now
from mlops_audit.util.jsonio import sha256_bytes



def run_id(campaign_id: int) -> str:
    return f"campaign-{campaign_id}"


def head(session: Session, campaign_id: int) -> tuple[int, str]:
    """(number of events, head hash) of a campaign's log."""
    last = session.execute(
        select(LogEvent.seq, LogEvent.hash).where(LogEvent.campaign_id == campaign_id).order_by(LogEvent.seq.desc()).limit(1)
    ).first()
    return (0, ZERO_HASH) if last is None else (last.seq + 1, last.hash)


def append(session: Session, campaign_id: int, *, action: str, actor: str, role: str, params: dict[str, Any]) -> Event:
    count, prev = head(session, campaign_id)
    body: dict[str, Any] = {
        "seq": count,
        "ts": isoformat(clock_now()),
        "run_id": run_id(campaign_id),
        "clause": CLAUSE,
        "action": action,
        "actor": actor[:200],
        "role": role,
        "inputs": [],
        "outputs": [],
        "params": ensure_json_value(params, what="params"),
        "metrics": {},
        "decision": None,
        "prev_hash": prev,
    }
    body["hash"] = event_hash(body)
    event = Event.model_validate(body)
    session.add(LogEvent(campaign_id=campaign_id, seq=event.seq, hash=event.hash, line=event.line()))
    return event


def lines(session: Session, campaign_id: int) -> list[str]:
    return list(session.scalars(select(LogEvent.line).where(LogEvent.campaign_id == campaign_id).order_by(LogEvent.seq)))


def check_chain(stored: list[str]) -> str | None:
    """None when every stored line hashes and links as it should, else the first problem."""
    prev = ZERO_HASH
    for index, line in enumerate(stored):
        body = json.loads(line)
        if body.get("seq") != index or body.get("prev_hash") != prev or event_hash(body) != body.get("hash"):
            return f"campaign log event {index} does not chain (edited in the database?)"
        prev = body["hash"]
    return None


def export(session: Session, campaign_id: int, out_dir: Path) -> Path:
    """Write the log as a closed trail folder; `mlops-audit verify out_dir` checks it."""
    from mlops_audit import TOOL_NAME, __version__

    stored = lines(session, campaign_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = "".join(line + "\n" for line in stored).encode("utf-8")
    (out_dir / "audit.jsonl").write_bytes(data)
    first = json.loads(stored[0]) if stored else None
    last = json.loads(stored[-1]) if stored else None
    stamp = isoformat(clock_now())
    write_closed_run(
        out_dir,
        run_id=run_id(campaign_id),
        tool=ToolInfo(name=TOOL_NAME, version=__version__),
        created=first["ts"] if first else stamp,
        closed=last["ts"] if last else stamp,
        event_count=len(stored),
        head_hash=last["hash"] if last else ZERO_HASH,
        merkle_root=root_from_leaf_hashes([leaf_hash(line.encode("utf-8")) for line in stored]).hex(),
        trail_sha256=sha256_bytes(data),
        artifacts=[],
    )
    return out_dir


__all__ = ["CLAUSE", "append", "check_chain", "export", "head", "lines", "run_id"]
