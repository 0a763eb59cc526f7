"""What the sync tests need to measure what a flow costs: new tickets to import (the seed has five), and the
calls each emulator answered since its counts were reset."""

from __future__ import annotations

from fieldbridge.sandbox.autotask.seed import QUEUE, STATUS
from tests.integration.sync.bridge import Bridge


def new_ticket(bridge: Bridge, title: str = "Replace the lobby switch") -> int:
    """A ticket made in Autotask now, as a person or another integration would."""
    with bridge.at.api() as api:
        answer = api.post(
            "Tickets",
            json={
                "title": title,
                "companyID": 175,
                "status": STATUS["New"],
                "priority": 2,
                "queueID": QUEUE["Field Services"],
                "dueDateTime": "2026-12-01T10:00:00Z",
            },
        )
    answer.raise_for_status()
    return int(answer.json()["itemId"])


def fieldnation_calls(bridge: Bridge) -> dict[str, int]:
    """Field Nation calls per route, the token's left out."""
    items = bridge.fn.control.get("/_sim/calls").json()["items"]
    return {i["route"]: i["count"] for i in items if "token" not in i["route"]}


def autotask_api_calls(bridge: Bridge) -> dict[str, int]:
    """Autotask calls per route, zone discovery and ThresholdInformation (read once an hour) left out."""
    return {route: n for route, n in bridge.autotask_calls().items() if "ThresholdInformation" not in route}
