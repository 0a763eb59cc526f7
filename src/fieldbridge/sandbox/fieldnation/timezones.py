"""Field Nation's date objects and time zones.

Dates travel as `{"utc": "YYYY-MM-DD HH:MM:SS", "local": {"date": "YYYY-MM-DD", "time": "HH:MM:SS"}}`, local
meaning the work order's time zone; time zones as `{"id", "name", "short", "offset"}`. Field Nation's own
time-zone ids are not published, so the emulator numbers the few zones it knows itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fieldbridge.sandbox.fieldnation.errors import ApiError

UTC_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"
TIME_FORMAT = "%H:%M:%S"

TIME_ZONES: dict[int, str] = {
    1: "America/New_York",
    2: "America/Chicago",
    3: "America/Denver",
    4: "America/Phoenix",
    5: "America/Los_Angeles",
    6: "UTC",
}


def zone(zone_id: int) -> ZoneInfo:
    return ZoneInfo(TIME_ZONES[zone_id])


def zone_id_for(zone_id: int | None, name: str | None) -> int:
    """Resolve `time_zone: {id}` or `{name}` from a request; refuse zones the emulator does not know."""
    if zone_id is not None:
        if zone_id not in TIME_ZONES:
            raise ApiError(
                400, f"time_zone.id {zone_id} is not a known time zone; known: {sorted(TIME_ZONES)}"
            )
        return zone_id
    for known_id, known_name in TIME_ZONES.items():
        if known_name == name:
            return known_id
    raise ApiError(
        400, f"time_zone.name {name!r} is not a known time zone; known: {sorted(TIME_ZONES.values())}"
    )


def time_zone_json(zone_id: int, at: datetime | None = None) -> dict[str, Any]:
    local = (at or datetime.now(UTC)).astimezone(zone(zone_id))
    offset = local.utcoffset()
    hours = offset.total_seconds() / 3600 if offset is not None else 0.0
    return {"id": zone_id, "name": TIME_ZONES[zone_id], "short": local.tzname(), "offset": hours}


def fn_date(at: datetime, zone_id: int) -> dict[str, Any]:
    local = at.astimezone(zone(zone_id))
    return {
        "utc": at.astimezone(UTC).strftime(UTC_FORMAT),
        "local": {"date": local.strftime(DATE_FORMAT), "time": local.strftime(TIME_FORMAT)},
    }


def parse_utc(value: str, field: str) -> datetime:
    try:
        return datetime.strptime(value, UTC_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise ApiError(400, f"{field}.utc must look like 'YYYY-MM-DD HH:MM:SS', got {value!r}") from None


def parse_local(date: str, time: str, zone_id: int, field: str) -> datetime:
    text = f"{date} {time if time.count(':') == 2 else time + ':00'}"
    try:
        naive = datetime.strptime(text, UTC_FORMAT)
    except ValueError:
        raise ApiError(
            400, f"{field}.local must have date 'YYYY-MM-DD' and time 'HH:MM[:SS]', got {date!r} {time!r}"
        ) from None
    return naive.replace(tzinfo=zone(zone_id)).astimezone(UTC)
