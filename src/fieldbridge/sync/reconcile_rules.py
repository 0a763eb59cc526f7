"""The reconciler's decisions, pure: which window of Autotask activity a pass reads, where the next pass
starts, which changed records it hands to the inbound flow, the key that makes a re-read change a duplicate
rather than new work, which Field Nation deliveries failed, and which open pairs a pass reads in turn."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
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


def delivery_failed(status: int) -> bool:
    """A webhook delivery whose last attempt got no 2xx (0: no answer at all): its event may never have
    reached us."""
    return not 200 <= status < 300


def checks_per_pass(per_hour: int, minutes: int) -> int:
    """Open pairs a pass reads in turn, so that `per_hour` are read each hour at one pass every `minutes`."""
    return math.ceil(per_hour * minutes / 60) if per_hour else 0


def rotation(open_ids: Sequence[int], after: int | None, count: int) -> list[int]:
    """The next `count` work orders (ids in ascending order) after `after`, from the start again past the
    end: each open pair is read once per turn, whatever joins or leaves meanwhile."""
    if not open_ids or count <= 0:
        return []
    start = next((i for i, work_order in enumerate(open_ids) if after is None or work_order > after), 0)
    turn = [*open_ids[start:], *open_ids[:start]]
    return turn[: min(count, len(turn))]
