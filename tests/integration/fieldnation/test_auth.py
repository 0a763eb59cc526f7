"""OAuth tokens: both grants, JSON and form bodies, both ways of presenting a token, expiry, and the client's
token management (refresh before expiry, one re-authentication on 401)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from fieldbridge.fieldnation import AuthenticationError, Credentials, FieldNationClient, Retries
from tests.support.emulators import FieldNationSim

TOKEN = "/authentication/api/oauth/token"
WORKORDERS = "/api/rest/v2/workorders"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class RecordingTransport(httpx.HTTPTransport):
    """Real HTTP, plus a note of every token request's grant type."""

    def __init__(self) -> None:
        super().__init__()
        self.grants: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == TOKEN:
            self.grants.append(parse_qs(request.content.decode())["grant_type"][0])
        return super().handle_request(request)


@pytest.mark.parametrize("as_json", [False, True], ids=["form", "json"])
def test_password_grant_answers_a_bearer_token_with_refresh_token(
    fn_sim: FieldNationSim, as_json: bool
) -> None:
    response = fn_sim.grant(as_json=as_json)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"]
    assert body["refresh_token"]
    assert body["scope"]


def test_client_credentials_grant_has_no_refresh_token(fn_sim: FieldNationSim) -> None:
    body = fn_sim.grant("client_credentials").json()
    assert body["access_token"]
    assert "refresh_token" not in body


@pytest.mark.parametrize(
    ("override", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"password": "wrong"}, 400, "invalid_grant"),
        ({"grant_type": "implicit"}, 400, "unsupported_grant_type"),
        ({"grant_type": "refresh_token", "refresh_token": "nope"}, 400, "invalid_grant"),
    ],
)
def test_token_endpoint_refuses_bad_requests_in_oauth_terms(
    fn_sim: FieldNationSim, override: dict[str, str], status: int, error: str
) -> None:
    response = fn_sim.grant(**override)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.json()["error_description"]


