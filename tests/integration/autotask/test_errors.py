"""Typed errors: each authentication failure and missing permission mapped to the setup guide's cause and
fix, bad input answered in Autotask's shape by the emulator and typed by the client, and secrets kept out
of every message, repr and log line."""

from __future__ import annotations

import logging
import socket
from datetime import datetime

import httpx
import pytest

from fieldbridge.autotask import (
    AuthenticationError,
    AutotaskClient,
    AutotaskError,
    ChildCollection,
    Condition,
    NetworkError,
    PermissionDeniedError,
    ValidationError,
    eq,
    where,
)
from fieldbridge.autotask import causes as c
from fieldbridge.sandbox.autotask.seed import CUSTOM_CODE
from tests.integration.autotask.connecting import Connect
from tests.support.emulators import AutotaskSim


@pytest.mark.parametrize(
    ("prefix", "overrides", "cause"),
    [
        ("jdoe", {}, c.RESOURCE_TYPE),
        ("svc-inactive", {}, c.INACTIVE_USER),
        ("svc-ampersand", {}, c.SECRET_CHARACTERS),
        ("svc-custom", {}, c.INTEGRATION_CODE),  # blank code: the Field Nation default, not its custom one
        ("svc-fieldnation", {"secret": "Not-The-Secret-2026"}, c.WRONG_SECRET),
        ("svc-fieldnation", {"username": "nobody@acme-msp.example"}, c.UNKNOWN_USER),
    ],
    ids=lambda v: v.code if isinstance(v, c.Cause) else None,
)
def test_each_authentication_failure_names_its_cause(
    connect: Connect, prefix: str, overrides: dict[str, str], cause: c.Cause
) -> None:
    autotask = connect(prefix, **overrides)
    with pytest.raises(AuthenticationError) as refused:
        autotask.get("Tickets", 7001)
    assert refused.value.cause == cause
    assert refused.value.status in (401, 500)
    assert refused.value.messages
    assert cause.fix in str(refused.value)


def test_a_custom_integration_code_is_used_when_given(connect: Connect) -> None:
    assert connect("svc-custom", integration_code=CUSTOM_CODE).get("Tickets", 7001) is not None


def test_a_client_needs_some_integration_code() -> None:
    with pytest.raises(ValueError, match="integration code"):
        AutotaskClient("svc@example.com", "secret", "", default_integration_code="")


def test_an_unreachable_autotask_points_at_network_egress(connect: Connect) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    autotask = connect(discovery_url=f"http://127.0.0.1:{closed}")
    with pytest.raises(NetworkError) as unreachable:
        autotask.get("Tickets", 7001)
    assert unreachable.value.cause == c.NETWORK_EGRESS
    assert unreachable.value.operation == "zone discovery"
    assert "*.autotask.net" in str(unreachable.value)


@pytest.mark.parametrize(
    ("action", "permission"),
    [
        (lambda at: at.create("Tickets", {"title": "x"}), "Tickets — Add"),
        (lambda at: at.delete("TimeEntries", 8101), "Time Entries — Delete"),
        (
            lambda at: at.create(ChildCollection("Tickets", 7002, "Charges"), {"name": "x"}),
            "Ticket Costs (Charges) — Add",
        ),
        (lambda at: at.create(ChildCollection("Tickets", 7002, "Attachments"), {}), "Attachments — Add"),
        (lambda at: list(at.query("Contacts", where())), "Contacts — View"),
    ],
    ids=["ticket add", "time entry delete", "charge add", "attachment add", "contact view"],
)
def test_a_missing_permission_is_named(connect: Connect, action: object, permission: str) -> None:
    autotask = connect("svc-handmade")
    with pytest.raises(PermissionDeniedError) as refused:
        action(autotask)  # type: ignore[operator]
    assert refused.value.status == 403
    assert refused.value.cause is not None
    assert refused.value.cause.code == "missing_permission"
    assert permission in refused.value.cause.problem
    assert f"Grant {permission}" in str(refused.value)


def test_the_permission_audit_needs_no_side_effects(connect: Connect) -> None:
    info = connect("svc-handmade").entity_info("Tickets")
    assert (info.user_access_for_create, info.user_access_for_delete) == ("None", "All")


