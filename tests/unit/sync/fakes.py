"""In-memory stand-ins for the two clients the sync flows use (`ctx.clients.autotask` and
`ctx.clients.fieldnation`), with exactly the methods the flows call, for fast tests of the flows' decisions.

Each keeps its records as the real client returns them (Autotask records as dicts, Field Nation's as the
client's pydantic models) and appends every write to `writes`. A lost answer is played by storing the
record and then raising what the real client raises. What the real clients do over HTTP is tested against
the emulators; these fakes only hold state.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fieldbridge.autotask import (
    ChildCollection,
    Condition,
    FieldInfo,
    OutcomeUnknownError,
    PicklistValue,
    Query,
)
from fieldbridge.autotask.client import Entity, Record
from fieldbridge.fieldnation import FieldNationError
from fieldbridge.fieldnation.execution import MessageType
from fieldbridge.fieldnation.models import (
    CustomField,
    CustomFieldCategory,
    Expense,
    Message,
    Status,
    WorkOrder,
    WorkOrderFields,
)


@dataclass(frozen=True)
class Write:
    """One write a fake received: `what` is the operation ("create", "update", "delete", "publish", ...)."""

    what: str
    entity: str
    record_id: int
    fields: Mapping[str, Any]


def field_info(name: str, *, required: bool = False, picklist: Mapping[str, int] | None = None) -> FieldInfo:
    """An Autotask field as `fields()` describes it; `picklist` maps labels to values."""
    values = tuple(
        PicklistValue(
            value=str(value),
            label=label,
            is_default_value=False,
            sort_order=index,
            parent_value=None,
            is_active=True,
            is_system=False,
        )
        for index, (label, value) in enumerate((picklist or {}).items())
    )
    return FieldInfo(
        name=name,
        data_type="integer" if picklist else "string",
        length=None,
        is_required=required,
        is_read_only=False,
        is_queryable=True,
        is_reference=False,
        reference_entity_type=None,
        is_pick_list=bool(picklist),
        picklist_values=values,
        picklist_parent_value_field=None,
        is_supported_webhook_field=True,
    )


# The field of a child collection's records that names its parent (`Tickets/{id}/Notes` -> `ticketID`).
_PARENT_FIELDS = {
    ("Tickets", "Notes"): "ticketID",
    ("Tickets", "Charges"): "ticketID",
    ("Tickets", "Attachments"): "parentID",
    ("Expenses", "Items"): "expenseReportID",
}


class FakeAutotask:
    """Records by entity name (`Tickets`, `TimeEntries`, `TicketNotes`, ...) and field metadata."""

    def __init__(self, fields: Mapping[str, Sequence[FieldInfo]]) -> None:
        self.records: dict[str, dict[int, Record]] = defaultdict(dict)
        self.writes: list[Write] = []
        self._fields = fields
        self._ids = itertools.count(90_001)
        self._lost: set[str] = set()

    def add(self, entity: str, record: Record) -> None:
        """A record Autotask holds before the test starts (not a write)."""
        self.records[entity][int(record["id"])] = dict(record)

    def lose_next_create_answer(self, entity: str) -> None:
        """The next create of `entity` is saved, but its answer never comes back."""
        self._lost.add(entity)

    def get(self, entity: Entity, record_id: int) -> Record | None:
        found = self.records[_name(entity)].get(record_id)
        return None if found is None else dict(found)

    def query(self, entity: str, query: Query) -> Iterator[Record]:
        for record in list(self.records[entity].values()):
            if all(_holds(condition, record) for condition in query.filters):
                wanted = {"id", *query.include_fields} if query.include_fields else set(record)
                yield {name: value for name, value in record.items() if name in wanted}

    def children(self, collection: ChildCollection) -> Iterator[Record]:
        parent_field = _PARENT_FIELDS[(collection.parent, collection.name)]
        for record in list(self.records[collection.entity].values()):
            if record.get(parent_field) == collection.parent_id:
                yield dict(record)

    def create(self, entity: Entity, fields: Mapping[str, Any]) -> int:
        name, record_id = _name(entity), next(self._ids)
        record = self._spelled(name, fields, {})
        if isinstance(entity, ChildCollection):
            record[_PARENT_FIELDS[(entity.parent, entity.name)]] = entity.parent_id
        self.records[name][record_id] = {**record, "id": record_id}
        self.writes.append(Write("create", name, record_id, record))
        if name in self._lost:
            self._lost.discard(name)
            raise OutcomeUnknownError(
                "no answer came after the create was sent", operation="create", entity=name
            )
        return record_id

    def update(self, entity: Entity, record_id: int, fields: Mapping[str, Any]) -> None:
        name = _name(entity)
        held = self.records[name][record_id]
        held.update(self._spelled(name, fields, held))
        self.writes.append(Write("update", name, record_id, dict(fields)))

    def delete(self, entity: Entity, record_id: int) -> None:
        name = _name(entity)
        del self.records[name][record_id]
        self.writes.append(Write("delete", name, record_id, {}))

    def fields(self, entity: str) -> tuple[FieldInfo, ...]:
        return tuple(self._fields.get(entity, ()))

    def _spelled(self, entity: str, fields: Mapping[str, Any], held: Record) -> Record:
        """Autotask field names are case-insensitive (the mappings write `Status`): each is kept as the
        record or the entity's metadata spells it."""
        known = {name.lower(): name for name in [*(f.name for f in self.fields(entity)), *held]}
        return {known.get(name.lower(), name): value for name, value in fields.items()}


