"""The checks, provisioning and the reference sheet over real HTTP: the broker app on loopback (its own
public base URL, so the Autotask emulator can deliver to its trigger URL), both emulators, the admin API,
and the `fieldbridge` commands run in this process against the same data directory."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from typer.testing import CliRunner, Result

from fieldbridge.mapping import default_set
from fieldbridge.mapping.config import to_data
from fieldbridge.mapping.model import MappingSet, SetStatic, StatusMap, StatusPair
from fieldbridge.sandbox.autotask.seed import FIELD_NATION_CODE, PRIORITY, QUEUE, STATUS
from fieldbridge.settings import Settings
from fieldbridge.store import admins, connectors
from tests.conftest import AutotaskSim
from tests.integration.broker.http_fixtures import Served, serve
from tests.integration.fieldnation.conftest import FieldNationSim
from tests.integration.fieldnation.conftest import serve as serve_fieldnation

NORTHWIND = 174


def instance_mappings() -> MappingSet:
    """The guide's default mappings with this instance's ids: statuses from its picklist, and the three
    values Outbound Create needs that the defaults leave to the instance."""
    defaults = default_set()
    inbound = [
        StatusMap(
            action="status_map",
            source_field="Status",
            target_field="status_id",
            statuses=[StatusPair(autotask=STATUS["Dispatch to Field"], fieldnation=1)],
            default=1,
        )
        if isinstance(m, StatusMap)
        else m
        for m in defaults.inbound
    ]
    statics = {
        "Ticket:Priority": PRIORITY["Medium"],
        "Ticket:AccountID": NORTHWIND,
        "Ticket:QueueID": QUEUE["Field Services"],
    }
    outbound = [
        SetStatic(action="set_static", target_field=m.target_field, value=statics[m.target_field])
        if m.target_field in statics
        else m
        for m in defaults.outbound
    ]
    return MappingSet(inbound=inbound, outbound=outbound)


@pytest.fixture(scope="module")
def fn_server() -> Iterator[FieldNationSim]:
    with serve_fieldnation() as sim:
        yield sim


@pytest.fixture
def fn_sim(fn_server: FieldNationSim) -> FieldNationSim:
    assert fn_server.control.post("/_sim/reset").status_code == 200
    return fn_server


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("checks"),
        master_key=Fernet.generate_key().decode(),
        default_integration_code=SecretStr(FIELD_NATION_CODE),
    )
    with serve(settings) as app_served:
        # Known only once it listens: where Autotask and Field Nation are to deliver.
        settings.public_base_url = app_served.url
        yield app_served


@dataclass
class Bridge:
    served: Served
    admin: httpx.Client
    at: AutotaskSim
    fn: FieldNationSim

    def create(self, **changes: Any) -> tuple[str, dict[str, Any]]:
        """A connector on both emulators (unique name); returns its name and the create answer."""
        name = f"c-{uuid.uuid4().hex[:10]}"
        good, fn = self.at.user("svc-fieldnation"), self.fn.announced
        body = {
            "name": name,
            "autotask_api_url": self.at.url,
            "autotask_username": good["username"],
            "autotask_secret": good["secret"],
            "outbound_create": True,
            "outbound_default_status": STATUS["New"],
            "notification_emails": ["dispatch@acme-msp.example"],
            "fieldnation_api_url": fn["url"],
            "fieldnation_company_id": fn["company_id"],
            "fieldnation_client_id": fn["client_id"],
            "fieldnation_client_secret": fn["client_secret"],
            "fieldnation_username": fn["username"],
            "fieldnation_password": fn["password"],
        } | changes
        created = self.admin.post("/v1/admin/connectors", json=body)
        assert created.status_code == 201, created.text
        return name, created.json()

    def save_mappings(self, name: str, mappings: MappingSet) -> None:
        saved = self.admin.put(f"/v1/admin/connectors/{name}/mappings", json=to_data(mappings))
        assert saved.status_code == 200, saved.text

    def ready(self) -> str:
        """A connector set up as the guide says, its webhooks not yet provisioned."""
        name, _ = self.create()
        self.save_mappings(name, instance_mappings())
        return name

    def secrets(self, name: str) -> dict[str, str]:
        """The connector's secrets in clear, to prove none is ever shown."""
        broker = self.served.broker
        with broker.db.transaction() as session:
            row = connectors.get(session, name)
            assert row is not None
            config = connectors.config(row, broker.box, None)
        return {
            field: value.get_secret_value()
            for field in connectors.SECRET_FIELDS
            if (value := getattr(config, field)) is not None
        }

    def check(self, name: str) -> dict[str, Any]:
        answer = self.admin.post(f"/v1/admin/connectors/{name}/check")
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def provision(self, name: str, **body: Any) -> httpx.Response:
        return self.admin.post(f"/v1/admin/connectors/{name}/webhooks/provision", json=body or None)

    def env(self) -> dict[str, str | None]:
        """The environment `fieldbridge` needs to reach this broker's store."""
        settings = self.served.broker.settings
        assert settings.master_key is not None
        assert settings.default_integration_code is not None
        cleared: dict[str, str | None] = {k: None for k in os.environ if k.startswith("FIELDBRIDGE_")}
        return cleared | {
            "FIELDBRIDGE_DATA_DIR": str(settings.data_dir),
            "FIELDBRIDGE_MASTER_KEY": settings.master_key.get_secret_value(),
            "FIELDBRIDGE_PUBLIC_BASE_URL": settings.public_base_url,
            "FIELDBRIDGE_DEFAULT_INTEGRATION_CODE": settings.default_integration_code.get_secret_value(),
            "COLUMNS": "200",
        }

    def fieldbridge(self, *args: str, **env: str) -> Result:
        from fieldbridge.cli import app

        return CliRunner().invoke(app, list(args), env=self.env() | env)


@pytest.fixture(scope="module")
def admin_client(served: Served) -> Iterator[httpx.Client]:
    with served.broker.db.transaction() as session:
        user = admins.create_user(session, "checker", "correct horse battery", datetime.now(UTC))
        _, token = admins.issue_api_token(session, user, "checks tests", datetime.now(UTC))
    with httpx.Client(
        base_url=served.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        yield client


@pytest.fixture
def bridge(
    served: Served, admin_client: httpx.Client, autotask_sim: AutotaskSim, fn_sim: FieldNationSim
) -> Bridge:
    return Bridge(served, admin_client, autotask_sim, fn_sim)


def writes(calls: dict[str, Any]) -> list[str]:
    """Every call an emulator counted that could change something: anything but GET, and a POST that
    is not a query (Autotask queries are POSTs)."""
    return [
        f"{i['method']} {i['route']}"
        for i in calls["items"]
        if i["method"] != "GET" and not (i["method"] == "POST" and "/query" in i["route"])
    ]
