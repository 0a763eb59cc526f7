"""Checks of a connector's sync options against the instance: the time entry resource and role, the trigger
conditions, and every other id the options name (note type and publish level, charge type, expense category,
payment type). Ids differ per instance, and the sync writes them as they are: a wrong one fails every write
that carries it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from fieldbridge.checks.facts import Failure, InstanceIds, PicklistEntry, Resource
from fieldbridge.checks.findings import Finding
from fieldbridge.sync.options import SyncOptions

TIME_RESOURCE = "time entry resource"
TIME_ROLE = "time entry role"
TRIGGERS = "trigger conditions"
OPTION_IDS = "sync option ids"

QUEUES = ("Tickets", "queueID")


@dataclass(frozen=True)
class OptionUse:
    option: str
    """The option's dotted key, as `fieldbridge sync-options set --set` takes it."""
    picklist: tuple[str, str]
    values: tuple[int, ...]
    many: bool = False
    """A list option: set as `[<id>, ...]`."""


def picklists_named(options: SyncOptions, expense_target: str, attachment_sync: bool) -> list[OptionUse]:
    """The picklist ids the sync writes or filters by with these settings (charges or expense items, as the
    expense target says; the attachment publish level only while attachments sync)."""
    notes = options.note_messages
    uses = [
        OptionUse("note_type", ("TicketNotes", "noteType"), (options.note_type,)),
        OptionUse("note_publish", ("TicketNotes", "publish"), (options.note_publish,)),
        OptionUse("note_messages.publish", ("TicketNotes", "publish"), tuple(notes.publish), many=True),
        OptionUse(
            "note_messages.note_types", ("TicketNotes", "noteType"), tuple(notes.note_types), many=True
        ),
        OptionUse("triggers.queues", QUEUES, tuple(options.triggers.queues), many=True),
    ]
    if attachment_sync:
        publish = OptionUse(
            "attachment_publish", ("TicketAttachments", "publish"), (options.attachment_publish,)
        )
        uses.append(publish)
    if expense_target == "charge":
        uses.append(OptionUse("charge_type", ("TicketCharges", "chargeType"), (options.charge_type,)))
    else:
        uses += [
            OptionUse("expense_category", ("ExpenseItems", "expenseCategory"), (options.expense_category,)),
            OptionUse("payment_type", ("ExpenseItems", "paymentType"), (options.payment_type,)),
        ]
    return uses


def sync_options(
    options: SyncOptions,
    connector: str,
    uses: list[OptionUse],
    ids: InstanceIds | Failure | None,
    statuses: tuple[PicklistEntry, ...] | Failure | None,
) -> list[Finding]:
    """An unset resource or role fails without a look at the instance; the ids named are judged against it."""
    findings = [trigger_conditions(options, connector)]
    if not isinstance(ids, InstanceIds):
        unread = (
            "not checked: the API user did not sign in"
            if ids is None
            else f"not checked: the instance's ids could not be read: {ids.summary}"
        )
        resource, role = _unset_resource(connector), _unset_role(connector)
        return [
            *findings,
            resource if options.resource_id is None else Finding(TIME_RESOURCE, "skip", unread),
            role if options.role_id is None else Finding(TIME_ROLE, "skip", unread),
            Finding(OPTION_IDS, "skip", unread),
        ]
    becomes = tuple(options.triggers.status_becomes)
    status_use = OptionUse("triggers.status_becomes", ("Tickets", "status"), becomes, many=True)
    picklists = dict(ids.picklists)
    if isinstance(statuses, tuple):
        picklists[status_use.picklist] = statuses
    return [
        *findings,
        time_resource(options.resource_id, ids.resources, connector),
        time_role(options.role_id, ids.roles, connector),
        *option_ids([status_use, *uses], picklists, connector),
    ]


def _fix(connector: str, option: str, value: str) -> str:
    return f"`fieldbridge sync-options set {connector} --set {option}={value}`"


def trigger_conditions(options: SyncOptions, connector: str) -> Finding:
    triggers = options.triggers
    if triggers.status_becomes or triggers.queues:
        statuses = ", ".join(map(str, triggers.status_becomes)) or "any"
        queues = ", ".join(map(str, triggers.queues)) or "any"
        seen = f"imports tickets whose status becomes {statuses}, in queues {queues}"
        return Finding(TRIGGERS, "pass", seen)
    return Finding(
        TRIGGERS,
        "warn",
        "no trigger conditions are set: every ticket created or updated in this Autotask instance would "
        "become a Field Nation work order",
        "Name the status that sends a ticket to Field Nation (and the queues, if any): "
        + _fix(connector, "triggers.status_becomes", "[<status id>]"),
    )


