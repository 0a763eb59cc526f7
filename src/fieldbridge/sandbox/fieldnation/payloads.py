"""What the emulator accepts, validated strictly: unknown fields and wrong JSON types are refused with a
400 that names the field, rather than silently ignored (a mapping mistake should show up in tests)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from fieldbridge.sandbox.fieldnation.events import EVENT_NAMES

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
MessageType = Literal[
    "INTERNAL", "ASSIGNEDTECH", "REQUESTEDTECHS", "SPECIFICTECH", "FROMTECH",
    "REPLY", "TECHTOMANAGER", "ROUTEDTECHS", "REPLYTOTHREAD", "STAFF_NOTE",
]  # fmt: skip


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", populate_by_name=True)


class Ref(Strict):
    id: int


class RichTextIn(Strict):
    html: str


class LocalIn(Strict):
    date: str
    time: str


class FnDateIn(Strict):
    """`{"utc": ...}` or `{"local": {"date", "time"}}` (local = the work order's time zone); utc wins."""

    utc: str | None = None
    local: LocalIn | None = None

    @model_validator(mode="after")
    def _one_given(self) -> Self:
        if self.utc is None and self.local is None:
            raise ValueError("a date needs 'utc' or 'local'")
        return self


class ServiceWindowIn(Strict):
    mode: Literal["exact", "hours", "between"]
    start: FnDateIn
    end: FnDateIn | None = None

    @model_validator(mode="after")
    def _end_matches_mode(self) -> Self:
        if self.mode == "exact" and self.end is not None:
            raise ValueError("mode 'exact' takes a start only")
        if self.mode != "exact" and self.end is None:
            raise ValueError(f"mode {self.mode!r} needs an end")
        return self


class TimeZoneIn(Strict):
    id: int | None = None
    name: str | None = None

    @model_validator(mode="after")
    def _one_given(self) -> Self:
        if self.id is None and self.name is None:
            raise ValueError("time_zone needs 'id' or 'name'")
        return self


class ScheduleIn(Strict):
    service_window: ServiceWindowIn
    time_zone: TimeZoneIn | None = None


class CoordinatesIn(Strict):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class LocationIn(Strict):
    mode: Literal["custom", "remote", "location"]
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    coordinates: CoordinatesIn | None = None
    type: Ref | None = None
    saved_location: Ref | None = None

    @model_validator(mode="after")
    def _saved_location_matches_mode(self) -> Self:
        if self.mode == "location" and self.saved_location is None:
            raise ValueError("mode 'location' needs saved_location.id")
        if self.mode != "location" and self.saved_location is not None:
            raise ValueError(f"saved_location only goes with mode 'location', not {self.mode!r}")
        return self


class PayBaseIn(Strict):
    amount: float = Field(ge=0)
    units: float = Field(1, gt=0)


class PayIn(Strict):
    type: Literal["fixed", "hourly", "device", "blended"]
    base: PayBaseIn
    additional: PayBaseIn | None = None

    @model_validator(mode="after")
    def _blended_has_additional(self) -> Self:
        if (self.type == "blended") != (self.additional is not None):
            raise ValueError("'additional' goes with pay type 'blended' and only with it")
        return self


class ContactIn(Strict):
    name: NonEmpty
    role: str | None = None
    phone: str | None = None
    ext: str | None = None
    email: str | None = None
    notes: str | None = None


class WorkOrderUpdate(Strict):
    title: NonEmpty | None = None
    description: RichTextIn | None = None
    confidential: RichTextIn | None = None
    schedule: ScheduleIn | None = None
    location: LocationIn | None = None
    pay: PayIn | None = None
    contacts: list[ContactIn] | None = None
    closing_notes: str | None = None
    correlation_id: str | None = None
    type_of_work: Ref | None = None
    client: Ref | None = None
    project: Ref | None = None
    manager: Ref | None = None


class WorkOrderIn(WorkOrderUpdate):
    title: NonEmpty


class RouteIn(Strict):
    technician: Ref


class AssigneeIn(Strict):
    user: Ref


class CancelIn(Strict):
    cancel_reason: str | None = None


class CustomFieldValueIn(Strict):
    # Checked against the field's type by the operation, which can say what that type wants.
    value: Any


class CheckInOutIn(Strict):
    created: FnDateIn


class CheckInIn(Strict):
    """Body of `check_in` / `check_out`: optional; without it the time is now."""

    created: FnDateIn | None = None


class TimeLogIn(Strict):
    in_: CheckInOutIn = Field(alias="in")
    out: CheckInOutIn | None = None


class TimeLogUpdate(Strict):
    in_: CheckInOutIn | None = Field(None, alias="in")
    out: CheckInOutIn | None = None


class ExpenseIn(Strict):
    category: Ref
    amount: float = Field(gt=0)
    quantity: float = Field(1, gt=0)
    description: str = ""


class ExpenseReviewIn(Strict):
    status: Literal["approved", "rejected"]
    rejection_reason: str | None = None

    @model_validator(mode="after")
    def _reason_for_rejection(self) -> Self:
        if self.status == "rejected" and not (self.rejection_reason or "").strip():
            raise ValueError("rejecting an expense needs a rejection_reason")
        return self


class MessageIn(Strict):
    message: NonEmpty
    type: MessageType = "INTERNAL"
    to: Ref | None = None
    notify: bool = True

    @model_validator(mode="after")
    def _specific_needs_to(self) -> Self:
        if self.type == "SPECIFICTECH" and self.to is None:
            raise ValueError("type SPECIFICTECH needs 'to'")
        return self


class ReplyIn(Strict):
    message: NonEmpty
    notify: bool = True


class FolderIn(Strict):
    name: NonEmpty
    type: Literal["document", "slot"] = "document"


class AttachmentUpdate(Strict):
    notes: str | None = None
    folder_id: int | None = None


def _known_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(EVENT_NAMES))
    if unknown:
        raise ValueError(f"unknown event(s) {', '.join(unknown)}")
    return events


class WebhookUpdate(Strict):
    """Webhooks v3 speak camelCase. Only POST delivery is emulated, so `method` must be `post`."""

    url: NonEmpty | None = None
    method: Literal["post"] | None = None
    status: Literal["active", "inactive", "archived"] | None = None
    events: Annotated[list[str], Field(min_length=1)] | None = None
    secret: str | None = None
    notificationEmail: str | None = None

    @model_validator(mode="after")
    def _events_known(self) -> Self:
        if self.events is not None:
            _known_events(self.events)
        return self


class WebhookIn(WebhookUpdate):
    url: NonEmpty
    events: Annotated[list[str], Field(min_length=1)]
