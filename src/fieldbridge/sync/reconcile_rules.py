"""The reconciler's decisions, pure: which window of Autotask activity a pass reads, where the next pass
starts, which changed records it hands to the inbound flow, and the key that makes a re-read change a
duplicate rather than new work."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from fieldbridge.sync.inbound_rules import field_value, trigger_refusal
from fieldbridge.sync.options import TriggerConditions

OVERLAP = timedelta(minutes=10)
"""Each pass reads this far back before its checkpoint: Autotask stamps a change when its transaction starts,
so a change committed during the previous pass can carry an earlier time than the newest one it saw."""

FIRST_LOOK_BACK = timedelta(hours=24)
"""A connector's first pass reads the last day; older tickets are what `fieldbridge backfill` is for."""


def window_start(checkpoint: datetime | None, now: datetime) -> datetime:
    """The earliest activity time this pass reads (inclusive)."""
    return now - FIRST_LOOK_BACK if checkpoint is None else checkpoint - OVERLAP


def next_checkpoint(checkpoint: datetime | None, seen: Iterable[datetime], now: datetime) -> datetime:
    """The newest activity seen, in Autotask's own clock, so a clock skew between us and Autotask loses
    nothing; never earlier than the previous checkpoint."""
    newest = max(seen, default=None)
    candidates = [t for t in (checkpoint, newest) if t is not None]
    return max(candidates) if candidates else now


def parse_time(value: Any) -> datetime | None:
    """An Autotask datetime (`2026-11-27T10:00:00.123Z`, or without a zone, which Autotask means as UTC)."""
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def dedup_key(entity: str, record_id: int, activity: Any) -> str:
    """One key per version of a record: the overlap window re-reads a version without making new work."""
    return f"reconcile:{entity}:{record_id}:{activity}"


def imports_unlinked(conditions: TriggerConditions, record: Mapping[str, Any]) -> bool:
    """Whether a changed, unlinked record is one the Autotask webhook would have imported.

    The reconciler sees only the current record, not the change: "status becomes X" is read as "status is
    X". Without trigger conditions it imports nothing unlinked, as webhooks do not; linked records always
    sync."""
    return trigger_refusal(conditions, {"status": field_value(record, "status")}, record) is None
