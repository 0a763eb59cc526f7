"""Time logs: check in and out, direct create/update/delete, and the rules around them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fieldbridge.fieldnation import BadRequestError, ConflictError, FieldNationClient, NotFoundError
from tests.support.emulators import FieldNationSim

START = datetime(2030, 3, 1, 14, 0, tzinfo=UTC)


def assigned(fn_sim: FieldNationSim, client: FieldNationClient, tech: int = 3001) -> int:
    wo = client.workorders.create({"title": "Time"}).id
    client.workorders.assign(wo, tech)
    return wo


def test_check_in_and_out_make_one_time_log(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    wo = assigned(fn_sim, client)
    opened = client.time_logs.check_in(wo, at=START)
    assert opened.status == "checked_in"
    assert opened.hours == 0
    assert opened.check_in is not None
    assert opened.check_in.created is not None
    assert opened.check_in.created.as_datetime() == START
    assert opened.logged_by is not None
    assert opened.logged_by.id == 3001
    closed = client.time_logs.check_out(wo, at=START + timedelta(hours=2, minutes=30))
    assert (closed.id, closed.status, closed.hours) == (opened.id, "checked_out", 2.5)
    assert [t.id for t in client.time_logs.list(wo)] == [opened.id]
    status = client.workorders.get(wo).status
    assert status is not None
    assert status.sub_status == "checked_out"
    assert fn_sim.events(wo)[-4:] == [
        "workorder.status.checked_in",
        "workorder.task_completed",
        "workorder.status.checked_out",
        "workorder.task_completed",
    ]


def test_check_in_without_a_time_means_now(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    wo = assigned(fn_sim, client)
    before = datetime.now(UTC).replace(microsecond=0)
    log = client.time_logs.check_in(wo)
    assert log.check_in is not None
    assert log.check_in.created is not None
    checked_in = log.check_in.created.as_datetime()
    assert checked_in is not None
    assert before <= checked_in <= datetime.now(UTC)


def test_check_in_rules(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    with pytest.raises(
        ConflictError, match=r"Cannot check in on work order \d+: it is Published, not Assigned"
    ):
        client.time_logs.check_in(fn_sim.seeded("Published"))
    wo = assigned(fn_sim, client)
    with pytest.raises(ConflictError, match="is not checked in"):
        client.time_logs.check_out(wo)
    client.time_logs.check_in(wo, at=START)
    with pytest.raises(ConflictError, match="is already checked in"):
        client.time_logs.check_in(wo)
    with pytest.raises(BadRequestError, match="before the check-in"):
        client.time_logs.check_out(wo, at=START - timedelta(minutes=1))


def test_create_update_and_delete_time_directly(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    wo = assigned(fn_sim, client)
    log = client.time_logs.create(wo, START, START + timedelta(hours=3))
    assert (log.status, log.hours) == ("checked_out", 3.0)
    changed = client.time_logs.update(wo, log.id, end=START + timedelta(hours=1, minutes=15))
    assert changed.hours == 1.25
    open_log = client.time_logs.create(wo, START + timedelta(days=1))
    assert open_log.status == "checked_in"
    client.time_logs.delete(wo, log.id)
    assert [t.id for t in client.time_logs.list(wo)] == [open_log.id]
    with pytest.raises(NotFoundError, match=f"Time log {log.id} was not found"):
        client.time_logs.update(wo, log.id, end=START)
    assert fn_sim.events(wo)[-1] == "workorder.status.assigned"  # time logs have no event of their own


def test_direct_time_is_checked(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    wo = assigned(fn_sim, client)
    with pytest.raises(BadRequestError, match=r"out\.created must be after in\.created"):
        client.time_logs.create(wo, START, START - timedelta(hours=1))
    with pytest.raises(ValueError, match="aware datetime"):
        client.time_logs.create(wo, datetime(2030, 1, 1))
    with pytest.raises(ConflictError, match="it is Draft, not Assigned or Work Done"):
        client.time_logs.create(client.workorders.create({"title": "Draft"}).id, START)


def test_reported_hours_show_in_pay(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    wo = assigned(fn_sim, client)
    client.workorders.update(wo, {"pay": {"type": "hourly", "base": {"amount": 50, "units": 4}}})
    client.time_logs.create(wo, START, START + timedelta(hours=1, minutes=30))
    pay = client.workorders.get(wo).pay
    assert pay is not None
    assert pay.model_extra is not None
    assert pay.model_extra["reported_hours"] == 1.5