def _name(entity: Entity) -> str:
    return entity.entity if isinstance(entity, ChildCollection) else entity


def _holds(condition: object, record: Record) -> bool:
    """The filters the flows send: `eq`, `beginsWith`, and `exist` (a query with no condition)."""
    if not isinstance(condition, Condition):
        raise NotImplementedError(f"the fake does not evaluate {condition!r}")
    value = next((v for k, v in record.items() if k.lower() == condition.field.lower()), None)
    if condition.op == "eq":
        return bool(value == condition.value)
    if condition.op == "beginsWith":
        return isinstance(value, str) and value.startswith(condition.value)
    if condition.op == "exist":
        return value is not None
    raise NotImplementedError(f"the fake does not evaluate {condition.op}")


class FakeWorkOrders:
    def __init__(self, fieldnation: FakeFieldNation) -> None:
        self._fn = fieldnation
        self.items: dict[int, WorkOrder] = {}
        self._ids = itertools.count(5_001)
        self._failures: list[FieldNationError] = []

    def fail_next_create(self, error: FieldNationError) -> None:
        """The next create raises `error` without saving anything (it may be saved later: `add`)."""
        self._failures.append(error)

    def add(self, work_order: WorkOrder) -> None:
        """A work order Field Nation holds (made in the app, or saved after its create's answer was lost)."""
        self.items[work_order.id] = work_order

    def change(self, work_order_id: int, **fields: Any) -> None:
        """What people do in the app (a technician logs time, a buyer approves): not a write of the flows."""
        held = self.items[work_order_id].model_dump(mode="json", by_alias=True, exclude_none=True)
        self.items[work_order_id] = WorkOrder.model_validate({**held, **fields})

    def get(self, work_order_id: int) -> WorkOrder:
        return self.items[work_order_id].model_copy(deep=True)

    def create(self, fields: WorkOrderFields) -> WorkOrder:
        if self._failures:
            raise self._failures.pop(0)
        work_order_id = next(self._ids)
        draft = {"id": work_order_id, "status": {"id": 1, "name": "Draft", "code": "draft"}}
        self.items[work_order_id] = WorkOrder.model_validate({**fields, **draft})
        self._fn.writes.append(Write("create", "workorder", work_order_id, dict(fields)))
        return WorkOrder.model_validate(draft)  # Field Nation answers with the id and status only

    def update(self, work_order_id: int, fields: WorkOrderFields) -> WorkOrder:
        self.change(work_order_id, **fields)
        self._fn.writes.append(Write("update", "workorder", work_order_id, dict(fields)))
        return self.get(work_order_id)

    def find_by_correlation_id(self, correlation_id: str) -> WorkOrder | None:
        found = [wo for wo in self.items.values() if wo.correlation_id == correlation_id]
        return max(found, key=lambda wo: wo.id, default=None)

    def publish(self, work_order_id: int) -> WorkOrder:
        return self._move(work_order_id, "publish", Status(id=2, name="Published", code="published"))

    def unpublish(self, work_order_id: int) -> WorkOrder:
        return self._move(work_order_id, "unpublish", Status(id=1, name="Draft", code="draft"))

    def cancel(self, work_order_id: int, reason: str | None = None) -> WorkOrder | None:
        return self._move(work_order_id, "cancel", Status(id=7, name="Cancelled", code="cancelled"))

    def _move(self, work_order_id: int, what: str, status: Status) -> WorkOrder:
        self.items[work_order_id].status = status
        self._fn.writes.append(Write(what, "workorder", work_order_id, {"status": status.id}))
        return self.get(work_order_id)


