"""Custom fields: the company list, per work order, and values checked against each field type."""

from __future__ import annotations

import pytest

from fieldbridge.fieldnation import BadRequestError, ConflictError, FieldNationClient, NotFoundError
from tests.support.emulators import FieldNationSim

TYPES = {
    101: "text",
    102: "numeric",
    103: "date",
    104: "date_time",
    105: "time",
    106: "predefined",
    107: "phone",
}


def test_company_list_has_a_field_of_every_type(client: FieldNationClient) -> None:
    categories = client.custom_fields.company()
    assert [c.name for c in categories] == ["Ticket details", "Provider close-out"]
    fields = {f.id: f for c in categories for f in c.results}
    assert {fields[i].type for i in TYPES} == set(TYPES.values())
    assert fields[106].options == ["Low", "Medium", "High", "Critical"]
    assert all(f.value is None for f in fields.values())  # the company list carries no values


def test_work_order_fields_carry_values(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    fields = {f.id: f for c in client.custom_fields.of_work_order(fn_sim.seeded("Draft")) for f in c.results}
    assert fields[101].value == "T20250301.0001"
    assert fields[106].value == "Medium"
    assert fields[102].value == ""


@pytest.mark.parametrize(
    ("field_id", "value", "stored"),
    [
        (101, "T20250401.0042", "T20250401.0042"),
        (102, 12, "12"),
        (102, "3.5", "3.5"),
        (103, "2030-02-28", "2030-02-28"),
        (104, "2030-02-28 14:30:00", "2030-02-28 14:30:00"),
        (105, "07:45", "07:45"),
        (106, "Critical", "Critical"),
        (107, "+1 (312) 555-0100", "+1 (312) 555-0100"),
        (101, None, ""),
    ],
)
def test_set_a_value_of_each_type(
    fn_sim: FieldNationSim, client: FieldNationClient, field_id: int, value: str | int | None, stored: str
) -> None:
    wo = client.workorders.create({"title": "Custom"}).id
    field = client.custom_fields.set(wo, field_id, value)
    assert (field.id, field.type, field.value) == (field_id, TYPES[field_id], stored)
    assert fn_sim.events(wo)[-1] == "workorder.custom_field_value_updated"


@pytest.mark.parametrize(
    ("field_id", "value", "message"),
    [
        (102, "twelve", "numeric; 'twelve' is not a number"),
        (102, True, "numeric"),
        (103, "28/02/2030", "wants YYYY-MM-DD"),
        (103, "2030-02-30", "wants YYYY-MM-DD"),
        (104, "2030-02-28T14:30", "wants YYYY-MM-DD HH:MM:SS"),
        (105, "7am", "wants HH:MM"),
        (106, "Urgent", "accepts one of"),
        (107, "call me", "wants a phone number"),
        (101, 42, "send the value as a string"),
    ],
)
def test_values_that_do_not_fit_the_type_are_refused(
    client: FieldNationClient, field_id: int, value: object, message: str
) -> None:
    wo = client.workorders.create({"title": "Custom"}).id
    with pytest.raises(BadRequestError) as caught:
        client.custom_fields.set(wo, field_id, value)  # type: ignore[arg-type]
    assert message in caught.value.message


def test_unknown_custom_field_is_a_404(client: FieldNationClient) -> None:
    wo = client.workorders.create({"title": "Custom"}).id
    with pytest.raises(NotFoundError, match="Custom field 999 was not found"):
        client.custom_fields.set(wo, 999, "x")


def test_paid_work_orders_keep_their_values(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    with pytest.raises(ConflictError, match="custom fields can no longer change"):
        client.custom_fields.set(fn_sim.seeded("Paid"), 101, "late")
