"""Typed views of Field Nation's JSON. Every model keeps the fields it does not name (`extra="allow"`), so
nothing the API sends is lost; the named ones are what the connector reads. Property names follow
`rest-v2-models.json`; webhooks v3 models use their camelCase names through aliases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Generic, TypedDict, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class FieldNationModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ListMetadata(FieldNationModel):
    total: int = 0
    page: int = 1
    pages: int = 1
    per_page: int = 0


class Listing(FieldNationModel, Generic[T]):
    """Field Nation's list envelope: `{"metadata": {...}, "results": [...]}`."""

    metadata: ListMetadata = Field(default_factory=ListMetadata)
    results: list[T] = Field(default_factory=list)


class Named(FieldNationModel):
    id: int
    name: str = ""


class MinimalUser(FieldNationModel):
    id: int
    first_name: str = ""
    last_name: str = ""


class RichText(FieldNationModel):
    html: str = ""


class LocalTime(FieldNationModel):
    date: str = ""
    time: str = ""


class FnDate(FieldNationModel):
    """`{"utc": "YYYY-MM-DD HH:MM:SS", "local": {"date", "time"}}`."""

    utc: str | None = None
    local: LocalTime | None = None

    def as_datetime(self) -> datetime | None:
        if not self.utc:
            return None
        return datetime.strptime(self.utc, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def fn_date(at: datetime) -> dict[str, str]:
    """An aware datetime as the `{"utc": ...}` object Field Nation accepts."""
    if at.tzinfo is None:
        raise ValueError("Field Nation dates need an aware datetime (with a time zone)")
    return {"utc": at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")}


class TimeZone(FieldNationModel):
    id: int | None = None
    name: str | None = None
    short: str | None = None
    offset: float | None = None


class Status(FieldNationModel):
    id: int
    name: str = ""
    display: str | None = None
    code: str | None = None
    sub_status: str | None = None
    confirmed: bool = False
    is_routed: bool = False
    delay: int | None = None


class ServiceWindow(FieldNationModel):
    mode: str
    start: FnDate | None = None
    end: FnDate | None = None


class Schedule(FieldNationModel):
    service_window: ServiceWindow | None = None
    time_zone: TimeZone | None = None


class Coordinates(FieldNationModel):
    latitude: float | None = None
    longitude: float | None = None


class Location(FieldNationModel):
    mode: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    coordinates: Coordinates | None = None
    type: Named | None = None
    saved_location: Named | None = None


class PayAmount(FieldNationModel):
    amount: float = 0.0
    units: float = 1.0


class Expense(FieldNationModel):
    id: int
    category: Named | None = None
    amount: float = 0.0
    quantity: float = 1.0
    description: str = ""
    status: str = "new"
    reason: str | None = None
    added: FnDate | None = None


class Pay(FieldNationModel):
    type: str | None = None
    base: PayAmount | None = None
    additional: PayAmount | None = None
    total: float | None = None
    expenses: Listing[Expense] | None = None


class Contact(FieldNationModel):
    name: str = ""
    role: str | None = None
    phone: str | None = None
    ext: str | None = None
    email: str | None = None
    notes: str | None = None


class CustomField(FieldNationModel):
    id: int
    name: str = ""
    type: str | None = None
    value: str | None = None
    options: list[str] = Field(default_factory=list)


class CustomFieldCategory(Listing[CustomField]):
    id: int
    name: str = ""
    role: str | None = None


class CheckInOut(FieldNationModel):
    created: FnDate | None = None
    actor: MinimalUser | None = None


class TimeLog(FieldNationModel):
    id: int
    check_in: CheckInOut | None = Field(None, alias="in")
    check_out: CheckInOut | None = Field(None, alias="out")
    hours: float = 0.0
    status: str | None = None
    logged_by: MinimalUser | None = None


class ExpenseCategory(FieldNationModel):
    id: int
    label: str = ""


class MessageParty(FieldNationModel):
    id: int | None = None
    name: str | None = None
    role: str | None = None


class Message(FieldNationModel):
    id: int
    message: str = ""
    type: str | None = None
    sender: MessageParty | None = Field(None, alias="from")
    to: MessageParty | None = None
    created: FnDate | None = None
    parent_id: int | None = None
    replies: Listing[Message] | None = None


class AttachmentFile(FieldNationModel):
    name: str = ""
    mime: str | None = None
    size: int | None = None
    link: str | None = None


class Attachment(FieldNationModel):
    id: int
    folder_id: int | None = None
    file: AttachmentFile | None = None
    notes: str = ""
    status: str | None = None


class AttachmentFolder(Listing[Attachment]):
    id: int
    name: str = ""
    type: str | None = None
    max_bytes: int | None = None


class Assignee(FieldNationModel):
    user: MinimalUser | None = None


class Manager(MinimalUser):
    email: str | None = None
    phone: str | None = None


class WorkOrder(FieldNationModel):
    """A work order. `POST /workorders` answers with only `id` and `status`; the rest is then empty."""

    id: int
    title: str | None = None
    status: Status | None = None
    description: RichText | None = None
    confidential: RichText | None = None
    schedule: Schedule | None = None
    location: Location | None = None
    pay: Pay | None = None
    contacts: Listing[Contact] | None = None
    custom_fields: Listing[CustomFieldCategory] | None = None
    time_logs: Listing[TimeLog] | None = None
    attachments: Listing[AttachmentFolder] | None = None
    messages: Listing[Message] | None = None
    closing_notes: str | None = None
    correlation_id: str | None = None
    type_of_work: Named | None = None
    client: Named | None = None
    company: Named | None = None
    project: Named | None = None
    manager: Manager | None = None
    assignee: Assignee | None = None


class WorkOrderFields(TypedDict, total=False):
    """What `create`/`update` send; nested values take Field Nation's JSON shapes (see the models file)."""

    title: str
    description: dict[str, str]
    confidential: dict[str, str]
    schedule: dict[str, Any]
    location: dict[str, Any]
    pay: dict[str, Any]
    contacts: list[dict[str, Any]]
    closing_notes: str
    correlation_id: str | None
    type_of_work: dict[str, int]
    client: dict[str, int]
    project: dict[str, int]
    manager: dict[str, int]


class Webhook(FieldNationModel):
    """A webhooks v3 registration."""

    webhook_id: str = Field(alias="webhookId")
    url: str
    status: str
    events: list[str] = Field(default_factory=list)
    method: str = "post"
    secret: str | None = Field(None, repr=False)
    notification_email: str | None = Field(None, alias="notificationEmail")


class DeliveryLog(FieldNationModel):
    delivery_id: str = Field(alias="deliveryId")
    webhook_id: str = Field(alias="webhookId")
    work_order_id: int | None = Field(None, alias="workOrderId")
    event_name: str = Field("", alias="eventName")
    delivery_status: int = Field(0, alias="deliveryStatus")
    """The HTTP status of the last attempt (0: none answered yet)."""
    delivery_attempt: int = Field(0, alias="deliveryAttempt")
    created_at: str | None = Field(None, alias="createdAt")
