"""The admin API over real HTTP: nothing without signing in, sessions and API tokens, connectors with
write-only secrets, trigger URLs shown once, events, history, dead letters and replay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from fieldbridge.store import inbox, processing
from tests.support.served import ADMIN_PASSWORD, Served, signed_in
from tests.support.smtp import free_port

SECRET = "Autotask-secret-8d1c"


@pytest.fixture(scope="module")
def admin(served: Served) -> Iterator[httpx.Client]:
    with signed_in(served) as client:
        yield client


def admin_routes(served: Served) -> list[tuple[str, str]]:
    app = served.http.get("/openapi.json").json()
    return [
        (method.upper(), path)
        for path, operations in app["paths"].items()
        if path.startswith("/v1/admin") and path != "/v1/admin/session"
        for method in operations
    ]


def test_every_admin_route_refuses_callers_who_are_not_signed_in(served: Served) -> None:
    routes = admin_routes(served)
    assert len(routes) >= 15
    for method, path in routes:
        concrete = path.replace("{name}", "acme").replace("{event_id}", "1").replace("{token_id}", "1")
        concrete = (
            concrete.replace("{system}", "autotask").replace("{entity}", "Ticket").replace("{record_id}", "1")
        )
        for headers in (
            {},
            {"Authorization": "Bearer fba_0000.nope"},
            {"Cookie": "fieldbridge_session=fbs_0.x"},
        ):
            response = served.http.request(method, concrete, headers=headers, json={})
            assert response.status_code == 401, (method, path, headers, response.text)
            assert "Sign in first" in response.json()["detail"]


def test_the_app_declares_its_routes_to_openapi(served: Served) -> None:
    assert served.http.get("/docs").status_code == 200
    paths = served.http.get("/openapi.json").json()["paths"]
    for path in ("/v1/broker/inbound", "/v1/fieldnation/webhooks/{connector_name}", "/v1/admin/connectors"):
        assert path in paths
    # The doors read these from the request themselves; the API docs still name them.
    doors = {
        "/v1/broker/inbound": ("client_token", "query"),
        "/v1/fieldnation/webhooks/{connector_name}": ("connector_name", "path"),
    }
    for path, parameter in doors.items():
        assert [(p["name"], p["in"]) for p in paths[path]["post"]["parameters"]] == [parameter]


def test_sign_in_with_a_wrong_password_is_refused(served: Served) -> None:
    username = served.add_admin()
    for name, password in ((username, ADMIN_PASSWORD + "x"), ("nobody", ADMIN_PASSWORD)):
        response = served.http.post("/v1/admin/session", json={"username": name, "password": password})
        assert response.status_code == 401
        assert response.json() == {"detail": "Wrong username or password."}
        assert "set-cookie" not in response.headers


def test_a_session_lasts_until_sign_out(served: Served) -> None:
    admin = signed_in(served)
    assert admin.get("/v1/admin/me").status_code == 200
    response = admin.delete("/v1/admin/session")
    assert response.status_code == 204
    assert 'fieldbridge_session=""' in response.headers["set-cookie"]
    # The client still sends the old cookie: it is dead on the server, not just forgotten here.
    assert admin.get("/v1/admin/me").status_code == 401


def test_session_cookie_is_http_only_and_strict(served: Served) -> None:
    username = served.add_admin()
    with httpx.Client(base_url=served.url) as client:
        response = client.post("/v1/admin/session", json={"username": username, "password": ADMIN_PASSWORD})
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "secure" in cookie  # the public base URL is https


def test_api_tokens_are_shown_once_and_work_until_revoked(served: Served, admin: httpx.Client) -> None:
    issued = admin.post("/v1/admin/tokens", json={"name": "ci"}).json()
    token = issued["token"]
    listed = [row for row in admin.get("/v1/admin/tokens").json() if row["id"] == issued["id"]]
    assert [row["name"] for row in listed] == ["ci"]
    assert "token" not in listed[0]
    bearer = {"Authorization": f"Bearer {token}"}
    assert served.http.get("/v1/admin/me", headers=bearer).status_code == 200
    assert admin.delete(f"/v1/admin/tokens/{issued['id']}").status_code == 204
    assert served.http.get("/v1/admin/me", headers=bearer).status_code == 401
    assert admin.delete(f"/v1/admin/tokens/{issued['id']}").status_code == 404


def test_connectors_crud_with_write_only_secrets(served: Served, admin: httpx.Client) -> None:
    body = {
        "name": "globex",
        "autotask_username": "svc-fn@globex.example",
        "autotask_secret": SECRET,
        "service_object": "Project",
        "outbound_create": True,
        "expense_target": "charge",
        "notification_emails": ["ops@globex.example"],
        "autotask_api_url": f"http://127.0.0.1:{free_port()}",  # the connection test stays on loopback
    }
    created = admin.post("/v1/admin/connectors", json=body)
    assert created.status_code == 201, created.text
    answer = created.json()
    assert answer["trigger_url"].startswith("https://bridge.example.test/v1/broker/inbound?client_token=fbc_")
    assert SECRET not in created.text
    view = answer["connector"]
    assert view["secrets_set"]["autotask_secret"] is True
    assert view["secrets_set"]["autotask_integration_code"] is False
    assert (view["service_object"], view["outbound_create"], view["expense_target"]) == (
        "Project",
        True,
        "charge",
    )

    assert admin.post("/v1/admin/connectors", json=body).status_code == 409
    shown = admin.get("/v1/admin/connectors/globex")
    assert SECRET not in shown.text
    assert "trigger_url" not in shown.json()
    assert "globex" in [row["name"] for row in admin.get("/v1/admin/connectors").json()]

    patched = admin.patch(
        "/v1/admin/connectors/globex", json={"autotask_secret": "", "attachment_sync": True}
    )
    saved = patched.json()["connector"]
    assert saved["secrets_set"]["autotask_secret"] is False
    assert (saved["attachment_sync"], saved["service_object"]) == (True, "Project")
    assert patched.json()["connection_test"][0]["cause"] == "Credentials are missing"

    token = answer["trigger_url"].split("client_token=")[1]
    assert (
        served.http.post("/v1/broker/inbound", params={"client_token": token}, content=b"1").status_code
        == 202
    )
    rotated = admin.post("/v1/admin/connectors/globex/trigger-url").json()["trigger_url"]
    assert (
        served.http.post("/v1/broker/inbound", params={"client_token": token}, content=b"1").status_code
        == 401
    )
    new_token = rotated.split("client_token=")[1]
    assert (
        served.http.post("/v1/broker/inbound", params={"client_token": new_token}, content=b"2").status_code
        == 202
    )

    assert admin.delete("/v1/admin/connectors/globex").status_code == 204
    assert admin.get("/v1/admin/connectors/globex").status_code == 404
    assert (
        served.http.post("/v1/broker/inbound", params={"client_token": new_token}, content=b"2").status_code
        == 401
    )


def test_invalid_settings_are_refused_without_echoing_what_was_sent(admin: httpx.Client) -> None:
    response = admin.post(
        "/v1/admin/connectors",
        json={"name": "initech", "autotask_secrett": SECRET, "service_object": "Tickets"},
    )
    assert response.status_code == 422
    assert SECRET not in response.text
    problems = {tuple(item["loc"]): item["msg"] for item in response.json()["detail"]}
    assert ("body", "autotask_secrett") in problems
    assert ("body", "service_object") in problems


def test_manual_import_stores_an_event(served: Served, admin: httpx.Client) -> None:
    name, _ = served.add_connector()
    response = admin.post(f"/v1/admin/connectors/{name}/import", json={"ticket_id": 77})
    assert response.status_code == 202
    event = served.event(response.json()["event_id"])
    assert (event.source, event.record_id, event.status) == ("import", 77, "queued")
    assert admin.post(f"/v1/admin/connectors/{name}/import", json={"ticket_id": 0}).status_code == 422
    assert admin.post("/v1/admin/connectors/ghost/import", json={"ticket_id": 1}).status_code == 404


def test_events_history_dead_letters_and_replay(served: Served, admin: httpx.Client) -> None:
    name, token = served.add_connector()
    event_id = served.http.post("/v1/broker/inbound", params={"client_token": token}, content=b"42").json()[
        "event_id"
    ]
    now = datetime.now(UTC)
    with served.broker.db.transaction() as session:  # a worker's doing, done here by hand
        processing.claim(session, event_id, "w1", now, timedelta(seconds=30))
        processing.bury(session, event_id, "w1", now, "Autotask refused the login.", "Check the API user.")

    listed = admin.get("/v1/admin/events", params={"connector": name, "status": "dead"}).json()
    assert [event["id"] for event in listed] == [event_id]
    shown = admin.get(f"/v1/admin/events/{event_id}").json()
    assert [line["action"] for line in shown["history"]] == ["received", "dead-letter"]
    assert shown["history"][-1]["fix"] == "Check the API user."
    letters = admin.get("/v1/admin/dead-letters", params={"connector": name}).json()
    assert [(letter["event_id"], letter["cause"]) for letter in letters] == [
        (event_id, "Autotask refused the login.")
    ]
    older = {"connector": name, "before_id": letters[0]["id"]}
    assert admin.get("/v1/admin/dead-letters", params=older).json() == []
    assert admin.get("/v1/admin/dead-letters", params={"limit": 501}).status_code == 422
    pair = admin.get(f"/v1/admin/connectors/{name}/history/autotask/Ticket/42").json()
    assert [line["action"] for line in pair] == ["dead-letter", "received"]

    replayed = admin.post(f"/v1/admin/events/{event_id}/replay")
    assert replayed.status_code == 200
    assert replayed.json()["status"] == "queued"
    assert admin.get("/v1/admin/dead-letters", params={"connector": name}).json() == []
    assert admin.post(f"/v1/admin/events/{event_id}/replay").status_code == 409
    assert admin.post("/v1/admin/events/999999/replay").status_code == 404
    assert admin.get("/v1/admin/events", params={"connector": "ghost"}).status_code == 404
    with served.broker.db.transaction() as session:
        event = inbox.get(session, event_id)
        assert event is not None
        assert event.attempts == 0


def test_health_readiness_and_metrics_need_no_sign_in(served: Served) -> None:
    assert served.http.get("/healthz").json() == {"status": "ok"}
    assert served.http.get("/readyz").json() == {"database": "ok", "queue": "ok"}
    metrics = served.http.get("/metrics")
    assert metrics.status_code == 200
    assert "fieldbridge_inbox_events" in metrics.text
    assert 'fieldbridge_http_requests_total{route="/readyz",status="200"}' in metrics.text
    assert "fieldbridge_dead_letters_open" in metrics.text
