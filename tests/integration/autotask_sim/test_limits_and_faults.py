"""The thread limit, the hourly threshold, and the fault injection and call counts every test relies on."""

from __future__ import annotations

import concurrent.futures

import httpx
import pytest

from tests.support.emulators import AutotaskSim
from tests.support.waiting import wait_until


def test_a_fourth_concurrent_request_on_one_endpoint_gets_429(autotask_sim: AutotaskSim) -> None:
    autotask_sim.fault(kind="latency", path="/Tickets/7001$", seconds=1.0)
    url = f"{autotask_sim.zone_url}V1.0/Tickets/7001"
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        slow = [pool.submit(httpx.get, url, headers=autotask_sim.headers(), timeout=10) for _ in range(3)]
        # The three slow requests hold their slots; wait until the emulator sees all of them in flight.
        key = (autotask_sim.creds["integration_code"].lower(), "tickets")
        threads = autotask_sim.emulator.threads
        wait_until(lambda: threads._in_flight.get(key, 0) >= 3, timeout=5, what="three requests in flight")
        fourth = httpx.get(url, headers=autotask_sim.headers(), timeout=10)
        other_endpoint = httpx.get(
            f"{autotask_sim.zone_url}V1.0/Companies/174", headers=autotask_sim.headers()
        )
        assert [f.result().status_code for f in slow] == [200, 200, 200]
    assert fourth.status_code == 429
    assert fourth.json() == {"errors": ["API thread threshold of 3 threads has been exceeded"]}
    assert other_endpoint.status_code == 200  # the limit is per endpoint


def test_the_hourly_threshold_and_threshold_information(autotask_sim: AutotaskSim) -> None:
    autotask_sim.control.put("/_sim/limits", json={"request_threshold": 5}).raise_for_status()
    with httpx.Client(base_url=f"{autotask_sim.zone_url}V1.0/", headers=autotask_sim.headers()) as api:
        info = api.get("ThresholdInformation").json()
        assert info == {
            "externalRequestThreshold": 5,
            "requestThresholdTimeframe": 60,
            "currentTimeframeRequestCount": 1,
        }
        statuses = [api.get("Tickets/7001").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]


def test_zone_discovery_is_exempt_from_the_threshold(autotask_sim: AutotaskSim) -> None:
    autotask_sim.control.put("/_sim/limits", json={"request_threshold": 1}).raise_for_status()
    for _ in range(3):
        response = httpx.get(
            f"{autotask_sim.url}/atservicesrest/v1.0/zoneInformation",
            params={"user": autotask_sim.creds["username"]},
        )
        assert response.status_code == 200