def _resource_fix(connector: str) -> str:
    return "Set the resource Field Nation work is booked to (Admin > Resources (Users)): " + _fix(
        connector, "resource_id", "<resource id>"
    )


def _unset_resource(connector: str) -> Finding:
    return Finding(
        TIME_RESOURCE,
        "fail",
        'resource_id is not set: every time log would be retried with "Missing required field '
        "'resourceID'\", and no expense report could be submitted",
        _resource_fix(connector),
    )


def _role_fix(connector: str, roles: tuple[PicklistEntry, ...] = ()) -> str:
    listed = ", ".join(f"{r.value} {r.label}" for r in roles if r.active)
    choose = f", one of: {listed}" if listed else " (Admin > Roles)"
    return f"Set the role time entries are booked as{choose}: " + _fix(connector, "role_id", "<role id>")


def _unset_role(connector: str, roles: tuple[PicklistEntry, ...] = ()) -> Finding:
    return Finding(
        TIME_ROLE,
        "fail",
        "role_id is not set: every time log would be retried with \"Missing required field 'roleID'\"",
        _role_fix(connector, roles),
    )


def time_resource(resource_id: int | None, found: Mapping[int, Resource], connector: str) -> Finding:
    if resource_id is None:
        return _unset_resource(connector)
    resource = found.get(resource_id)
    if resource is None:
        seen = f"resource_id {resource_id} is not a resource of this instance"
        return Finding(TIME_RESOURCE, "fail", seen, _resource_fix(connector))
    if not resource.active:
        seen = f"resource {resource_id} is inactive: Autotask refuses its time entries"
        return Finding(TIME_RESOURCE, "fail", seen, _resource_fix(connector))
    if resource.api_only:
        seen = (
            f"resource {resource_id} is an API user: Autotask lets API users own no time entry, so it "
            "would refuse every one"
        )
        return Finding(TIME_RESOURCE, "fail", seen, _resource_fix(connector))
    return Finding(TIME_RESOURCE, "pass", f"resource {resource_id}, active")


def time_role(role_id: int | None, roles: tuple[PicklistEntry, ...], connector: str) -> Finding:
    if role_id is None:
        return _unset_role(connector, roles)
    role = next((r for r in roles if r.value == role_id), None)
    if role is None:
        seen = f"role_id {role_id} is not a role of this instance"
        return Finding(TIME_ROLE, "fail", seen, _role_fix(connector, roles))
    if not role.active:
        return Finding(
            TIME_ROLE, "fail", f"role {role_id} ({role.label}) is inactive", _role_fix(connector, roles)
        )
    return Finding(TIME_ROLE, "pass", f"role {role_id} ({role.label})")


def option_ids(
    uses: list[OptionUse], picklists: dict[tuple[str, str], tuple[PicklistEntry, ...]], connector: str
) -> list[Finding]:
    """One failure per id not in its picklist (with the ids to choose from), a warning per option whose
    picklist the instance does not give, else one pass for them all."""
    findings = list(_unknown(uses, picklists, connector))
    if findings:
        return findings
    checked = ", ".join(f"{u.option} {', '.join(map(str, u.values))}" for u in uses if u.values)
    return [Finding(OPTION_IDS, "pass", f"every id is in the instance's picklists: {checked}")]


def _unknown(
    uses: list[OptionUse], picklists: dict[tuple[str, str], tuple[PicklistEntry, ...]], connector: str
) -> Iterator[Finding]:
    for use in uses:
        entries = picklists.get(use.picklist)
        if entries is None:
            continue  # not read (the status picklist could not be): the status mapping check says so
        entity, field = use.picklist
        if not entries and use.values:
            seen = f"{use.option}: not confirmed: the instance gives no picklist for {entity}.{field}"
            yield Finding(
                OPTION_IDS, "warn", seen, f"Check {use.option} against Autotask's {entity} settings"
            )
            continue
        known = {e.value for e in entries}
        listed = ", ".join(f"{e.value} {e.label}" for e in entries if e.active)
        for value in use.values:
            if value not in known:
                yield Finding(
                    OPTION_IDS,
                    "fail",
                    f"{use.option}: {value} is not in the instance's {entity}.{field} picklist",
                    f"Use one of: {listed}: "
                    + _fix(connector, use.option, "[<id>, ...]" if use.many else "<id>"),
                )
