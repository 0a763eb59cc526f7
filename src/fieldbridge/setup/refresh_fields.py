"""Refresh Fields: what the connector's mappings may read and write, fetched from both sides and kept as
the field catalog that mapping validation checks against. Autotask: fields, UDFs and picklists of each
entity the connector's settings use. Field Nation: company custom fields, expense categories, statuses.
The guide: UDFs are discovered only when this runs, so run it again after adding one in Autotask."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from fieldbridge import fieldnation
from fieldbridge.autotask import AutotaskClient, AutotaskError, Limits
from fieldbridge.autotask.service_objects import SERVICE_OBJECTS
from fieldbridge.setup.connection_check import Step
from fieldbridge.store import field_catalog
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.store.database import Database
from fieldbridge.sync.clients import autotask_client, fieldnation_client

# Field Nation's work order statuses (ids 1-7 and 9).
FIELDNATION_STATUSES = {
    1: "Draft",
    2: "Published",
    3: "Assigned",
    4: "Work Done",
    5: "Approved",
    6: "Paid",
    7: "Cancelled",
    9: "Routed",
}


class Refreshed(BaseModel):
    autotask: dict[str, int]
    """Fields (user-defined ones included) found per Autotask entity."""
    fieldnation: dict[str, int]
    """Entries found per kind: custom fields, expense categories, statuses."""
    problems: list[Step]
    """What could not be read, with the likely cause and fix; everything else was stored."""


# The standard work order fields the guide's mapping tables name, as the sync flows present a work order
# (`sync.outbound_rules.outbound_source`: `notes`, `time_window`, `time_logs`, `expenses`). Field Nation lists
# only custom fields, so without these the catalog refused every standard mapping. Objects and lists let
# their nested paths through (`location.name`, `time_logs[0].StartDateTime`); stored after the expense
# categories, whose `expenses[0].category.name` choices are found first.
WORK_ORDER_FIELDS = (
    ("title", "text"),
    ("description", "text"),
    ("status", "object"),
    ("schedule", "object"),
    ("time_window", "object"),
    ("location", "object"),
    ("closing_notes", "text"),
    ("notes", "text"),
    ("time_logs", "array"),
    ("expenses", "array"),
    ("messages", "object"),
    ("attachments", "object"),
    ("correlation_id", "text"),
)


def autotask_entities(config: ConnectorConfig) -> list[str]:
    entities = [SERVICE_OBJECTS[config.service_object].endpoint, "Companies", "TicketNotes", "TimeEntries"]
    entities += ["TicketCharges"] if config.expense_target == "charge" else ["ExpenseReports", "ExpenseItems"]
    if config.attachment_sync:
        entities.append("TicketAttachments")
    return entities


@dataclasses.dataclass
class Fetched:
    """What Refresh Fields read, not stored yet: `fieldbridge apply` validates mappings against it before it
    saves anything."""

    outcome: Refreshed
    entries: list[tuple[str, str, dict[str, Any]]] = dataclasses.field(default_factory=list)
    """(system, entity, fields) per catalog row."""

    def catalog(self) -> dict[str, Any]:
        """The catalog these entries make, in the shape mapping validation reads."""
        return field_catalog.assemble(self.entries)

    def save(self, session: Session, connector_id: int, now: datetime) -> None:
        for system, entity, fields in self.entries:
            field_catalog.save(session, connector_id, system, entity, fields, now)


def refresh(db: Database, config: ConnectorConfig, limits: Limits, now: datetime) -> Refreshed:
    fetched = fetch(config, limits)
    with db.transaction() as session:
        fetched.save(session, config.id, now)
    return fetched.outcome


def fetch(config: ConnectorConfig, limits: Limits) -> Fetched:
    """Read both sides' fields; what cannot be read is in `outcome.problems`, with the cause and fix."""
    fetched = Fetched(Refreshed(autotask={}, fieldnation={}, problems=[]))
    outcome = fetched.outcome

    def store(system: str, entity: str, fields: dict[str, Any]) -> None:
        fetched.entries.append((system, entity, fields))

    try:
        autotask = autotask_client(config, limits)
    except ValueError as missing:
        outcome.problems.append(_problem("Autotask", str(missing), "Enter the Autotask credentials first"))
    else:
        with autotask:
            _autotask(autotask, autotask_entities(config), store, outcome)
    try:
        client = fieldnation_client(config)
    except ValueError as missing:
        outcome.problems.append(
            _problem("Field Nation", str(missing), "Enter the Field Nation credentials first")
        )
    else:
        with client:
            _fieldnation(client, config.fieldnation_company_id, store, outcome)
    return fetched


