"""The read-only calls the checks are judged from. Nothing here writes: entityInformation tells the API
user's access without trying it, counts and queries read, and a failed read becomes a `Failure` to judge.

The first call made with the credentials (the first entityInformation) is the sign-in: when Autotask
refuses it, nothing else is asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fieldbridge import fieldnation
from fieldbridge.autotask import (
    AutotaskClient,
    AutotaskError,
    ChildCollection,
    EntityInfo,
    eq,
    not_exist,
    where,
)
from fieldbridge.autotask.service_objects import status_field
from fieldbridge.checks.facts import (
    AutotaskFacts,
    Failure,
    FieldNationFacts,
    InstanceIds,
    PicklistEntry,
    Resource,
    TicketVisibility,
    TicketWebhook,
    WebhookField,
)
from fieldbridge.checks.permissions import AUDITED_ENTITIES, Access, Operation

T = TypeVar("T")
WebhookFilter = Callable[[str, str], bool]
"""(name, url) -> whether a ticket webhook may be the connector's, so its fields are worth reading."""


def autotask_facts(
    client: AutotaskClient,
    discovery_url: str,
    webhooks: WebhookFilter | None = None,
    named: NamedIds | None = None,
) -> AutotaskFacts:
    """Everything the Autotask checks need; `webhooks` given: the ticket webhooks too, and `named`: what
    the instance holds of the ids a connector's sync options name (connector checks)."""
    try:
        zone = client.zone_url()
    except AutotaskError as error:
        return AutotaskFacts(discovery_url, Failure.of(error))
    try:
        first = client.entity_info(AUDITED_ENTITIES[0])
    except AutotaskError as error:
        return AutotaskFacts(discovery_url, zone, login=Failure.of(error))
    return AutotaskFacts(
        discovery_url,
        zone,
        access=_read(lambda: _access(client, first)),
        resource=_read(lambda: own_resource(client)),
        tickets=_read(lambda: _tickets(client)),
        statuses=_read(lambda: ticket_statuses(client)),
        webhooks=_read(lambda: ticket_webhooks(client, webhooks)) if webhooks is not None else None,
        ids=_read(lambda: instance_ids(client, named)) if named is not None else None,
    )


def reference_facts(client: AutotaskClient, discovery_url: str, webhooks: WebhookFilter) -> AutotaskFacts:
    """Only what the reference sheet shows: the zone, the status picklist and the ticket webhooks."""
    try:
        zone = client.zone_url()
    except AutotaskError as error:
        return AutotaskFacts(discovery_url, Failure.of(error))
    statuses = _read(lambda: ticket_statuses(client))
    hooks = _read(lambda: ticket_webhooks(client, webhooks))
    return AutotaskFacts(discovery_url, zone, statuses=statuses, webhooks=hooks)


def _read(read: Callable[[], T]) -> T | Failure:
    try:
        return read()
    except AutotaskError as error:
        return Failure.of(error)


def _access(client: AutotaskClient, first: EntityInfo) -> Access:
    infos = [first, *(client.entity_info(entity) for entity in AUDITED_ENTITIES[1:])]
    return {entity: _levels(info) for entity, info in zip(AUDITED_ENTITIES, infos, strict=True)}


def _levels(info: EntityInfo) -> dict[Operation, str]:
    return {
        "query": info.user_access_for_query or "None",
        "create": info.user_access_for_create or "None",
        "update": info.user_access_for_update or "None",
        "delete": info.user_access_for_delete or "None",
    }


RESOURCE_FIELDS = ("id", "resourceType", "isActive")


def _resource(record: dict[str, Any]) -> Resource:
    return Resource(int(record["id"]), record.get("resourceType"), bool(record.get("isActive")))


def own_resource(client: AutotaskClient) -> Resource | Failure:
    """The API user's own resource: its id is what a webhook excludes to avoid echoes."""
    query = where(eq("userName", client.username), include_fields=RESOURCE_FIELDS, max_records=2)
    found = next(iter(client.query("Resources", query)), None)
    if found is None:
        return Failure(f"no resource has the user name {client.username}")
    return _resource(found)


