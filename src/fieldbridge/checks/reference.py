"""The reference sheet: every value of a connector a person may need to copy (the guide's reference sheet,
kept by FieldBridge instead of a browser), secrets left out. Pure: the live parts (zone, statuses, webhook
ids) come in as the probes saw them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from fieldbridge.checks.connector_checks import status_uses
from fieldbridge.checks.facts import AutotaskFacts, Failure, FieldNationFacts, PicklistEntry
from fieldbridge.checks.webhook_plan import ours, ours_on_fieldnation, webhook_name

if TYPE_CHECKING:
    from fieldbridge.checks.context import ConnectorContext

SHOWN_CODE_CHARACTERS = 4
"""A custom integration code is shown by its last characters only: enough to tell which one is in use."""


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    value: str


def sheet(context: ConnectorContext, autotask: AutotaskFacts, fieldnation: FieldNationFacts) -> list[Entry]:
    config, view = context.config, context.view
    statuses = autotask.statuses if isinstance(autotask.statuses, tuple) else None
    entries = [
        ("connector", "Connector", config.name),
        ("autotask_username", "Autotask username (Key)", config.autotask_username or "not set"),
        ("autotask_discovery_url", "Autotask zone discovery", config.autotask_api_url),
        ("autotask_zone_url", "Autotask zone URL", _or_unknown(autotask.zone)),
        ("integration_code", "Integration code", _integration_code(context)),
        ("service_object", "Service object", config.service_object),
        ("outbound_create", "Outbound Create", "on" if config.outbound_create else "off"),
        ("new_ticket_status", "New ticket status", _status(config.outbound_default_status, statuses)),
        ("complete_status", "Complete status", _complete(statuses)),
        ("mapped_statuses", "Status ids in the mappings", _mapped_statuses(context, statuses)),
        ("expense_target", "Expenses/charges go to", _expense_target(config.expense_target)),
        ("attachment_sync", "Attachment sync", "on" if config.attachment_sync else "off"),
        ("mappings", "Mappings", _mappings(context)),
        ("trigger_url", "Trigger URL", context.trigger.masked() or "none issued"),
        ("trigger_conditions", "Trigger conditions", _conditions(context)),
        ("autotask_webhook", "Autotask ticket webhook", _autotask_webhook(context, autotask)),
        ("fieldnation_webhook", "Field Nation webhook", _fieldnation_webhook(context, fieldnation)),
        ("fieldnation_webhook_url", "Field Nation webhook URL", context.fieldnation_webhook_url),
        ("fieldnation_api_url", "Field Nation API", config.fieldnation_api_url),
        ("fieldnation_client_id", "Field Nation client id", config.fieldnation_client_id or "not set"),
        ("fieldnation_username", "Field Nation username", config.fieldnation_username or "not set"),
        ("fieldnation_company_id", "Field Nation company id", _or_not_set(view.fieldnation_company_id)),
        ("notification_emails", "Notification emails", ", ".join(config.notification_emails) or "none"),
    ]
    return [Entry(*entry) for entry in entries]


def as_text(entries: list[Entry]) -> str:
    """One block to copy: `Label: value` lines, values aligned."""
    width = max(len(e.label) for e in entries) + 1
    return "\n".join(f"{e.label + ':':<{width}} {e.value}" for e in entries)


def as_dict(entries: list[Entry]) -> dict[str, Any]:
    return {"entries": [asdict(e) for e in entries], "text": as_text(entries)}


def _or_unknown(value: str | Failure) -> str:
    return f"unknown ({value.summary})" if isinstance(value, Failure) else value


def _or_not_set(value: object) -> str:
    return "not set" if value is None else str(value)


def _integration_code(context: ConnectorContext) -> str:
    if not context.view.secrets_set.get("autotask_integration_code"):
        return "the default (Field Nation partner code)"
    code = context.config.autotask_integration_code
    tail = code.get_secret_value()[-SHOWN_CODE_CHARACTERS:] if code is not None else ""
    return f"custom, ending …{tail}"


def _status(status_id: int, statuses: tuple[PicklistEntry, ...] | None) -> str:
    label = next((s.label for s in statuses or () if s.value == status_id), None)
    return f"{status_id} ({label})" if label else f"{status_id} (not in the instance's picklist)"


def _complete(statuses: tuple[PicklistEntry, ...] | None) -> str:
    """By label, as the sync resolves it (the guide: "resolved by your instance's Complete ID")."""
    found = next((s for s in statuses or () if s.label.strip().lower() == "complete"), None)
    return f"{found.value} ({found.label})" if found else "unknown"


def _mapped_statuses(context: ConnectorContext, statuses: tuple[PicklistEntry, ...] | None) -> str:
    ids = sorted({int(str(v)) for _, v in status_uses(context.mappings) if str(v).isdigit()})
    return ", ".join(_status(i, statuses) for i in ids) or "none"


def _expense_target(target: str) -> str:
    return (
        "Service Desk charges (TicketCost)"
        if target == "charge"
        else "Expense module (ExpenseReport + ExpenseItem)"
    )


def _mappings(context: ConnectorContext) -> str:
    m = context.mappings
    return f"{context.mappings_origin}: {len(m.inbound)} inbound, {len(m.outbound)} outbound"


def _conditions(context: ConnectorContext) -> str:
    triggers = context.triggers
    status = ", ".join(map(str, triggers.status_becomes)) or "any"
    queues = ", ".join(map(str, triggers.queues)) or "any"
    return f"status becomes {status}; queue {queues}"


def _autotask_webhook(context: ConnectorContext, autotask: AutotaskFacts) -> str:
    if not isinstance(autotask.webhooks, tuple):
        return _or_unknown(autotask.webhooks) if autotask.webhooks else "unknown"
    found = ours(autotask.webhooks, webhook_name(context.name), context.trigger.carried_by)
    return f"{found[0].id} ({found[0].name})" if found else "none"


def _fieldnation_webhook(context: ConnectorContext, fieldnation: FieldNationFacts) -> str:
    if isinstance(fieldnation.webhooks, Failure):
        return _or_unknown(fieldnation.webhooks)
    found = ours_on_fieldnation(fieldnation.webhooks, context.fieldnation_webhook_url)
    return found[0].webhook_id if found else "none"
