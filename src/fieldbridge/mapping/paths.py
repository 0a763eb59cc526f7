"""Field paths as the setup guide writes them, parsed once and read or written with a few dict lookups.

Syntax: dotted keys (`time_window.end`), an entity prefix (`Ticket:Title`), a related entity
(`Account.AccountName`, read from the object the fetcher embeds under that name), `UserDefinedField.{name}`
(Autotask's `userDefinedFields: [{name, value}]` list; the name is the rest of the path) and one `[0]`
meaning "each element" (`time_logs[0].StartDateTime`, `TimeEntry.[0].StartDateTime`).

Autotask keys are case-insensitive and its REST API answers in camelCase (`dueDateTime`) where the guide
writes PascalCase (`DueDateTime`) or SOAP-era names (`AccountID` for `companyID`,
`ExpenseAmount` for `expenseCurrencyExpenseAmount`); Autotask-side paths
therefore try those spellings, in that order, before a case-insensitive scan.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fieldbridge.mapping.errors import ActionError

UDF = "UserDefinedField"
UDF_LIST = "userDefinedFields"
EACH = "[0]"
# The guide's (SOAP-era) Autotask names whose REST name differs by more than case.
AUTOTASK_ALIASES = {
    "accountid": "companyID",
    "accountname": "companyName",
    "expenseamount": "expenseCurrencyExpenseAmount",
}
# Roots of an outbound document; any other outbound target is a ticket field (the guide writes `Resolution`).
OUTBOUND_ROOTS = ("Ticket", "TimeEntry", "expense", "TicketCost", "TicketNote")

_ABSENT = object()
_ENTITY_PREFIX = re.compile(r"([A-Za-z_]\w*):(?=.)")


class PathError(ValueError):
    def __init__(self, message: str, fix: str) -> None:
        super().__init__(f"{message}; {fix}")
        self.message = message
        self.fix = fix


@dataclass(frozen=True, slots=True)
class Path:
    text: str
    head: tuple[str, ...]
    """Keys up to the array when the path fans out, else every key."""
    tail: tuple[str, ...] | None
    """Keys inside each element; None when the path does not fan out."""
    udf: str | None = None
    """A user-defined field read from (or written to) the object the keys lead to."""

    @property
    def fans_out(self) -> bool:
        return self.tail is not None

    @property
    def keys(self) -> tuple[str, ...]:
        return self.head + (self.tail or ())


def parse_path(text: str) -> Path:
    if not text or text != text.strip():
        raise PathError(
            f"path {text!r} is empty or has surrounding spaces", "write the field name, e.g. `Title`"
        )
    prefix = _ENTITY_PREFIX.match(text)
    body, udf = (f"{prefix[1]}.{text[prefix.end() :]}" if prefix else text), None
    if body.startswith(UDF + "."):
        body, udf = "", body[len(UDF) + 1 :]
    elif (at := body.find(f".{UDF}.")) >= 0:
        body, udf = body[:at], body[at + len(UDF) + 2 :]
    if udf == "":
        raise PathError(f"path {text!r} names no user-defined field", f"write `{UDF}.<name>`")
    head: list[str] = []
    tail: list[str] | None = None
    for segment in body.split(".") if body else ():
        key, each = (segment[: -len(EACH)], True) if segment.endswith(EACH) else (segment, False)
        if ":" in key:
            raise PathError(
                f"path {text!r} has a malformed entity prefix",
                "write `Entity:Field` once, at the start, e.g. `Ticket:Title`",
            )
        if "[" in key or "]" in key:
            raise PathError(
                f"path {text!r} has an unsupported segment {segment!r}",
                "use `[0]` (it means each element) and no other index",
            )
        if key:
            (head if tail is None else tail).append(key)
        elif not each:
            raise PathError(f"path {text!r} has an empty segment", "remove the doubled or trailing dot")
        if each:
            if tail is not None:
                raise PathError(f"path {text!r} has more than one `[0]`", "fan out over one array only")
            if not head:
                raise PathError(f"path {text!r} starts with `[0]`", "put the array's name before `[0]`")
            tail = []
    if not head and udf is None:
        raise PathError(f"path {text!r} names no field", "write the field name, e.g. `Title`")
    return Path(text, tuple(head), None if tail is None else tuple(tail), udf)


def parse_target(text: str, *, outbound: bool) -> Path:
    """A target path; outbound targets outside the known roots are ticket fields (`Resolution`)."""
    path = parse_path(text)
    if not outbound or (path.head and path.head[0] in OUTBOUND_ROOTS):
        return path
    return Path(path.text, ("Ticket", *path.head), path.tail, path.udf)


def autotask_names(key: str) -> tuple[str, ...]:
    """Spellings of an Autotask key to try, most likely first: as written, camelCase, then the REST alias."""
    names: list[str] = []
    alias = AUTOTASK_ALIASES.get(key.lower())
    for name in (key, key[:1].lower() + key[1:], *((alias,) if alias else ())):
        if name not in names:
            names.append(name)
    return tuple(names)


@dataclass(frozen=True, slots=True)
class _Key:
    names: tuple[str, ...]
    folded: frozenset[str] | None  # lower-cased names for the case-insensitive scan (Autotask only)


def _key(name: str, autotask: bool) -> _Key:
    if not autotask:
        return _Key((name,), None)
    names = autotask_names(name)
    return _Key(names, frozenset(n.lower() for n in names))


def _find(obj: Any, key: _Key) -> Any:
    if not isinstance(obj, dict):
        return None
    for name in key.names:
        value = obj.get(name, _ABSENT)
        if value is not _ABSENT:
            return value
    if key.folded is not None:
        for name, value in obj.items():
            if isinstance(name, str) and name.lower() in key.folded:
                return value
    return None


def _walk(obj: Any, keys: tuple[_Key, ...]) -> Any:
    for key in keys:
        obj = _find(obj, key)
        if obj is None:
            return None
    return obj


def _udf_value(obj: Any, udf_list: _Key, name: str) -> Any:
    items = _find(obj, udf_list)
    if not isinstance(items, list):
        return None
    folded = name.lower()
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].lower() == folded:
            return item.get("value")
    return None


def _elements(value: Any) -> list[Any]:
    # Field Nation wraps lists in an envelope (`time_logs: {"metadata": ..., "results": [...]}`).
    if isinstance(value, dict) and isinstance(value.get("results"), list):
        results: list[Any] = value["results"]
        return results
    return value if isinstance(value, list) else []


def compile_reader(path: Path, *, autotask: bool) -> Callable[[Any], Any]:
    """A function record -> value (None when empty), or a list of one value per element if it fans out."""
    head = tuple(_key(k, autotask) for k in path.head)
    tail = tuple(_key(k, autotask) for k in path.tail or ())
    udf, udf_list = path.udf, _key(UDF_LIST, autotask)

    def leaf(obj: Any, keys: tuple[_Key, ...]) -> Any:
        obj = _walk(obj, keys)
        return obj if udf is None else _udf_value(obj, udf_list, udf)

    if path.tail is None:
        if udf is None and len(head) == 1:
            only = head[0]
            return lambda record: _find(record, only)
        return lambda record: leaf(record, head)
    return lambda record: [leaf(element, tail) for element in _elements(_walk(record, head))]


def _write_key(name: str, autotask: bool) -> str:
    return AUTOTASK_ALIASES.get(name.lower(), name) if autotask else name


class Writer:
    """Writes values at a target path into a document, creating the objects and arrays on the way."""

    __slots__ = ("_head", "_tail", "_udf", "path")

    def __init__(self, path: Path, *, autotask: bool) -> None:
        self.path = path
        self._head = tuple(_write_key(k, autotask) for k in path.head)
        self._tail = None if path.tail is None else tuple(_write_key(k, autotask) for k in path.tail)
        self._udf = path.udf

    def describe(self, index: int | None = None) -> str:
        """Where a value lands in the document, e.g. `TimeEntry[1].StartDateTime` (`[*]`: every element)."""
        text = ".".join(self._head)
        if self._tail is not None:
            text += f"[{'*' if index is None else index}]" + "".join("." + k for k in self._tail)
        if self._udf is not None:
            text += f"{'.' if text else ''}{UDF}.{self._udf}"
        return text

    def set(self, doc: dict[str, Any], value: Any) -> None:
        """Write one value (a target without `[0]`)."""
        _assign(doc, self._head, self._udf, _own(value))

    def set_each(self, doc: dict[str, Any], values: list[Any]) -> None:
        """One element per value: element i gets values[i] (None leaves it without this field)."""
        array = self._array(doc)
        array.extend({} for _ in range(len(values) - len(array)))
        for index, value in enumerate(values):
            if value is not None:
                array[index] = self._into(array[index], _own(value))

    def set_all(self, doc: dict[str, Any], value: Any) -> int:
        """The same value into every element the fanned-out mappings made; returns how many."""
        array = self._array(doc)
        for index, element in enumerate(array):
            array[index] = self._into(element, _own(value))
        return len(array)

    def _array(self, doc: dict[str, Any]) -> list[Any]:
        array = _container(doc, self._head[:-1]).setdefault(self._head[-1], [])
        if not isinstance(array, list):
            raise _collision(self.path)
        return array

    def _into(self, element: Any, value: Any) -> Any:
        assert self._tail is not None
        if not self._tail and self._udf is None:
            return value  # `TimeEntry.[0]` itself: the value is the element
        if not isinstance(element, dict):
            raise _collision(self.path)
        _assign(element, self._tail, self._udf, value)
        return element


def _own(value: Any) -> Any:
    """A private copy of an object or array: the document must share nothing with the record, a static value
    or another element, or a later write inside it would change those too."""
    if isinstance(value, dict):
        return {key: _own(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_own(item) for item in value]
    return value


def _assign(obj: dict[str, Any], keys: tuple[str, ...], udf: str | None, value: Any) -> None:
    if udf is None:
        _container(obj, keys[:-1])[keys[-1]] = value
        return
    items = _container(obj, keys).setdefault(UDF_LIST, [])
    if not isinstance(items, list):
        raise ActionError(
            f"`{UDF_LIST}` already holds something other than a list",
            "do not map to `userDefinedFields` directly; use `UserDefinedField.<name>`",
        )
    for item in items:
        if isinstance(item, dict) and item.get("name") == udf:
            item["value"] = value
            return
    items.append({"name": udf, "value": value})


def _container(obj: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    for key in keys:
        inner = obj.get(key)
        if inner is None:
            inner = obj[key] = {}
        elif not isinstance(inner, dict):
            raise ActionError(
                f"`{key}` already holds a value, so nothing can be written inside it",
                "map to either the object or its fields, not both",
            )
        obj = inner
    return obj


def _collision(path: Path) -> ActionError:
    return ActionError(
        f"{path.text} collides with a value another mapping wrote",
        "map to either the array or its elements' fields, not both",
    )