Store = Callable[[str, str, dict[str, Any]], None]


def _autotask(client: AutotaskClient, entities: list[str], store: Store, outcome: Refreshed) -> None:
    client.refresh_metadata()  # the cache would otherwise answer with what it read before
    for entity in entities:
        try:
            fields = [_camel_case(dataclasses.asdict(field)) for field in client.fields(entity)]
            has_udfs = client.entity_info(entity).has_user_defined_fields
            udfs = (
                [_camel_case(dataclasses.asdict(udf)) for udf in client.user_defined_fields(entity)]
                if has_udfs
                else []
            )
        except AutotaskError as error:
            cause = error.cause.problem if error.cause else error.summary
            outcome.problems.append(_problem(f"Autotask {entity}", cause, error.fix or ""))
            continue
        store("autotask", entity, {"fields": fields, "userDefinedFields": udfs})
        outcome.autotask[entity] = len(fields) + len(udfs)


def _fieldnation(
    client: fieldnation.FieldNationClient, company_id: int | None, store: Store, outcome: Refreshed
) -> None:
    try:
        custom = [
            {"name": f"custom_fields.{field.name}", "type": field.type, "options": field.options or None}
            for category in client.custom_fields.company()
            for field in category.results
        ]
        categories = client.expenses.categories(company_id) if company_id is not None else None
    except fieldnation.FieldNationError as error:
        outcome.problems.append(
            _problem("Field Nation", str(error), "Run the connection test: save the credentials")
        )
        return
    store("fieldnation", "custom_fields", {"fields": custom})
    outcome.fieldnation["custom_fields"] = len(custom)
    if categories is None:
        fix = "Set fieldnation_company_id on the connector to read its expense categories"
        outcome.problems.append(_problem("Field Nation expense categories", "no company id is set", fix))
    else:
        labels = [category.label for category in categories]
        store("fieldnation", "expense_categories", {"fields": [_choice("expenses[0].category.name", labels)]})
        outcome.fieldnation["expense_categories"] = len(labels)
    statuses = [
        _choice("status_id", [str(status) for status in FIELDNATION_STATUSES], "numeric"),
        _choice("status.name", list(FIELDNATION_STATUSES.values())),
    ]
    store("fieldnation", "statuses", {"fields": statuses})
    outcome.fieldnation["statuses"] = len(FIELDNATION_STATUSES)
    store("fieldnation", "workorder", {"fields": [_field(path, kind) for path, kind in WORK_ORDER_FIELDS]})
    outcome.fieldnation["workorder"] = len(WORK_ORDER_FIELDS)


def _field(path: str, kind: str) -> dict[str, Any]:
    return {"name": path, "type": kind}


def _choice(path: str, options: list[str], kind: str = "predefined") -> dict[str, Any]:
    return {"name": path, "type": kind, "options": options}


def _camel_case(value: Any) -> Any:
    """The client's snake_case metadata back in the API's camelCase, the shape the mapping catalog reads."""
    if isinstance(value, dict):
        return {_camel(key): _camel_case(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_camel_case(item) for item in value]
    return value


def _camel(key: str) -> str:
    first, *rest = key.split("_")
    return first + "".join(word.capitalize() for word in rest)


def _problem(what: str, cause: str, fix: str) -> Step:
    return Step(name=what, status="fail", detail=cause, cause=cause, fix=fix)
