"""`/_sim/` app actions: each makes the state change and fires the events the real app would, and together
with the API they can cause every event name Field Nation documents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fieldbridge.fieldnation import FieldNationClient
from tests.support.emulators import FieldNationSim
from tests.support.receiver import Receiver, received_events
from tests.support.waiting import wait_until

JSON = dict[str, Any]
DOCUMENTED_EVENTS = frozenset(
    {
        "workorder.created",
        "workorder.custom_field_value_updated",
        "workorder.declined",
        "workorder.message_posted",
        "workorder.part_updated",
        "workorder.provider_upload",
        "workorder.requested",
        "workorder.routed",
        "workorder.schedule_updated",
        "workorder.status.approved",
        "workorder.status.assigned",
        "workorder.status.assigned_cancelled",
        "workorder.status.at_risk",
        "workorder.status.cancelled",
        "workorder.status.checked_in",
        "workorder.status.checked_out",
        "workorder.status.confirmed",
        "workorder.status.delayed",
        "workorder.status.draft",
        "workorder.status.on_my_way",
        "workorder.status.paid",
        "workorder.status.published",
        "workorder.status.routed",
        "workorder.status.work_done",
        "workorder.tag_added",
        "workorder.tag_removed",
        "workorder.task_completed",
        "workorder.task_incomplete",
        "workorder.undeclined",
    }
)
"""The work order event names of Field Nation's webhooks documentation (version 3)."""


def prepare(sim: FieldNationSim, client: FieldNationClient, state: str) -> int:
    """A work order in `state`: seeded ones where the seed has them, otherwise freshly assigned to 3001."""
    if state == "assigned":
        wo = client.workorders.create({"title": "Fresh"}).id
        client.workorders.assign(wo, 3001)
        return wo
    return sim.seeded({"checked_in": "Assigned"}.get(state, state.replace("_", " ").title()))


def task_id(sim: FieldNationSim, wo: int, key: str) -> int:
    tasks = sim.emulator.state.work_order(wo).tasks
    return int(next(t.id for t in tasks if t.key == key))


Check = Callable[[JSON], bool]
CASES: list[tuple[str, str, JSON, list[str], Check]] = [
    ("published", "route", {"technician_id": 3002}, ["workorder.status.routed", "workorder.routed"],
     lambda wo: wo["status"]["id"] == 9 and wo["routes"]["results"][0]["technician"]["id"] == 3002),
    ("published", "assign", {"technician_id": 3002}, ["workorder.status.assigned"],
     lambda wo: wo["assignee"]["user"]["id"] == 3002),
    ("published", "request", {"technician_id": 3004}, ["workorder.requested"],
     lambda wo: wo["requests"]["results"][0]["user"]["id"] == 3004),
    ("published", "cancel", {"reason": "No budget"}, ["workorder.status.cancelled"],
     lambda wo: wo["status"]["id"] == 7),
    ("routed", "accept", {"technician_id": 3003}, ["workorder.status.assigned"],
     lambda wo: wo["status"]["id"] == 3 and wo["routes"]["results"][0]["assigned"]),
    ("routed", "decline", {"technician_id": 3003}, ["workorder.declined"],
     lambda wo: wo["declines"]["results"][0]["user"]["id"] == 3003
     and wo["routes"]["results"][0]["declined"]),
    ("assigned", "unassign", {}, ["workorder.status.assigned_cancelled"],
     lambda wo: wo["status"]["id"] == 2 and wo["assignee"] is None),
    ("assigned", "confirm", {}, ["workorder.status.confirmed"],
     lambda wo: wo["status"]["confirmed"] and wo["status"]["sub_status"] == "confirmed"),
    ("assigned", "set_eta", {}, ["workorder.task_completed"],
     lambda wo: wo["status"]["sub_status"] == "eta_set"),
    ("assigned", "on_my_way", {}, ["workorder.status.on_my_way"],
     lambda wo: wo["status"]["display"] == "On My Way"),
    ("assigned", "at_risk", {}, ["workorder.status.at_risk"],
     lambda wo: wo["status"]["sub_status"] == "at_risk"),
    ("assigned", "delayed", {"minutes": 45}, ["workorder.status.delayed"],
     lambda wo: wo["status"]["delay"] == 45),
    ("assigned", "on_hold", {}, [], lambda wo: wo["status"]["sub_status"] == "on_hold"),
    ("assigned", "check_in", {}, ["workorder.status.checked_in", "workorder.task_completed"],
     lambda wo: wo["time_logs"]["status"] == "checked_in"),
    ("checked_in", "check_out", {}, ["workorder.status.checked_out", "workorder.task_completed"],
     lambda wo: wo["time_logs"]["results"][0]["status"] == "checked_out"),
    ("assigned", "log_time", {"hours": 2}, [], lambda wo: wo["time_logs"]["hours"] == 2.0),
    ("assigned", "post_message", {"message": "Running 10 min late"}, ["workorder.message_posted"],
     lambda wo: wo["messages"]["results"][-1]["type"] == "FROMTECH"),
    ("assigned", "upload", {"name": "photo.txt", "content": "after"}, ["workorder.provider_upload"],
     lambda wo: wo["attachments"]["results"][1]["results"][0]["status"] == "pending"),
    ("assigned", "closing_notes", {"notes": "Swapped the PSU"}, ["workorder.task_completed"],
     lambda wo: wo["closing_notes"] == "Swapped the PSU"),
    ("assigned", "update_part", {"name": "PSU", "carrier": "ups", "tracking": "1Z999", "status": "En Route"},
     ["workorder.part_updated"], lambda wo: wo["shipments"]["results"][0]["carrier"]["tracking"] == "1Z999"),
    ("assigned", "work_done", {}, ["workorder.status.work_done"], lambda wo: wo["status"]["id"] == 4),
    ("work_done", "approve", {}, ["workorder.status.approved"], lambda wo: wo["status"]["id"] == 5),
    ("approved", "pay", {}, ["workorder.status.paid"], lambda wo: wo["status"]["id"] == 6),
]  # fmt: skip