@dataclass(frozen=True)
class NamedIds:
    resource_id: int | None
    picklists: tuple[tuple[str, str], ...]
    """(entity, field) of every picklist an option names a value of."""


def instance_ids(client: AutotaskClient, named: NamedIds) -> InstanceIds:
    resources: dict[int, Resource] = {}
    if named.resource_id is not None:
        query = where(eq("id", named.resource_id), include_fields=RESOURCE_FIELDS, max_records=1)
        resources = {int(r["id"]): _resource(r) for r in client.query("Resources", query)}
    roles = tuple(
        PicklistEntry(int(r["id"]), str(r.get("name") or ""), r.get("isActive") is not False)
        for r in client.query("Roles", where(include_fields=["id", "name", "isActive"]))
    )
    return InstanceIds(resources, roles, {key: picklist(client, *key) for key in set(named.picklists)})


def picklist(client: AutotaskClient, entity: str, field: str) -> tuple[PicklistEntry, ...]:
    """The field's picklist (fields compared case-insensitively: Autotask's casing varies); empty when the
    entity has no such field."""
    info = next((f for f in client.fields(entity) if f.name.lower() == field.lower()), None)
    values = info.picklist_values if info is not None else ()
    return tuple(PicklistEntry(int(v.value), v.label, v.is_active is not False) for v in values)


def _tickets(client: AutotaskClient) -> TicketVisibility:
    return TicketVisibility(
        client.count("Tickets", where()),
        client.count("Tickets", where(not_exist("organizationalLevelAssociationID"))),
    )


def ticket_statuses(client: AutotaskClient) -> tuple[PicklistEntry, ...]:
    status = status_field(client.fields("Tickets"))
    values = status.picklist_values if status is not None else ()
    return tuple(PicklistEntry(int(v.value), v.label, v.is_active is not False) for v in values)


def ticket_webhooks(client: AutotaskClient, wanted: WebhookFilter | None = None) -> tuple[TicketWebhook, ...]:
    """Every ticket webhook; the fields and excluded resources of those `wanted` says may be ours."""
    hooks = []
    for row in client.query("TicketWebhooks", where()):
        name, url = str(row.get("name") or ""), str(row.get("webhookUrl") or "")
        children = wanted is None or wanted(name, url)
        hooks.append(_webhook(client, row, name, url, children))
    return tuple(hooks)


def _webhook(
    client: AutotaskClient, row: dict[str, Any], name: str, url: str, children: bool
) -> TicketWebhook:
    hook_id = int(row["id"])
    fields = client.children(ChildCollection("TicketWebhooks", hook_id, "Fields")) if children else []
    excluded = (
        client.children(ChildCollection("TicketWebhooks", hook_id, "ExcludedResources")) if children else []
    )
    return TicketWebhook(
        id=hook_id,
        name=name,
        url=url,
        active=bool(row.get("isActive")),
        ready=bool(row.get("isReady")),
        create_events=bool(row.get("isSubscribedToCreateEvents")),
        update_events=bool(row.get("isSubscribedToUpdateEvents")),
        delete_events=bool(row.get("isSubscribedToDeleteEvents")),
        secret_key=row.get("secretKey"),
        notification_email=row.get("notificationEmailAddress"),
        threshold_notification=bool(row.get("sendThresholdExceededNotification")),
        fields=tuple(
            WebhookField(
                int(f["id"]),
                int(f["fieldID"]),
                bool(f.get("isSubscribedField")),
                bool(f.get("isDisplayAlwaysField")),
            )
            for f in fields
        ),
        excluded={int(r["resourceID"]): int(r["id"]) for r in excluded},
    )


def fieldnation_facts(client: fieldnation.FieldNationClient) -> FieldNationFacts:
    try:
        return FieldNationFacts(tuple(client.webhooks.list()))
    except fieldnation.FieldNationError as error:
        return FieldNationFacts(Failure.of(error))
