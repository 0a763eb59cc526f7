"""Values as a real tenant answers them: computed and defaulted fields filled, "" where Autotask keeps an
unset string, note types numbered as Autotask numbers them, and a seed that looks like a small MSP's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.autotask_sim.api_users import full_access_api
from tests.support.emulators import AutotaskSim

START, END = "2026-12-01T14:00:00Z", "2026-12-01T16:30:00Z"


@pytest.fixture
def full_access(autotask_sim: AutotaskSim) -> Iterator[httpx.Client]:
    with full_access_api(autotask_sim) as api:
        yield api


def item(api: httpx.Client, entity: str, record_id: int) -> dict[str, object]:
    return dict(api.get(f"{entity}/{record_id}").json()["item"])


def every(api: httpx.Client, entity: str) -> list[dict[str, Any]]:
    """Every record of a small table: one page of a query with no condition."""
    answer = api.post(f"{entity}/query", json={"filter": []})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def test_a_service_calls_duration_is_computed_from_its_start_and_end(api: httpx.Client) -> None:
    created = api.post("ServiceCalls", json={"companyID": 174, "startDateTime": START, "endDateTime": END})
    assert created.status_code == 200, created.text
    call_id = created.json()["itemId"]
    assert item(api, "ServiceCalls", call_id)["duration"] == 2.5
    moved = api.patch("ServiceCalls", json={"id": call_id, "endDateTime": "2026-12-01T15:00:00Z"})
    assert moved.status_code == 200, moved.text
    assert item(api, "ServiceCalls", call_id)["duration"] == 1.0
    assert item(api, "ServiceCalls", 8601)["duration"] == 2.0  # seeded: two hours


def test_a_time_entry_is_billable_unless_it_says_otherwise(api: httpx.Client) -> None:
    entry = {
        "ticketID": 7003,
        "resourceID": 29682886,
        "roleID": 29682832,
        "dateWorked": START,
        "startDateTime": START,
        "endDateTime": END,
        "summaryNotes": "Replaced the roller.",
    }
    billable = api.post("TimeEntries", json=entry).json()["itemId"]
    free = api.post("TimeEntries", json={**entry, "isNonBillable": True}).json()["itemId"]
    assert item(api, "TimeEntries", billable)["isNonBillable"] is False
    assert item(api, "TimeEntries", free)["isNonBillable"] is True
    assert item(api, "TimeEntries", 8101)["isNonBillable"] is False


def test_a_company_made_in_the_ui_is_active_and_its_unset_strings_are_empty(
    autotask_sim: AutotaskSim,
) -> None:
    made = autotask_sim.control.post(
        "/_sim/ui/Companies",
        json={
            "as_resource": 29682885,
            "fields": {"companyName": "Orchard Pediatrics", "companyType": 1, "phone": "555-0190"},
        },
    )
    assert made.status_code == 201, made.text
    with autotask_sim.api() as api:
        company = item(api, "Companies", made.json()["id"])
    assert company["isActive"] is True
    assert (company["companyNumber"], company["alternatePhone1"], company["fax"]) == ("", "", "")
    assert company["webAddress"] is None  # a string Autotask does answer as null when unset


def test_seeded_records_answer_empty_strings_where_a_tenant_does(full_access: httpx.Client) -> None:
    assert all(c["companyNumber"] == c["fax"] == "" for c in every(full_access, "Companies"))
    assert "" in {p["description"] for p in every(full_access, "Projects")}
    contacts = every(full_access, "Contacts")
    assert all(isinstance(c["mobilePhone"], str) and isinstance(c["faxNumber"], str) for c in contacts)


def test_a_put_that_leaves_out_an_empty_string_field_leaves_it_empty(full_access: httpx.Client) -> None:
    project = {
        "id": 8702,
        "companyID": 178,
        "projectName": "Office move to Congress Ave",
        "status": 1,
        "projectType": 4,
        "startDateTime": START,
        "endDateTime": END,
    }
    full_access.put("Projects", json=project).raise_for_status()
    assert item(full_access, "Projects", 8702)["description"] == ""


def test_note_types_are_numbered_as_autotask_numbers_them(api: httpx.Client) -> None:
    fields = api.get("TicketNotes/entityInformation/fields").json()["fields"]
    note_type = next(f for f in fields if f["name"] == "noteType")
    labels = {int(p["value"]): p["label"] for p in note_type["picklistValues"]}
    assert (labels[1], labels[2], labels[3]) == ("Task Summary", "Task Detail", "Task Notes")
    assert labels[13] == "Workflow Rule Note - Task"  # written by workflow rules, not picked by people
    notes = api.post("TicketNotes/query", json={"filter": [{"op": "eq", "field": "noteType", "value": 13}]})
    assert [(n["ticketID"], n["creatorResourceID"]) for n in notes.json()["items"]] == [(7006, 29682885)]


def test_the_seed_is_a_small_msps_book_of_customers(full_access: httpx.Client) -> None:
    companies = [c for c in every(full_access, "Companies") if c["id"] != 0]  # 0 is the MSP itself
    assert len({c["companyName"][0] for c in companies}) >= 12  # names across the alphabet
    customers = {c["id"] for c in companies if c["companyType"] == 1}
    assert customers <= {loc["companyID"] for loc in every(full_access, "CompanyLocations")}
    assert customers <= {c["companyID"] for c in every(full_access, "Contacts")}
    for entity in ("Projects", "ServiceCalls"):
        assert len({r["companyID"] for r in every(full_access, entity)}) >= 3, entity
