"""Creates, updates and deletes: only where the swagger allows them, with Autotask's rules and errors."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from fieldbridge.sandbox.autotask.seed import QUEUE, ROLE, STATUS
from tests.support.emulators import AutotaskSim

TICKET = {
    "title": "New dispatch",
    "companyID": 174,
    "status": STATUS["New"],
    "priority": 2,
    "queueID": QUEUE["Field Services"],
    "dueDateTime": "2026-12-01T10:00:00Z",
}


def errors(response: httpx.Response) -> list[str]:
    assert response.status_code == 500, response.text
    return list(response.json()["errors"])


def test_create_answers_item_id_and_stores_a_camel_case_record(
    api: httpx.Client, autotask_sim: AutotaskSim
) -> None:
    created = api.post("Tickets", json={k.upper(): v for k, v in TICKET.items()})  # keys are case-insensitive
    assert created.status_code == 200
    ticket_id = created.json()["itemId"]
    item = api.get(f"Tickets/{ticket_id}").json()["item"]
    assert item["title"] == "New dispatch"
    assert item["dueDateTime"] == "2026-12-01T10:00:00.000Z"
    assert item["creatorResourceID"] == autotask_sim.user("svc-fieldnation@")["resource_id"]
    assert item["ticketNumber"].startswith("T")
    assert {"name": "Site Access Code", "value": None} in item["userDefinedFields"]


def test_missing_item_answers_null(api: httpx.Client) -> None:
    assert api.get("Tickets/123456789").json() == {"item": None}


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"title": None}, "Missing required field 'title'"),
        ({"status": 1}, "not an active value of picklist 'status'"),
        ({"companyID": 99999}, "no Companies record with id 99999"),
        ({"queueID": None}, "queueID, or an assignedResourceID"),
        ({"assignedResourceID": 29682886}, "both a assignedResourceID and assignedResourceRoleID"),
        (  # the Field Nation API user's own resource
            {"assignedResourceID": 29682900, "assignedResourceRoleID": ROLE["Help Desk"]},
            "resource 29682900 is an API-only resource",
        ),
        ({"dueDateTime": None}, "dueDateTime"),
        ({"issueType": 11, "subIssueType": 201}, "does not belong to issueType 11"),
        ({"contactID": 602}, "does not belong to company 174"),
        ({"ticketNumber": "T1"}, "read-only"),
        ({"color": "blue"}, "Unknown field 'color'"),
        ({"priority": "high"}, "expects an integer"),
        ({"title": 5}, "expects a string"),
        ({"dueDateTime": "next tuesday"}, "not a valid datetime"),
        ({"title": "x" * 256}, "longer than 255"),
        ({"userDefinedFields": [{"name": "Dispatch Priority", "value": "Yesterday"}]}, "not in the picklist"),
        ({"userDefinedFields": [{"name": "Colour", "value": "x"}]}, "Unknown user-defined field"),
    ],
)
def test_ticket_rules(
    api: httpx.Client, autotask_sim: AutotaskSim, change: dict[str, Any], fragment: str
) -> None:
    before = len(autotask_sim.records("Tickets"))
    assert any(fragment in e for e in errors(api.post("Tickets", json={**TICKET, **change})))
    assert len(autotask_sim.records("Tickets")) == before, "a refused create stored a ticket"


def test_assigned_resource_with_role_replaces_the_queue(api: httpx.Client) -> None:
    body = {
        **TICKET,
        "queueID": None,
        "assignedResourceID": 29682886,
        "assignedResourceRoleID": ROLE["Help Desk"],
    }
    assert api.post("Tickets", json=body).status_code == 200


def test_patch_changes_only_sent_fields_and_put_nulls_the_rest(api: httpx.Client) -> None:
    assert api.patch("Tickets", json={"id": 7003, "title": "Renamed"}).json() == {"itemId": 7003}
    item = api.get("Tickets/7003").json()["item"]
    assert (item["title"], item["description"]) == (
        "Renamed",
        "POS printer jammed. Reported by the customer.",
    )
    put = api.put("Tickets", json={"id": 7003, **TICKET})
    assert put.status_code == 200, put.text
    item = api.get("Tickets/7003").json()["item"]
    assert item["description"] is None
    assert item["ticketNumber"] is not None  # read-only fields survive a PUT


def test_update_needs_an_existing_id(api: httpx.Client) -> None:
    assert "needs its 'id'" in errors(api.patch("Tickets", json={"title": "x"}))[0]
    assert "does not exist" in errors(api.patch("Tickets", json={"id": 1, "title": "x"}))[0]


def test_completing_a_ticket_sets_completion_fields(api: httpx.Client) -> None:
    api.patch("Tickets", json={"id": 7001, "status": 5}).raise_for_status()
    item = api.get("Tickets/7001").json()["item"]
    assert item["completedDate"] is not None
    assert item["completedByResourceID"] is not None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "Tickets/7001"),
        ("POST", "TicketNotes"),
        ("GET", "Tickets"),
        ("DELETE", "TicketNotes/8001"),
        ("DELETE", "Tickets/7003/Notes/8001"),
        ("POST", "Companies/174"),
    ],
)
def test_verbs_the_swagger_does_not_allow(api: httpx.Client, method: str, path: str) -> None:
    response = api.request(method, path, json={})
    assert response.status_code in (404, 405)
    if response.status_code == 405:
        assert response.json() == {
            "Message": f"The requested resource does not support http method '{method}'."
        }


def test_unknown_paths_are_404(api: httpx.Client) -> None:
    assert api.get("Widgets/1").status_code == 404


def test_ticket_notes_through_the_child_collection(api: httpx.Client) -> None:
    created = api.post("Tickets/7001/Notes", json={"description": "On site", "noteType": 2, "publish": 1})
    assert created.status_code == 200
    note_id = created.json()["itemId"]
    listing = api.get("Tickets/7001/Notes").json()["items"]
    assert [n["id"] for n in listing] == [note_id]
    assert api.get(f"Tickets/7001/Notes/{note_id}").json()["item"]["ticketID"] == 7001
    assert api.get(f"Tickets/7002/Notes/{note_id}").json()["item"] is None
    mismatch = api.post(
        "Tickets/7001/Notes", json={"ticketID": 7002, "description": "x", "noteType": 2, "publish": 1}
    )
    assert "does not match the parent id" in errors(mismatch)[0]


def test_time_entry_rules_and_delete(api: httpx.Client) -> None:
    base = {
        "ticketID": 7001,
        "resourceID": 29682886,
        "roleID": ROLE["Field Technician"],
        "dateWorked": "2026-11-27T00:00:00Z",
        "summaryNotes": "(#55) on site",
    }
    too_long = api.post(
        "TimeEntries",
        json={**base, "startDateTime": "2026-11-27T08:00:00Z", "endDateTime": "2026-11-28T09:00:00Z"},
    )
    assert "more than 24 hours" in errors(too_long)[0]
    assert "greater than 0" in errors(api.post("TimeEntries", json={**base, "hoursWorked": 0}))[0]
    assert (
        "needs roleID" in errors(api.post("TimeEntries", json={**base, "roleID": None, "hoursWorked": 1}))[0]
    )
    by_the_api_user = {**base, "resourceID": 29682900, "hoursWorked": 1}
    assert "API-only resource" in errors(api.post("TimeEntries", json=by_the_api_user))[0]
    ok = api.post(
        "TimeEntries",
        json={**base, "startDateTime": "2026-11-27T08:00:00Z", "endDateTime": "2026-11-27T10:30:00Z"},
    )
    entry_id = ok.json()["itemId"]
    assert api.get(f"TimeEntries/{entry_id}").json()["item"]["hoursWorked"] == 2.5
    assert api.delete(f"TimeEntries/{entry_id}").json() == {"itemId": entry_id}
    assert api.get(f"TimeEntries/{entry_id}").json()["item"] is None


def test_expense_items_live_under_expenses_not_expense_reports(api: httpx.Client) -> None:
    report = api.post(
        "ExpenseReports",
        json={"name": "FN week 48", "submitterID": 29682886, "weekEnding": "2026-11-28T00:00:00Z"},
    ).json()["itemId"]
    item = {
        "description": "Cable",
        "expenseDate": "2026-11-27T00:00:00Z",
        "expenseCategory": 4,
        "paymentType": 1,
        "haveReceipt": True,
        "isBillableToCompany": True,
        "expenseCurrencyExpenseAmount": 25.0,
    }
    assert api.post(f"Expenses/{report}/Items", json=item).status_code == 200
    assert api.post(f"ExpenseReports/{report}/Items", json=item).status_code == 404
    assert api.get(f"Expenses/{report}/Items").json()["items"][0]["description"] == "Cable"


def test_charges_and_their_delete(api: httpx.Client, autotask_sim: AutotaskSim) -> None:
    charge = {"name": "Bracket", "chargeType": 1, "unitQuantity": 2, "datePurchased": "2026-11-27T00:00:00Z"}
    charge_id = api.post("Tickets/7001/Charges", json=charge).json()["itemId"]
    # The swagger allows the delete; the guide's security level does not grant it.
    assert api.delete(f"Tickets/7001/Charges/{charge_id}").status_code == 403
    autotask_sim.control.delete(f"/_sim/ui/TicketCharges/{charge_id}", params={"as_resource": 29682885})
    assert api.get(f"Tickets/7001/Charges/{charge_id}").json()["item"] is None
    assert "chargeType" in " ".join(
        errors(api.post("Tickets/7001/Charges", json={**charge, "chargeType": 9}))
    )


def test_attachments_need_valid_base64_within_the_size_limit(api: httpx.Client) -> None:
    photo = b"\xff\xd8 jpeg bytes"
    ok = {
        "attachmentType": "FILE_ATTACHMENT",
        "title": "photo",
        "fullPath": "photo.jpg",
        "publish": 1,
        "data": base64.b64encode(photo).decode(),
    }
    attachment_id = api.post("Tickets/7001/Attachments", json=ok).json()["itemId"]
    stored = api.get(f"Tickets/7001/Attachments/{attachment_id}").json()["item"]
    assert stored["fileSize"] == len(photo)
    assert "not valid base64" in errors(api.post("Tickets/7001/Attachments", json={**ok, "data": "%%%"}))[0]
    big = base64.b64encode(b"0" * (6 * 1024 * 1024 + 1)).decode()
    assert "largest allowed" in errors(api.post("Tickets/7001/Attachments", json={**ok, "data": big}))[0]


def test_attachment_volume_is_limited_per_window(api: httpx.Client, autotask_sim: AutotaskSim) -> None:
    autotask_sim.control.put("/_sim/limits", json={"attachment_bytes_per_window": 100}).raise_for_status()
    body = {
        "attachmentType": "FILE_ATTACHMENT",
        "title": "a",
        "fullPath": "a.bin",
        "publish": 1,
        "data": base64.b64encode(b"x" * 80).decode(),
    }
    assert api.post("Tickets/7001/Attachments", json=body).status_code == 200
    second = api.post("Tickets/7001/Attachments", json=body)
    assert second.status_code == 429
    assert "Attachment upload limit" in second.json()["errors"][0]


def test_an_empty_or_oversize_body_is_refused(api: httpx.Client) -> None:
    assert "empty" in errors(api.post("Tickets", content=b""))[0]
    huge = api.post("Tickets", content=b"{" + b" " * (12 * 1024 * 1024 + 10) + b"}")
    assert huge.status_code == 413
