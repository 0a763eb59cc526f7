"""Builders for mapping tests: a set or an engine from plain dicts, as a mapping file holds them."""

from __future__ import annotations

from typing import Any

from fieldbridge.mapping.engine import Engine, compile_mappings
from fieldbridge.mapping.jsonnet import JsonnetRunner
from fieldbridge.mapping.model import Direction, MappingSet


def mapping_set(
    inbound: list[dict[str, Any]] | None = None, outbound: list[dict[str, Any]] | None = None
) -> MappingSet:
    return MappingSet.model_validate(
        {"schema_version": 1, "inbound": inbound or [], "outbound": outbound or []}
    )


def engine(
    *mappings: dict[str, Any], direction: Direction = "inbound", runner: JsonnetRunner | None = None
) -> Engine:
    sides = {direction: list(mappings)}
    return compile_mappings(mapping_set(**sides), direction, runner)


def apply(
    mapping: dict[str, Any],
    record: Any,
    direction: Direction = "inbound",
    runner: JsonnetRunner | None = None,
) -> dict[str, Any]:
    return engine(mapping, direction=direction, runner=runner).apply(record)