class FakeCustomFields:
    def __init__(self, fieldnation: FakeFieldNation) -> None:
        self._fn = fieldnation
        self.categories: list[CustomFieldCategory] = []
        """The company's custom fields, on every work order."""
        self.values: dict[tuple[int, int], str | int | float | None] = {}

    def of_work_order(self, work_order_id: int) -> list[CustomFieldCategory]:
        return [category.model_copy(deep=True) for category in self.categories]

    def set(self, work_order_id: int, custom_field_id: int, value: str | int | float | None) -> CustomField:
        self.values[(work_order_id, custom_field_id)] = value
        self._fn.writes.append(Write("set", "custom_field", work_order_id, {str(custom_field_id): value}))
        return CustomField(id=custom_field_id, value=None if value is None else str(value))


class FakeExpenses:
    def __init__(self) -> None:
        self.items: dict[int, list[Expense]] = defaultdict(list)

    def list(self, work_order_id: int) -> list[Expense]:
        return [expense.model_copy(deep=True) for expense in self.items[work_order_id]]

    def of(self, work_order: WorkOrder) -> list[Expense]:
        return self.list(work_order.id)


class FakeMessages:
    def __init__(self, fieldnation: FakeFieldNation) -> None:
        self._fn = fieldnation
        self.threads: dict[int, list[Message]] = defaultdict(list)
        self._ids = itertools.count(7_001)

    def list(self, work_order_id: int) -> list[Message]:
        return [message.model_copy(deep=True) for message in self.threads[work_order_id]]

    def post(self, work_order_id: int, message: str, type: MessageType = "INTERNAL") -> Message:
        posted = Message(id=next(self._ids), message=message, type=type)
        self.threads[work_order_id].append(posted)
        self._fn.writes.append(Write("post", "message", work_order_id, {"message": message, "type": type}))
        return posted


class FakeAttachments:
    def __init__(self) -> None:
        self.contents: dict[tuple[int, int, int], bytes] = {}
        """By (work order, folder, attachment)."""

    def download(self, work_order_id: int, folder_id: int, attachment_id: int) -> bytes:
        return self.contents[(work_order_id, folder_id, attachment_id)]


class FakeFieldNation:
    def __init__(self) -> None:
        self.writes: list[Write] = []
        self.workorders = FakeWorkOrders(self)
        self.custom_fields = FakeCustomFields(self)
        self.expenses = FakeExpenses()
        self.messages = FakeMessages(self)
        self.attachments = FakeAttachments()


class FakeClients:
    """What `ctx.clients` is to the flows: both clients, and Autotask records, related ones included (none
    cached or handed over here)."""

    def __init__(self, autotask: FakeAutotask, fieldnation: FakeFieldNation) -> None:
        self.autotask = autotask
        self.fieldnation = fieldnation

    def get(self, entity_path: str, record_id: int) -> dict[str, Any] | None:
        return self.autotask.get(entity_path, record_id)

    def related(self, entity: str, record_id: int) -> dict[str, Any] | None:
        return self.autotask.get(entity, record_id)

    def children(self, collection: ChildCollection) -> list[dict[str, Any]]:
        return list(self.autotask.children(collection))
