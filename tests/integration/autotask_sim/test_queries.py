"""Queries: every filter operator, groups, UDF filters, IncludeFields, counts and paging at 500."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.support.emulators import AutotaskSim


def ids(api: httpx.Client, *filters: dict[str, Any], entity: str = "Tickets") -> list[int]:
    response = api.post(f"{entity}/query", json={"filter": list(filters)})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"op": "eq", "field": "status", "value": 5}, [7006]),
        ({"op": "noteq", "field": "companyID", "value": 174}, [7003, 7004, 7005, 7006]),
        ({"op": "gt", "field": "priority", "value": 3}, [7005]),
        ({"op": "gte", "field": "priority", "value": 3}, [7004, 7005, 7006, 7007]),
        ({"op": "lt", "field": "id", "value": 7002}, [7001]),
        ({"op": "lte", "field": "id", "value": 7002}, [7001, 7002]),
        ({"op": "beginsWith", "field": "title", "value": "pos "}, [7003]),
        ({"op": "endsWith", "field": "title", "value": "ROOMS"}, [7005]),
        ({"op": "contains", "field": "title", "value": "cabling"}, [7004]),
        ({"op": "in", "field": "id", "value": [7002, 7004, 9999]}, [7002, 7004]),
        ({"op": "notIn", "field": "companyID", "value": [174, 175]}, [7005, 7006]),
        ({"op": "exist", "field": "completedDate"}, [7006]),
        ({"op": "notExist", "field": "assignedResourceID"}, [7001, 7002, 7003, 7004, 7005, 7006, 7007]),
    ],
)
def test_each_filter_operator(api: httpx.Client, condition: dict[str, Any], expected: list[int]) -> None:
    assert ids(api, condition) == expected


def test_nested_and_or_groups(api: httpx.Client) -> None:
    condition = {
        "op": "or",
        "items": [
            {
                "op": "and",
                "items": [
                    {"op": "eq", "field": "companyID", "value": 174},
                    {"op": "eq", "field": "priority", "value": 1},
                ],
            },
            {"op": "eq", "field": "id", "value": 7006},
        ],
    }
    assert ids(api, condition) == [7001, 7006]


def test_datetime_filters_compare_as_datetimes(api: httpx.Client, autotask_sim: AutotaskSim) -> None:
    ticket = next(t for t in autotask_sim.records("Tickets") if t["id"] == 7004)
    found = ids(api, {"op": "gte", "field": "lastActivityDate", "value": ticket["lastActivityDate"]})
    assert 7004 in found
    assert all(
        t["lastActivityDate"] >= ticket["lastActivityDate"]
        for t in autotask_sim.records("Tickets")
        if t["id"] in found
    )


def test_one_udf_condition_per_query(api: httpx.Client) -> None:
    rush = {"op": "eq", "field": "Dispatch Priority", "value": "Rush", "udf": True}
    assert ids(api, rush) == [7001, 7005]
    twice = api.post("Tickets/query", json={"filter": [rush, {**rush, "field": "Site Access Code"}]})
    assert twice.status_code == 500
    assert "one user-defined field" in twice.json()["errors"][0]


def test_include_fields_limits_the_answer_but_keeps_id(api: httpx.Client) -> None:
    response = api.post(
        "Tickets/query",
        json={"filter": [{"op": "eq", "field": "id", "value": 7001}], "IncludeFields": ["Title", "status"]},
    )
    item = response.json()["items"][0]
    assert set(item) == {"id", "title", "status", "userDefinedFields"}


def test_get_with_search_and_count(api: httpx.Client) -> None:
    search = json.dumps({"filter": [{"op": "eq", "field": "companyID", "value": 175}]})
    assert [i["id"] for i in api.get("Tickets/query", params={"search": search}).json()["items"]] == [
        7003,
        7004,
    ]
    assert api.get("Tickets/query/count", params={"search": search}).json() == {"queryCount": 2}
    assert api.post("Tickets/query/count", json=json.loads(search)).json() == {"queryCount": 2}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"filter": [{"op": "like", "field": "id", "value": 1}]}, "Invalid filter operation"),
        ({"filter": [{"op": "eq", "field": "nope", "value": 1}]}, "Unable to find field 'nope'"),
        ({"filter": [{"op": "eq", "field": "id", "value": "seven"}]}, "not a valid long"),
        ({"MaxRecords": 5}, "needs a filter array"),
        ({"filter": [{"op": "eq", "field": "id", "value": 1}], "MaxRecords": 501}, "between 1 and 500"),
        ({"filter": [{"op": "eq", "field": "id", "value": 1}], "MaxRecords": 0}, "between 1 and 500"),
        ({"filter": [{"op": "in", "field": "id", "value": list(range(501))}]}, "at most 500"),
        ({"filter": [{"op": "and", "items": []}]}, "non-empty 'items'"),
        ({"filter": [{"op": "in", "field": "id"}]}, "needs a non-empty list"),
        ({"filter": [{"op": "eq", "field": "id", "value": 1}], "Sort": "id"}, "Unknown query properties"),
        (
            {"filter": [{"op": "eq", "field": "id", "value": 1}], "IncludeFields": ["nope"]},
            "Unable to find field",
        ),
        ([1, 2], "JSON object"),
    ],
)
def test_bad_queries_get_autotask_shaped_errors(api: httpx.Client, body: Any, fragment: str) -> None:
    response = api.post("Tickets/query", json=body)
    assert response.status_code == 500
    assert fragment in response.json()["errors"][0]


def test_malformed_json_is_an_autotask_error_not_a_crash(api: httpx.Client) -> None:
    response = api.post(
        "Tickets/query", content=b'{"filter": [', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 500
    assert "not valid JSON" in response.json()["errors"][0]


def _bulk_create_notes(autotask_sim: AutotaskSim, count: int) -> None:
    for n in range(count):
        autotask_sim.control.post(
            "/_sim/ui/TicketNotes",
            json={
                "as_resource": 29682886,
                "fields": {"ticketID": 7004, "description": f"note {n}", "noteType": 2, "publish": 1},
            },
        ).raise_for_status()


def test_paging_at_500_with_next_page_posted_again(api: httpx.Client, autotask_sim: AutotaskSim) -> None:
    _bulk_create_notes(autotask_sim, 520)
    body = {"filter": [{"op": "eq", "field": "ticketID", "value": 7004}]}
    first = api.post("TicketNotes/query", json=body).json()
    assert len(first["items"]) == 500
    assert first["pageDetails"]["count"] == 500
    next_url = first["pageDetails"]["nextPageUrl"]
    assert "/TicketNotes/query/next?paging=" in next_url
    assert api.get(next_url).status_code == 405  # a POST query's next page is POSTed again
    second = api.post(next_url, json=body).json()
    assert len(second["items"]) == 20
    assert second["pageDetails"]["nextPageUrl"] is None
    seen = [i["id"] for i in first["items"] + second["items"]]
    assert seen == sorted(set(seen))
    back = api.post(second["pageDetails"]["prevPageUrl"], json=body).json()
    assert [i["id"] for i in back["items"]] == [i["id"] for i in first["items"]]


def test_paging_of_a_get_query_keeps_the_search(api: httpx.Client) -> None:
    search = json.dumps({"filter": [{"op": "exist", "field": "id"}], "MaxRecords": 4})
    first = api.get("Tickets/query", params={"search": search}).json()
    assert len(first["items"]) == 4
    second = api.get(first["pageDetails"]["nextPageUrl"]).json()
    assert [i["id"] for i in second["items"]] == [7005, 7006, 7007]


def test_an_overlong_get_url_fails_with_404(api: httpx.Client) -> None:
    search = json.dumps({"filter": [{"op": "in", "field": "id", "value": list(range(100000, 100400))}]})
    assert api.get("Tickets/query", params={"search": search}).status_code == 404
