"""Checks a mapping set when it is saved, so that nothing fails silently at sync time.

Without a catalog: Jsonnet that does not compile, targets that collide, Outbound Create's six required ticket
fields, and time entries or charges on a connector whose service object is not `ticket` (Field Nation's own
connector skips those silently). With a catalog (Refresh Fields): unknown fields, read-only targets, kinds
that cannot convert, and picklist values the instance does not have.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from fieldbridge.autotask.service_objects import RELATED
from fieldbridge.mapping.actions import match_key
from fieldbridge.mapping.catalog import Catalog, FieldInfo, Kind
from fieldbridge.mapping.errors import Problem, Severity
from fieldbridge.mapping.jsonnet import check_script
from fieldbridge.mapping.model import (
    ArrayMap,
    Concat,
    Custom,
    DateConvert,
    Direction,
    Mapping,
    MappingSet,
    RangeMap,
    SetStatic,
    StatusMap,
    Sync,
    where,
)
from fieldbridge.mapping.paths import Path, autotask_names, parse_target

# Outbound document roots and the Autotask entities they write; the longest prefix wins.
TARGET_ENTITIES = (
    (("expense", "items"), "ExpenseItems"),
    (("expense",), "ExpenseReports"),
    (("Ticket",), "Tickets"),
    (("TimeEntry",), "TimeEntries"),
    (("TicketCost",), "TicketCharges"),
    (("TicketNote",), "TicketNotes"),
)
# Related entities an inbound path may read through (`Account.AccountName`), by each name it may use.
RELATED_ENTITIES = {name.lower(): related.endpoint for related in RELATED for name in related.names}
TICKET_ONLY_ROOTS = {"TimeEntry": "time entries", "TicketCost": "charges"}

# Outbound Create: Autotask rejects a ticket without these (in the guide's names; AccountID is companyID).
REQUIRED_FOR_CREATE = ("Title", "Status", "Priority", "AccountID", "DueDateTime")
QUEUE_OR_RESOURCE = (("QueueID",), ("AssignedResourceID", "AssignedResourceRoleID"))

# Which produced kinds a target of each kind accepts.
_ACCEPTS: dict[Kind, set[Kind]] = {
    "text": {"text", "number", "boolean", "datetime"},
    "number": {"number"},
    "boolean": {"boolean"},
    "datetime": {"datetime", "text"},
    "object": {"object", "datetime"},
}


def validate(
    mapping_set: MappingSet,
    catalog: Catalog | None = None,
    *,
    service_object: str = "ticket",
    outbound_create: bool = False,
) -> list[Problem]:
    """Every problem found, errors and warnings; the set may be saved when no error is among them."""
    problems: list[Problem] = []
    for direction in ("inbound", "outbound"):
        mappings = mapping_set.mappings(direction)
        problems += _collisions(direction, mappings)
        for index, mapping in enumerate(mappings):
            label = where(direction, index, mapping)
            problems += (replace(problem, where=label) for problem in _check(mapping, direction, catalog))
            if direction == "outbound" and service_object.lower() != "ticket":
                root = parse_target(mapping.target_field, outbound=True).head[0]
                if root in TICKET_ONLY_ROOTS:
                    problems.append(
                        Problem(
                            label,
                            f"{TICKET_ONLY_ROOTS[root]} are only written when the service object is "
                            f"`ticket` (this connector uses `{service_object}`)",
                            "switch the service object to ticket, or remove this mapping",
                            "warning",
                        )
                    )
    if outbound_create:
        problems += _required_for_create(mapping_set.outbound)
    return problems


def _found(message: str, fix: str, severity: Severity = "error") -> Problem:
    """A finding about the mapping being checked; the caller fills in which mapping that is."""
    return Problem("", message, fix, severity)


def _check(mapping: Mapping, direction: Direction, catalog: Catalog | None) -> Iterator[Problem]:
    if isinstance(mapping, Custom) and (script_problem := check_script(mapping.script)) is not None:
        yield _found(*script_problem)
    if catalog is None:
        return
    sources: list[FieldInfo | None] = []
    for path in mapping.source_paths():
        info, problem = _resolve(catalog, path, autotask=direction == "inbound")
        if problem is not None:
            yield problem
        sources.append(info)
    outbound = direction == "outbound"
    target, problem = _resolve(
        catalog, parse_target(mapping.target_field, outbound=outbound), autotask=outbound
    )
    if problem is not None:
        yield problem
    source = sources[0] if len(sources) == 1 and not isinstance(mapping, Concat) else None
    yield from _check_source(mapping, direction, source)
    if target is not None:
        yield from _check_target(mapping, direction, source, target)


def _resolve(catalog: Catalog, path: Path, *, autotask: bool) -> tuple[FieldInfo | None, Problem | None]:
    """The catalog's field for a path, or a problem saying why there is none (None, None: not checkable)."""
    if not autotask:
        info = catalog.fieldnation_field(path)
        if info is None:
            return None, _unknown(path.text, "Field Nation field", catalog.fieldnation_names())
        return info, None
    keys = list(path.keys)
    entity = "Tickets"
    for prefix, name in TARGET_ENTITIES:
        if tuple(keys[: len(prefix)]) == prefix:
            entity, keys = name, keys[len(prefix) :]
            break
    else:
        if len(keys) > 1 and keys[0].lower() in RELATED_ENTITIES:
            entity, keys = RELATED_ENTITIES[keys[0].lower()], keys[1:]
    if entity not in catalog.autotask:
        return None, _found(
            f"the catalog has no Autotask {entity}, so {path.text} cannot be checked",
            f"click Refresh Fields so the catalog includes {entity}",
            "warning",
        )
    udf = path.udf is not None
    if len(keys) != (0 if udf else 1):
        return None, _found(
            f"{path.text} does not name one {entity} field (Autotask entities are flat)",
            "name the field directly, e.g. `Title` or `UserDefinedField.<name>`",
        )
    name = path.udf if path.udf is not None else keys[0]
    info = catalog.autotask_field(entity, name, udf=udf)
    if info is None:
        kind = "user-defined field" if udf else "field"
        return None, _unknown(name, f"Autotask {entity} {kind}", catalog.autotask_names(entity, udf=udf))
    return info, None


