"""Child collections such as `Tickets/{id}/Notes`: the only routes that create notes, charges, attachments,
expense items, company locations and contacts, and a ticket webhook's fields and excluded resources (the
root routes of those entities are query/GET only)."""

from __future__ import annotations

from dataclasses import dataclass

# (parent path, child segment) -> the entity its records belong to (the one to query or describe).
CHILD_ENTITIES: dict[tuple[str, str], str] = {
    ("Tickets", "Notes"): "TicketNotes",
    ("Tickets", "Charges"): "TicketCharges",
    ("Tickets", "Attachments"): "TicketAttachments",
    ("Expenses", "Items"): "ExpenseItems",
    ("Companies", "Locations"): "CompanyLocations",
    ("Companies", "Contacts"): "Contacts",
    ("TicketWebhooks", "Fields"): "TicketWebhookFields",
    ("TicketWebhooks", "UdfFields"): "TicketWebhookUdfFields",
    ("TicketWebhooks", "ExcludedResources"): "TicketWebhookExcludedResources",
}


@dataclass(frozen=True)
class ChildCollection:
    """E.g. `ChildCollection("Tickets", 7003, "Notes")`; accepted wherever the client takes an entity."""

    parent: str
    parent_id: int
    name: str

    def __post_init__(self) -> None:
        if (self.parent, self.name) not in CHILD_ENTITIES:
            known = ", ".join(f"{p}/{{id}}/{c}" for p, c in CHILD_ENTITIES)
            raise ValueError(
                f"Autotask has no child collection {self.parent}/{{id}}/{self.name}; known: {known}"
            )

    @property
    def path(self) -> str:
        return f"{self.parent}/{self.parent_id}/{self.name}"

    @property
    def entity(self) -> str:
        return CHILD_ENTITIES[(self.parent, self.name)]
