"""The Field Nation side of the reconciler: driven by what changed (the webhook deliveries that failed) and a
bounded turn over open pairs, so a pass over unchanged pairs costs the same whatever their number, and closed
pairs are not read."""

from __future__ import annotations

from datetime import UTC, datetime

from fieldbridge.fieldnation import FieldNationClient
from fieldbridge.store.inbox import Hint
from fieldbridge.sync import reconcile
from tests.integration.sync.bridge import Bridge
from tests.integration.sync.costs import fieldnation_calls, new_ticket
from tests.integration.sync.scenario import TECH, records


def pairs(bridge: Bridge, count: int) -> list[int]:
    """`count` more tickets imported: their work orders."""
    tickets = [new_ticket(bridge, f"Site visit {n}") for n in range(count)]
    for ticket_id in tickets:
        bridge.import_ticket(ticket_id)
    return [bridge.work_order_of(ticket_id) for ticket_id in tickets]


def pass_calls(bridge: Bridge) -> dict[str, int]:
    bridge.reset_counts()
    bridge.reconcile()
    return fieldnation_calls(bridge)


def test_a_pass_over_unchanged_pairs_costs_the_same_field_nation_calls_for_5_and_40_pairs(
    bridge: Bridge,
) -> None:
    bridge.settings.sync.reconcile_checks_per_hour = 8  # 2 a pass, at the default pass every 15 minutes
    pairs(bridge, 5)
    bridge.reconcile()  # the imports' own changes, read once
    five = pass_calls(bridge)
    pairs(bridge, 35)
    bridge.reconcile()
    forty = pass_calls(bridge)

    # One page of delivery logs, and two open pairs read in turn (each work order, its expenses in its pay).
    expected = {
        "GET /api/v1/webhooks/delivery-logs": 1,
        "GET /api/rest/v2/workorders/{work_order_id}": 2,
    }
    assert five == forty == expected


def test_the_turn_reaches_every_open_pair_and_passes_closed_ones_by(bridge: Bridge) -> None:
    bridge.settings.sync.reconcile_checks_per_hour = 4  # 1 a pass
    first, cancelled, last = pairs(bridge, 3)
    bridge.fn.act(cancelled, "route", technician_id=TECH)
    bridge.fn.act(cancelled, "cancel", reason="Customer called it off")
    bridge.fn_event(cancelled, "cancelled")  # the pair learns its work order is closed

    read = [work_orders_read(bridge) for _ in range(4)]
    assert read in ([[first], [last], [first], [last]], [[last], [first], [last], [first]]), read


def work_orders_read(bridge: Bridge) -> list[int]:
    """One pass (its hints processed as they are stored): the work orders it hands to the outbound flow."""
    hints: list[Hint] = []

    def submit(hint: Hint) -> None:
        hints.append(hint)
        bridge.deliver(hint)

    reconcile.reconcile(bridge.db, bridge.config(), bridge.settings.sync, submit, datetime.now(UTC))
    return [hint.record_id for hint in hints if hint.system == "fieldnation"]


def test_a_change_whose_field_nation_delivery_failed_is_synced_by_the_next_pass(bridge: Bridge) -> None:
    bridge.settings.sync.reconcile_checks_per_hour = 0  # no turn: only the failed delivery leads to it
    [work_order_id] = pairs(bridge, 1)
    ticket_id = bridge.ticket_of(work_order_id)
    with FieldNationClient(bridge.fn.url, bridge.fn.credentials) as fieldnation:
        # A receiver that is down: every delivery fails.
        fieldnation.webhooks.create("http://127.0.0.1:9/fieldnation", ["workorder.status.assigned"])
    bridge.fn.act(work_order_id, "route", technician_id=TECH)
    bridge.fn.act(work_order_id, "accept", technician_id=TECH)
    bridge.fn.act(work_order_id, "closing_notes", notes="Swapped the switch.")

    done = bridge.reconcile()
    assert done.fieldnation_hints == 1
    assert records(bridge, "Tickets", id=ticket_id)[0]["resolution"] == "Swapped the switch."
