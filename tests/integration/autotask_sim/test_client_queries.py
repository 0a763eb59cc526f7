"""Queries as third-party clients send them to real tenants: an empty filter list, a comparison without a
value, and true/false for Autotask's 0/1 integer flags."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.autotask_sim.api_users import full_access_api
from tests.support.emulators import AutotaskSim

TICKETS = [7001, 7002, 7003, 7004, 7005, 7006, 7007]


def ids(api: httpx.Client, entity: str, body: dict[str, Any]) -> list[int]:
    response = api.post(f"{entity}/query", json=body)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_an_empty_filter_list_matches_every_record(api: httpx.Client) -> None:
    assert ids(api, "Tickets", {"filter": []}) == TICKETS
    assert api.post("Tickets/query/count", json={"filter": []}).json() == {"queryCount": len(TICKETS)}
    search = api.get("Tickets/query", params={"search": '{"filter": []}'})
    assert [item["id"] for item in search.json()["items"]] == TICKETS


def test_a_missing_filter_is_still_refused(api: httpx.Client) -> None:
    refused = api.post("Tickets/query", json={"MaxRecords": 10})
    assert refused.status_code == 500
    assert "needs a filter array" in refused.json()["errors"][0]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"op": "eq", "field": "completedDate"}, [7001, 7002, 7003, 7004, 7005, 7007]),
        ({"op": "noteq", "field": "completedDate"}, [7006]),
        ({"op": "eq", "field": "assignedResourceID"}, TICKETS),
        ({"op": "gt", "field": "priority"}, []),  # nothing is greater than null
    ],
)
def test_a_comparison_without_a_value_compares_with_null(
    api: httpx.Client, condition: dict[str, Any], expected: list[int]
) -> None:
    assert ids(api, "Tickets", {"filter": [condition]}) == expected
    with_null = {**condition, "value": None}
    assert ids(api, "Tickets", {"filter": [with_null]}) == expected


@pytest.mark.parametrize("value", [True, "true", "True", 1, "1"])
def test_true_stands_for_one_in_an_integer_flag(autotask_sim: AutotaskSim, value: object) -> None:
    autotask_sim.control.patch(
        "/_sim/ui/Contacts/602", json={"as_resource": 29682885, "fields": {"isActive": 0}}
    ).raise_for_status()
    active = [c["id"] for c in autotask_sim.records("Contacts") if c["id"] != 602]
    with autotask_sim.api() as api:
        assert ids(api, "Contacts", {"filter": [{"op": "eq", "field": "isActive", "value": value}]}) == active
        complete = {"filter": [{"op": "eq", "field": "isComplete", "value": value}]}
        assert ids(api, "ServiceCalls", complete) == [8602]


@pytest.mark.parametrize("value", [False, "false", "FALSE", 0])
def test_false_stands_for_zero_in_an_integer_flag(autotask_sim: AutotaskSim, value: object) -> None:
    autotask_sim.control.patch(
        "/_sim/ui/Contacts/602", json={"as_resource": 29682885, "fields": {"isActive": 0}}
    ).raise_for_status()
    with autotask_sim.api() as api:
        assert ids(api, "Contacts", {"filter": [{"op": "eq", "field": "isActive", "value": value}]}) == [602]


def test_a_flag_written_as_true_is_stored_as_one(autotask_sim: AutotaskSim) -> None:
    with full_access_api(autotask_sim) as api:
        created = api.post(
            "Companies/175/Contacts", json={"firstName": "Ravi", "lastName": "Shah", "isActive": True}
        )
        assert created.status_code == 200, created.text
        assert api.get(f"Contacts/{created.json()['itemId']}").json()["item"]["isActive"] == 1


def test_true_is_not_a_number_for_other_integers(api: httpx.Client) -> None:
    refused = api.post(
        "Tickets/query", json={"filter": [{"op": "eq", "field": "companyID", "value": "true"}]}
    )
    assert refused.status_code == 500
    assert "not a valid integer for field companyID" in refused.json()["errors"][0]
