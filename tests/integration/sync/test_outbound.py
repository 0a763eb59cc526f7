"""Outbound: a technician's work on a linked work order lands in Autotask (the guide's outbound table:
status, Resolution from closing notes, time logs, expenses, messages, files), once, with no echo, and an
event that changes nothing writes nothing."""

from __future__ import annotations

from dataclasses import replace

from fieldbridge.jobs.outcome import Write
from fieldbridge.sandbox.autotask.security import Permission
from fieldbridge.store import history, links
from tests.integration.sync.bridge import Bridge, fn_hint
from tests.integration.sync.scenario import TECH, linked_work, records, technician_works


def test_the_technicians_work_lands_in_autotask_once(bridge: Bridge) -> None:
    bridge.change(attachment_sync=True)
    work_order_id = linked_work(bridge)
    summary = bridge.fn_event(work_order_id, "d1")
    ticket = records(bridge, "Tickets", id=7001)[0]
    assert ticket["status"] == 5, summary  # work_done -> Complete through the status mapping
    assert ticket["resolution"] == "Replaced the switch; tested all ports."  # notes -> Resolution
    entries = records(bridge, "TimeEntries", ticketID=7001)
    assert len(entries) == 1
    assert entries[0]["summaryNotes"].startswith("(#")
    assert entries[0]["resourceID"] == 29682886
    assert entries[0]["roleID"] == 29682831
    items = records(bridge, "ExpenseItems", ticketID=7001)
    assert [i["expenseCurrencyExpenseAmount"] for i in items] == [42.5]  # expenses -> expense.items
    notes = records(bridge, "TicketNotes", ticketID=7001)
    assert [n["description"].split(") ", 1)[1] for n in notes] == ["On site, replacing the switch now."]
    files = records(bridge, "TicketAttachments", parentID=7001)
    assert [f["title"].split(") ", 1)[1] for f in files] == ["after.jpg"]  # after its (#id) marker

    # Duplicated and reordered deliveries, and an Autotask webhook about our own write: nothing more.
    bridge.reset_counts()
    assert bridge.fn_event(work_order_id, "d1-again").kind == "unchanged"
    assert bridge.import_ticket(7001).kind == "ignored"  # now Complete: excluded, no echo to FN
    assert bridge.fn_event(work_order_id, "d0").kind == "unchanged"
    calls = bridge.autotask_calls()
    assert not [route for route in calls if not route.startswith("GET")], calls
    assert len(records(bridge, "TimeEntries", ticketID=7001)) == 1
    assert len(records(bridge, "TicketNotes", ticketID=7001)) == 1
    assert len(records(bridge, "ExpenseItems", ticketID=7001)) == 1
    assert len(records(bridge, "TicketAttachments", parentID=7001)) == 1


def test_each_outbound_change_costs_one_autotask_write_and_no_read(bridge: Bridge) -> None:
    bridge.import_ticket(7001)
    work_order_id = bridge.work_order_of(7001)
    act = bridge.fn.act
    act(work_order_id, "route", technician_id=TECH)
    act(work_order_id, "accept", technician_id=TECH)
    bridge.fn_event(work_order_id, "a")
    act(work_order_id, "post_message", message="ETA 10 minutes")
    bridge.reset_counts()
    bridge.fn_event(work_order_id, "b")
    assert bridge.autotask_calls() == {"POST /V1.0/Tickets/{parentId}/Notes": 1}
    act(work_order_id, "closing_notes", notes="All done")
    bridge.reset_counts()
    bridge.fn_event(work_order_id, "c")
    assert bridge.autotask_calls() == {"PATCH /V1.0/Tickets": 1}


def test_expenses_go_to_ticket_charges_when_the_target_is_charge(bridge: Bridge) -> None:
    bridge.change(expense_target="charge")
    work_order_id = linked_work(bridge)
    bridge.fn_event(work_order_id, "1")
    bridge.fn_event(work_order_id, "2")
    charges = records(bridge, "TicketCharges", ticketID=7001)
    assert len(charges) == 1
    assert charges[0]["notes"].startswith("(#")
    assert not records(bridge, "ExpenseItems", ticketID=7001)