# -- bad input ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("POST", "V1.0/Tickets", b"{not json", 500, "not valid JSON"),
        ("POST", "V1.0/Tickets", b'{"title": "x", "bogus": 1}', 500, "Unknown field 'bogus'"),
        ("POST", "V1.0/Tickets", b'{"title": 42}', 500, "expects a string"),
        (
            "POST",
            "V1.0/Tickets/query",
            b'{"filter": [{"op": "like", "field": "title", "value": "x"}]}',
            500,
            "Invalid filter operation",
        ),
        (
            "POST",
            "V1.0/Tickets/query",
            b'{"MaxRecords": 501, "filter": [{"op": "exist", "field": "id"}]}',
            500,
            "maxCountOfRecordsToReturn must be between 1 and 500",
        ),
        ("POST", "V1.0/Tickets/query", b"[]", 500, "must be a JSON object"),
        ("POST", "V1.0/Tickets", b"", 500, "body is empty"),
        ("DELETE", "V1.0/Tickets/7001", b"", 405, "does not support http method 'DELETE'"),
        ("GET", "V1.0/Widgets/1", b"", 404, "No HTTP resource"),
    ],
    ids=[
        "malformed json",
        "unknown field",
        "wrong type",
        "unknown op",
        "oversize page",
        "not an object",
        "empty body",
        "wrong verb",
        "unknown entity",
    ],
)
def test_the_emulator_answers_bad_input_in_autotasks_shape(
    sim: AutotaskSim, method: str, path: str, body: bytes, status: int, message: str
) -> None:
    headers = {**sim.headers(), "Content-Type": "application/json"}
    response = httpx.request(method, sim.zone_url + path, headers=headers, content=body, timeout=5)
    assert response.status_code == status
    answer = response.json()
    messages = [answer["Message"]] if status == 405 else answer["errors"]
    assert any(message in m for m in messages), messages


@pytest.mark.parametrize(
    ("action", "error", "message"),
    [
        (
            lambda at: at.create("Tickets", {"title": "x", "bogus": 1}),
            ValidationError,
            "Unknown field 'bogus'",
        ),
        (lambda at: at.update("Tickets", 7001, {"priority": "high"}), ValidationError, "expects an integer"),
        (
            lambda at: at.count("Tickets", where(Condition("like", "title", "x"))),
            ValidationError,
            "Invalid filter operation",
        ),  # type: ignore[arg-type]
        (
            lambda at: list(at.query("Tickets", where(max_records=501))),
            ValidationError,
            "maxCountOfRecordsToReturn",
        ),
        (
            lambda at: at.count(
                "Tickets", where(eq("Site Access Code", "x", udf=True), eq("Technician Count", 1, udf=True))
            ),
            ValidationError,
            "Only one user-defined field",
        ),
        (
            lambda at: at.count("Tickets", where(eq("nonsense", 1))),
            ValidationError,
            "Unable to find field 'nonsense'",
        ),
        (lambda at: at.delete("Tickets", 7001), AutotaskError, "does not support http method 'DELETE'"),
        (lambda at: at.get("Widgets", 1), AutotaskError, "No HTTP resource"),
    ],
    ids=[
        "unknown field",
        "wrong type",
        "unknown op",
        "oversize page",
        "two udf conditions",
        "unknown filter field",
        "wrong verb",
        "unknown entity",
    ],
)
def test_the_client_types_bad_input_errors(
    autotask: AutotaskClient, sim: AutotaskSim, action: object, error: type[AutotaskError], message: str
) -> None:
    with pytest.raises(error) as refused:
        action(autotask)  # type: ignore[operator]
    assert type(refused.value) is error
    assert any(message in m for m in refused.value.messages), refused.value.messages
    assert refused.value.entity in ("Tickets", "Widgets")
    assert refused.value.response is not None
    assert refused.value.response.status_code == refused.value.status
    assert sim.count() - sim.attempts("GET", "zoneinformation") == 1  # none of these is retried


def test_a_naive_datetime_is_refused_before_sending(autotask: AutotaskClient) -> None:
    with pytest.raises(ValueError, match="no time zone"):
        autotask.update("Tickets", 7001, {"dueDateTime": datetime(2027, 1, 1, 9, 0)})


# -- secrets --------------------------------------------------------------------------------------------
def test_secrets_stay_out_of_messages_reprs_and_logs(
    connect: Connect, sim: AutotaskSim, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    user = sim.user("svc-fieldnation")
    secrets = [user["secret"], user["integration_code"], "Not-The-Secret-2026"]
    good = connect()
    good.get("Tickets", 7001)
    bad = connect(secret="Not-The-Secret-2026")
    with pytest.raises(AuthenticationError) as refused:
        bad.get("Tickets", 7001)
    error = refused.value
    assert error.request is not None
    assert error.response is not None
    shown = [
        str(error),
        repr(error),
        repr(good),
        repr(bad),
        repr(good.limits),
        str(dict(error.request.headers)),
        str(dict(error.response.request.headers)),
        caplog.text,
    ]
    for secret in secrets:
        assert not any(secret in text for text in shown)
    assert error.request.headers["Secret"] == "[redacted]"
    assert error.request.headers["UserName"] == user["username"]  # who called is not a secret, and it helps
