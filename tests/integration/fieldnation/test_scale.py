"""A company of a chosen size (`POST /_sim/seed`): generated the same for the same seed, each work order in a
state the app's acts reach, listed oldest first, and found again by its correlation id the only way REST v2
allows, by reading the list."""

from __future__ import annotations

from typing import Any

import pytest

from fieldbridge.fieldnation import FieldNationClient
from tests.support.emulators import FieldNationSim

WORK_ORDERS = 640


@pytest.fixture
def grown(fn_sim: FieldNationSim) -> FieldNationSim:
    """The module's emulator holding WORK_ORDERS work orders (the next test's reset brings back the seed)."""
    answer = fn_sim.control.post("/_sim/seed", json={"workorders": WORK_ORDERS, "seed": 5})
    assert answer.status_code == 200, answer.text
    assert answer.json()["work_orders"] == WORK_ORDERS
    return fn_sim


def every(sim: FieldNationSim) -> list[dict[str, Any]]:
    """Every work order as `GET /workorders` lists it, page after page (raw JSON: quicker than models)."""
    token, items, page = sim.token(), [], 1
    while True:
        params: dict[str, Any] = {"page": page, "per_page": 100, "access_token": token}
        answer = sim.control.get("/api/rest/v2/workorders", params=params).json()
        items += answer["results"]
        if page >= answer["metadata"]["pages"]:
            return items
        page += 1


def test_the_company_holds_the_size_asked_for_and_keeps_the_seed(grown: FieldNationSim) -> None:
    listed = every(grown)
    assert len(listed) == WORK_ORDERS
    assert [wo["id"] for wo in listed] == sorted(wo["id"] for wo in listed)  # oldest first, page after page
    assert listed[0]["title"] == "Replace receipt printer - Store 12"
    statuses = {wo["status"]["name"] for wo in listed}
    assert statuses == {
        "Draft",
        "Published",
        "Routed",
        "Assigned",
        "Work Done",
        "Approved",
        "Paid",
        "Cancelled",
    }


def test_the_same_seed_makes_the_same_company(fn_sim: FieldNationSim) -> None:
    def shape(seed: int) -> list[tuple[Any, ...]]:
        fn_sim.control.post("/_sim/seed", json={"workorders": 200, "seed": seed}).raise_for_status()
        return [(wo["id"], wo["title"], wo["status"]["name"], wo["correlation_id"]) for wo in every(fn_sim)]

    first = shape(5)
    assert shape(5) == first
    assert shape(6) != first


def test_generated_work_orders_went_through_the_app(grown: FieldNationSim, client: FieldNationClient) -> None:
    listed = every(grown)
    for wo in listed:
        if wo["status"]["name"] in ("Work Done", "Approved", "Paid"):
            assert wo["assignee"]["user"]["id"] in (3001, 3002, 3003, 3004)
            assert wo["time_logs"]["results"][0]["hours"] == 2.0
            assert wo["milestones"]["workdone"] is not None
    done = next(wo for wo in reversed(listed) if wo["status"]["name"] == "Work Done")
    approved = client.workorders.approve(done["id"])  # the API takes it up like any other
    assert approved.status is not None
    assert approved.status.name == "Approved"


def test_a_work_order_is_found_again_by_its_correlation_id(
    grown: FieldNationSim, client: FieldNationClient
) -> None:
    made = client.workorders.create({"title": "Lost answer", "correlation_id": "48213"})
    before = grown.calls("/workorders", "GET")
    found = client.workorders.find_by_correlation_id("48213")
    assert found is not None
    assert found.id == made.id
    assert grown.calls("/workorders", "GET") - before == 4  # the first page and the last three


def test_the_list_has_no_correlation_id_filter(grown: FieldNationSim, client: FieldNationClient) -> None:
    client.workorders.create({"title": "Lost answer", "correlation_id": "48213"})
    response = grown.control.get(
        "/api/rest/v2/workorders",
        params={"correlation_id": "48213", "access_token": grown.token()},
    )
    assert response.json()["metadata"]["total"] == WORK_ORDERS + 1  # REST v2 has no such filter


def test_a_size_below_the_seed_is_refused(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    answer = fn_sim.control.post("/_sim/seed", json={"workorders": 3})
    assert answer.status_code == 400
    assert "work orders must be at least 8" in answer.json()["message"]
    assert client.workorders.list().metadata.total == 8
