"""A connector's mapping set as data: one model per action, in the JSON form of the guide and Field Nation.

A mapping is flat: `source_field`, `target_field`, `action`, the action's options, and an optional `default`
used when the action yields nothing (an empty source, no matching entry). These models are for loading and
saving; the engine compiles them once and never touches pydantic per record.
"""

from __future__ import annotations

import string
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator, model_validator
from pydantic_core import PydanticCustomError

from fieldbridge.mapping import dates
from fieldbridge.mapping.paths import Path, PathError, parse_path

SCHEMA_VERSION: Literal[1] = 1
MAX_SCRIPT_CHARS = 64 * 1024

Direction = Literal["inbound", "outbound"]


def invalid(message: str, fix: str) -> PydanticCustomError:
    """A validation error whose fix survives into the Problem the loader reports."""
    return PydanticCustomError("fieldbridge", message, {"fix": fix})


def _path(text: str) -> str:
    try:
        parse_path(text)
    except PathError as error:
        raise invalid(error.message, error.fix) from None
    return text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Mapping(_Strict):
    source_field: str | None = None
    target_field: str
    default: JsonValue = None

    @field_validator("source_field", "target_field")
    @classmethod
    def _parse_paths(cls, value: str | None) -> str | None:
        return value if value is None else _path(value)

    def source_paths(self) -> list[Path]:
        """Every path this mapping reads."""
        return [parse_path(self.source_field)] if self.source_field else []

    @model_validator(mode="after")
    def _fan_out_matches(self) -> _Mapping:
        fanning = {p.head for p in self.source_paths() if p.fans_out}
        if len(fanning) > 1:
            raise invalid(
                "fields fan out over different arrays",
                "read `[0]` from one array per mapping, so elements pair up",
            )
        if fanning and not parse_path(self.target_field).fans_out:
            raise invalid(
                f"the source has one value per element but {self.target_field} is a single field",
                "add `[0]` to the target (`TimeEntry.[0].Notes`) or drop it from the source",
            )
        return self


class _Sourced(_Mapping):
    source_field: str


class _Unsourced(_Mapping):
    source_field: None = None


class Sync(_Sourced):
    """Copy the value as it is."""

    action: Literal["sync"]


class SetStatic(_Unsourced):
    """Always the same value (an id from your instance, a fixed text)."""

    action: Literal["set_static"]
    value: JsonValue


class CompareEntry(_Strict):
    compare: JsonValue
    value: JsonValue


class GuideEntry(_Strict):
    source_value: JsonValue
    target_value: JsonValue


class ArrayMap(_Sourced):
    """A lookup table, either Field Nation's `mappings: [{compare, value}]` or the guide's `map`."""

    action: Literal["array_map"]
    mappings: list[CompareEntry] | None = None
    map: list[GuideEntry] | None = None

    @model_validator(mode="after")
    def _one_table(self) -> ArrayMap:
        if (self.mappings is None) == (self.map is None):
            raise invalid(
                "array_map needs exactly one table",
                "give `mappings: [{compare, value}]` or `map: [{source_value, target_value}]`",
            )
        return self

    def pairs(self) -> list[tuple[Any, Any]]:
        if self.mappings is not None:
            return [(e.compare, e.value) for e in self.mappings]
        return [(e.source_value, e.target_value) for e in self.map or ()]


class RangeEntry(_Strict):
    compare: float | int
    value: JsonValue


