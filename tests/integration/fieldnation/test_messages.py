"""Messages: post with each type, reply in threads, and no edit or delete."""

from __future__ import annotations

import pytest

from fieldbridge.fieldnation import BadRequestError, FieldNationClient
from fieldbridge.fieldnation.execution import MessageType
from tests.support.emulators import FieldNationSim

TYPES: tuple[MessageType, ...] = (
    "INTERNAL", "ASSIGNEDTECH", "REQUESTEDTECHS", "FROMTECH", "REPLY",
    "TECHTOMANAGER", "ROUTEDTECHS", "REPLYTOTHREAD", "STAFF_NOTE",
)  # fmt: skip


@pytest.mark.parametrize("kind", TYPES)
def test_post_each_message_type(fn_sim: FieldNationSim, client: FieldNationClient, kind: MessageType) -> None:
    wo = fn_sim.seeded("Assigned")
    posted = client.messages.post(wo, f"A {kind} message", type=kind)
    assert (posted.message, posted.type) == (f"A {kind} message", kind)
    assert posted.sender is not None
    assert posted.sender.role == "buyer"
    assert fn_sim.events(wo)[-1] == "workorder.message_posted"


def test_specific_tech_messages_need_a_recipient(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    wo = fn_sim.seeded("Assigned")
    posted = client.messages.post(wo, "Just you", type="SPECIFICTECH", to=3001)
    assert posted.to is not None
    assert (posted.to.id, posted.to.role) == (3001, "provider")
    with pytest.raises(BadRequestError, match="SPECIFICTECH needs 'to'"):
        client.messages.post(wo, "Nobody", type="SPECIFICTECH")


def test_replies_form_threads(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    wo = fn_sim.seeded("Assigned")
    first = client.messages.list(wo)[0]  # the technician's seeded message
    reply = client.messages.reply(wo, first.id, "Thanks, noted")
    assert (reply.parent_id, reply.type) == (first.id, "REPLY")
    again = client.messages.reply(wo, reply.id, "One more")
    assert again.parent_id == first.id  # threads are one level deep
    thread = next(m for m in client.messages.list(wo) if m.id == first.id)
    assert thread.replies is not None
    assert [m.message for m in thread.replies.results] == ["Thanks, noted", "One more"]


def test_messages_cannot_be_edited_or_deleted(fn_sim: FieldNationSim) -> None:
    wo = fn_sim.seeded("Assigned")
    path = f"/api/rest/v2/workorders/{wo}/messages/1"
    for method in ("PUT", "DELETE", "PATCH"):
        response = fn_sim.control.request(method, path, params={"access_token": fn_sim.token()}, json={})
        assert response.status_code == 405
        assert response.json()["message"] == f"{method} is not allowed on {path}"


def test_empty_message_and_unknown_type_are_refused(
    fn_sim: FieldNationSim, client: FieldNationClient
) -> None:
    wo = fn_sim.seeded("Assigned")
    with pytest.raises(BadRequestError, match="message"):
        client.messages.post(wo, "   ")
    with pytest.raises(BadRequestError, match="type"):
        client.messages.post(wo, "hi", type="SHOUT")  # type: ignore[arg-type]
