"""Autotask query semantics, pure: filter validation and evaluation, IncludeFields, and id-based paging."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from fieldbridge.sandbox.autotask.catalog import EntityDef, FieldDef
from fieldbridge.sandbox.autotask.errors import invalid

PAGE_LIMIT = 500
MAX_IN_VALUES = 500
COMPARISONS = {"eq", "noteq", "gt", "gte", "lt", "lte", "beginswith", "endswith", "contains", "in", "notin"}
PRESENCE = {"exist", "notexist"}
GROUPS = {"and", "or"}

Record = dict[str, Any]
Predicate = Callable[[Record], bool]


@dataclass(frozen=True)
class Query:
    predicate: Predicate
    max_records: int
    include_fields: tuple[str, ...] | None  # camelCase names, None = all


def parse_datetime(value: str) -> datetime:
    text = value.strip().replace(" ", "T")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_datetime(value: datetime) -> str:
    """Autotask writes UTC datetimes as yyyy-mm-ddThh:mm:ss.fffZ."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def coerce(field: FieldDef, value: Any, where: str) -> Any:
    """A filter value in the field's type; Autotask compares typed values, not strings."""
    if value is None:
        return None
    try:
        if field.data_type in ("integer", "long"):
            if field.flag and str(value).lower() in ("true", "false"):
                return int(str(value).lower() == "true")
            if isinstance(value, bool):
                raise ValueError
            return int(value)
        if field.data_type in ("double", "decimal"):
            return float(value)
        if field.data_type == "boolean":
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "1", "false", "0"):
                return str(value).lower() in ("true", "1")
            raise ValueError
        if field.data_type == "datetime":
            return parse_datetime(str(value))
    except (TypeError, ValueError):
        raise invalid(
            f"{where}: value {value!r} is not a valid {field.data_type} for field {field.name}"
        ) from None
    return str(value)


def _comparable(field_type: str, value: Any) -> Any:
    if value is None:
        return None
    if field_type == "datetime" and isinstance(value, str):
        return parse_datetime(value)
    if field_type == "string":
        return str(value).lower()  # Autotask's database collation is case-insensitive
    return value


def _udf_value(record: Record, name: str) -> Any:
    for udf in record.get("userDefinedFields") or []:
        if udf["name"].lower() == name.lower():
            return udf["value"]
    return None


def _leaf(entity: EntityDef, item: dict[str, Any], udfs: dict[str, str], counter: list[int]) -> Predicate:
    op = str(item.get("op", "")).lower()
    name = item.get("field")
    if not isinstance(name, str) or not name:
        raise invalid(f"Filter operation '{item.get('op')}' needs a field")
    if item.get("udf"):
        counter[0] += 1
        udf_type = udfs.get(name.lower())
        if udf_type is None:
            raise invalid(f"Unable to find user-defined field '{name}' on entity {entity.singular}")
        field = FieldDef(name=name, data_type=udf_type)

        def get(record: Record) -> Any:
            return _udf_value(record, name)
    else:
        found = entity.field(name)
        if found is None:
            raise invalid(f"Unable to find field '{name}' in the {entity.singular} entity")
        field = found
        key = found.name

        def get(record: Record) -> Any:
            return record.get(key)

    ftype = field.data_type
    if op in PRESENCE:
        want = op == "exist"
        return lambda r: (get(r) not in (None, "")) is want
    raw = item.get("value")  # Autotask compares a missing value as null
    if op in ("in", "notin"):
        if not isinstance(raw, list) or not raw:
            raise invalid(f"Filter operation '{op}' on field '{name}' needs a non-empty list of values")
        if len(raw) > MAX_IN_VALUES:
            raise invalid(f"Filter operation '{op}' accepts at most {MAX_IN_VALUES} values")
        values = {_comparable(ftype, coerce(field, v, "filter")) for v in raw}
        member = op == "in"
        return lambda r: (_comparable(ftype, get(r)) in values) is member
    target = _comparable(ftype, coerce(field, raw, "filter"))

    def compare(record: Record) -> bool:
        actual = _comparable(ftype, get(record))
        if op == "eq":
            return bool(actual == target)
        if op == "noteq":
            return bool(actual != target)
        if actual is None or target is None:
            return False
        if op in ("beginswith", "endswith", "contains"):
            a, t = str(actual).lower(), str(target).lower()
            return a.startswith(t) if op == "beginswith" else a.endswith(t) if op == "endswith" else t in a
        try:
            if op == "gt":
                return bool(actual > target)
            if op == "gte":
                return bool(actual >= target)
            if op == "lt":
                return bool(actual < target)
            return bool(actual <= target)
        except TypeError:
            return False

    return compare