def _unknown(name: str, where: str, known: list[str]) -> Problem:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    return _found(
        f"{name!r} is not a known {where}",
        f"{hint}Pick a field from the catalog, or click Refresh Fields if it was added recently",
    )


def _check_source(mapping: Mapping, direction: Direction, source: FieldInfo | None) -> Iterator[Problem]:
    if source is None:
        return
    if isinstance(mapping, DateConvert) and source.kind in ("number", "boolean"):
        yield _found(
            f"date_convert reads {source.name}, which holds a {source.kind}",
            "map a date field, or use another action",
        )
    if isinstance(mapping, RangeMap) and source.kind not in ("number", "any"):
        yield _found(
            f"range_map compares numbers but {source.name} holds {source.kind}",
            "map a numeric field, or use array_map",
        )
    if source.choices is not None:
        for value in _compared(mapping, direction):
            yield from _choice(value, source, "compare with")


def _check_target(
    mapping: Mapping, direction: Direction, source: FieldInfo | None, target: FieldInfo
) -> Iterator[Problem]:
    if target.read_only:
        yield _found(f"{target.name} is read-only", "map to a writable field")
    kind, literals = _produces(mapping, direction, source)
    if target.choices is not None and literals:
        for value in literals:  # more precise than the kind: it names the value to write instead
            yield from _choice(value, target, "write")
    elif target.kind != "any" and kind != "any" and kind not in _ACCEPTS[target.kind]:
        yield _found(
            f"{mapping.action} writes a {kind} value into {target.name}, which holds {target.kind}",
            _conversion_hint(target.kind),
        )
    elif isinstance(mapping, Sync) and kind == "datetime" == target.kind:
        yield _found(
            "Autotask and Field Nation write dates in different forms, so a direct copy into "
            f"{target.name} may not be understood",
            "use date_convert (e.g. from autotask to fn)",
            "warning",
        )


def _conversion_hint(kind: Kind) -> str:
    if kind == "datetime":
        return "use date_convert"
    return f"produce a {kind}: array_map or set_static with {kind} values, or a custom script"


def _value_kind(value: Any) -> Kind:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return "text"
        return "number"  # "29682833": ids are often written as strings
    return "object"