def test_time_and_expenses_are_not_silently_skipped_for_a_non_ticket_service_object(bridge: Bridge) -> None:
    bridge.change(service_object="ServiceCall")
    bridge.import_ticket(8601, entity="ServiceCall")
    work_order_id = bridge.work_order_of(8601, entity="ServiceCall")
    technician_works(bridge, work_order_id)
    bridge.fn_event(work_order_id, "1")
    bridge.fn_event(work_order_id, "2")
    assert not [e for e in records(bridge, "TimeEntries") if e["summaryNotes"].startswith("(#")]
    with bridge.db.transaction() as session:
        keys = links.pair_keys(session, bridge.connector_id, "autotask", "ServiceCall", 8601)
        lines = history.for_pair(session, bridge.connector_id, keys)
        warnings = [h.message for h in lines if h.level == "warning" and "service object" in h.message]
    assert len(warnings) == 2  # in the pair's history (shown by the API) on every event
    assert [a.kind for a in bridge.alerts] == ["sync_warning"]  # one notification per pair


def test_a_later_expense_of_the_week_costs_one_write_and_a_submitted_report_is_not_written_to(
    bridge: Bridge,
) -> None:
    bridge.import_ticket(7001)
    work_order_id = bridge.work_order_of(7001)
    act = bridge.fn.act
    act(work_order_id, "route", technician_id=TECH)
    act(work_order_id, "accept", technician_id=TECH)
    act(work_order_id, "add_expense", category_id=1, amount=10, description="Parking")
    bridge.reset_counts()
    bridge.fn_event(work_order_id, "first")
    # The week's first expense: the open report is looked up (none), made, and the item added to it.
    assert bridge.autotask_calls() == {
        "POST /V1.0/ExpenseReports/query": 1,
        "POST /V1.0/ExpenseReports": 1,
        "POST /V1.0/Expenses/{parentId}/Items": 1,
    }
    report_id = records(bridge, "ExpenseItems", ticketID=7001)[0]["expenseReportID"]
    reports = len(bridge.at.records("ExpenseReports"))
    act(work_order_id, "add_expense", category_id=1, amount=12, description="Tolls")
    bridge.reset_counts()
    bridge.fn_event(work_order_id, "second")
    assert bridge.autotask_calls() == {"POST /V1.0/Expenses/{parentId}/Items": 1}

    submitted = bridge.at.control.patch(
        f"/_sim/ui/ExpenseReports/{report_id}",
        json={"as_resource": 29682886, "fields": {"submit": True}},
    )
    assert submitted.status_code == 200, submitted.text
    act(work_order_id, "add_expense", category_id=1, amount=7, description="Coffee")
    refused = bridge.deliver(fn_hint(work_order_id, "third"))
    assert refused.status == "retrying"
    assert "submitted" in refused.lines[-1][2]
    assert bridge.process_when_due(refused.event_id).status == "done"
    assert len(bridge.at.records("ExpenseReports")) == reports + 1  # a new open report for the week
    items = records(bridge, "ExpenseItems", ticketID=7001)
    assert sorted(i["expenseCurrencyExpenseAmount"] for i in items) == [7.0, 10.0, 12.0]


def test_a_new_time_entry_charge_or_attachment_costs_one_autotask_write_and_no_read(bridge: Bridge) -> None:
    bridge.change(expense_target="charge", attachment_sync=True)
    bridge.import_ticket(7001)
    work_order_id = bridge.work_order_of(7001)
    act = bridge.fn.act
    act(work_order_id, "route", technician_id=TECH)
    act(work_order_id, "accept", technician_id=TECH)
    bridge.fn_event(work_order_id, "assigned")
    steps = [
        ("log_time", {"hours": 1.0}, "POST /V1.0/TimeEntries"),
        ("add_expense", {"category_id": 1, "amount": 9.5}, "POST /V1.0/Tickets/{parentId}/Charges"),
        (
            "upload",
            {"name": "a.jpg", "content": "anBlZw==", "mime": "image/jpeg"},
            "POST /V1.0/Tickets/{parentId}/Attachments",
        ),
    ]
    for action, body, write in steps:
        act(work_order_id, action, **body)
        bridge.reset_counts()
        bridge.fn_event(work_order_id, action)
        assert bridge.autotask_calls() == {write: 1}, action


