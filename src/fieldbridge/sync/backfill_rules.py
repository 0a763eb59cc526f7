"""Backfill decisions, pure: the `--where` conditions and the fields they may name, which related records a
page of tickets needs, the batches they are looked up in, and what each record's load came to."""

from __future__ import annotations

import difflib
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from fieldbridge.autotask import Condition, eq, in_
from fieldbridge.autotask.service_objects import RELATED
from fieldbridge.jobs import outcome as handled

T = TypeVar("T")

PAGE_SIZE = 500
"""Autotask's largest page, and its largest `in` list."""


class WhereError(ValueError):
    pass


def condition(text: str) -> Condition:
    """`FIELD=VALUE` (equal) or `FIELD=V1,V2,...` (any of); numbers are sent as numbers."""
    field, sep, raw = text.partition("=")
    if not sep or not field.strip() or not raw.strip():
        raise WhereError(f"{text!r} is not FIELD=VALUE or FIELD=V1,V2")
    values = [_value(v.strip()) for v in raw.split(",")]
    return eq(field.strip(), values[0]) if len(values) == 1 else in_(field.strip(), values)


def check_fields(where_text: Iterable[str], entity: str, known: Iterable[str]) -> None:
    """Every condition names a field of the entity (compared as Autotask does, ignoring case), so a typo is
    reported with the likely field before any query, not as Autotask's error half way."""
    names = {name.lower(): name for name in known}
    for text in where_text:
        wanted = text.partition("=")[0].strip()
        if wanted.lower() in names:
            continue
        close = difflib.get_close_matches(wanted.lower(), list(names), n=1)
        hint = f"; the nearest is {names[close[0]]!r}" if close else ""
        raise WhereError(f"{entity} has no field {wanted!r}{hint}")


def _value(text: str) -> Any:
    return int(text) if text.lstrip("-").isdigit() else text


def related_ids(records: Iterable[Mapping[str, Any]]) -> dict[str, set[int]]:
    """The ids of the related records a page of tickets refers to, by entity."""
    wanted: dict[str, set[int]] = {related.endpoint: set() for related in RELATED}
    for record in records:
        for related in RELATED:
            if record.get(related.id_field) is not None:
                wanted[related.endpoint].add(int(record[related.id_field]))
    return wanted


def batches(items: Sequence[T], size: int = PAGE_SIZE) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


Kind = Literal["created", "updated", "skipped", "failed"]


@dataclass(frozen=True)
class Outcome:
    kind: Kind
    why: str = ""
    """For a skipped or failed record: the reason, the same for every record it applies to."""


def outcome(status: str, processed: handled.Outcome | None, last_error: str | None) -> Outcome:
    """What loading one record came to, from its event's status, what the inbound flow did (the outcome
    stored with the event's history) and the event's last error."""
    if status in ("retrying", "dead"):
        return Outcome("failed", last_error or f"the event is {status}")
    if status != "done" or processed is None:
        return Outcome("skipped", f"left to the workers ({status})")
    if processed.kind == "ignored":
        return Outcome("skipped", processed.reason.rstrip("."))
    if processed.written("created", "work order"):
        return Outcome("created")
    return Outcome("updated") if processed.kind == "synced" else Outcome("skipped", "nothing to change")


def loaded_before(status: str) -> Outcome:
    """A record an earlier backfill already loaded at this version (the same dedup key): not loaded again,
    whatever came of it then."""
    if status == "dead":
        why = "failed in an earlier backfill: see `fieldbridge events dead-letters`, and replay from there"
    elif status in ("done", "skipped"):
        why = "loaded already at this version (an earlier backfill)"
    else:
        why = f"waiting from an earlier backfill ({status}): the workers finish it"
    return Outcome("skipped", why)


@dataclass
class Tally:
    """What a backfill's records came to; added to from the threads that load them."""

    counts: Counter[Kind] = field(default_factory=Counter)
    reasons: dict[Kind, Counter[str]] = field(
        default_factory=lambda: {"skipped": Counter(), "failed": Counter()}
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, done: Outcome) -> None:
        with self._lock:
            self.counts[done.kind] += 1
            if done.kind in self.reasons:
                self.reasons[done.kind][done.why] += 1

    def lines(self) -> list[str]:
        """`N created, N updated, N skipped, N failed`, then each reason with how many it holds for, the
        most common first (ties alphabetically)."""
        kinds: tuple[Kind, ...] = ("created", "updated", "skipped", "failed")
        lines = [", ".join(f"{self.counts[kind]} {kind}" for kind in kinds)]
        for kind, reasons in self.reasons.items():
            # The most common first; ties in the same order whichever thread finished first.
            ordered = sorted(reasons.items(), key=lambda reason: (-reason[1], reason[0]))
            lines += [f"  {kind} ({count}): {why}" for why, count in ordered]
        return lines
