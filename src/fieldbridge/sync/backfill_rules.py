"""Backfill decisions, pure: the `--where` conditions, which related records a page of tickets needs, and
the batches they are looked up in."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from fieldbridge.autotask import Condition, eq, in_
from fieldbridge.autotask.service_objects import RELATED

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
