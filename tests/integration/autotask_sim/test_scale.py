"""A tenant of a chosen size (`POST /_sim/seed`): generated the same for the same seed, valid by Autotask's
own rules, paged through like any tenant, and read back through `/_sim/records` a page at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fieldbridge.sandbox.autotask.seed import STATUS
from tests.integration.autotask_sim.api_users import full_access_api
from tests.support.emulators import AutotaskSim

TICKETS, COMPANIES = 1800, 240


@pytest.fixture
def grown(autotask_sim: AutotaskSim) -> Iterator[AutotaskSim]:
    """The session's emulator seeded with TICKETS tickets and COMPANIES companies; reset afterwards, so the
    next test finds the default seed."""
    answer = autotask_sim.control.post(
        "/_sim/seed", json={"tickets": TICKETS, "companies": COMPANIES, "seed": 7}
    )
    assert answer.status_code == 200, answer.text
    yield autotask_sim
    autotask_sim.control.post("/_sim/reset").raise_for_status()


def shape(records: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What the generator decides, without the timestamps (placed relative to the moment of seeding)."""
    return [
        (r["id"], r["companyID"], r["contactID"], r["title"], r["status"], r["priority"]) for r in records
    ]


def test_the_tenant_holds_the_size_asked_for_and_keeps_the_default_seed(grown: AutotaskSim) -> None:
    with full_access_api(grown) as api:
        for entity, size in (("Tickets", TICKETS), ("Companies", COMPANIES)):
            assert api.post(f"{entity}/query/count", json={"filter": []}).json() == {"queryCount": size}
        assert api.get("Tickets/7001").json()["item"]["title"] == "Replace failed switch in server closet"
        assert api.get("Companies/174").json()["item"]["companyName"] == "Northwind Dental Group"


def test_the_same_seed_makes_the_same_tenant(grown: AutotaskSim) -> None:
    first = shape(grown.records("Tickets"))
    grown.control.post(
        "/_sim/seed", json={"tickets": TICKETS, "companies": COMPANIES, "seed": 7}
    ).raise_for_status()
    assert shape(grown.records("Tickets")) == first
    grown.control.post(
        "/_sim/seed", json={"tickets": TICKETS, "companies": COMPANIES, "seed": 8}
    ).raise_for_status()
    assert shape(grown.records("Tickets")) != first


def test_generated_records_keep_autotasks_rules(grown: AutotaskSim) -> None:
    contacts = {c["id"]: c for c in grown.records("Contacts")}
    sites = {loc["id"]: loc for loc in grown.records("CompanyLocations")}
    companies = {c["id"] for c in grown.records("Companies")}
    tickets = grown.records("Tickets")
    for ticket in tickets:
        assert ticket["companyID"] in companies
        assert sites[ticket["companyLocationID"]]["companyID"] == ticket["companyID"]
        assert (
            ticket["contactID"] is None or contacts[ticket["contactID"]]["companyID"] == ticket["companyID"]
        )
        assert (ticket["assignedResourceID"] is None) == (ticket["assignedResourceRoleID"] is None)
    statuses = [t["status"] for t in tickets]
    assert set(statuses) <= set(STATUS.values())
    assert statuses.count(STATUS["Complete"]) > len(tickets) / 2  # a history: most tickets are closed
    with full_access_api(grown) as api:  # a generated ticket takes an API update like any other
        ticket = tickets[-1]
        changed = api.patch("Tickets", json={"id": ticket["id"], "title": "Edited after seeding"})
        assert changed.status_code == 200, changed.text


def test_a_query_pages_through_a_large_tenant_in_id_order(grown: AutotaskSim) -> None:
    query = {"filter": [{"op": "exist", "field": "id"}]}
    seen: list[int] = []
    with grown.api() as api:
        answer = api.post("Tickets/query", json=query).json()
        while True:
            seen += [t["id"] for t in answer["items"]]
            if not answer["pageDetails"]["nextPageUrl"]:
                break
            answer = api.post(answer["pageDetails"]["nextPageUrl"], json=query).json()
        back = api.post(answer["pageDetails"]["prevPageUrl"], json=query).json()["items"]
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == TICKETS
    assert [t["id"] for t in back] == seen[-(TICKETS % 500) - 500 : -(TICKETS % 500)]


def test_records_come_a_page_at_a_time(grown: AutotaskSim) -> None:
    first = grown.control.get("/_sim/records/Tickets").json()
    assert len(first["items"]) == 1000
    assert first["next"] == f"/_sim/records/Tickets?after={first['items'][-1]['id']}&limit=1000"
    small = grown.control.get("/_sim/records/Tickets", params={"after": 7005, "limit": 3}).json()
    assert [t["id"] for t in small["items"]] == [7006, 7007, 7008]
    assert len(grown.records("Tickets")) == TICKETS


def test_reset_goes_back_to_the_default_seed(grown: AutotaskSim) -> None:
    grown.control.post("/_sim/reset").raise_for_status()
    assert [t["id"] for t in grown.records("Tickets")] == list(range(7001, 7008))


@pytest.mark.parametrize(
    ("size", "problem"),
    [
        ({"tickets": 3}, "tickets must be at least 7"),
        ({"companies": 2}, "companies must be at least 15"),
        ({"tickets": 0}, "greater than or equal to 1"),
    ],
)
def test_a_size_below_the_default_seed_is_refused(
    autotask_sim: AutotaskSim, size: dict[str, int], problem: str
) -> None:
    answer = autotask_sim.control.post("/_sim/seed", json=size)
    assert answer.status_code == 422
    assert problem in str(answer.json()["detail"])
    assert len(autotask_sim.records("Tickets")) == 7
