"""Bad input gets a clear Field Nation-style error and never a crash or a hang: malformed JSON, wrong types,
unknown fields, unknown work orders and endpoints, and random JSON thrown at the write endpoints."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.emulators import FieldNationSim

REST = "/api/rest/v2"
JSON_HEADERS = {"content-type": "application/json"}


def write_endpoints(sim: FieldNationSim) -> list[tuple[str, str]]:
    wo = sim.seeded("Assigned")
    return [
        ("POST", "/workorders"),
        ("PUT", f"/workorders/{wo}"),
        ("PUT", f"/workorders/{wo}/schedule"),
        ("POST", f"/workorders/{wo}/route"),
        ("POST", f"/workorders/{wo}/assignee"),
        ("PUT", f"/workorders/{wo}/custom_fields/101"),
        ("POST", f"/workorders/{wo}/time_logs"),
        ("POST", f"/workorders/{wo}/check_out"),
        ("POST", f"/workorders/{wo}/expenses"),
        ("POST", f"/workorders/{wo}/messages"),
        ("POST", f"/workorders/{wo}/attachments"),
    ]


def send(sim: FieldNationSim, method: str, path: str, content: bytes) -> Any:
    return sim.control.request(
        method, REST + path, params={"access_token": sim.token()}, content=content, headers=JSON_HEADERS
    )


def test_malformed_json_is_a_400_everywhere(fn_sim: FieldNationSim) -> None:
    for method, path in write_endpoints(fn_sim):
        response = send(fn_sim, method, path, b'{"title": "unterminated')
        assert response.status_code == 400, (method, path)
        body = response.json()
        assert body["status"] == 400
        assert body["message"].startswith("The request body is not valid JSON"), (method, path, body)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (b'{"title": 42}', "title", "Input should be a valid string"),
        (
            b'{"title": "x", "pay": {"type": "fixed", "base": {"amount": "100"}}}',
            "pay.base.amount",
            "valid number",
        ),
        (b'{"title": "x", "contacts": {"name": "Ana"}}', "contacts", "valid list"),
        (
            b'{"title": "x", "location": {"mode": "custom", "coordinates": "30,97"}}',
            "location.coordinates",
            "",
        ),
        (b'{"title": "x", "description": "<p>plain</p>"}', "description", ""),
        (b'{"title": "x", "incident_id": "INC1"}', "incident_id", "is not a known field"),
        (b'{"title": "  "}', "title", "at least 1 character"),
        (b"{}", "title", "is required"),
        (b"[]", "body", "valid dictionary"),
        (b"null", "body", ""),
    ],
)
def test_wrong_types_name_the_field(fn_sim: FieldNationSim, body: bytes, field: str, message: str) -> None:
    response = send(fn_sim, "POST", "/workorders", body)
    assert response.status_code == 400
    error = response.json()
    assert {"field": field, "message": error["errors"][0]["message"]} in error["errors"]
    assert message in error["errors"][0]["message"]
    assert error["message"].startswith("Invalid request: ")


@pytest.mark.parametrize(
    ("method", "path", "status", "message"),
    [
        ("GET", "/workorders/123", 404, "Work order 123 was not found"),
        ("POST", "/workorders/123/publish", 404, "Work order 123 was not found"),
        ("GET", "/workorders/abc", 400, "work_order_id: Input should be a valid integer"),
        ("GET", "/workorder", 404, "No such endpoint: GET /api/rest/v2/workorder"),
        ("PATCH", "/workorders", 405, "PATCH is not allowed on /api/rest/v2/workorders"),
        ("GET", "/workorders?per_page=0", 400, "per_page: Input should be greater than or equal to 1"),
    ],
)
def test_unknown_things_get_clear_errors(
    fn_sim: FieldNationSim, method: str, path: str, status: int, message: str
) -> None:
    url = f"{REST}{path}{'&' if '?' in path else '?'}access_token={fn_sim.token()}"
    response = fn_sim.control.request(method, url)
    assert response.status_code == status
    assert message in response.json()["message"]


def test_errors_on_the_webhooks_api_use_its_shape(fn_sim: FieldNationSim) -> None:
    headers = {"Authorization": f"Bearer {fn_sim.token('client_credentials')}", **JSON_HEADERS}
    response = fn_sim.control.post("/api/v1/webhooks", content=b"{oops", headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("The request body is not valid JSON")
    missing = fn_sim.control.get("/api/v1/webhooks/wh_nope", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["errors"] == [{"code": 404, "message": "Webhook wh_nope was not found"}]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
known_keys = st.sampled_from(
    ["title", "pay", "schedule", "location", "service_window", "mode", "start", "utc", "value", "message",
     "type", "category", "amount", "technician", "user", "id", "in", "out", "created", "name", "contacts"]
)  # fmt: skip
# Bodies that look like the real thing: known keys with random values, so validation goes deep.
plausible = st.dictionaries(
    known_keys, json_values | st.dictionaries(known_keys, json_values, max_size=4), max_size=5
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=plausible | json_values, target=st.integers(min_value=0, max_value=10))
def test_random_json_never_crashes_the_emulator(fn_server: FieldNationSim, body: Any, target: int) -> None:
    method, path = write_endpoints(fn_server)[target]
    response = send(fn_server, method, path, json.dumps(body).encode())
    assert response.status_code < 500, (method, path, body, response.text)
    if response.status_code >= 400:
        assert response.json()["message"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=64))
def test_random_bytes_never_crash_the_token_endpoint(fn_server: FieldNationSim, body: bytes) -> None:
    for content_type in ("application/json", "application/x-www-form-urlencoded"):
        response = fn_server.control.post(
            "/authentication/api/oauth/token", content=body, headers={"content-type": content_type}
        )
        assert response.status_code in (400, 401)
        assert response.json()["error"]


def test_calls_count_per_route_template_even_when_refused(fn_sim: FieldNationSim) -> None:
    wo = fn_sim.seeded("Draft")
    send(fn_sim, "PUT", f"/workorders/{wo}", b"{nope")
    fn_sim.fault(kind="status", status=503, method="GET", path="/workorders/\\d+$", count=1)
    fn_sim.control.get(f"{REST}/workorders/{wo}", params={"access_token": fn_sim.token()})
    fn_sim.control.put(f"{REST}/workorders", params={"access_token": fn_sim.token()})
    routes = {(i["route"], i["count"]) for i in fn_sim.control.get("/_sim/calls").json()["items"]}
    assert ("PUT /api/rest/v2/workorders/{work_order_id}", 1) in routes  # refused body, still its route
    assert ("GET /api/rest/v2/workorders/{work_order_id} [injected status]", 1) in routes
    assert ("PUT /api/rest/v2/workorders", 1) in routes  # a 405 counts under the path's template
