"""The Field Nation emulator served over real HTTP, a client logged in to it, and a webhook receiver."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from fieldbridge.fieldnation import Credentials, FieldNationClient, Retries
from fieldbridge.sandbox.fieldnation.app import create_app
from fieldbridge.sandbox.server import running
from tests.receiver import Receiver
from tests.receiver import receiver as receiving
from tests.support import ServedEmulator

UPLOAD_LIMIT = 4096
TECHS = (3001, 3002, 3003, 3004)
MANAGER = 2001
COMPANY = 4182


@dataclass
class FieldNationSim(ServedEmulator):
    @property
    def announced(self) -> dict[str, Any]:
        return dict(self.emulator.announce(self.url))

    @property
    def credentials(self) -> Credentials:
        a = self.announced
        return Credentials(a["client_id"], a["client_secret"], a["username"], a["password"])

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
def serve(**options: Any) -> Iterator[FieldNationSim]:
    """A fresh emulator on loopback; `options` go to `create_app`."""
    app = create_app(**options)
    with running(app) as server, httpx.Client(base_url=server.url, timeout=10) as control:
        app.state.emulator.set_base_url(server.url)
        yield FieldNationSim(app, server.url, control)


@pytest.fixture(scope="module")
def fn_server() -> Iterator[FieldNationSim]:
    with serve(max_upload_bytes=UPLOAD_LIMIT) as sim:
        yield sim


@pytest.fixture
def fn_sim(fn_server: FieldNationSim) -> FieldNationSim:
    """The module's emulator, reset and reseeded through `/_sim/` as a demo or another test would."""
    assert fn_server.control.post("/_sim/reset").status_code == 200
    assert fn_server.control.put("/_sim/clock", json={"speed": 1}).status_code == 200
    return fn_server


@pytest.fixture
def sleeps() -> list[float]:
    """The client's back-off waits, recorded instead of slept."""
    return []


@pytest.fixture
def client(fn_sim: FieldNationSim, sleeps: list[float]) -> Iterator[FieldNationClient]:
    retries = Retries(sleep=sleeps.append)
    with FieldNationClient(fn_sim.url, fn_sim.credentials, retries=retries, timeout=10) as fn:
        yield fn


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook endpoint on loopback (the suite's shared one); deliveries go to `receiver.url + "/hook"`."""
    with receiving() as r:
        yield r


def received_events(r: Receiver) -> list[str]:
    """Event names of the deliveries the receiver accepted, in arrival order."""
    return [json.loads(d.body)["event"]["name"] for d in r.received]