@pytest.mark.parametrize(("state", "action", "body", "events", "check"), CASES, ids=[c[1] for c in CASES])
def test_each_app_action_changes_state_and_fires_its_events(
    fn_sim: FieldNationSim,
    client: FieldNationClient,
    state: str,
    action: str,
    body: JSON,
    events: list[str],
    check: Check,
) -> None:
    wo = prepare(fn_sim, client, state)
    answer = fn_sim.act(wo, action, **body)
    assert answer["events"] == events
    assert check(answer["workorder"])
    assert check(client.workorders.get(wo).model_dump(by_alias=True))  # the API sees the same change


def test_expenses_and_tags_from_the_app_show_through_the_api(
    fn_sim: FieldNationSim, client: FieldNationClient
) -> None:
    wo = prepare(fn_sim, client, "assigned")
    fn_sim.act(wo, "add_expense", category_id=3, amount=9.5, description="Parking")
    [expense] = client.expenses.list(wo)
    assert (expense.amount, expense.description, expense.status) == (9.5, "Parking", "new")
    fn_sim.act(wo, "add_tag", label="VIP")
    token = {"access_token": fn_sim.token()}
    tags = fn_sim.control.get(f"/api/rest/v2/workorders/{wo}/tags", params=token).json()["results"]
    assert [t["label"] for t in tags] == ["VIP"]
    assert fn_sim.act(wo, "remove_tag", label="VIP")["events"] == ["workorder.tag_removed"]