def _produces(mapping: Mapping, direction: Direction, source: FieldInfo | None) -> tuple[Kind, list[Any]]:
    """The kind of value a mapping writes and the literal values it can write (its table, static, default)."""
    literals: list[Any] = []
    kind: Kind = "any"
    if isinstance(mapping, Sync):
        kind = source.kind if source else "any"
    elif isinstance(mapping, SetStatic):
        literals = [mapping.value]
    elif isinstance(mapping, ArrayMap):
        literals = [value for _, value in mapping.pairs()]
    elif isinstance(mapping, RangeMap):
        literals = [entry.value for entry in mapping.mappings]
    elif isinstance(mapping, StatusMap):
        literals = [p.fieldnation if direction == "inbound" else p.autotask for p in mapping.statuses]
    elif isinstance(mapping, DateConvert):
        kind = "datetime"
    elif isinstance(mapping, Concat):
        kind = "text"
    literals = [v for v in (*literals, mapping.default) if v is not None]
    if kind == "any" and literals:
        kinds = {_value_kind(v) for v in literals}
        kind = kinds.pop() if len(kinds) == 1 else "any"
    return kind, literals


def _compared(mapping: Mapping, direction: Direction) -> list[Any]:
    """The source values a mapping's table compares with."""
    if isinstance(mapping, ArrayMap):
        return [compare for compare, _ in mapping.pairs()]
    if isinstance(mapping, StatusMap):
        return [p.autotask if direction == "inbound" else p.fieldnation for p in mapping.statuses]
    return []


def _choice(value: Any, field: FieldInfo, verb: str) -> Iterator[Problem]:
    assert field.choices is not None
    if match_key(value) in field.choices:
        return
    by_label = {label.lower(): key for key, label in field.choices.items()}
    if isinstance(value, str) and value.lower() in by_label:
        key = by_label[value.lower()]
        yield _found(
            f"{value!r} is a label of {field.name}; records hold its value {key!r}",
            f"{verb} {key!r} instead of the label {value!r}",
        )
        return
    listed = ", ".join(
        f"{key} ({label})" if label and label != key else key
        for key, label in list(field.choices.items())[:12]
    )
    yield _found(
        f"{value!r} is not a {field.name} value in your instance",
        f"{verb} one of: {listed}; or click Refresh Fields if it was added recently",
    )


def _collisions(direction: Direction, mappings: list[Mapping]) -> Iterator[Problem]:
    seen: dict[tuple[str, ...], str] = {}
    for index, mapping in enumerate(mappings):
        path = parse_target(mapping.target_field, outbound=direction == "outbound")
        key = (*path.keys, *(("UserDefinedField", path.udf) if path.udf else ()))
        label = where(direction, index, mapping)
        for other, other_label in seen.items():
            if other == key:
                yield Problem(
                    label,
                    f"{mapping.target_field} is also written by {other_label}",
                    "remove one of the two mappings; as it stands the later one wins",
                    "warning",
                )
            elif other[: len(key)] == key or key[: len(other)] == other:
                yield Problem(
                    label,
                    f"{mapping.target_field} and the target of {other_label} are one inside "
                    "the other, so one would overwrite the other",
                    "map to either the object or its fields",
                )
        seen.setdefault(key, label)


def _required_for_create(outbound: list[Mapping]) -> Iterator[Problem]:
    provided: set[str] = set()
    for mapping in outbound:
        path = parse_target(mapping.target_field, outbound=True)
        empty_static = isinstance(mapping, SetStatic) and mapping.value is None and mapping.default is None
        if path.head[:1] == ("Ticket",) and len(path.keys) == 2 and path.udf is None and not empty_static:
            provided.add(path.keys[1].lower())

    def has(name: str) -> bool:
        return any(spelling.lower() in provided for spelling in autotask_names(name))

    scope = "outbound (Outbound Create)"
    for name in REQUIRED_FOR_CREATE:
        if not has(name):
            yield Problem(
                scope,
                f"no mapping gives Ticket:{name} a value; Autotask needs it on a ticket",
                f"map a work order field to Ticket:{name}, or set_static an id from your instance",
            )
    if not any(all(has(name) for name in option) for option in QUEUE_OR_RESOURCE):
        yield Problem(
            scope,
            "no mapping gives Ticket:QueueID, nor both AssignedResourceID and "
            "AssignedResourceRoleID, a value; Autotask needs one of them",
            "set_static Ticket:QueueID to a queue id of your instance (Admin > Service Desk > Queues)",
        )
