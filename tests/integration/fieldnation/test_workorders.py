"""Work orders through the client: create, get, update, list and page, cancel or delete, and the fields
a work order carries (schedule, location, pay, contacts, rich text, closing notes)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fieldbridge.fieldnation import BadRequestError, ConflictError, FieldNationClient, NotFoundError
from tests.integration.fieldnation.seeded import MANAGER
from tests.support.emulators import FieldNationSim


def test_a_draft_needs_only_a_title(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    created = client.workorders.create({"title": "Replace the router"})
    assert created.status is not None
    assert (created.status.id, created.status.name) == (1, "Draft")
    assert created.title is None  # Field Nation answers a create with the id and status only
    fetched = client.workorders.get(created.id)
    assert fetched.title == "Replace the router"
    assert fetched.manager is not None
    assert (fetched.manager.id, fetched.manager.email) == (MANAGER, "api.fieldbridge@brightline.example")
    assert fn_sim.events(created.id) == ["workorder.created"]


def test_create_with_every_field(client: FieldNationClient) -> None:
    created = client.workorders.create(
        {
            "title": "Install APs",
            "description": {"html": "<p>Two <b>APs</b></p>"},
            "confidential": {"html": "<p>Code 1234</p>"},
            "location": {"mode": "custom", "address1": "1 Main St", "city": "Austin", "state": "TX",
                         "zip": "78701", "country": "US", "type": {"id": 1},
                         "coordinates": {"latitude": 30.27, "longitude": -97.74}},
            "schedule": {"service_window": {"mode": "exact", "start": {"utc": "2030-01-02 15:00:00"}},
                         "time_zone": {"name": "America/Chicago"}},
            "pay": {"type": "blended", "base": {"amount": 100, "units": 1},
                    "additional": {"amount": 50, "units": 2}},
            "contacts": [{"name": "Ana", "role": "Site lead", "phone": "+1 512 555 0100",
                          "email": "ana@example.com"}],
            "closing_notes": "",
            "correlation_id": "T20300101.0001",
            "type_of_work": {"id": 1},
            "client": {"id": 6002},
            "project": {"id": 7002},
        }
    )  # fmt: skip
    wo = client.workorders.get(created.id)
    assert wo.description is not None
    assert wo.description.html == "<p>Two <b>APs</b></p>"
    assert wo.confidential is not None
    assert wo.confidential.html == "<p>Code 1234</p>"
    assert wo.location is not None
    assert (wo.location.mode, wo.location.city, wo.location.zip) == ("custom", "Austin", "78701")
    assert wo.location.coordinates is not None
    assert wo.location.coordinates.latitude == 30.27
    assert wo.location.type is not None
    assert wo.location.type.name == "Commercial"
    assert wo.pay is not None
    assert wo.pay.total == 200.0
    assert wo.contacts is not None
    assert wo.contacts.results[0].email == "ana@example.com"
    assert wo.correlation_id == "T20300101.0001"
    assert wo.type_of_work is not None
    assert wo.type_of_work.name == "Networking"
    assert wo.client is not None
    assert wo.client.name == "Fabrikam Health"
    assert wo.project is not None
    assert wo.project.name == "Clinic Wi-Fi upgrade"
    assert wo.company is not None
    assert wo.company.id == 4182
    window = wo.schedule.service_window if wo.schedule else None
    assert window is not None
    assert window.mode == "exact"
    assert window.start is not None
    assert window.start.utc == "2030-01-02 15:00:00"
    assert window.start.local is not None
    assert (window.start.local.date, window.start.local.time) == ("2030-01-02", "09:00:00")


@pytest.mark.parametrize(
    ("pay", "total"),
    [
        ({"type": "fixed", "base": {"amount": 180}}, 180.0),
        ({"type": "hourly", "base": {"amount": 60, "units": 3.5}}, 210.0),
        ({"type": "device", "base": {"amount": 25, "units": 4}}, 100.0),
    ],
)
def test_pay_total_follows_the_pay_type(
    client: FieldNationClient, pay: dict[str, object], total: float
) -> None:
    wo = client.workorders.update(client.workorders.create({"title": "Pay"}).id, {"pay": pay})  # type: ignore[typeddict-item]
    assert wo.pay is not None
    assert wo.pay.type == pay["type"]
    assert wo.pay.total == total


def test_saved_location_brings_its_address_and_time_zone(client: FieldNationClient) -> None:
    wo_id = client.workorders.create({"title": "At the clinic"}).id
    wo = client.workorders.update(wo_id, {"location": {"mode": "location", "saved_location": {"id": 8002}}})
    assert wo.location is not None
    assert (wo.location.city, wo.location.state) == ("Denver", "CO")
    assert wo.location.saved_location is not None
    assert wo.location.saved_location.name == "Fabrikam Clinic Downtown"
    assert wo.schedule is not None
    assert wo.schedule.time_zone is not None
    assert wo.schedule.time_zone.name == "America/Denver"


def test_remote_location_has_no_address(client: FieldNationClient) -> None:
    wo_id = client.workorders.create({"title": "Remote"}).id
    wo = client.workorders.update(wo_id, {"location": {"mode": "remote"}})
    assert wo.location is not None
    assert wo.location.mode == "remote"
    assert wo.location.city is None


def test_update_changes_only_what_is_given(client: FieldNationClient) -> None:
    wo_id = client.workorders.create({"title": "Before", "correlation_id": "X-1"}).id
    wo = client.workorders.update(wo_id, {"title": "After", "closing_notes": "All good"})
    assert (wo.title, wo.closing_notes, wo.correlation_id) == ("After", "All good", "X-1")


@pytest.mark.parametrize(
    ("window", "start_local", "end_local"),
    [
        ({"mode": "exact", "start": {"local": {"date": "2030-06-01", "time": "08:30"}}}, "08:30:00", None),
        (
            {
                "mode": "between",
                "start": {"utc": "2030-06-01 13:00:00"},
                "end": {"utc": "2030-06-01 17:00:00"},
            },
            "09:00:00",
            "13:00:00",
        ),
        (
            {
                "mode": "hours",
                "start": {"local": {"date": "2030-06-01", "time": "09:00:00"}},
                "end": {"local": {"date": "2030-06-03", "time": "17:00:00"}},
            },
            "09:00:00",
            "17:00:00",
        ),
    ],
    ids=["exact", "between", "hours"],
)
def test_schedule_modes_with_utc_and_local_times(
    fn_sim: FieldNationSim,
    client: FieldNationClient,
    window: dict[str, object],
    start_local: str,
    end_local: str | None,
) -> None:
    wo_id = client.workorders.create({"title": "Scheduled"}).id
    schedule = client.workorders.set_schedule(wo_id, {"service_window": window, "time_zone": {"id": 1}})
    assert schedule.time_zone is not None
    assert schedule.time_zone.name == "America/New_York"
    assert schedule.time_zone.short == "EDT"
    assert schedule.time_zone.offset == -4.0
    sw = schedule.service_window
    assert sw is not None
    assert sw.mode == window["mode"]
    assert sw.start is not None
    assert sw.start.local is not None
    assert sw.start.local.time == start_local
    assert sw.start.as_datetime() is not None
    if end_local is None:
        assert sw.end is None
    else:
        assert sw.end is not None
        assert sw.end.local is not None
        assert sw.end.local.time == end_local
    assert client.workorders.schedule(wo_id) == schedule
    assert fn_sim.events(wo_id)[-1] == "workorder.schedule_updated"


def test_setting_the_same_schedule_again_fires_no_event(
    fn_sim: FieldNationSim, client: FieldNationClient
) -> None:
    wo_id = client.workorders.create({"title": "Same"}).id
    schedule = {"service_window": {"mode": "exact", "start": {"utc": "2030-01-01 10:00:00"}}}
    client.workorders.set_schedule(wo_id, schedule)
    client.workorders.set_schedule(wo_id, schedule)
    assert fn_sim.events(wo_id).count("workorder.schedule_updated") == 1


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ({"service_window": {"mode": "between", "start": {"utc": "2030-01-01 10:00:00"}}}, "needs an end"),
        (
            {
                "service_window": {
                    "mode": "exact",
                    "start": {"utc": "2030-01-01 10:00:00"},
                    "end": {"utc": "2030-01-01 11:00:00"},
                }
            },
            "takes a start only",
        ),
        (
            {
                "service_window": {
                    "mode": "between",
                    "start": {"utc": "2030-01-01 10:00:00"},
                    "end": {"utc": "2030-01-01 09:00:00"},
                }
            },
            "before",
        ),
        ({"service_window": {"mode": "exact", "start": {"utc": "01/01/2030 10:00"}}}, "YYYY-MM-DD HH:MM:SS"),
        ({"service_window": {"mode": "exact", "start": {}}}, "'utc' or 'local'"),
        (
            {"service_window": {"mode": "soon", "start": {"utc": "2030-01-01 10:00:00"}}},
            "service_window.mode",
        ),
        (
            {
                "service_window": {"mode": "exact", "start": {"utc": "2030-01-01 10:00:00"}},
                "time_zone": {"id": 99},
            },
            "not a known time zone",
        ),
    ],
)
def test_bad_schedules_are_refused_clearly(
    client: FieldNationClient, schedule: dict[str, object], message: str
) -> None:
    wo_id = client.workorders.create({"title": "Bad schedule"}).id
    with pytest.raises(BadRequestError) as caught:
        client.workorders.set_schedule(wo_id, schedule)
    assert message in caught.value.message
    assert caught.value.path == f"/api/rest/v2/workorders/{wo_id}/schedule"


def test_list_pages_with_the_metadata_envelope(client: FieldNationClient) -> None:
    first = client.workorders.list(page=1, per_page=3)
    assert (first.metadata.total, first.metadata.pages, first.metadata.per_page) == (8, 3, 3)
    last = client.workorders.list(page=3, per_page=3)
    assert len(first.results) == 3
    assert len(last.results) == 2
    beyond = client.workorders.list(page=9, per_page=3)
    assert beyond.results == []
    assert beyond.metadata.total == 8


def test_iterate_fetches_pages_lazily(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    pages = client.workorders.iterate(per_page=3)
    first = next(pages)
    assert fn_sim.calls("/api/rest/v2/workorders", "GET") == 1
    rest = list(pages)
    assert fn_sim.calls("/api/rest/v2/workorders", "GET") == 3
    ids = [first.id, *(wo.id for wo in rest)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 8


def test_list_refuses_an_oversized_page(client: FieldNationClient) -> None:
    with pytest.raises(BadRequestError, match="per_page"):
        client.workorders.list(per_page=500)


def test_a_draft_is_deleted_and_a_published_work_order_cancelled(
    fn_sim: FieldNationSim, client: FieldNationClient
) -> None:
    draft = client.workorders.create({"title": "Never mind"}).id
    assert client.workorders.cancel(draft) is None
    with pytest.raises(NotFoundError, match=f"Work order {draft} was not found"):
        client.workorders.get(draft)
    published = fn_sim.seeded("Published")
    cancelled = client.workorders.cancel(published, reason="Customer withdrew")
    assert cancelled is not None
    assert cancelled.status is not None
    assert cancelled.status.name == "Cancelled"
    assert cancelled.messages is not None
    assert cancelled.messages.results[-1].message == "Cancelled: Customer withdrew"
    assert fn_sim.events(published)[-1] == "workorder.status.cancelled"


def test_cancel_reason_may_come_as_a_json_body(fn_sim: FieldNationSim) -> None:
    wo_id = fn_sim.seeded("Published")
    response = fn_sim.control.request(
        "DELETE",
        f"/api/rest/v2/workorders/{wo_id}",
        params={"access_token": fn_sim.token()},
        json={"cancel_reason": "Dup"},
    )
    assert response.status_code == 200
    assert response.json()["status"]["id"] == 7
    assert response.json()["messages"]["results"][-1]["message"] == "Cancelled: Dup"


def test_unknown_work_order_is_a_404_for_every_verb(client: FieldNationClient) -> None:
    for call in (
        lambda: client.workorders.get(1),
        lambda: client.workorders.update(1, {"title": "x"}),
        lambda: client.workorders.publish(1),
        lambda: client.time_logs.list(1),
        lambda: client.attachments.folders(1),
    ):
        with pytest.raises(NotFoundError) as caught:
            call()
        assert caught.value.message == "Work order 1 was not found"


def test_locked_work_orders_cannot_be_edited(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    with pytest.raises(ConflictError, match="Approved and can no longer be edited"):
        client.workorders.update(fn_sim.seeded("Approved"), {"title": "Too late"})


def test_unknown_references_in_the_body_are_bad_requests(client: FieldNationClient) -> None:
    wo_id = client.workorders.create({"title": "Refs"}).id
    for fields, message in (
        ({"type_of_work": {"id": 99}}, "Type of work 99 does not exist"),
        ({"location": {"mode": "location", "saved_location": {"id": 1}}}, "Saved location 1 does not exist"),
        ({"manager": {"id": 3001}}, "User 3001 is not a manager"),
    ):
        with pytest.raises(BadRequestError, match=message):
            client.workorders.update(wo_id, fields)  # type: ignore[arg-type]
    assert client.workorders.get(wo_id).title == "Refs"


def test_milestones_record_when_each_status_was_reached(
    fn_sim: FieldNationSim, client: FieldNationClient
) -> None:
    wo = client.workorders.get(fn_sim.seeded("Paid"))
    assert wo.model_extra is not None
    milestones = wo.model_extra["milestones"]
    assert set(milestones) == {"created", "assigned", "workdone", "approved", "paid"}
    assert datetime.strptime(milestones["paid"]["utc"], "%Y-%m-%d %H:%M:%S").replace(
        tzinfo=UTC
    ) <= datetime.now(UTC)
