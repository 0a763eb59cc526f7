"""What Autotask says about its entities: entityInformation, its fields with picklists, user-defined fields,
and the request threshold, typed; plus the cache that keeps the client from asking twice."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


def _from_json(cls: type[T], data: Mapping[str, Any], **nested: Any) -> T:
    """Fill a dataclass from Autotask's camelCase keys (`user_access_for_create` <- `userAccessForCreate`),
    case-insensitively; keys a tenant leaves out become None."""
    lowered = {str(k).lower(): v for k, v in data.items()}
    values = {
        f.name: nested.get(f.name, lowered.get(f.name.replace("_", "")))
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
    }
    return cls(**values)


@dataclass(frozen=True)
class PicklistValue:
    value: str
    label: str
    is_default_value: bool | None
    sort_order: int | None
    parent_value: str | None
    is_active: bool | None
    is_system: bool | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PicklistValue:
        return _from_json(cls, data, value=str(data.get("value")))


def _picklist(data: Mapping[str, Any]) -> tuple[PicklistValue, ...]:
    values = next((v for k, v in data.items() if str(k).lower() == "picklistvalues"), None)
    return tuple(PicklistValue.from_json(v) for v in values or ())


@dataclass(frozen=True)
class EntityInfo:
    name: str
    can_create: bool
    can_delete: bool
    can_query: bool
    can_update: bool
    user_access_for_create: str | None
    user_access_for_delete: str | None
    user_access_for_query: str | None
    user_access_for_update: str | None
    """The calling user's access ("All", "Mine", "None", ...), which lets a permission audit run without
    side effects."""
    has_user_defined_fields: bool
    supports_webhook_callouts: bool

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EntityInfo:
        return _from_json(cls, data)


@dataclass(frozen=True)
class FieldInfo:
    name: str
    data_type: str
    length: int | None
    is_required: bool
    is_read_only: bool
    is_queryable: bool
    is_reference: bool
    reference_entity_type: str | None
    is_pick_list: bool
    picklist_values: tuple[PicklistValue, ...]
    """Empty for plain fields (Autotask answers null)."""
    picklist_parent_value_field: str | None
    is_supported_webhook_field: bool | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FieldInfo:
        return _from_json(cls, data, picklist_values=_picklist(data))


@dataclass(frozen=True)
class UdfInfo:
    name: str
    label: str
    type: str
    """Autotask calls it `type` here, not `dataType` as for fields."""
    length: int | None
    description: str | None
    is_required: bool
    is_read_only: bool
    is_queryable: bool
    is_reference: bool
    reference_entity_type: str | None
    is_pick_list: bool
    picklist_values: tuple[PicklistValue, ...]
    picklist_parent_value_field: str | None
    default_value: Any
    is_supported_webhook_field: bool | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UdfInfo:
        return _from_json(cls, data, picklist_values=_picklist(data))


@dataclass(frozen=True)
class ThresholdInfo:
    external_request_threshold: int
    """Requests the tenant may make per timeframe, shared by every integration (10,000)."""
    request_threshold_timeframe: int
    """In minutes."""
    current_timeframe_request_count: int

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ThresholdInfo:
        return _from_json(cls, data)


class MetadataCache:
    """Entity metadata for `ttl` seconds: picklists and UDFs change rarely, and re-reading them on every sync
    would spend the hourly budget on nothing. `clear()` is the setup guide's "Refresh Fields"."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], tuple[float, Any]] = {}

    def get(self, kind: str, entity: str, load: Callable[[], T]) -> T:
        key = (kind, entity.lower())
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and now - entry[0] < self.ttl:
            value: T = entry[1]
            return value
        # Loaded outside the lock: a slow Autotask must not hold up cache hits for other entities.
        loaded = load()
        with self._lock:
            self._entries[key] = (now, loaded)
        return loaded

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
