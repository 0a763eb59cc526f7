"""The emulator's in-memory data: the buyer company's catalogue (people, custom fields, expense categories,
saved locations) and its work orders with everything hanging off them.

Handlers run on the event loop only, so state needs no lock. Validated request models (`payloads`) are kept
as they are where the emulator has nothing to add to them (location, pay, contacts).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, TypeVar

from fieldbridge.sandbox.fieldnation.errors import ApiError, not_found
from fieldbridge.sandbox.fieldnation.events import Webhook
from fieldbridge.sandbox.fieldnation.lifecycle import DRAFT
from fieldbridge.sandbox.fieldnation.payloads import ContactIn, LocationIn, PayIn

Role = Literal["manager", "technician"]


@dataclass
class User:
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    role: Role
    city: str = ""
    state: str = ""

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class Named:
    id: int
    name: str


@dataclass
class CustomFieldDef:
    id: int
    name: str
    type: Literal["text", "numeric", "date", "date_time", "time", "predefined", "phone"]
    category_id: int
    options: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    tip: str = ""


@dataclass
class CustomFieldCategory:
    id: int
    name: str
    role: Literal["buyer", "assigned_provider"]


@dataclass
class SavedLocation:
    id: int
    name: str
    address1: str
    city: str
    state: str
    zip: str
    country: str
    latitude: float
    longitude: float
    time_zone_id: int
    type_id: int


@dataclass
class Catalog:
    company: Named
    api_user_id: int
    users: dict[int, User]
    clients: dict[int, Named]
    projects: dict[int, Named]
    types_of_work: dict[int, Named]
    location_types: dict[int, Named]
    saved_locations: dict[int, SavedLocation]
    custom_field_categories: dict[int, CustomFieldCategory]
    custom_fields: dict[int, CustomFieldDef]
    expense_categories: dict[int, Named]
    default_time_zone_id: int

    def user(self, user_id: int, role: Role | None = None) -> User:
        """A user named in a request body; an unknown one is the request's fault (400), not a missing page."""
        user = self.users.get(user_id)
        if user is None or (role is not None and user.role != role):
            raise ApiError(400, f"User {user_id} is not a {role or 'user'} known to {self.company.name}")
        return user


@dataclass
class ServiceWindow:
    mode: Literal["exact", "hours", "between"]
    start: datetime
    end: datetime | None


@dataclass
class TimeLog:
    id: int
    logged_by: int
    checked_in_at: datetime
    checked_in_by: int
    checked_out_at: datetime | None = None
    checked_out_by: int | None = None
    verified: bool = False

    @property
    def hours(self) -> float:
        if self.checked_out_at is None:
            return 0.0
        return round((self.checked_out_at - self.checked_in_at).total_seconds() / 3600, 2)


@dataclass
class Expense:
    id: int
    category_id: int
    amount: float
    quantity: float
    description: str
    author_id: int
    added: datetime
    status: Literal["new", "approved", "disapproved"] = "new"
    reason: str | None = None


@dataclass
class Message:
    id: int
    author_id: int
    text: str
    type: str
    created: datetime
    to_id: int | None = None
    parent_id: int | None = None


@dataclass
class Folder:
    id: int
    name: str
    type: Literal["document", "slot"]


@dataclass
class Attachment:
    id: int
    folder_id: int
    name: str
    mime: str
    content: bytes
    author_id: int
    created: datetime
    notes: str = ""
    status: Literal["pending", "approved", "denied"] = "approved"


@dataclass
class Task:
    id: int
    label: str
    key: str
    completed: datetime | None = None


@dataclass
class Shipment:
    id: int
    name: str
    carrier: str
    tracking: str
    status: str
    direction: str
    user_id: int
    created: datetime


@dataclass
class Offer:
    """A route, request or decline: one technician and when."""

    id: int
    technician_id: int
    created: datetime
    declined: bool = False


@dataclass
class WorkOrder:
    id: int
    title: str
    manager_id: int
    created: datetime
    time_zone_id: int
    status_id: int = DRAFT
    sub_status: str | None = None
    confirmed: bool = False
    delay_minutes: int = 0
    description_html: str = ""
    confidential_html: str = ""
    schedule: ServiceWindow | None = None
    location: LocationIn | None = None
    pay: PayIn | None = None
    contacts: list[ContactIn] = field(default_factory=list)
    closing_notes: str = ""
    correlation_id: str | None = None
    type_of_work_id: int | None = None
    client_id: int | None = None
    project_id: int | None = None
    assignee_id: int | None = None
    custom_values: dict[int, str] = field(default_factory=dict)
    time_logs: list[TimeLog] = field(default_factory=list)
    expenses: list[Expense] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    folders: list[Folder] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    shipments: list[Shipment] = field(default_factory=list)
    tags: list[Named] = field(default_factory=list)
    routes: list[Offer] = field(default_factory=list)
    requests: list[Offer] = field(default_factory=list)
    declines: list[Offer] = field(default_factory=list)
    milestones: dict[str, datetime] = field(default_factory=dict)

    def open_time_log(self) -> TimeLog | None:
        return next((t for t in self.time_logs if t.checked_out_at is None), None)

    def time_log(self, time_log_id: int) -> TimeLog:
        return _find(self.time_logs, time_log_id, "Time log")

    def expense(self, expense_id: int) -> Expense:
        return _find(self.expenses, expense_id, "Expense")

    def message(self, message_id: int) -> Message:
        return _find(self.messages, message_id, "Message")

    def folder(self, folder_id: int) -> Folder:
        return _find(self.folders, folder_id, "Attachment folder")

    def attachment(self, folder_id: int, attachment_id: int) -> Attachment:
        self.folder(folder_id)
        found = _find(self.attachments, attachment_id, "Attachment")
        if found.folder_id != folder_id:
            raise not_found("Attachment", f"{attachment_id} in folder {folder_id}")
        return found

    def task(self, task_id: int) -> Task:
        return _find(self.tasks, task_id, "Task")


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


T = TypeVar("T", bound=_HasId)


def _find(items: list[T], item_id: int, what: str) -> T:
    for item in items:
        if item.id == item_id:
            return item
    raise not_found(what, item_id)


@dataclass
class State:
    catalog: Catalog
    work_orders: dict[int, WorkOrder] = field(default_factory=dict)  # in id order: ids only grow
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    _work_order_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(14_000_001))
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(50_001))

    def new_work_order_id(self) -> int:
        return next(self._work_order_ids)

    def new_id(self) -> int:
        """One sequence for every sub-record (time logs, expenses, messages, files...): ids stay unique."""
        return next(self._ids)

    def work_order(self, work_order_id: int) -> WorkOrder:
        wo = self.work_orders.get(work_order_id)
        if wo is None:
            raise not_found("Work order", work_order_id)
        return wo

    def webhook(self, webhook_id: str) -> Webhook:
        hook = self.webhooks.get(webhook_id)
        if hook is None:
            raise not_found("Webhook", webhook_id)
        return hook
