"""Every client operation against the emulator: get, queries with every operator, paging, count, writes,
child collections, metadata and the threshold."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from itertools import islice

import pytest

from fieldbridge.autotask import (
    AutotaskClient,
    ChildCollection,
    Filter,
    PermissionDeniedError,
    and_,
    begins_with,
    contains,
    ends_with,
    eq,
    exist,
    gt,
    gte,
    in_,
    lt,
    lte,
    not_exist,
    not_in,
    noteq,
    or_,
    where,
)
from fieldbridge.autotask.webhook_fields import ticket_field_id
from fieldbridge.sandbox.autotask.seed import QUEUE, STATUS
from tests.integration.autotask.connecting import Connect
from tests.support.emulators import AutotaskSim

SEEDED_TICKETS = {7001, 7002, 7003, 7004, 7005, 7006, 7007}
FN_RESOURCE = 29682900
TECHNICIAN = 29682886  # time entries need a resource that is not an API user
FIELD_TECHNICIAN_ROLE = 29682831


def new_ticket(**extra: object) -> dict[str, object]:
    return {
        "companyID": 174,
        "title": "Replace access point",
        "status": STATUS["New"],
        "priority": 2,
        "queueID": QUEUE["Field Services"],
        "dueDateTime": datetime.now(UTC) + timedelta(days=3),
        **extra,
    }


def test_get_returns_the_record_or_none(autotask: AutotaskClient) -> None:
    ticket = autotask.get("Tickets", 7001)
    assert ticket is not None
    assert ticket["title"] == "Replace failed switch in server closet"
    assert {"name": "Dispatch Priority", "value": "Rush"} in ticket["userDefinedFields"]
    assert autotask.get("Tickets", 999_999) is None


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (eq("status", 5), {7006}),
        (noteq("status", 5), SEEDED_TICKETS - {7006}),
        (gt("priority", 3), {7005}),
        (gte("priority", 3), {7004, 7005, 7006, 7007}),
        (lt("priority", 2), {7001}),
        (lte("priority", 2), {7001, 7002, 7003}),
        (begins_with("title", "install"), {7002}),
        (ends_with("title", "CHECK"), {7007}),
        (contains("title", "printer"), {7003}),
        (exist("completedDate"), {7006}),
        (not_exist("completedDate"), SEEDED_TICKETS - {7006}),
        (in_("id", [7001, 7003, 1]), {7001, 7003}),
        (not_in("companyID", [174, 175]), {7005, 7006}),
        (eq("Dispatch Priority", "Rush", udf=True), {7001, 7005}),
        (and_(eq("companyID", 174), or_(eq("priority", 1), contains("title", "UPS"))), {7001, 7007}),
        (or_(and_(eq("companyID", 176), gt("priority", 3)), eq("id", 7002)), {7002, 7005}),
        (gt("dueDateTime", datetime.now(UTC) + timedelta(days=6, hours=12)), {7006, 7007}),
    ],
    ids=lambda v: getattr(v, "op", None) or "",
)
def test_every_filter_operator(autotask: AutotaskClient, condition: Filter, expected: set[int]) -> None:
    assert {t["id"] for t in autotask.query("Tickets", where(condition))} == expected


def test_include_fields_limits_what_comes_back(autotask: AutotaskClient) -> None:
    [ticket] = autotask.query("Tickets", where(eq("id", 7003), include_fields=["title"]))
    assert set(ticket) == {"id", "title", "userDefinedFields"}


def test_where_without_conditions_matches_everything(autotask: AutotaskClient) -> None:
    assert {t["id"] for t in autotask.query("Tickets", where())} == SEEDED_TICKETS
    assert autotask.count("Tickets", where()) == 7
    assert autotask.count("Tickets", where(eq("companyID", 175))) == 2


def test_query_fetches_pages_only_as_iteration_reaches_them(
    autotask: AutotaskClient, sim: AutotaskSim
) -> None:
    pages = autotask.query("Tickets", where(max_records=2))
    assert sim.count("POST /V1.0/Tickets/query") == 0  # lazy: nothing sent before iterating
    assert [t["id"] for t in islice(pages, 3)] == [7001, 7002, 7003]
    assert sim.count("POST /V1.0/Tickets/query") == 1
    assert sim.count("POST /V1.0/Tickets/query/next") == 1
    assert [t["id"] for t in pages] == [7004, 7005, 7006, 7007]
    assert sim.count("POST /V1.0/Tickets/query/next") == 3


def test_paging_over_more_than_500_records(autotask: AutotaskClient, sim: AutotaskSim) -> None:
    for i in range(510):
        response = sim.control.post(
            "/_sim/ui/Companies",
            json={
                "as_resource": 29682885,
                "fields": {"companyName": f"Bulk {i:03d}", "companyType": 1, "phone": "555"},
            },
        )
        assert response.status_code == 201, response.text
    names = [c["companyName"] for c in autotask.query("Companies", where(begins_with("companyName", "Bulk")))]
    assert names == [f"Bulk {i:03d}" for i in range(510)]
    # 500 on the first page, the rest on a second one POSTed again with the same body.
    assert sim.count("POST /V1.0/Companies/query") == 1
    assert sim.count("POST /V1.0/Companies/query/next") == 1
    assert autotask.count("Companies", where(begins_with("companyName", "Bulk"))) == 510


def test_create_update_replace(autotask: AutotaskClient, sim: AutotaskSim) -> None:
    due = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)
    ticket_id = autotask.create("Tickets", new_ticket(dueDateTime=due, description="Two APs"))
    created = autotask.get("Tickets", ticket_id)
    assert created is not None
    assert created["dueDateTime"].startswith("2027-01-15T09:30:00")

    autotask.update(
        "Tickets",
        ticket_id,
        {"priority": 1, "userDefinedFields": [{"name": "Technician Count", "value": "2"}]},
    )
    updated = autotask.get("Tickets", ticket_id)
    assert updated is not None
    assert (updated["priority"], updated["description"]) == (1, "Two APs")
    assert {"name": "Technician Count", "value": "2"} in updated["userDefinedFields"]

    autotask.replace("Tickets", ticket_id, new_ticket(title="Replaced"))
    replaced = autotask.get("Tickets", ticket_id)
    assert replaced is not None
    assert (replaced["title"], replaced["description"]) == ("Replaced", None)  # PUT nulls what it omits

    before = sim.count("PATCH /V1.0/Tickets")
    autotask.update("Tickets", ticket_id, {})
    assert sim.count("PATCH /V1.0/Tickets") == before  # nothing to change: nothing sent


def test_delete(autotask: AutotaskClient) -> None:
    entry_id = autotask.create(
        "TimeEntries",
        {
            "ticketID": 7003,
            "resourceID": TECHNICIAN,
            "roleID": FIELD_TECHNICIAN_ROLE,
            "dateWorked": datetime.now(UTC),
            "hoursWorked": 1.5,
            "summaryNotes": "On site",
        },
    )
    assert autotask.get("TimeEntries", entry_id) is not None
    autotask.delete("TimeEntries", entry_id)
    assert autotask.get("TimeEntries", entry_id) is None


def test_ticket_children_notes_charges_attachments(autotask: AutotaskClient) -> None:
    notes = ChildCollection("Tickets", 7003, "Notes")
    note_id = autotask.create(
        notes, {"title": "FN", "description": "Tech on site", "noteType": 1, "publish": 1}
    )
    assert {n["id"] for n in autotask.children(notes)} == {8001, note_id}
    note = autotask.get(notes, note_id)
    assert note is not None
    assert note["ticketID"] == 7003
    assert autotask.get(ChildCollection("Tickets", 7001, "Notes"), note_id) is None  # another ticket's

    charges = ChildCollection("Tickets", 7003, "Charges")
    charge_id = autotask.create(
        charges, {"name": "Cable", "chargeType": 1, "unitQuantity": 2, "datePurchased": datetime.now(UTC)}
    )
    autotask.update(charges, charge_id, {"unitQuantity": 3})
    assert {c["id"]: c["unitQuantity"] for c in autotask.children(charges)}[charge_id] == 3

    attachments = ChildCollection("Tickets", 7003, "Attachments")
    data = base64.b64encode(b"photo bytes").decode()
    attachment_id = autotask.create(
        attachments,
        {
            "attachmentType": "FILE_ATTACHMENT",
            "title": "Photo",
            "fullPath": "photo.jpg",
            "publish": 1,
            "data": data,
        },
    )
    assert attachment_id in {a["id"] for a in autotask.children(attachments)}
    autotask.delete(attachments, attachment_id)
    assert attachment_id not in {a["id"] for a in autotask.children(attachments)}


def test_expense_items_and_company_locations(autotask: AutotaskClient) -> None:
    report_id = autotask.create(
        "ExpenseReports", {"name": "WO 1234", "submitterID": FN_RESOURCE, "weekEnding": datetime.now(UTC)}
    )
    items = ChildCollection("Expenses", report_id, "Items")
    item_id = autotask.create(
        items,
        {
            "description": "Parking",
            "expenseDate": datetime.now(UTC),
            "expenseCategory": 5,
            "paymentType": 1,
            "haveReceipt": True,
            "isBillableToCompany": False,
        },
    )
    assert [i["id"] for i in autotask.children(items)] == [item_id]
    assert {loc["id"] for loc in autotask.children(ChildCollection("Companies", 174, "Locations"))} == {
        501,
        502,
    }


def test_ticket_webhook_children(autotask: AutotaskClient) -> None:
    hook_id = autotask.create(
        "TicketWebhooks",
        {
            "name": "FieldBridge",
            "webhookUrl": "http://127.0.0.1:9/hook",
            "isActive": True,
            "isSubscribedToCreateEvents": True,
            "isSubscribedToUpdateEvents": True,
            "isSubscribedToDeleteEvents": False,
            "sendThresholdExceededNotification": False,
            "secretKey": "s" * 32,
        },
    )
    fields = ChildCollection("TicketWebhooks", hook_id, "Fields")
    autotask.create(
        fields,
        {"fieldID": ticket_field_id("status"), "isSubscribedField": True, "isDisplayAlwaysField": False},
    )
    udfs = ChildCollection("TicketWebhooks", hook_id, "UdfFields")
    autotask.create(udfs, {"udfFieldID": 302, "isSubscribedField": True, "isDisplayAlwaysField": False})
    excluded = ChildCollection("TicketWebhooks", hook_id, "ExcludedResources")
    autotask.create(excluded, {"resourceID": FN_RESOURCE})  # no echoes of our own writes

    assert [f["fieldID"] for f in autotask.children(fields)] == [ticket_field_id("status")]
    assert [u["udfFieldID"] for u in autotask.children(udfs)] == [302]
    assert [r["resourceID"] for r in autotask.children(excluded)] == [FN_RESOURCE]
    hook = autotask.get("TicketWebhooks", hook_id)
    assert hook is not None
    assert hook["isReady"] is True


def test_child_collections_are_checked_when_named() -> None:
    with pytest.raises(ValueError, match="no child collection Tickets/\\{id\\}/Costs"):
        ChildCollection("Tickets", 1, "Costs")


def test_entity_metadata_is_typed_and_cached(autotask: AutotaskClient, sim: AutotaskSim) -> None:
    info = autotask.entity_info("Tickets")
    assert (info.name, info.can_create, info.user_access_for_create, info.user_access_for_delete) == (
        "Ticket",
        True,
        "All",
        "None",
    )
    status = next(f for f in autotask.fields("Tickets") if f.name == "status")
    assert status.is_pick_list
    assert {(p.value, p.label) for p in status.picklist_values} >= {("5", "Complete"), ("21", "New")}
    sub_issue = next(f for f in autotask.fields("Tickets") if f.name == "subIssueType")
    assert sub_issue.picklist_parent_value_field == "issueType"
    assert {p.parent_value for p in sub_issue.picklist_values} == {"11", "12", "13"}
    udf = next(u for u in autotask.user_defined_fields("Tickets") if u.name == "Dispatch Priority")
    assert (udf.type, [p.value for p in udf.picklist_values]) == ("string", ["Standard", "Rush"])

    autotask.fields("Tickets")
    autotask.entity_info("Tickets")
    assert sim.count("GET /V1.0/Tickets/entityInformation/fields") == 1
    assert sim.count("GET /V1.0/Tickets/entityInformation") == 1
    autotask.refresh_metadata()
    autotask.fields("Tickets")
    assert sim.count("GET /V1.0/Tickets/entityInformation/fields") == 2


def test_metadata_is_read_again_once_its_time_is_up(connect: Connect, sim: AutotaskSim) -> None:
    autotask = connect(metadata_ttl=0)
    autotask.user_defined_fields("Tickets")
    autotask.user_defined_fields("Tickets")
    assert sim.count("GET /V1.0/Tickets/entityInformation/userDefinedFields") == 2


def test_threshold_information(autotask: AutotaskClient) -> None:
    autotask.get("Tickets", 7001)
    threshold = autotask.threshold()
    assert threshold.external_request_threshold == 10_000
    assert threshold.request_threshold_timeframe == 60
    assert threshold.current_timeframe_request_count >= 2


def test_the_security_level_decides_what_children_may_do(autotask: AutotaskClient) -> None:
    notes = ChildCollection("Tickets", 7003, "Notes")
    with pytest.raises(PermissionDeniedError) as refused:
        autotask.update(notes, 8001, {"description": "edited"})
    assert refused.value.cause is not None
    assert "Ticket Notes — Edit" in refused.value.cause.problem
