"""What the flows cost in calls, from the emulators' counts: nothing is read again that a write just
answered, and Field Nation's `workorder.created` for a work order we made is known without reading it."""

from __future__ import annotations

from fieldbridge.sandbox.autotask.seed import QUEUE, STATUS
from fieldbridge.store.inbox import Hint
from tests.integration.sync.bridge import Bridge

OWN_CREATED = {"event": {"name": "workorder.created", "params": {}}}


def fieldnation_calls(bridge: Bridge) -> dict[str, int]:
    """Calls per route since the counts were reset, the token's left out."""
    items = bridge.fn.control.get("/_sim/calls").json()["items"]
    return {i["route"]: i["count"] for i in items if "token" not in i["route"]}


def autotask_api_calls(bridge: Bridge) -> dict[str, int]:
    return {route: n for route, n in bridge.autotask_calls().items() if "ThresholdInformation" not in route}


def new_ticket(bridge: Bridge) -> int:
    with bridge.at.api() as api:
        answer = api.post(
            "Tickets",
            json={
                "title": "Replace the lobby switch",
                "companyID": 175,
                "status": STATUS["New"],
                "priority": 2,
                "queueID": QUEUE["Field Services"],
                "dueDateTime": "2026-12-01T10:00:00Z",
            },
        )
    answer.raise_for_status()
    return int(answer.json()["itemId"])


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
