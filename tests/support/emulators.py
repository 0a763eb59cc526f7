"""Both emulators served over real HTTP on loopback, with the handles tests drive them by (`/_sim/` control,
calls counted, faults injected), and the connector settings that point at them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from fieldbridge.fieldnation import Credentials
from fieldbridge.sandbox.autotask.seed import seeded_users
from fieldbridge.sandbox.server import running
from fieldbridge.tls import client_context
from tests.support.waiting import wait_until


@dataclass
class ServedEmulator:
    """An emulator app served on loopback: `url` is its base, `control` an HTTP client on it for `/_sim/`."""

    app: FastAPI
    url: str
    control: httpx.Client

    @property
    def emulator(self) -> Any:
        return self.app.state.emulator

    def fault(self, **spec: Any) -> dict[str, Any]:
        """Inject a fault through `/_sim/faults` (the same in both emulators); returns it as stored."""
        response = self.control.post("/_sim/faults", json=spec)
        assert response.status_code == 201, response.text
        return dict(response.json())


@dataclass
class AutotaskSim(ServedEmulator):
    """A running Autotask emulator: `url` is the zone-discovery base, `zone_url` the tenant's API base."""

    @property
    def creds(self) -> dict[str, str]:
        return dict(self.emulator.announce(self.url))

    @property
    def zone_url(self) -> str:
        return str(self.emulator.zone_url())

    def user(self, username_prefix: str) -> dict[str, Any]:
        return next(u for u in seeded_users() if u["username"].startswith(username_prefix))

    def headers(
        self, username: str | None = None, secret: str | None = None, code: str | None = None
    ) -> dict[str, str]:
        creds = self.creds
        return {
            "UserName": username or creds["username"],
            "Secret": secret or creds["secret"],
            "ApiIntegrationCode": code or creds["integration_code"],
        }

    def api(self) -> httpx.Client:
        """A raw HTTP client on the tenant's REST API (`V1.0/`), as the announced API user."""
        return httpx.Client(
            base_url=f"{self.zone_url}V1.0/", headers=self.headers(), timeout=30, verify=client_context()
        )

    def ui_edit(self, ticket_id: int, as_resource: int, **fields: Any) -> None:
        """A person (resource `as_resource`) changes the ticket's `fields` in the Autotask UI."""
        self.control.patch(
            f"/_sim/ui/Tickets/{ticket_id}", json={"as_resource": as_resource, "fields": fields}
        ).raise_for_status()

    def add_ticket_webhook(self, api: httpx.Client, receiver_url: str, secret: str) -> int:
        """A ticket webhook for creates and updates, made through `api`, to `receiver_url + "/hook"`; its id.
        It has no fields yet, so it is not ready."""
        answer = api.post(
            "TicketWebhooks",
            json={
                "name": "FieldBridge",
                "webhookUrl": f"{receiver_url}/hook",
                "deactivationUrl": f"{receiver_url}/deactivated",
                "isActive": True,
                "secretKey": secret,
                "isSubscribedToCreateEvents": True,
                "isSubscribedToUpdateEvents": True,
                "isSubscribedToDeleteEvents": False,
                "sendThresholdExceededNotification": False,
            },
        )
        answer.raise_for_status()
        return int(answer.json()["itemId"])

    def reset(self) -> None:
        """Back to the seed, the clock fast; once the requests an earlier test left hanging (a timeout fault)
        are over, so they cannot take a slot of the next test's."""
        wait_until(
            lambda: not self.control.get("/_sim/limits").json()["in_flight"],
            timeout=15,
            what="requests of the previous test to finish",
        )
        self.control.post("/_sim/reset").raise_for_status()
        self.control.put("/_sim/clock", json={"speed": 1000.0}).raise_for_status()

    def calls(self) -> dict[str, Any]:
        return dict(self.control.get("/_sim/calls").json())

    def count(self, route: str | None = None) -> int:
        """Calls the emulator answered on `route` (e.g. "GET /V1.0/Tickets/{id}"), or all of them."""
        items = self.calls()["items"]
        return sum(i["count"] for i in items if route is None or i["route"].lower() == route.lower())

    def attempts(self, method: str, fragment: str) -> int:
        """Requests whose route or path contains `fragment` (a call to a zone the tenant is not in is counted
        under its raw path)."""
        items = self.calls()["items"]
        return sum(
            i["count"] for i in items if i["method"] == method and fragment.lower() in i["route"].lower()
        )

    def routes(self) -> set[str]:
        return {i["route"] for i in self.calls()["items"]}

    def records(self, entity: str) -> list[dict[str, Any]]:
        """Every record of `entity` as the emulator holds it, in id order, page after page."""
        items: list[dict[str, Any]] = []
        url: str | None = f"/_sim/records/{entity}"
        while url:
            page = self.control.get(url).json()
            items += page["items"]
            url = page["next"]
        return items

    def limits(self, **change: Any) -> dict[str, Any]:
        response = self.control.put("/_sim/limits", json=change)
        response.raise_for_status()
        return dict(response.json())


