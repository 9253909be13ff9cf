"""Time is injected, never read deep inside: the same inputs must give byte-identical output.

`now()` is the single place that reads the clock. It honours SOURCE_DATE_EPOCH, as reproducible
builds do (https://reproducible-builds.org/specs/source-date-epoch/).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from mlops_audit.errors import InputError


def now() -> datetime:
    """The current time in UTC, whole seconds, or SOURCE_DATE_EPOCH when it is set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.strip() != "":
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except (ValueError, OverflowError) as exc:
            raise InputError(
                f"environment variable SOURCE_DATE_EPOCH={epoch!r}: expected a whole number of "
                "seconds since 1970-01-01T00:00:00Z"
            ) from exc
    return datetime.now(tz=UTC).replace(microsecond=0)


def isoformat(moment: datetime) -> str:
    """RFC 3339 in UTC with a 'Z' suffix."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str, *, where: str) -> datetime:
    """Parse an ISO 8601 date or datetime; naive values are taken as UTC."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(f"{where}: expected an ISO 8601 date or time, got {text!r}") from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