def test_tasks_complete_and_reopen(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    wo = prepare(fn_sim, client, "assigned")
    task = task_id(fn_sim, wo, "closing_notes")
    assert fn_sim.act(wo, "complete_task", task_id=task)["events"] == ["workorder.task_completed"]
    fn_sim.act(wo, "complete_task", expect=409, task_id=task)
    assert fn_sim.act(wo, "incomplete_task", task_id=task)["events"] == ["workorder.task_incomplete"]


def test_declines_can_be_undone(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    wo = prepare(fn_sim, client, "routed")
    fn_sim.act(wo, "decline", technician_id=3003)
    answer = fn_sim.act(wo, "undecline", technician_id=3003)
    assert answer["events"] == ["workorder.undeclined"]
    assert answer["workorder"]["declines"]["results"] == []
    assert not answer["workorder"]["routes"]["results"][0]["declined"]


def test_every_documented_event_can_be_caused(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    """The API plus the app actions reach every documented event name, and none that is not documented."""
    wo = client.workorders.create({"title": "Everything"}).id  # created
    client.workorders.publish(wo)
    client.workorders.unpublish(wo)  # status.draft
    client.workorders.publish(wo)
    client.workorders.set_schedule(
        wo, {"service_window": {"mode": "exact", "start": {"utc": "2030-01-01 09:00:00"}}}
    )
    client.custom_fields.set(wo, 106, "High")
    fn_sim.act(wo, "request", technician_id=3004)
    fn_sim.act(wo, "decline", technician_id=3002)
    fn_sim.act(wo, "undecline", technician_id=3002)
    client.workorders.route(wo, 3001)
    fn_sim.act(wo, "accept", technician_id=3001)
    client.workorders.unassign(wo)  # assigned_cancelled
    client.workorders.assign(wo, 3001)
    for action in ("confirm", "on_my_way", "at_risk", "delayed", "check_in", "check_out"):
        fn_sim.act(wo, action)
    fn_sim.act(wo, "add_tag", label="VIP")
    fn_sim.act(wo, "remove_tag", label="VIP")
    fn_sim.act(wo, "update_part", name="PSU")
    fn_sim.act(wo, "post_message", message="Done")
    fn_sim.act(wo, "upload", name="after.jpg", content="jpeg")
    fn_sim.act(wo, "incomplete_task", task_id=task_id(fn_sim, wo, "checkin"))
    fn_sim.act(wo, "work_done")
    client.workorders.approve(wo)
    fn_sim.act(wo, "pay")
    other = fn_sim.seeded("Published")
    client.workorders.cancel(other)
    assert set(fn_sim.events()) == DOCUMENTED_EVENTS


def test_app_actions_reach_webhooks(
    fn_sim: FieldNationSim, client: FieldNationClient, receiver: Receiver
) -> None:
    client.webhooks.create(
        receiver.url + "/hook", ["workorder.status.checked_in", "workorder.task_completed"]
    )
    wo = prepare(fn_sim, client, "assigned")
    fn_sim.act(wo, "check_in")
    wait_until(
        lambda: received_events(receiver) == ["workorder.status.checked_in", "workorder.task_completed"]
    )


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("/_sim/workorders/{wo}/dance", {}, 404, "No app action 'dance'"),
        ("/_sim/workorders/1/confirm", {}, 404, "Work order 1 was not found"),
        ("/_sim/workorders/{wo}/delayed", {"minutes": "soon"}, 400, "minutes"),
        ("/_sim/workorders/{wo}/confirm", {"mood": "happy"}, 400, "mood: is not a known field"),
        ("/_sim/workorders/{wo}/route", {}, 400, "needs technician_id"),
        ("/_sim/workorders/{wo}/work_done", {}, 400, "has no assignee"),
        ("/_sim/workorders/{wo}/approve", {}, 409, "Cannot approve work order"),
    ],
)
def test_sim_refuses_what_the_app_would_not_do(
    fn_sim: FieldNationSim, path: str, body: JSON, status: int, message: str
) -> None:
    wo = fn_sim.seeded("Published")
    response = fn_sim.control.post(path.format(wo=wo), json=body)
    assert response.status_code == status
    assert message in response.json()["message"]


def test_sim_lists_its_actions_and_seed(fn_sim: FieldNationSim) -> None:
    actions = fn_sim.control.get("/_sim/actions").json()
    assert actions["route"]["as"] == "buyer"
    assert actions["check_in"]["as"] == "technician"
    seed = fn_sim.control.get("/_sim/seed").json()
    assert len(seed["managers"]) == 2
    assert len(seed["technicians"]) == 4
    assert {f["type"] for f in seed["custom_fields"]} == {
        "text", "numeric", "date", "date_time", "time", "predefined", "phone",
    }  # fmt: skip
    assert {wo["status"] for wo in seed["work_orders"]} == {
        "Draft", "Published", "Routed", "Assigned", "Work Done", "Approved", "Paid", "Cancelled",
    }  # fmt: skip
    assert len(seed["expense_categories"]) == 5
    assert len(seed["saved_locations"]) == 3


def test_a_buyer_creates_a_work_order_in_the_app_without_an_api_call(fn_sim: FieldNationSim) -> None:
    fn_sim.fault(kind="status", status=503)  # the app is not the API: no fault reaches it
    made = fn_sim.control.post("/_sim/workorders", json={"title": "Install badge reader"})
    assert made.status_code == 201, made.text
    answer = made.json()
    assert (answer["as"], answer["events"]) == ("buyer", ["workorder.created"])
    assert answer["workorder"]["title"] == "Install badge reader"
    assert answer["workorder"]["status"]["name"] == "Draft"
    assert fn_sim.control.get("/_sim/calls").json()["total"] == 0
    refused = fn_sim.control.post("/_sim/workorders", params={"manager_id": 3001}, json={"title": "x"})
    assert refused.status_code == 400
    assert "3001 is not a manager" in refused.json()["message"]


def test_a_visit_can_be_checked_in_and_out_hours_ago(
    fn_sim: FieldNationSim, client: FieldNationClient
) -> None:
    wo = prepare(fn_sim, client, "assigned")
    fn_sim.act(wo, "check_in", hours_ago=3)
    fn_sim.act(wo, "check_out", hours_ago=1)
    log = fn_sim.emulator.state.work_order(wo).time_logs[-1]
    assert (log.checked_out_at - log.checked_in_at).total_seconds() == pytest.approx(7200, abs=1)
    assert "hours_ago" in fn_sim.act(wo, "check_in", expect=400, hours_ago=-1)["message"]