class RangeMap(_Sourced):
    """Numbers to values: the rightmost entry whose `compare <= value` wins (Field Nation's rule)."""

    action: Literal["range_map"]
    mappings: list[RangeEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _ascending(self) -> RangeMap:
        bounds = [e.compare for e in self.mappings]
        if bounds != sorted(bounds):
            raise invalid(
                "range_map entries are not in ascending order of compare, so some can never match",
                "sort the entries by compare, smallest first",
            )
        return self


class StatusPair(_Strict):
    autotask: int
    """A numeric status id of your Autotask instance."""
    fieldnation: int | str
    """A Field Nation status id (1 Draft, 2 Published, 3 Assigned, ...) or name (`work_done`)."""


class StatusMap(_Sourced):
    """Autotask status ids <-> Field Nation statuses; inbound reads left to right, outbound right to left."""

    action: Literal["status_map"]
    statuses: list[StatusPair] = Field(min_length=1)


class DateConvert(_Sourced):
    action: Literal["date_convert"]
    from_format: str
    to_format: str
    from_zone: str = "UTC"
    to_zone: str = "UTC"

    @field_validator("from_format", "to_format")
    @classmethod
    def _format(cls, value: str) -> str:
        try:
            dates.check_format(value)
        except ValueError as error:
            raise invalid(str(error), dates.FORMAT_FIX) from None
        return value

    @field_validator("from_zone", "to_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            dates.zone(value)
        except ValueError as error:
            raise invalid(str(error), dates.ZONE_FIX) from None
        return value


class ConcatField(_Strict):
    field: str

    @field_validator("field")
    @classmethod
    def _parse_path(cls, value: str) -> str:
        return _path(value)


class ConcatLiteral(_Strict):
    literal: str


class Concat(_Unsourced):
    """Fields and literals joined by `separator` (empty fields skipped), or a `template` with `{field}`."""

    action: Literal["concat"]
    values: list[ConcatField | ConcatLiteral] | None = None
    separator: str = ""
    template: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_form(cls, data: Any) -> Any:
        if isinstance(data, dict) and ("values" in data) == ("template" in data):
            raise invalid(
                "concat needs exactly one of values and template",
                'give `values: [{"field": ...}, {"literal": ...}]` or `template: "{Title} #{id}"`',
            )
        return data

    @field_validator("template")
    @classmethod
    def _template(cls, value: str | None) -> str | None:
        if value is not None:
            template_parts(value)
        return value

    def parts(self) -> list[ConcatField | ConcatLiteral]:
        return list(self.values) if self.values is not None else template_parts(self.template or "")

    def source_paths(self) -> list[Path]:
        return [parse_path(p.field) for p in self.parts() if isinstance(p, ConcatField)]


def template_parts(template: str) -> list[ConcatField | ConcatLiteral]:
    """`"{Title} (#{id})"` -> field, literal, field, literal; `{{` and `}}` are literal braces."""
    parts: list[ConcatField | ConcatLiteral] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:
        raise invalid(
            f"template {template!r} is malformed ({error})", "close every `{`, or write `{{` for a brace"
        ) from None
    for literal, name, spec, conversion in parsed:
        if literal:
            parts.append(ConcatLiteral(literal=literal))
        if name is not None:
            if spec or conversion or not name:
                raise invalid(
                    f"template field {{{name}}} is empty or has a format spec",
                    "write a field path between braces, e.g. {Title}",
                )
            parts.append(ConcatField(field=name))
    return parts


class Custom(_Unsourced):
    """A Jsonnet expression over `$.input` (the whole source record), with `$.util` and `std`."""

    action: Literal["custom"]
    script: str = Field(min_length=1, max_length=MAX_SCRIPT_CHARS)


Mapping = Annotated[
    Sync | SetStatic | ArrayMap | RangeMap | StatusMap | DateConvert | Concat | Custom,
    Field(discriminator="action"),
]
ACTIONS = ("sync", "set_static", "array_map", "range_map", "status_map", "date_convert", "concat", "custom")


class MappingSet(_Strict):
    schema_version: Literal[1] = SCHEMA_VERSION
    inbound: list[Mapping] = []
    outbound: list[Mapping] = []

    def mappings(self, direction: Direction) -> list[Mapping]:
        return self.inbound if direction == "inbound" else self.outbound


def label(direction: Direction, index: int, source: Any, target: Any, action: Any) -> str:
    """How every message names a mapping: `inbound[2] (Status -> status_id)`."""
    return f"{direction}[{index}] ({source or action or '?'} -> {target or '?'})"


def where(direction: Direction, index: int, mapping: Mapping) -> str:
    return label(direction, index, mapping.source_field, mapping.target_field, mapping.action)
