"""`fieldbridge sim autotask` as people and scripts run it: a real process, its first line, real HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

FIELDBRIDGE = str(Path(sys.executable).with_name("fieldbridge"))


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
    process = subprocess.Popen(
        [FIELDBRIDGE, "sim", "autotask", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())
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
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
