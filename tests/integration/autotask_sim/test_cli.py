"""`fieldbridge sim autotask` as people and scripts run it: a real process, its first line, real HTTP."""

from __future__ import annotations

import json
import subprocess

import httpx

from tests.support.emulators import FIELDBRIDGE, sim_process


def test_print_users_lists_every_seeded_user_with_its_level() -> None:
    out = subprocess.run(
        [FIELDBRIDGE, "sim", "autotask", "--print-users"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    users = {u["username"].split("@")[0]: u for u in json.loads(out.stdout)}
    assert users["svc-fieldnation"]["security_level"] == "Field Nation Integration"
    assert users["jdoe"]["resource_type"] == "Employee"
    assert users["svc-inactive"]["active"] is False
    assert all(
        {"secret", "integration_code", "resource_type", "security_level"} <= set(u) for u in users.values()
    )


def test_the_first_line_says_where_and_how_to_connect() -> None:
    with sim_process("autotask", "--port", "0") as (first, _):
        assert set(first) == {"url", "username", "secret", "integration_code"}
        assert first["url"].startswith("http://127.0.0.1:")
        zone = httpx.get(
            f"{first['url']}/atservicesrest/v1.0/zoneInformation",
            params={"user": first["username"]},
            timeout=10,
        ).json()["url"]
        headers = {
            "UserName": first["username"],
            "Secret": first["secret"],
            "ApiIntegrationCode": first["integration_code"],
        }
        assert httpx.get(f"{zone}V1.0/Tickets/7001", headers=headers, timeout=10).json()["item"]["id"] == 7001


def test_print_users_lists_an_api_user_on_the_built_in_level() -> None:
    out = subprocess.run(
        [FIELDBRIDGE, "sim", "autotask", "--print-users"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    on_it = [u for u in json.loads(out.stdout) if u["security_level"] == "API User (system) (API-only)"]
    assert [(u["resource_type"], u["active"]) for u in on_it] == [("API User", True)]


def test_seed_options_start_a_tenant_of_that_size() -> None:
    sized = ("--seed-tickets", "1200", "--seed-companies", "60", "--seed", "3")
    with sim_process("autotask", *sized) as (first, _):
        control = httpx.Client(base_url=first["url"], timeout=10)

        def last_tickets() -> list[int]:
            answer = control.get("/_sim/records/Tickets", params={"after": 8195}).json()
            return [t["id"] for t in answer["items"]]

        assert last_tickets() == [8196, 8197, 8198, 8199, 8200]  # 7001-8200
        assert len(control.get("/_sim/records/Companies").json()["items"]) == 60
        control.post("/_sim/reset").raise_for_status()  # back to the size it started with
        assert last_tickets() == [8196, 8197, 8198, 8199, 8200]


def test_a_seed_size_below_the_default_seed_is_refused_with_what_to_change() -> None:
    out = subprocess.run(
        [FIELDBRIDGE, "sim", "autotask", "--seed-tickets", "3"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2
    assert "tickets must be at least 7" in out.stderr
