"""The status lifecycle with Field Nation's ids: every transition the API offers, the app's steps in between
(through `/_sim/`), the events each fires, and invalid transitions refused with a clear 409."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fieldbridge.fieldnation import BadRequestError, ConflictError, FieldNationClient
from tests.support.emulators import FieldNationSim

DRAFT, PUBLISHED, ASSIGNED, WORK_DONE, APPROVED, PAID, CANCELLED, ROUTED = 1, 2, 3, 4, 5, 6, 7, 9


def status_of(client: FieldNationClient, wo_id: int) -> tuple[int, str | None]:
    status = client.workorders.get(wo_id).status
    assert status is not None
    return status.id, status.sub_status


def test_a_work_order_from_draft_to_paid(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    wo = client.workorders.create({"title": "Lifecycle"}).id
    client.workorders.publish(wo)
    client.workorders.unpublish(wo)
    assert status_of(client, wo) == (DRAFT, None)
    client.workorders.publish(wo)
    routed = client.workorders.route(wo, 3001)
    assert routed.status is not None
    assert (routed.status.id, routed.status.is_routed) == (ROUTED, True)
    fn_sim.act(wo, "accept", technician_id=3001)
    assert status_of(client, wo) == (ASSIGNED, None)
    fn_sim.act(wo, "confirm")
    fn_sim.act(wo, "check_in")
    assert status_of(client, wo) == (ASSIGNED, "checked_in")
    fn_sim.act(wo, "check_out")
    fn_sim.act(wo, "work_done")
    assert status_of(client, wo) == (WORK_DONE, None)
    client.workorders.mark_incomplete(wo, reason="Photos missing")
    assert status_of(client, wo) == (ASSIGNED, None)
    fn_sim.act(wo, "work_done")
    approved = client.workorders.approve(wo)
    assert approved.status is not None
    assert approved.status.name == "Approved"
    fn_sim.act(wo, "pay")
    assert status_of(client, wo) == (PAID, None)
    assert fn_sim.events(wo) == [
        "workorder.created",
        "workorder.status.published",
        "workorder.status.draft",
        "workorder.status.published",
        "workorder.status.routed",
        "workorder.routed",
        "workorder.status.assigned",
        "workorder.status.confirmed",
        "workorder.status.checked_in",
        "workorder.task_completed",  # the "Check in" task
        "workorder.status.checked_out",
        "workorder.task_completed",  # the "Check out" task
        "workorder.status.work_done",
        "workorder.status.assigned",  # marked incomplete: back to Assigned
        "workorder.status.work_done",
        "workorder.status.approved",
        "workorder.status.paid",
    ]


def test_status_object_carries_the_sub_status_and_confirmation(
    fn_sim: FieldNationSim, client: FieldNationClient
) -> None:
    status = client.workorders.get(fn_sim.seeded("Assigned")).status
    assert status is not None
    assert (status.id, status.name, status.code, status.display) == (
        ASSIGNED,
        "Assigned",
        "assigned",
        "Checked In",
    )
    assert status.sub_status == "checked_in"
    assert status.confirmed is True
    done = client.workorders.get(fn_sim.seeded("Work Done")).status
    assert done is not None
    assert (done.name, done.code) == ("Work Done", "work_done")


def test_assign_directly_and_unassign(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    wo = fn_sim.seeded("Published")
    assigned = client.workorders.assign(wo, 3002)
    assert assigned.assignee is not None
    assert assigned.assignee.user is not None
    assert assigned.assignee.user.id == 3002
    back = client.workorders.unassign(wo)
    assert back.status is not None
    assert back.status.id == PUBLISHED
    assert back.assignee is None
    assert fn_sim.events(wo)[-2:] == ["workorder.status.assigned", "workorder.status.assigned_cancelled"]


def test_routing_a_second_provider_keeps_the_work_order_routed(
    fn_sim: FieldNationSim, client: FieldNationClient
) -> None:
    wo = fn_sim.seeded("Routed")
    client.workorders.route(wo, 3004)
    assert fn_sim.events(wo) == ["workorder.routed"]  # no second status change
    with pytest.raises(ConflictError, match="already routed to Aisha Khan"):
        client.workorders.route(wo, 3004)


@pytest.mark.parametrize(
    ("seeded", "act", "message"),
    [
        (
            "Draft",
            lambda c, wo: c.workorders.approve(wo),
            "Cannot approve work order {wo}: it is Draft; only possible when it is Work Done",
        ),
        (
            "Published",
            lambda c, wo: c.workorders.publish(wo),
            "Cannot publish work order {wo}: it is Published",
        ),
        ("Draft", lambda c, wo: c.workorders.unpublish(wo), "Cannot unpublish work order {wo}: it is Draft"),
        (
            "Cancelled",
            lambda c, wo: c.workorders.assign(wo, 3001),
            "Cannot assign work order {wo}: it is Cancelled",
        ),
        (
            "Work Done",
            lambda c, wo: c.workorders.cancel(wo),
            "Cannot cancel work order {wo}: it is Work Done",
        ),
        (
            "Assigned",
            lambda c, wo: c.workorders.mark_incomplete(wo),
            "Cannot mark incomplete work order {wo}",
        ),
        ("Paid", lambda c, wo: c.workorders.route(wo, 3001), "Cannot route work order {wo}: it is Paid"),
        (
            "Published",
            lambda c, wo: c.workorders.unassign(wo),
            "Cannot unassign work order {wo}: it is Published",
        ),
        (
            "Approved",
            lambda c, wo: c.workorders.approve(wo),
            "Cannot approve work order {wo}: it is Approved",
        ),
    ],
)
def test_invalid_transitions_are_refused_with_the_reason(
    fn_sim: FieldNationSim,
    client: FieldNationClient,
    seeded: str,
    act: Callable[[FieldNationClient, int], object],
    message: str,
) -> None:
    wo = fn_sim.seeded(seeded)
    before = status_of(client, wo)
    with pytest.raises(ConflictError) as caught:
        act(client, wo)
    assert caught.value.status == 409
    assert caught.value.message.startswith(message.format(wo=wo))
    assert status_of(client, wo) == before
    assert fn_sim.events(wo) == []


def test_only_technicians_can_be_routed_or_assigned(
    fn_sim: FieldNationSim, client: FieldNationClient
) -> None:
    wo = fn_sim.seeded("Published")
    with pytest.raises(BadRequestError, match="User 2002 is not a technician"):
        client.workorders.route(wo, 2002)
    with pytest.raises(BadRequestError, match="User 999 is not a technician"):
        client.workorders.assign(wo, 999)


def test_actions_list_what_the_status_allows(client: FieldNationClient) -> None:
    wo = client.workorders.create({"title": "Actions"}).id
    extra = client.workorders.get(wo).model_extra
    assert extra is not None
    assert {"publish", "route", "delete"} <= set(extra["actions"])
    client.workorders.publish(wo)
    extra = client.workorders.get(wo).model_extra
    assert extra is not None
    assert {"unpublish", "cancel"} <= set(extra["actions"])
    assert "publish" not in extra["actions"]
