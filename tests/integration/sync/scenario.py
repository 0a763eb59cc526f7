"""What the sync tests do on either side and read back: a technician's work on a work order, a new work
order, the mapping set Outbound Create needs, and the records each emulator holds."""

from __future__ import annotations

import base64
from typing import Any

from fieldbridge.mapping import MappingSet, default_set
from fieldbridge.sync.outbound_create import external_id
from tests.integration.sync.bridge import Bridge
from tests.support.mappings import with_outbound_create_statics

TECH = 3001  # a Field Nation technician
PERSON = 29682887  # a person working in the Autotask UI
COMPANY = 175  # a seeded Autotask company


def complete_set() -> MappingSet:
    """The default set with the three "sourced from Autotask" statics filled with this instance's ids."""
    return with_outbound_create_statics(default_set(), COMPANY)


def records(bridge: Bridge, entity: str, **match: Any) -> list[dict[str, Any]]:
    return [r for r in bridge.at.records(entity) if all(r.get(k) == v for k, v in match.items())]


def technician_works(bridge: Bridge, work_order_id: int) -> None:
    act = bridge.fn.act
    act(work_order_id, "route", technician_id=TECH)
    act(work_order_id, "accept", technician_id=TECH)
    act(work_order_id, "log_time", hours=1.5)
    act(work_order_id, "add_expense", category_id=1, amount=42.5, description="Parking garage")
    act(work_order_id, "post_message", message="On site, replacing the switch now.")
    act(
        work_order_id,
        "upload",
        name="after.jpg",
        content=base64.b64encode(b"jpeg!").decode(),
        mime="image/jpeg",
    )
    act(work_order_id, "closing_notes", notes="Replaced the switch; tested all ports.")
    act(work_order_id, "work_done")


def linked_work(bridge: Bridge) -> int:
    """Ticket 7001 imported, and its work order worked to done by the technician; the work order's id."""
    bridge.import_ticket(7001)
    work_order_id = bridge.work_order_of(7001)
    technician_works(bridge, work_order_id)
    return work_order_id


def new_work_order(bridge: Bridge, title: str = "Install a rack in Denver") -> int:
    token = bridge.fn.token()
    answer = bridge.fn.control.post(
        "/api/rest/v2/workorders", params={"access_token": token}, json={"title": title}
    )
    assert answer.status_code == 201, answer.text
    work_order_id: int = answer.json()["id"]
    schedule = {"service_window": {"mode": "exact", "start": {"utc": "2026-12-01 15:00:00"}}}
    put = bridge.fn.control.put(
        f"/api/rest/v2/workorders/{work_order_id}/schedule", params={"access_token": token}, json=schedule
    )
    assert put.status_code == 200, put.text
    return work_order_id


def tickets_for(bridge: Bridge, work_order_id: int) -> list[dict[str, Any]]:
    return [t for t in bridge.at.records("Tickets") if t.get("externalID") == external_id(work_order_id)]


def work_order(bridge: Bridge, work_order_id: int) -> dict[str, Any]:
    token = bridge.fn.token()
    answer = bridge.fn.control.get(f"/api/rest/v2/workorders/{work_order_id}", params={"access_token": token})
    body: dict[str, Any] = answer.json()
    return body


def writes(calls: dict[str, int]) -> int:
    """How many of `calls` (per method and route) could change something: neither a GET nor a query."""
    return sum(n for route, n in calls.items() if not route.startswith("GET") and "/query" not in route)
