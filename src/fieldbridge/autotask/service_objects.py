"""The Autotask records a connector can sync with work orders (the setup guide's Service Object Name), and
what the flows, the pollers and the checks need to know of each: one table, read by all of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from fieldbridge.autotask.metadata import FieldInfo

Name = Literal["ticket", "ServiceCall", "Project"]


@dataclass(frozen=True)
class ServiceObject:
    name: Name
    """The connector's setting."""
    entity: str
    """How events and links name a record of it ("Ticket 42")."""
    endpoint: str
    """Its REST entity path."""
    activity_field: str
    """The field Autotask stamps on every change of a record: what the reconciler polls."""


SERVICE_OBJECTS: dict[str, ServiceObject] = {
    s.name: s
    for s in (
        ServiceObject("ticket", "Ticket", "Tickets", "lastActivityDate"),
        ServiceObject("ServiceCall", "ServiceCall", "ServiceCalls", "lastModifiedDateTime"),
        ServiceObject("Project", "Project", "Projects", "lastActivityDateTime"),
    )
}


@dataclass(frozen=True)
class Related:
    """A record an inbound mapping can read through a service object's field (`Account.AccountName`)."""

    id_field: str
    endpoint: str
    names: tuple[str, ...]
    """The names the mappings read it under."""


RELATED = (
    Related("companyID", "Companies", ("Account", "Company")),
    Related("companyLocationID", "CompanyLocations", ("Location",)),
    Related("contactID", "Contacts", ("Contact",)),
)


def status_field(fields: Iterable[FieldInfo]) -> FieldInfo | None:
    """The `status` field among an entity's fields (Autotask's names are case-insensitive)."""
    return next((f for f in fields if f.name.lower() == "status"), None)
