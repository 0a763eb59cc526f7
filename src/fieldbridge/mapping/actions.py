"""What each action does, compiled once per mapping into plain functions (no pydantic on the hot path).

A compiled action is a `Step`: `read` takes the record to the source value (a list, one per element, when the
source fans out) and `convert` takes one non-empty source value to the target value, None when nothing
matches. Empty means missing or null throughout; the engine applies defaults and writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fieldbridge.mapping.dates import make_formatter, make_parser
from fieldbridge.mapping.errors import ActionError
from fieldbridge.mapping.jsonnet import JsonnetRunner, check_script
from fieldbridge.mapping.model import (
    ArrayMap,
    Concat,
    ConcatField,
    Custom,
    DateConvert,
    Direction,
    Mapping,
    RangeMap,
    SetStatic,
    StatusMap,
    Sync,
)
from fieldbridge.mapping.paths import compile_reader, parse_path

Convert = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Step:
    read: Callable[[Any], Any]
    convert: Convert
    fans_out: bool
    shows_source: bool
    """Whether the value `read` returns is worth showing in a trace (not for statics or whole records)."""


def compile_step(mapping: Mapping, direction: Direction, runner: JsonnetRunner) -> Step:
    autotask = direction == "inbound"  # inbound reads Autotask records, outbound reads work orders
    if isinstance(mapping, SetStatic):
        value = mapping.value
        return Step(lambda _record: value, _same, fans_out=False, shows_source=False)
    if isinstance(mapping, Concat):
        return _concat(mapping, autotask)
    if isinstance(mapping, Custom):
        return _custom(mapping, runner)
    path = parse_path(mapping.source_field)
    return Step(compile_reader(path, autotask=autotask), _converter(mapping, direction), path.fans_out, True)


def _same(value: Any) -> Any:
    return value


def _converter(
    mapping: Sync | ArrayMap | RangeMap | StatusMap | DateConvert, direction: Direction
) -> Convert:
    if isinstance(mapping, Sync):
        return _same
    if isinstance(mapping, ArrayMap):
        return _lookup(mapping.pairs())
    if isinstance(mapping, RangeMap):
        return _ranges(mapping)
    if isinstance(mapping, StatusMap):
        return _statuses(mapping) if direction == "inbound" else _statuses_back(mapping)
    parse = make_parser(mapping.from_format, mapping.from_zone)
    render = make_formatter(mapping.to_format, mapping.to_zone)
    return lambda value: render(parse(value))


def match_key(value: Any) -> str:
    """Loose equality for lookups: Autotask picklist values are strings ("5"), records hold numbers (5)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | str):
        return str(value)
    return json.dumps(value, sort_keys=True)


def _lookup(pairs: list[tuple[Any, Any]]) -> Convert:
    table: dict[str, Any] = {}
    for compare, value in pairs:
        table.setdefault(match_key(compare), value)  # the first entry wins, as read top to bottom
    return lambda value: table.get(match_key(value))


def as_number(value: Any) -> float:
    if not isinstance(value, bool):
        try:
            return float(value)
        except (TypeError, ValueError):
            pass
    raise ActionError(
        f"{value!r} is not a number, and range_map compares numbers",
        "map a numeric field, or convert the value first (array_map or custom)",
    )


def _ranges(mapping: RangeMap) -> Convert:
    # Field Nation evaluates range maps right to left: the last entry whose bound is <= the value wins.
    bounds = [(float(entry.compare), entry.value) for entry in reversed(mapping.mappings)]

    def convert(value: Any) -> Any:
        number = as_number(value)
        return next((result for bound, result in bounds if bound <= number), None)

    return convert


def status_name(name: str) -> str:
    """Field Nation spells statuses `Work Done` in objects and `work_done` in its broker's mappings."""
    return name.strip().lower().replace(" ", "_")


def _statuses(mapping: StatusMap) -> Convert:
    return _lookup([(pair.autotask, pair.fieldnation) for pair in mapping.statuses])


def _statuses_back(mapping: StatusMap) -> Convert:
    by_id: dict[int, int] = {}
    by_name: dict[str, int] = {}
    for pair in mapping.statuses:
        if isinstance(pair.fieldnation, int):
            by_id.setdefault(pair.fieldnation, pair.autotask)
        else:
            by_name.setdefault(status_name(pair.fieldnation), pair.autotask)

    def convert(value: Any) -> int | None:
        # A work order's status is an object; match it by id or by name, whichever the table uses.
        for key in (value.get("id"), value.get("name")) if isinstance(value, dict) else (value,):
            if isinstance(key, int) and not isinstance(key, bool) and key in by_id:
                return by_id[key]
            if isinstance(key, str):
                found = by_id.get(int(key)) if key.isdigit() else by_name.get(status_name(key))
                if found is not None:
                    return found
        return None

    return convert


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return json.dumps(value, sort_keys=True)


def _concat(mapping: Concat, autotask: bool) -> Step:
    # One getter per part: a literal's text, or a reader (which returns a list when it fans out).
    parts = mapping.parts()
    is_field = tuple(isinstance(part, ConcatField) for part in parts)
    paths = [parse_path(part.field) if isinstance(part, ConcatField) else None for part in parts]
    getters = [compile_reader(p, autotask=autotask) if p else None for p in paths]
    literals = [None if isinstance(part, ConcatField) else part.literal for part in parts]
    each = tuple(bool(p and p.fans_out) for p in paths)
    fans_out = any(each)

    def read(record: Any) -> list[Any]:
        values: list[Any] = [
            literal if get is None else get(record) for get, literal in zip(getters, literals, strict=True)
        ]
        if not fans_out:
            return values
        length = len(next(v for v, fan in zip(values, each, strict=True) if fan))
        return [[v[i] if fan else v for v, fan in zip(values, each, strict=True)] for i in range(length)]

    separator, template = mapping.separator, mapping.template is not None

    def join(values: list[Any]) -> str | None:
        if any(is_field) and all(v is None for v, field in zip(values, is_field, strict=True) if field):
            return None
        if template:  # a template keeps its shape: an empty field renders as ""
            return "".join("" if v is None else as_text(v) for v in values)
        return separator.join(as_text(v) for v in values if v is not None)

    return Step(read, join, fans_out, shows_source=False)


def _custom(mapping: Custom, runner: JsonnetRunner) -> Step:
    problem = check_script(mapping.script)
    if problem is not None:
        raise ActionError(*problem)
    script = mapping.script
    return Step(_same, lambda record: runner.evaluate(script, record), fans_out=False, shows_source=False)
