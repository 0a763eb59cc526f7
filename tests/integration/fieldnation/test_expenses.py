"""Expenses: company categories, adding, approving and rejecting."""

from __future__ import annotations

import pytest

from fieldbridge.fieldnation import BadRequestError, ConflictError, FieldNationClient, NotFoundError
from tests.integration.fieldnation.seeded import COMPANY
from tests.support.emulators import FieldNationSim


def test_company_expense_categories(client: FieldNationClient) -> None:
    labels = [c.label for c in client.expenses.categories(COMPANY)]
    assert labels == ["Parts", "Travel", "Tolls & parking", "Shipping", "Other"]
    with pytest.raises(NotFoundError, match="Company 1 was not found"):
        client.expenses.categories(1)


def test_add_approve_and_reject(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    wo = fn_sim.seeded("Assigned")
    added = client.expenses.add(wo, 4, 12.75, "Courier", quantity=2)
    assert (added.status, added.amount, added.quantity, added.description) == ("new", 12.75, 2, "Courier")
    assert added.category is not None
    assert added.category.name == "Shipping"
    approved = client.expenses.approve(wo, added.id)
    assert approved.status == "approved"
    assert approved.reason is None
    seeded = next(e for e in client.expenses.list(wo) if e.id != added.id)
    rejected = client.expenses.reject(wo, seeded.id, "No receipt")
    assert (rejected.status, rejected.reason) == ("disapproved", "No receipt")
    with pytest.raises(ConflictError, match=f"Expense {seeded.id} is already disapproved"):
        client.expenses.approve(wo, seeded.id)


def test_expense_rules(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    wo = fn_sim.seeded("Assigned")
    with pytest.raises(BadRequestError, match="Expense category 99 does not exist"):
        client.expenses.add(wo, 99, 10)
    with pytest.raises(BadRequestError, match="amount"):
        client.expenses.add(wo, 1, -5)
    with pytest.raises(BadRequestError, match="needs a rejection_reason"):
        client.expenses.reject(wo, client.expenses.list(wo)[0].id, " ")
    with pytest.raises(ConflictError, match="it is Published, not Assigned or Work Done"):
        client.expenses.add(fn_sim.seeded("Published"), 1, 10)
    with pytest.raises(NotFoundError, match="Expense 1 was not found"):
        client.expenses.approve(wo, 1)


def test_a_work_order_carries_its_expenses_in_its_pay(
    fn_sim: FieldNationSim, client: FieldNationClient
) -> None:
    wo = fn_sim.seeded("Assigned")
    client.expenses.add(wo, 4, 12.75, "Courier", quantity=2)
    listed = client.expenses.list(wo)
    before = fn_sim.calls("/workorders/{work_order_id}/expenses", "GET")
    work_order = client.workorders.get(wo)
    assert client.expenses.of(work_order) == listed
    assert len(listed) == 2
    assert fn_sim.calls("/workorders/{work_order_id}/expenses", "GET") == before  # no read of the list
    # A pay that carries only some of them (a real page may): the list is read.
    assert work_order.pay is not None
    assert work_order.pay.expenses is not None
    work_order.pay.expenses.results.pop()
    assert client.expenses.of(work_order) == listed
    assert fn_sim.calls("/workorders/{work_order_id}/expenses", "GET") == before + 1
