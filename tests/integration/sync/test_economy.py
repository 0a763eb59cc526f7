"""What the flows cost in calls, from the emulators' counts: nothing is read again that a write just
answered, and Field Nation's `workorder.created` for a work order we made is known without reading it."""

from __future__ import annotations

from fieldbridge.store.inbox import Hint
from tests.integration.sync.bridge import Bridge
from tests.integration.sync.costs import autotask_api_calls, fieldnation_calls, new_ticket

OWN_CREATED = {"event": {"name": "workorder.created", "params": {}}}


def test_a_new_ticket_costs_one_autotask_call_and_one_field_nation_call(bridge: Bridge) -> None:
    bridge.import_ticket(7003)  # the company and the metadata are cached from here on
    ticket_id = new_ticket(bridge)
    bridge.reset_counts()

    bridge.import_ticket(ticket_id)
    work_order_id = bridge.work_order_of(ticket_id)
    created = bridge.deliver(
        Hint("fieldnation-webhook", "fieldnation", "workorder", work_order_id, OWN_CREATED, "own-created")
    )

    assert created.status == "done", created.lines
    assert autotask_api_calls(bridge) == {"GET /V1.0/Tickets/{id}": 1}
    # The create, and nothing read back: the work order is what the create made (a draft, by default).
    # Field Nation's `workorder.created` for it reads nothing: the pair knows it.
    assert fieldnation_calls(bridge) == {"POST /api/rest/v2/workorders": 1}
