"""How Python values travel to Autotask: datetimes as UTC `yyyy-mm-ddThh:mm:ss.fff`, the rest as JSON."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def to_wire(value: Any) -> Any:
    """`value` ready for a JSON body; a naive datetime is refused, since guessing its zone shifts times."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"datetime {value.isoformat()} has no time zone; Autotask expects UTC")
        utc = value.astimezone(UTC)
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}"
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value]
    return value


def fields_to_wire(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {name: to_wire(value) for name, value in fields.items()}
