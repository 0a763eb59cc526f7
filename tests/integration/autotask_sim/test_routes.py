"""Routes as ASP.NET serves them: a child collection takes its parent from the URL, and a trailing slash is
the same route."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from fieldbridge.sandbox.autotask.catalog import load
from tests.integration.autotask_sim.api_users import full_access_api
from tests.support.emulators import AutotaskSim

TODAY = "2026-11-20T09:00:00Z"


@dataclass(frozen=True)
class Child:
    parent: str  # the parent collection, e.g. "Tickets"
    collection: str  # under the parent, e.g. "Notes"
    parent_field: str
    body: dict[str, Any]  # a valid create, without the parent field
    replaceable: bool = True  # the swagger gives the collection PUT and PATCH

    def __str__(self) -> str:
        return f"{self.parent}/{self.collection}"


# Every child collection of the swagger (a test checks the list is complete).
CHILDREN = [
    Child("Tickets", "Notes", "ticketID", {"description": "On site", "noteType": 2, "publish": 1}),
    Child(
        "Tickets",
        "Charges",
        "ticketID",
        {"name": "Patch cable", "chargeType": 1, "unitQuantity": 2, "datePurchased": TODAY},
    ),
    Child(
        "Tickets",
        "Attachments",
        "parentID",
        {
            "attachmentType": "URL",
            "title": "Rack photo",
            "fullPath": "https://files.example/r.jpg",
            "publish": 1,
        },
        replaceable=False,
    ),
    Child(
        "Expenses",
        "Items",
        "expenseReportID",
        {
            "description": "Tolls",
            "expenseDate": TODAY,
            "expenseCategory": 5,
            "paymentType": 1,
            "haveReceipt": True,
            "isBillableToCompany": False,
        },
    ),
    Child("Companies", "Locations", "companyID", {"name": "Northwind - Warehouse"}),
    Child("Companies", "Contacts", "companyID", {"firstName": "Ines", "lastName": "Park", "isActive": 1}),
    Child(
        "TicketWebhooks",
        "Fields",
        "webhookID",
        {"fieldID": 1, "isSubscribedField": True, "isDisplayAlwaysField": False},
    ),
    Child(
        "TicketWebhooks",
        "UdfFields",
        "webhookID",
        {"udfFieldID": 301, "isSubscribedField": True, "isDisplayAlwaysField": False},
    ),
    Child("TicketWebhooks", "ExcludedResources", "webhookID", {"resourceID": 29682886}, replaceable=False),
]
SEEDED_PARENTS = {"Tickets": 7001, "Expenses": 8401, "Companies": 174}


@pytest.fixture
def full_access(autotask_sim: AutotaskSim) -> Iterator[httpx.Client]:
    with full_access_api(autotask_sim) as client:
        yield client


def parent_id(api: httpx.Client, child: Child) -> int:
    """A seeded parent, or a ticket webhook made for the test (the seed has none)."""
    if child.parent in SEEDED_PARENTS:
        return SEEDED_PARENTS[child.parent]
    created = api.post(
        "TicketWebhooks",
        json={
            "name": "Routes test",
            "webhookUrl": "https://hooks.example/autotask",
            "isActive": False,
            "isSubscribedToCreateEvents": True,
            "isSubscribedToUpdateEvents": True,
            "isSubscribedToDeleteEvents": False,
            "sendThresholdExceededNotification": False,
        },
    )
    assert created.status_code == 200, created.text
    return int(created.json()["itemId"])


def test_every_child_collection_is_covered() -> None:
    children = {key.replace("/{parentId}", "") for key in load().children}
    assert children == {str(child) for child in CHILDREN}


@pytest.mark.parametrize("child", CHILDREN, ids=str)
def test_a_child_write_without_the_parent_field_goes_to_the_parent_in_the_url(
    full_access: httpx.Client, child: Child
) -> None:
    pid = parent_id(full_access, child)
    route = f"{child.parent}/{pid}/{child.collection}"
    created = full_access.post(route, json=child.body)
    assert created.status_code == 200, created.text
    child_id = created.json()["itemId"]
    assert full_access.get(f"{route}/{child_id}").json()["item"][child.parent_field] == pid
    if child.replaceable:
        # PUT nulls what it is not sent; the parent is not among those, it comes from the URL.
        replaced = full_access.put(route, json={**child.body, "id": child_id})
        assert replaced.status_code == 200, replaced.text
        assert full_access.get(f"{route}/{child_id}").json()["item"][child.parent_field] == pid


@pytest.mark.parametrize("child", CHILDREN, ids=str)
def test_a_child_write_naming_another_parent_is_refused(full_access: httpx.Client, child: Child) -> None:
    pid = parent_id(full_access, child)
    route = f"{child.parent}/{pid}/{child.collection}"
    refused = full_access.post(route, json={**child.body, child.parent_field: pid + 1})
    assert refused.status_code == 500
    assert refused.json()["errors"] == [
        f"{child.parent_field} {pid + 1} does not match the parent id {pid} in the URL"
    ]
    if child.replaceable:
        child_id = full_access.post(route, json=child.body).json()["itemId"]
        moved = full_access.patch(route, json={"id": child_id, child.parent_field: pid + 1})
        assert moved.status_code == 500
        assert full_access.get(f"{route}/{child_id}").json()["item"][child.parent_field] == pid


def test_a_trailing_slash_is_the_same_route(autotask_sim: AutotaskSim) -> None:
    with autotask_sim.api() as api:
        fields = api.get("Tickets/entityInformation/fields/")
        assert fields.status_code == 200
        assert fields.json() == api.get("Tickets/entityInformation/fields").json()
        assert api.get("Tickets/7001/").json()["item"]["id"] == 7001
        patched = api.patch("Tickets/", json={"id": 7002, "title": "Install three workstations"})
        assert patched.status_code == 200, patched.text
        entry = {
            "ticketID": 7003,
            "resourceID": 29682886,
            "roleID": 29682832,
            "dateWorked": TODAY,
            "startDateTime": "2026-11-20T09:00:00Z",
            "endDateTime": "2026-11-20T10:30:00Z",
            "summaryNotes": "Replaced the roller.",
        }
        created = api.post("TimeEntries/", json=entry)
        assert created.status_code == 200, created.text
    assert (
        next(t for t in autotask_sim.records("Tickets") if t["id"] == 7002)["title"]
        == "Install three workstations"
    )
    assert any(e["id"] == created.json()["itemId"] for e in autotask_sim.records("TimeEntries"))
    counted = {item["route"] for item in autotask_sim.calls()["items"]}
    assert {"PATCH /V1.0/Tickets", "POST /V1.0/TimeEntries", "GET /V1.0/Tickets/{id}"} <= counted