def deleted_expense(bridge: Bridge, target: str) -> tuple[int, int]:
    """A linked work order whose expense, written to Autotask, the technician then deletes: the
    work order and the expense ids."""
    bridge.change(expense_target=target)
    work_order_id = linked_work(bridge)
    bridge.fn_event(work_order_id, "work-done")
    [expense] = bridge.fn.emulator.state.work_orders[work_order_id].expenses
    bridge.fn.act(work_order_id, "delete_expense", expense_id=expense.id)
    return work_order_id, expense.id


def test_a_deleted_expense_takes_its_charge_with_it(bridge: Bridge) -> None:
    # Grant what the setup guide's level leaves out (the tenant is reseeded before the next test).
    tenant = bridge.at.emulator.tenant
    name = tenant.users[bridge.at.creds["username"].lower()].security_level
    granted = {"TicketCharges": Permission(view="All", add=True, edit="All", delete=True)}
    tenant.levels[name] = replace(tenant.levels[name], permissions=tenant.levels[name].permissions | granted)
    work_order_id, expense_id = deleted_expense(bridge, "charge")
    [charge] = records(bridge, "TicketCharges", ticketID=7001)
    summary = bridge.fn_event(work_order_id, "expense-deleted")
    [deleted] = summary.writes
    assert deleted == Write("deleted", "charge", charge["id"], f"expense {expense_id} is gone")
    assert records(bridge, "TicketCharges", ticketID=7001) == []
    assert bridge.fn_event(work_order_id, "again").kind == "unchanged"


def test_a_charge_the_api_user_may_not_delete_stays_with_a_warning_and_the_fix(bridge: Bridge) -> None:
    work_order_id, expense_id = deleted_expense(bridge, "charge")
    outcome = bridge.deliver(fn_hint(work_order_id, "expense-deleted"))
    assert outcome.status == "done"
    [warning] = [line for line in outcome.lines if line[0] == "warning"]
    assert f"Expense {expense_id} was deleted in Field Nation" in warning[2]
    assert "Ticket Costs (Charges) — Delete" in (warning[3] or "")
    assert len(records(bridge, "TicketCharges", ticketID=7001)) == 1
    assert bridge.fn_event(work_order_id, "again").kind == "unchanged"  # warned once


def test_a_deleted_expense_voids_its_expense_item_since_autotask_cannot_delete_one(bridge: Bridge) -> None:
    work_order_id, expense_id = deleted_expense(bridge, "")
    [item] = records(bridge, "ExpenseItems", ticketID=7001)
    assert item["expenseCurrencyExpenseAmount"] > 0
    processed = bridge.deliver(fn_hint(work_order_id, "expense-deleted"))
    assert processed.outcome is not None, processed.lines
    [voided] = processed.outcome.writes
    assert voided == Write("updated", "expense item", item["id"], f"voided: expense {expense_id} is gone")
    [skip] = processed.outcome.skips
    assert f"Delete expense item {item['id']} in Autotask by hand" in (skip.fix or "")
    [item] = records(bridge, "ExpenseItems", ticketID=7001)
    assert (item["expenseCurrencyExpenseAmount"], item["isBillableToCompany"]) == (0, False)
    assert item["description"] == f"(#{expense_id}) deleted in Field Nation"
    assert bridge.fn_event(work_order_id, "again").kind == "unchanged"  # voided once


def test_a_status_the_mappings_do_not_cover_leaves_the_ticket_status_and_says_so(bridge: Bridge) -> None:
    work_order_id = linked_work(bridge)
    bridge.fn_event(work_order_id, "work-done")
    status = records(bridge, "Tickets", id=7001)[0]["status"]
    bridge.fn.act(work_order_id, "approve")  # the default status mapping has no ticket status for approved
    outcome = bridge.deliver(fn_hint(work_order_id, "approved"))
    assert outcome.status == "done", outcome.lines
    [warning] = [line for line in outcome.lines if line[0] == "warning"]
    assert "give no value for Status" in warning[2]
    assert records(bridge, "Tickets", id=7001)[0]["status"] == status
    # The pair goes on syncing: a later message still becomes a note.
    bridge.fn.act(work_order_id, "post_message", message="Invoice sent.", type="INTERNAL")
    assert len(bridge.fn_event(work_order_id, "message").written("created", "note")) == 1
