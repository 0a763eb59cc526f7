"""What a connector's two webhooks should look like, and the changes that get there from what exists.

Pure: `provisioning` reads what exists and applies the changes; `webhook_checks` judges what exists against
the same rules. Finding the webhook that is ours before anything else is what makes provisioning safe to run
again: it updates that webhook instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from fieldbridge.autotask.webhook_fields import FIELD_IDS, FIELD_NAMES
from fieldbridge.checks.facts import TicketWebhook
from fieldbridge.fieldnation.models import Webhook as FieldNationWebhook
from fieldbridge.mapping.model import MappingSet
from fieldbridge.mapping.paths import autotask_names

# A person's edit of the status fires the webhook: it is the guide's trigger ("when a ticket reaches a
# specific status"). The fields the inbound mappings read are added, since a change anywhere else changes
# nothing in Field Nation; and the queue when the trigger conditions name queues, so moving a ticket into
# one imports it.
ALWAYS_SUBSCRIBED = ("status",)
QUEUE = "queueID"
# Sent with every event, so Autotask's delivery log names the ticket. Not the status: the sync reads a
# status in the payload as "the status changed to this" (trigger conditions), which would then be untrue.
DISPLAY_ALWAYS = ("title",)
# Inbound paths through a related record (`Account.AccountName`) change when the ticket's reference does.
_REFERENCES = {"account": "companyID", "company": "companyID", "contact": "contactID"}

# The work order events the sync acts on (Field Nation webhooks v3). Left out: the once-per-provider routing
# and request events, declines, tags and parts, which no mapping reads.
FIELDNATION_EVENTS: tuple[str, ...] = (
    "workorder.created",
    "workorder.status.draft",
    "workorder.status.published",
    "workorder.status.routed",
    "workorder.status.assigned",
    "workorder.status.confirmed",
    "workorder.status.assigned_cancelled",
    "workorder.status.on_my_way",
    "workorder.status.checked_in",
    "workorder.status.checked_out",
    "workorder.status.at_risk",
    "workorder.status.delayed",
    "workorder.status.work_done",
    "workorder.status.approved",
    "workorder.status.paid",
    "workorder.status.cancelled",
    "workorder.task_completed",
    "workorder.task_incomplete",
    "workorder.message_posted",
    "workorder.provider_upload",
    "workorder.custom_field_value_updated",
    "workorder.schedule_updated",
)

Action = Literal["create", "update", "delete"]
Part = Literal["webhook", "field", "excluded resource"]


@dataclass(frozen=True)
class Change:
    action: Action
    part: Part
    record_id: int | str | None
    """The record changed or deleted; None for a create."""
    values: Mapping[str, Any] = field(default_factory=dict, repr=False)
    """What is sent; may hold the webhook's secret, hence never shown (see `describe`)."""
    note: str = ""

    def describe(self) -> str:
        what = f"{self.action} {self.part}"
        return f"{what} {self.note}".rstrip() if self.note else what


def webhook_name(connector_name: str) -> str:
    return f"FieldBridge {connector_name}"


def subscribed_fields(mappings: MappingSet, queue_conditions: bool) -> tuple[str, ...]:
    """Ticket fields whose change fires the webhook, as the webhook field table spells them: the status,
    every field the inbound mappings read, and the queue when trigger conditions name queues.
    User-defined fields are left out: Autotask subscribes those by a per-tenant UDF id (UdfFields)."""
    names = dict.fromkeys((*ALWAYS_SUBSCRIBED, *((QUEUE,) if queue_conditions else ())))
    for mapping in mappings.inbound:
        for path in mapping.source_paths():
            if path.udf is not None or not path.keys:
                continue
            first = path.keys[0]
            reference = _REFERENCES.get(first.lower()) if len(path.keys) > 1 else None
            spellings = (reference,) if reference else autotask_names(first)
            known = next((FIELD_IDS[n.lower()] for n in spellings if n.lower() in FIELD_IDS), None)
            if known is not None:
                names[FIELD_NAMES[known]] = None
    return tuple(names)


@dataclass(frozen=True)
class AutotaskWebhookSpec:
    name: str
    url: str = field(repr=False)
    secret_key: str = field(repr=False)
    excluded_resource: int
    """Our own API user: its edits must not come back as events (Autotask advises to exclude it)."""
    subscribed: tuple[str, ...]
    display_always: tuple[str, ...] = DISPLAY_ALWAYS
    notification_email: str | None = None

    def record(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "webhookUrl": self.url,
            "secretKey": self.secret_key,
            "isActive": True,
            "isSubscribedToCreateEvents": True,
            "isSubscribedToUpdateEvents": True,
            "isSubscribedToDeleteEvents": False,
            "sendThresholdExceededNotification": self.notification_email is not None,
            "notificationEmailAddress": self.notification_email,
        }

    def field_flags(self) -> dict[int, tuple[bool, bool]]:
        """Webhook field id -> (subscribed, display always)."""
        names = dict.fromkeys((*self.subscribed, *self.display_always))
        return {FIELD_IDS[n.lower()]: (n in self.subscribed, n in self.display_always) for n in names}


