"""Date forms the two systems use, and conversion between them with IANA time zones.

- `autotask`: UTC `yyyy-mm-ddThh:mm:ss.fffZ` (Autotask stores UTC; reading accepts any ISO 8601 form and
  takes a value without an offset as UTC).
- `iso`: ISO 8601 with the offset of `to_zone` (reading takes a value without an offset as `from_zone`).
- `fn`: Field Nation's `{"utc": "YYYY-MM-DD HH:MM:SS", "local": {"date", "time"}}` with local in `to_zone`;
  reading accepts that object (its `utc`, else its `local` in `from_zone`) or the bare utc string.
- any pattern with `%` (strptime/strftime), naive values in `from_zone`, output in `to_zone`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fieldbridge.mapping.errors import ActionError

NAMED_FORMATS = ("autotask", "iso", "fn")
_EXPECTED = {
    "autotask": "an Autotask date such as 2024-01-15T14:30:00.000Z",
    "iso": "an ISO 8601 date such as 2024-01-15T09:30:00-05:00",
    "fn": 'a Field Nation date such as {"utc": "2024-01-15 14:30:00"}',
}

Parser = Callable[[Any], datetime]
Formatter = Callable[[datetime], Any]


FORMAT_FIX = f"use one of {', '.join(NAMED_FORMATS)} or a strftime pattern such as %Y-%m-%d"
ZONE_FIX = "use an IANA zone name such as America/Chicago"


def check_format(fmt: str) -> None:
    if fmt not in NAMED_FORMATS and "%" not in fmt:
        raise ValueError(f"unknown date format {fmt!r}")


@cache
def zone(name: str) -> tzinfo:
    """The IANA zone (ZoneInfo caches its own instances; this only spares the lookup on the hot path)."""
    if name == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def _bad(value: Any, fmt: str) -> ActionError:
    expected = _EXPECTED.get(fmt, f"a date matching {fmt!r}")
    return ActionError(
        f"{value!r} is not {expected}",
        "correct the source value, or set from_format to the form the value has "
        "(autotask, iso, fn or a strptime pattern such as %d/%m/%Y)",
    )


def _aware(moment: datetime, naive_zone: tzinfo) -> datetime:
    # In UTC, because aware datetimes in a repeated hour never compare equal across zones (PEP 495). A wall
    # time that occurs twice reads as its first occurrence.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=naive_zone).astimezone(UTC)


def make_parser(fmt: str, from_zone: str) -> Parser:
    naive_zone = UTC if fmt == "autotask" else zone(from_zone)

    if fmt in ("autotask", "iso"):

        def parse_iso(value: Any) -> datetime:
            try:
                return _aware(datetime.fromisoformat(value), naive_zone)
            except (TypeError, ValueError):
                raise _bad(value, fmt) from None

        return parse_iso

    if fmt == "fn":

        def parse_fn(value: Any) -> datetime:
            try:
                if isinstance(value, dict):
                    if value.get("utc"):
                        return _aware(datetime.fromisoformat(value["utc"]), UTC)
                    local = value["local"]
                    return _aware(datetime.fromisoformat(f"{local['date']}T{local['time']}"), naive_zone)
                return _aware(datetime.fromisoformat(value), UTC)
            except (TypeError, ValueError, KeyError):
                raise _bad(value, fmt) from None

        return parse_fn

    def parse_pattern(value: Any) -> datetime:
        try:
            return _aware(datetime.strptime(value, fmt), naive_zone)
        except (TypeError, ValueError):
            raise _bad(value, fmt) from None

    return parse_pattern


def make_formatter(fmt: str, to_zone: str) -> Formatter:
    target = zone(to_zone)
    if fmt == "autotask":
        # Built by hand: strftime has no millisecond directive and this sits on the hot path.
        def autotask(moment: datetime) -> str:
            m = moment.astimezone(UTC)
            return (
                f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
                f".{m.microsecond // 1000:03d}Z"
            )

        return autotask
    if fmt == "iso":
        return lambda moment: moment.astimezone(target).isoformat()
    if fmt == "fn":

        def field_nation(moment: datetime) -> dict[str, Any]:
            utc, local = moment.astimezone(UTC), moment.astimezone(target)
            return {
                "utc": f"{utc:%Y-%m-%d %H:%M:%S}",
                "local": {"date": f"{local:%Y-%m-%d}", "time": f"{local:%H:%M:%S}"},
            }

        return field_nation
    return lambda moment: moment.astimezone(target).strftime(fmt)