def _compile(entity: EntityDef, item: Any, udfs: dict[str, str], counter: list[int], depth: int) -> Predicate:
    if not isinstance(item, dict):
        raise invalid("Each filter item must be an object with 'op', 'field' and 'value'")
    op = str(item.get("op", "")).lower()
    if op in GROUPS:
        children = item.get("items")
        if not isinstance(children, list) or not children:
            raise invalid(f"Filter group '{op}' needs a non-empty 'items' list")
        if len(children) > MAX_IN_VALUES:
            raise invalid(f"Filter group '{op}' accepts at most {MAX_IN_VALUES} conditions")
        if depth > 20:
            raise invalid("Filter groups are nested too deeply")
        preds = [_compile(entity, c, udfs, counter, depth + 1) for c in children]
        if op == "and":
            return lambda r: all(p(r) for p in preds)
        return lambda r: any(p(r) for p in preds)
    if op in COMPARISONS or op in PRESENCE:
        return _leaf(entity, item, udfs, counter)
    raise invalid(f"Invalid filter operation '{item.get('op')}'")


def _keys_lower(body: dict[str, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in body.items()}


def parse(entity: EntityDef, body: Any, udfs: dict[str, str]) -> Query:
    """Validate a query body (`MaxRecords`, `IncludeFields`, `Filter`; keys case-insensitive)."""
    if not isinstance(body, dict):
        raise invalid("The query must be a JSON object with a 'filter' array")
    b = _keys_lower(body)
    unknown = set(b) - {"maxrecords", "includefields", "filter"}
    if unknown:
        raise invalid(f"Unknown query properties: {', '.join(sorted(unknown))}")
    max_records = b.get("maxrecords", PAGE_LIMIT)
    if max_records is None:
        max_records = PAGE_LIMIT
    if (
        isinstance(max_records, bool)
        or not isinstance(max_records, int)
        or not 1 <= max_records <= PAGE_LIMIT
    ):
        raise invalid(f"maxCountOfRecordsToReturn must be between 1 and {PAGE_LIMIT}")
    filters = b.get("filter")
    if not isinstance(filters, list):
        raise invalid('A query needs a filter array, e.g. [{"op": "exist", "field": "id"}]')
    counter = [0]
    preds = [_compile(entity, f, udfs, counter, 0) for f in filters]
    if counter[0] > 1:
        raise invalid("Only one user-defined field condition is allowed per query")
    include = b.get("includefields")
    include_fields: tuple[str, ...] | None = None
    if include:
        if not isinstance(include, list) or not all(isinstance(n, str) for n in include):
            raise invalid("IncludeFields must be a list of field names")
        names = []
        for n in include:
            f = entity.field(n)
            if f is None:
                raise invalid(f"Unable to find field '{n}' in the {entity.singular} entity")
            names.append(f.name)
        include_fields = tuple(dict.fromkeys(["id", *names]))
    return Query(lambda r: all(p(r) for p in preds), max_records, include_fields)


@dataclass(frozen=True)
class Page:
    items: list[Record]
    has_next: bool
    has_prev: bool


def _id(record: Record) -> int:
    return int(record["id"])


def page(
    records: Sequence[Record], matches: Predicate, size: int, after_id: int | None, before_id: int | None
) -> Page:
    """One page of the `records` (in id order) that match: the first `size` after `after_id`, or the last
    `size` before `before_id`. It reads only as far as the page and one more match, so paging through a large
    table stays cheap."""
    if before_id is not None:
        end = bisect_left(records, before_id, key=_id)
        earlier = (records[i] for i in range(end - 1, -1, -1) if matches(records[i]))
        chosen = list(islice(earlier, size))[::-1]
        return Page(chosen, has_next=True, has_prev=next(earlier, None) is not None)
    start = 0 if after_id is None else bisect_right(records, after_id, key=_id)
    later = (records[i] for i in range(start, len(records)) if matches(records[i]))
    chosen = list(islice(later, size))
    has_prev = any(matches(records[i]) for i in range(start - 1, -1, -1))
    return Page(chosen, has_next=next(later, None) is not None, has_prev=has_prev)


def project(record: Record, include: tuple[str, ...] | None) -> Record:
    if include is None:
        return record
    kept = {k: record[k] for k in include if k in record}
    if "userDefinedFields" in record:
        kept["userDefinedFields"] = record["userDefinedFields"]
    return kept
