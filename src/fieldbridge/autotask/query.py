"""Autotask queries: filter conditions (every operator, nested and/or groups, UDF conditions), IncludeFields
and MaxRecords, as one immutable value that serialises to the body of `POST /{Entity}/query`.

    where(eq("status", 5), or_(eq("priority", 1), contains("title", "switch")), include_fields=["id"])

Autotask checks the rest (one UDF condition per query, at most 500 values in `in`, 1..500 records a page) and
answers a `ValidationError` naming the problem; the client does not keep a second copy of those rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from fieldbridge.autotask.values import to_wire

Operator = Literal[
    "eq",
    "noteq",
    "gt",
    "gte",
    "lt",
    "lte",
    "beginsWith",
    "endsWith",
    "contains",
    "exist",
    "notExist",
    "in",
    "notIn",
]
_PRESENCE = ("exist", "notExist")


@dataclass(frozen=True)
class Condition:
    op: Operator
    field: str
    value: Any = None
    udf: bool = False

    def to_json(self) -> dict[str, Any]:
        item: dict[str, Any] = {"op": self.op, "field": self.field}
        if self.op not in _PRESENCE:
            item["value"] = to_wire(self.value)
        if self.udf:
            item["udf"] = True
        return item


@dataclass(frozen=True)
class Group:
    op: Literal["and", "or"]
    items: tuple[Filter, ...]

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "items": [item.to_json() for item in self.items]}


Filter = Condition | Group


@dataclass(frozen=True)
class Query:
    filters: tuple[Filter, ...]
    include_fields: tuple[str, ...] = ()
    max_records: int | None = None
    """Records per page (Autotask allows 1..500; its default is 500). Iteration still covers every page."""

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"filter": [f.to_json() for f in self.filters]}
        if self.include_fields:
            body["IncludeFields"] = list(self.include_fields)
        if self.max_records is not None:
            body["MaxRecords"] = self.max_records
        return body


def where(*filters: Filter, include_fields: Iterable[str] = (), max_records: int | None = None) -> Query:
    """A query whose conditions must all hold. Autotask needs at least one: with none, every record
    matches (`id` exists)."""
    return Query(filters or (exist("id"),), tuple(include_fields), max_records)


def eq(field: str, value: Any, *, udf: bool = False) -> Condition:
    return Condition("eq", field, value, udf)


def noteq(field: str, value: Any, *, udf: bool = False) -> Condition:
    return Condition("noteq", field, value, udf)


def gt(field: str, value: Any, *, udf: bool = False) -> Condition:
    return Condition("gt", field, value, udf)


def gte(field: str, value: Any, *, udf: bool = False) -> Condition:
    return Condition("gte", field, value, udf)


def lt(field: str, value: Any, *, udf: bool = False) -> Condition:
    return Condition("lt", field, value, udf)


def lte(field: str, value: Any, *, udf: bool = False) -> Condition:
    return Condition("lte", field, value, udf)


def begins_with(field: str, value: str, *, udf: bool = False) -> Condition:
    return Condition("beginsWith", field, value, udf)


def ends_with(field: str, value: str, *, udf: bool = False) -> Condition:
    return Condition("endsWith", field, value, udf)


def contains(field: str, value: str, *, udf: bool = False) -> Condition:
    return Condition("contains", field, value, udf)


def exist(field: str, *, udf: bool = False) -> Condition:
    return Condition("exist", field, udf=udf)


def not_exist(field: str, *, udf: bool = False) -> Condition:
    return Condition("notExist", field, udf=udf)


def in_(field: str, values: Iterable[Any], *, udf: bool = False) -> Condition:
    return Condition("in", field, tuple(values), udf)


def not_in(field: str, values: Iterable[Any], *, udf: bool = False) -> Condition:
    return Condition("notIn", field, tuple(values), udf)


def and_(*items: Filter) -> Group:
    return Group("and", items)


def or_(*items: Filter) -> Group:
    return Group("or", items)