@dataclass
class FieldNationSim(ServedEmulator):
    @property
    def announced(self) -> dict[str, Any]:
        return dict(self.emulator.announce(self.url))

    @property
    def credentials(self) -> Credentials:
        a = self.announced
        return Credentials(a["client_id"], a["client_secret"], a["username"], a["password"])

    def reset(self) -> None:
        """Back to the seed through `/_sim/`, as a demo or another test would, the clock at real speed."""
        assert self.control.post("/_sim/reset").status_code == 200
        assert self.control.put("/_sim/clock", json={"speed": 1}).status_code == 200

    def grant(self, kind: str = "password", as_json: bool = False, **override: str) -> httpx.Response:
        """A raw token request with the announced credentials (`override` replaces fields)."""
        a = self.announced
        form = {"grant_type": kind, "client_id": a["client_id"], "client_secret": a["client_secret"]}
        if kind == "password":
            form |= {"username": a["username"], "password": a["password"]}
        form |= override
        path = "/authentication/api/oauth/token"
        return self.control.post(path, json=form) if as_json else self.control.post(path, data=form)

    def token(self, kind: str = "password") -> str:
        return str(self.grant(kind).json()["access_token"])

    def act(self, work_order_id: int, action: str, expect: int = 200, **body: Any) -> dict[str, Any]:
        """Do `action` in the app (as a technician or buyer) and return the `/_sim/` answer."""
        response = self.control.post(f"/_sim/workorders/{work_order_id}/{action}", json=body)
        assert response.status_code == expect, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def seeded(self, status: str) -> int:
        """The id of the seeded work order in `status` (Draft, Published, Routed, Assigned, ...)."""
        orders = self.control.get("/_sim/seed").json()["work_orders"]
        return int(next(wo["id"] for wo in orders if wo["status"] == status))

    def events(self, work_order_id: int | None = None) -> list[str]:
        params = {"work_order_id": work_order_id} if work_order_id else {}
        return [e["name"] for e in self.control.get("/_sim/events", params=params).json()["items"]]

    def calls(self, route: str, method: str | None = None) -> int:
        """Calls on `route`, those an injected fault answered (`<route> [injected ...]`) included."""
        items = self.control.get("/_sim/calls").json()["items"]
        return sum(
            i["count"]
            for i in items
            if i["route"].split(" [injected ")[0].endswith(route) and method in (None, i["method"])
        )


@contextmanager
def serve_autotask() -> Iterator[AutotaskSim]:
    """A fresh Autotask emulator on loopback, its webhook retries a thousand times faster than real time."""
    from fieldbridge.sandbox.autotask.app import create_app

    app = create_app(webhook_speed=1000.0)
    with (
        running(app) as server,
        httpx.Client(base_url=server.url, timeout=30, verify=client_context()) as control,
    ):
        app.state.emulator.set_base_url(server.url)
        yield AutotaskSim(app, server.url, control)


@contextmanager
def serve_fieldnation(**options: Any) -> Iterator[FieldNationSim]:
    """A fresh Field Nation emulator on loopback; `options` go to `create_app`."""
    from fieldbridge.sandbox.fieldnation.app import create_app

    app = create_app(**options)
    with (
        running(app) as server,
        httpx.Client(base_url=server.url, timeout=10, verify=client_context()) as control,
    ):
        app.state.emulator.set_base_url(server.url)
        yield FieldNationSim(app, server.url, control)


FIELDBRIDGE = str(Path(sys.executable).with_name("fieldbridge"))


@contextmanager
def sim_process(*args: str) -> Iterator[tuple[dict[str, Any], subprocess.Popen[str]]]:
    """`fieldbridge sim ARGS` as a real process: its first line (where and how to connect) and the process,
    stopped with SIGINT (Ctrl+C) on the way out."""
    process = subprocess.Popen(
        [FIELDBRIDGE, "sim", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        yield json.loads(process.stdout.readline()), process
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)


def connector_fields(at: AutotaskSim, fn: FieldNationSim, autotask_user: str) -> dict[str, Any]:
    """A new connector's settings that point at both emulators: the seeded Autotask user whose username
    starts with `autotask_user`, and the Field Nation credentials the emulator announces."""
    user, announced = at.user(autotask_user), fn.announced
    return {
        "autotask_api_url": at.url,
        "autotask_username": user["username"],
        "autotask_secret": user["secret"],
        "fieldnation_api_url": announced["url"],
        "fieldnation_client_id": announced["client_id"],
        "fieldnation_client_secret": announced["client_secret"],
        "fieldnation_username": announced["username"],
        "fieldnation_password": announced["password"],
    }