def test_token_endpoint_refuses_malformed_json(fn_sim: FieldNationSim) -> None:
    response = fn_sim.control.post(TOKEN, content=b"{grant", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_token_works_in_the_query_and_as_a_bearer_header(fn_sim: FieldNationSim) -> None:
    token = fn_sim.grant().json()["access_token"]
    assert fn_sim.control.get(WORKORDERS, params={"access_token": token}).status_code == 200
    assert fn_sim.control.get(WORKORDERS, headers={"Authorization": f"Bearer {token}"}).status_code == 200


@pytest.mark.parametrize(
    ("params", "message"),
    [({}, "Missing access token"), ({"access_token": "forged"}, "Invalid access token")],
)
def test_missing_or_unknown_token_is_a_401(
    fn_sim: FieldNationSim, params: dict[str, str], message: str
) -> None:
    response = fn_sim.control.get(WORKORDERS, params=params)
    assert response.status_code == 401
    assert response.json()["message"].startswith(message)


def test_an_expired_token_is_refused(fn_sim: FieldNationSim) -> None:
    token = fn_sim.grant().json()["access_token"]
    assert fn_sim.control.post("/_sim/tokens/expire").json()["expired"] >= 1
    response = fn_sim.control.get(WORKORDERS, params={"access_token": token})
    assert response.status_code == 401
    assert response.json()["message"] == "The access token has expired"


def test_token_lifetime_can_be_shortened_for_tests(fn_sim: FieldNationSim) -> None:
    assert fn_sim.control.put("/_sim/tokens", json={"ttl": 5}).json() == {"ttl": 5}
    assert fn_sim.grant().json()["expires_in"] == 5
    assert fn_sim.control.put("/_sim/tokens", json={"ttl": -1}).status_code == 400


def test_webhooks_api_wants_a_client_credentials_token(fn_sim: FieldNationSim) -> None:
    user_token = fn_sim.grant().json()["access_token"]
    app_token = fn_sim.grant("client_credentials").json()["access_token"]
    refused = fn_sim.control.get("/api/v1/webhooks", headers={"Authorization": f"Bearer {user_token}"})
    assert refused.status_code == 403
    assert "client_credentials" in refused.json()["errors"][0]["message"]
    assert (
        fn_sim.control.get("/api/v1/webhooks", headers={"Authorization": f"Bearer {app_token}"}).status_code
        == 200
    )


def test_client_reauthenticates_once_when_its_token_expires_mid_session(
    fn_sim: FieldNationSim, client: FieldNationClient
) -> None:
    wo_id = fn_sim.seeded("Draft")
    assert client.workorders.get(wo_id).id == wo_id
    fn_sim.control.post("/_sim/tokens/expire")
    assert client.workorders.get(wo_id).id == wo_id
    assert fn_sim.calls(TOKEN) == 2
    # one answered, one refused with 401, one answered after re-authenticating
    assert fn_sim.calls("/workorders/{work_order_id}", "GET") == 3


def test_client_gives_up_when_the_fresh_token_is_refused_too(
    fn_sim: FieldNationSim, client: FieldNationClient
) -> None:
    fn_sim.fault(kind="status", status=401, method="GET", path="/workorders/", count=2)
    with pytest.raises(AuthenticationError) as caught:
        client.workorders.get(fn_sim.seeded("Draft"))
    assert caught.value.status == 401
    assert fn_sim.calls(TOKEN) == 2


def _client(sim: FieldNationSim, clock: FakeClock, transport: RecordingTransport) -> FieldNationClient:
    return FieldNationClient(
        sim.url, sim.credentials, clock=clock, http_transport=transport, retries=Retries(sleep=lambda s: None)
    )


def test_client_refreshes_with_the_refresh_token_before_expiry(fn_sim: FieldNationSim) -> None:
    clock, transport = FakeClock(), RecordingTransport()
    wo_id = fn_sim.seeded("Draft")
    with _client(fn_sim, clock, transport) as fn:
        fn.workorders.get(wo_id)
        clock.now += 3500  # still valid, but within the 60 s margin after this
        fn.workorders.get(wo_id)
        assert transport.grants == ["password"]
        clock.now += 41
        fn.workorders.get(wo_id)
    assert transport.grants == ["password", "refresh_token"]
    assert fn_sim.calls("/workorders/{work_order_id}", "GET") == 3  # no 401 on the way


def test_a_short_lived_token_is_refreshed_half_way(fn_sim: FieldNationSim) -> None:
    fn_sim.control.put("/_sim/tokens", json={"ttl": 10})
    clock, transport = FakeClock(), RecordingTransport()
    with _client(fn_sim, clock, transport) as fn:
        fn.workorders.list()
        clock.now += 4
        fn.workorders.list()
        clock.now += 2
        fn.workorders.list()
    assert transport.grants == ["password", "refresh_token"]


def test_a_refused_refresh_falls_back_to_a_full_grant(fn_sim: FieldNationSim) -> None:
    clock, transport = FakeClock(), RecordingTransport()
    with _client(fn_sim, clock, transport) as fn:
        fn.workorders.list()
        fn_sim.fault(kind="status", status=400, method="POST", path="oauth/token", count=1)
        clock.now += 3600
        fn.workorders.list()
    assert transport.grants == ["password", "refresh_token", "password"]


def test_bad_credentials_raise_authentication_error_without_the_secret(fn_sim: FieldNationSim) -> None:
    a: dict[str, Any] = fn_sim.announced
    creds = Credentials(a["client_id"], "not-the-secret", a["username"], "not-the-password")
    with FieldNationClient(fn_sim.url, creds) as fn, pytest.raises(AuthenticationError) as caught:
        fn.workorders.list()
    error = caught.value
    assert (error.status, error.method, error.path) == (401, "POST", TOKEN)
    assert error.message == "Unknown client_id or wrong client_secret"
    assert "not-the-secret" not in str(error)
    assert "not-the-secret" not in repr(creds)