def test_status_faults_fire_the_given_number_of_times(autotask_sim: AutotaskSim) -> None:
    autotask_sim.fault(kind="status", status=503, path="/Companies/", count=2)
    url = f"{autotask_sim.zone_url}V1.0/Companies/174"
    codes = [httpx.get(url, headers=autotask_sim.headers()).status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    assert autotask_sim.control.get("/_sim/faults").json()[0]["fired"] == 2


def test_probability_faults_fire_some_of_the_time(autotask_sim: AutotaskSim) -> None:
    autotask_sim.fault(kind="status", status=500, path="/Roles/", probability=0.5)
    url = f"{autotask_sim.zone_url}V1.0/Roles/29682831"
    codes = [httpx.get(url, headers=autotask_sim.headers()).status_code for _ in range(60)]
    assert 5 < codes.count(500) < 55


def test_a_timeout_fault_holds_the_request(autotask_sim: AutotaskSim) -> None:
    autotask_sim.fault(kind="timeout", path="/Tickets/7001$", seconds=1, count=1)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{autotask_sim.zone_url}V1.0/Tickets/7001", headers=autotask_sim.headers(), timeout=0.3)


def test_a_bad_fault_spec_is_refused_with_the_reason(autotask_sim: AutotaskSim) -> None:
    response = autotask_sim.control.post("/_sim/faults", json={"kind": "status", "path": "(unclosed"})
    assert response.status_code == 422
    assert "regular expression" in response.text


def test_calls_are_counted_per_route_template_and_user(autotask_sim: AutotaskSim) -> None:
    with httpx.Client(base_url=f"{autotask_sim.zone_url}V1.0/", headers=autotask_sim.headers()) as api:
        api.get("Tickets/7001")
        api.get("Tickets/7002")
        api.post("Tickets/query", json={"filter": [{"op": "exist", "field": "id"}]})
    items = autotask_sim.calls()["items"]
    user = autotask_sim.creds["username"]
    assert {"method": "GET", "route": "GET /V1.0/Tickets/{id}", "user": user, "count": 2} in items
    assert {"method": "POST", "route": "POST /V1.0/Tickets/query", "user": user, "count": 1} in items
    autotask_sim.control.delete("/_sim/calls")
    assert autotask_sim.calls()["total"] == 0


def test_a_status_fault_can_carry_headers(autotask_sim: AutotaskSim) -> None:
    autotask_sim.fault(kind="status", status=429, path="/Tickets/", count=1, headers={"Retry-After": "2"})
    answer = httpx.get(f"{autotask_sim.zone_url}V1.0/Tickets/7001", headers=autotask_sim.headers())
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "2"


def test_a_drop_fault_is_for_webhooks_only(autotask_sim: AutotaskSim) -> None:
    refused = autotask_sim.control.post("/_sim/faults", json={"kind": "drop", "path": "Tickets/"})
    assert refused.status_code == 422
    assert "webhook deliveries only" in refused.text


def test_answers_given_before_routing_are_counted_under_the_route_template(autotask_sim: AutotaskSim) -> None:
    autotask_sim.fault(kind="status", status=503, path="/Tickets/", count=1)
    httpx.get(f"{autotask_sim.zone_url}V1.0/Tickets/7001", headers=autotask_sim.headers())
    httpx.delete(f"{autotask_sim.zone_url}V1.0/Tickets/7001", headers=autotask_sim.headers())  # 405
    routes = {(i["method"], i["route"]) for i in autotask_sim.calls()["items"]}
    assert routes == {
        ("GET", "GET /V1.0/Tickets/{id} [injected status]"),
        ("DELETE", "DELETE /V1.0/Tickets/{id}"),
    }


def test_requests_in_flight_are_visible_under_sim_limits(autotask_sim: AutotaskSim) -> None:
    autotask_sim.fault(kind="latency", path="/Companies/174$", seconds=0.5, count=1)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        slow = pool.submit(
            httpx.get, f"{autotask_sim.zone_url}V1.0/Companies/174", headers=autotask_sim.headers()
        )

        def in_flight() -> list[dict[str, object]]:
            return list(autotask_sim.control.get("/_sim/limits").json()["in_flight"])

        seen = wait_until(in_flight, timeout=5, what="a request in flight")
        assert [e for e in seen if e["endpoint"] == "companies"] == [
            {
                "integration_code": autotask_sim.creds["integration_code"].lower(),
                "endpoint": "companies",
                "in_flight": 1,
            }
        ]
        assert slow.result().status_code == 200
    assert not [e for e in in_flight() if e["endpoint"] == "companies"]


def test_reset_restores_every_limit(autotask_sim: AutotaskSim) -> None:
    changed = {"request_threshold": 7, "threads": 5, "attachment_bytes_per_window": 100}
    autotask_sim.control.put("/_sim/limits", json=changed).raise_for_status()
    autotask_sim.control.post("/_sim/reset").raise_for_status()
    limits = autotask_sim.control.get("/_sim/limits").json()
    restored = (limits["request_threshold"], limits["threads"], limits["attachment_bytes_per_window"])
    assert restored == (10_000, 3, 10 * 1024 * 1024)