def ours(
    webhooks: Iterable[TicketWebhook], name: str, points_at_us: Callable[[str], bool]
) -> list[TicketWebhook]:
    """The webhooks that are this connector's, best first: those posting to its trigger URL (its live
    token), then those of its name that post elsewhere (an old token, say). More than one is a duplicate."""
    found = [w for w in webhooks if points_at_us(w.url) or w.name == name]
    return sorted(found, key=lambda w: (not points_at_us(w.url), w.id))


def plan_autotask(spec: AutotaskWebhookSpec, existing: TicketWebhook | None) -> list[Change]:
    """The changes that make `existing` (None: there is none yet) what `spec` says, in the order to apply
    them: the webhook first, since its fields and exclusions hang off its id."""
    wanted = spec.record()
    if existing is None:
        changes = [Change("create", "webhook", None, wanted)]
        have_fields: dict[int, tuple[int, bool, bool]] = {}
        excluded: Mapping[int, int] = {}
    else:
        differs = {k: v for k, v in wanted.items() if _current(existing, k) != v}
        changes = [Change("update", "webhook", existing.id, differs, _keys(differs))] if differs else []
        have_fields = {f.field_id: (f.id, f.subscribed, f.display_always) for f in existing.fields}
        excluded = existing.excluded
    flags = spec.field_flags()
    for field_id, (subscribed, always) in flags.items():
        values = {"fieldID": field_id, "isSubscribedField": subscribed, "isDisplayAlwaysField": always}
        have = have_fields.get(field_id)
        if have is None:
            changes.append(Change("create", "field", None, values, f"#{field_id}"))
        elif have[1:] != (subscribed, always):
            changes.append(Change("update", "field", have[0], values, f"#{field_id}"))
    for field_id, (row_id, _, _) in have_fields.items():
        if field_id not in flags:
            changes.append(Change("delete", "field", row_id, note=f"#{field_id}"))
    if spec.excluded_resource not in excluded:
        values = {"resourceID": spec.excluded_resource}
        changes.append(Change("create", "excluded resource", None, values, f"#{spec.excluded_resource}"))
    return changes


def _current(hook: TicketWebhook, key: str) -> Any:
    """The existing webhook's value for a `record()` key; a secret Autotask does not show is never equal,
    so it is set again rather than assumed right."""
    return {
        "name": hook.name,
        "webhookUrl": hook.url,
        "secretKey": hook.secret_key if hook.secret_key is not None else object(),
        "isActive": hook.active,
        "isSubscribedToCreateEvents": hook.create_events,
        "isSubscribedToUpdateEvents": hook.update_events,
        "isSubscribedToDeleteEvents": hook.delete_events,
        "sendThresholdExceededNotification": hook.threshold_notification,
        "notificationEmailAddress": hook.notification_email,
    }[key]


def _keys(values: Mapping[str, Any]) -> str:
    return "(" + ", ".join(sorted(values)) + ")"


@dataclass(frozen=True)
class FieldNationWebhookSpec:
    url: str
    secret: str = field(repr=False)
    events: tuple[str, ...] = FIELDNATION_EVENTS
    notification_email: str | None = None


def ours_on_fieldnation(webhooks: Iterable[FieldNationWebhook], url: str) -> list[FieldNationWebhook]:
    return [w for w in webhooks if w.url == url]


def plan_fieldnation(spec: FieldNationWebhookSpec, existing: FieldNationWebhook | None) -> list[Change]:
    if existing is None:
        values = {
            "url": spec.url,
            "events": list(spec.events),
            "secret": spec.secret,
            "notification_email": spec.notification_email,
        }
        return [Change("create", "webhook", None, values)]
    differs: dict[str, Any] = {}
    if set(existing.events) != set(spec.events):
        differs["events"] = list(spec.events)
    if existing.status != "active":
        differs["status"] = "active"
    if existing.secret != spec.secret:  # None (not shown) included: set it rather than assume it is right
        differs["secret"] = spec.secret
    return [Change("update", "webhook", existing.webhook_id, differs, _keys(differs))] if differs else []
