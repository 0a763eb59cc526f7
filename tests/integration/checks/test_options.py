"""The check judges a connector's sync options against the instance: the time entry resource and role, the
trigger conditions, and every picklist id the options name, each with what was seen and the fix."""

from __future__ import annotations

from typing import Any

from fieldbridge.sandbox.autotask.seed import QUEUE, ROLE, STATUS
from tests.integration.checks.bridge import DISPATCHER, Bridge, instance_options

ROLES = "29682831 Field Technician, 29682832 Help Desk, 29682834 Dispatcher"


def rows(bridge: Bridge, name: str, *checks: str) -> list[tuple[str, str, str, str]]:
    """(check, status, seen, fix) of the named checks, in the report's order."""
    report: dict[str, Any] = bridge.check(name)
    return [
        (f["check"], f["status"], f["seen"], f["fix"]) for f in report["findings"] if f["check"] in checks
    ]


def with_options(bridge: Bridge, options: dict[str, Any], **connector: Any) -> str:
    name, _ = bridge.create(**connector)
    bridge.save_options(name, options)
    return name


def test_the_defaults_fail_on_the_unset_resource_and_role_and_warn_without_trigger_conditions(
    bridge: Bridge,
) -> None:
    name = with_options(bridge, {})
    set_it = f"`fieldbridge sync-options set {name} --set"
    assert rows(bridge, name, "trigger conditions", "time entry resource", "time entry role") == [
        (
            "trigger conditions",
            "warn",
            "no trigger conditions are set: every ticket created or updated in this Autotask instance "
            "would become a Field Nation work order",
            "Name the status that sends a ticket to Field Nation (and the queues, if any): "
            f"{set_it} triggers.status_becomes=[<status id>]`",
        ),
        (
            "time entry resource",
            "fail",
            'resource_id is not set: every time log would be retried with "Missing required field '
            "'resourceID'\", and no expense report could be submitted",
            "Set the resource Field Nation work is booked to (Admin > Resources (Users)): "
            f"{set_it} resource_id=<resource id>`",
        ),
        (
            "time entry role",
            "fail",
            "role_id is not set: every time log would be retried with \"Missing required field 'roleID'\"",
            f"Set the role time entries are booked as, one of: {ROLES}: {set_it} role_id=<role id>`",
        ),
    ]


def test_a_resource_and_role_unknown_to_the_instance_fail_and_an_inactive_or_api_user_resource_too(
    bridge: Bridge,
) -> None:
    name = with_options(bridge, instance_options(resource_id=4242, role_id=31))
    assert [
        (c, s, seen) for c, s, seen, _ in rows(bridge, name, "time entry resource", "time entry role")
    ] == [
        ("time entry resource", "fail", "resource_id 4242 is not a resource of this instance"),
        ("time entry role", "fail", "role_id 31 is not a role of this instance"),
    ]
    inactive = bridge.at.user("svc-inactive")["resource_id"]
    bridge.save_options(name, instance_options(resource_id=inactive))
    [(_, status, seen, fix)] = rows(bridge, name, "time entry resource")
    assert (status, seen) == ("fail", f"resource {inactive} is inactive: Autotask refuses its time entries")
    assert fix.endswith(f"`fieldbridge sync-options set {name} --set resource_id=<resource id>`")
    api_user = bridge.at.user("svc-fieldnation")["resource_id"]
    bridge.save_options(name, instance_options(resource_id=api_user))
    [(_, status, seen, _)] = rows(bridge, name, "time entry resource")
    assert (status, seen) == (
        "fail",
        f"resource {api_user} is an API user: Autotask lets API users own no time entry, so it would refuse "
        "every one",
    )


def test_trigger_statuses_and_queues_the_instance_lacks_fail_with_the_ids_to_use(bridge: Bridge) -> None:
    triggers = {"status_becomes": [STATUS["Dispatch to Field"], 77], "queues": [QUEUE["Field Services"], 12]}
    name = with_options(bridge, instance_options(triggers=triggers))
    found = rows(bridge, name, "trigger conditions", "sync option ids")
    assert found[0][:2] == ("trigger conditions", "pass")
    failed = {(seen, fix) for _, status, seen, fix in found[1:] if status == "fail"}
    assert len(failed) == len(found) - 1 == 2
    queues = ", ".join(f"{v} {k}" for k, v in QUEUE.items())
    assert (
        "triggers.queues: 12 is not in the instance's Tickets.queueID picklist",
        f"Use one of: {queues}: `fieldbridge sync-options set {name} --set triggers.queues=[<id>, ...]`",
    ) in failed
    [(seen, fix)] = [f for f in failed if f[0].startswith("triggers.status_becomes")]
    assert seen == "triggers.status_becomes: 77 is not in the instance's Tickets.status picklist"
    assert f"{STATUS['Dispatch to Field']} Dispatch to Field" in fix


def test_note_and_expense_ids_the_instance_lacks_fail_and_the_charge_type_counts_when_charges_are_the_target(
    bridge: Bridge,
) -> None:
    wrong = {
        "note_type": 404,
        "note_publish": 9,
        "expense_category": 55,
        "payment_type": 66,
        "charge_type": 8,
    }
    name = with_options(bridge, instance_options(**wrong))
    seen = {(status, seen) for _, status, seen, _ in rows(bridge, name, "sync option ids")}
    assert seen == {
        ("fail", "note_type: 404 is not in the instance's TicketNotes.noteType picklist"),
        ("fail", "note_publish: 9 is not in the instance's TicketNotes.publish picklist"),
        ("fail", "expense_category: 55 is not in the instance's ExpenseItems.expenseCategory picklist"),
        ("fail", "payment_type: 66 is not in the instance's ExpenseItems.paymentType picklist"),
    }  # charges are not where expenses go, so the charge type is not used
    charges = with_options(bridge, instance_options(charge_type=8), expense_target="charge")
    [(_, status, seen_charge, fix)] = rows(bridge, charges, "sync option ids")
    assert (status, seen_charge) == (
        "fail",
        "charge_type: 8 is not in the instance's TicketCharges.chargeType picklist",
    )
    assert fix == (
        "Use one of: 1 Operational, 2 Capitalized: "
        f"`fieldbridge sync-options set {charges} --set charge_type=<id>`"
    )


def test_options_with_this_instances_ids_pass(bridge: Bridge) -> None:
    name = with_options(bridge, instance_options(role_id=ROLE["Dispatcher"]))
    assert [
        (c, s) for c, s, *_ in rows(bridge, name, "time entry resource", "time entry role", "sync option ids")
    ] == [
        ("time entry resource", "pass"),
        ("time entry role", "pass"),
        ("sync option ids", "pass"),
    ]
    [(_, _, seen, _)] = rows(bridge, name, "time entry resource")
    assert seen == f"resource {DISPATCHER}, active"
