"""Zone discovery: looked up once per client however many threads ask, and again when a 401 says the
tenant moved."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import islice

import pytest

from fieldbridge.autotask import AuthenticationError, AutotaskClient, where
from tests.integration.autotask.connecting import Connect
from tests.support.emulators import AutotaskSim

DISCOVERY = "GET /atservicesrest/v1.0/zoneInformation"


def move_tenant(sim: AutotaskSim, zone: str) -> None:
    sim.control.put("/_sim/tenant/zone", json={"zone": zone}).raise_for_status()


def test_the_zone_is_discovered_once(autotask: AutotaskClient, sim: AutotaskSim) -> None:
    with ThreadPoolExecutor(max_workers=10) as pool:
        zones = set(pool.map(lambda _: autotask.zone_url(), range(10)))
    autotask.get("Tickets", 7001)
    assert zones == {sim.zone_url}
    assert sim.count(DISCOVERY) == 1


def test_a_401_after_the_tenant_moved_finds_the_new_zone(autotask: AutotaskClient, sim: AutotaskSim) -> None:
    assert autotask.get("Tickets", 7001) is not None
    move_tenant(sim, "webservices14")
    assert autotask.get("Tickets", 7001) is not None
    assert autotask.zone_url().endswith("/webservices14/atservicesrest/")
    assert sim.count(DISCOVERY) == 2
    assert sim.attempts("GET", "/webservices2/") == 1  # the old zone's 401


def test_paging_follows_a_tenant_that_moves_mid_iteration(autotask: AutotaskClient, sim: AutotaskSim) -> None:
    tickets = autotask.query("Tickets", where(max_records=2))
    first = list(islice(tickets, 2))
    move_tenant(sim, "webservices14")
    assert [t["id"] for t in first + list(tickets)] == [7001, 7002, 7003, 7004, 7005, 7006, 7007]


def test_a_401_that_is_not_a_move_is_an_authentication_error(connect: Connect, sim: AutotaskSim) -> None:
    autotask = connect(secret="Not-The-Secret-2026")
    with pytest.raises(AuthenticationError):
        autotask.get("Tickets", 7001)
    assert sim.count(DISCOVERY) == 2  # asked again in case the tenant moved; it had not
    assert sim.count("GET /V1.0/Tickets/{id}") == 1
