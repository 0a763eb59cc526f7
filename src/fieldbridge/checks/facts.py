"""What the read-only probes saw, as plain data. `probes` fills it in; the checks judge it without I/O.

A value that could not be read is a `Failure` (what was answered, and the guide's cause when one applies);
None means it was not looked at, because a step before it failed or the check does not need it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fieldbridge import fieldnation
from fieldbridge.autotask import AutotaskError, Cause
from fieldbridge.checks.permissions import Access
from fieldbridge.checks.troubleshooting import Row, row_for
from fieldbridge.fieldnation.models import Webhook as FieldNationWebhook


@dataclass(frozen=True)
class Failure:
    summary: str
    """What was answered, or that nothing was (client errors never hold a credential)."""
    cause: Cause | None = None
    row: Row | None = None
    """The setup guide's troubleshooting row, when it has one for this cause."""
    answered: bool = True
    """False when no answer came at all: the host could not be reached or did not answer in time."""
    asked: bool = True
    """False when nothing was asked: the client could not be made (a credential is missing)."""

    @classmethod
    def of(cls, error: AutotaskError | fieldnation.FieldNationError) -> Failure:
        if isinstance(error, AutotaskError):
            return cls(error.summary, error.cause, row_for(error.cause), error.status is not None)
        return cls(str(error), answered=not isinstance(error, fieldnation.TransportError))

    @property
    def fix(self) -> str:
        return self.cause.fix if self.cause else ""


API_USER = "API User"
"""The resource type of API users: Autotask lets them create records, never be assigned to or own one."""


@dataclass(frozen=True)
class Resource:
    """A resource record as the checks read it: the API user's own, or the time entry resource."""

    id: int
    resource_type: str | None
    active: bool

    @property
    def api_only(self) -> bool:
        return self.resource_type == API_USER


@dataclass(frozen=True)
class TicketVisibility:
    """How many tickets the API user sees, and how many of them have no Line of Business."""

    visible: int
    without_line_of_business: int


@dataclass(frozen=True)
class PicklistEntry:
    value: int
    label: str
    active: bool


@dataclass(frozen=True)
class InstanceIds:
    """What this instance holds of the ids the sync options name: ids differ per instance."""

    resources: Mapping[int, Resource]
    """The named time entry resource, when it exists."""
    roles: tuple[PicklistEntry, ...]
    """Every role, so a wrong one can be told with the ones to choose from."""
    picklists: Mapping[tuple[str, str], tuple[PicklistEntry, ...]]
    """(entity, field) -> its picklist, for every picklist a sync option names a value of."""


@dataclass(frozen=True)
class WebhookField:
    id: int
    field_id: int
    subscribed: bool
    display_always: bool


@dataclass(frozen=True)
class TicketWebhook:
    id: int
    name: str
    url: str = field(repr=False)
    """Holds the trigger URL's client token when it points at us."""
    active: bool
    ready: bool
    create_events: bool
    update_events: bool
    delete_events: bool
    secret_key: str | None = field(repr=False)
    """None when Autotask did not show it."""
    notification_email: str | None
    threshold_notification: bool
    fields: tuple[WebhookField, ...] = ()
    excluded: Mapping[int, int] = field(default_factory=dict)
    """Excluded resource id -> the exclusion's own id."""


@dataclass(frozen=True)
class AutotaskFacts:
    discovery_url: str
    zone: str | Failure
    """The zone URL discovery answered."""
    login: Failure | None = None
    """Set when the first call with the credentials was refused (or the zone could not be reached)."""
    access: Access | Failure | None = None
    resource: Resource | Failure | None = None
    tickets: TicketVisibility | Failure | None = None
    statuses: tuple[PicklistEntry, ...] | Failure | None = None
    webhooks: tuple[TicketWebhook, ...] | Failure | None = None
    ids: InstanceIds | Failure | None = None
    """Read for a saved connector only: what its sync options name."""

    @property
    def signed_in(self) -> bool:
        return isinstance(self.zone, str) and self.login is None


@dataclass(frozen=True)
class FieldNationFacts:
    webhooks: tuple[FieldNationWebhook, ...] | Failure
