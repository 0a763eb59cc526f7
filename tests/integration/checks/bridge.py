"""A connector made through the admin API of a broker served on loopback, pointed at both emulators, with
the guide's mappings for this instance; and what the checks tests read back."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from typer.testing import CliRunner, Result

from fieldbridge.mapping import default_set
from fieldbridge.mapping.config import to_data
from fieldbridge.mapping.model import MappingSet, StatusMap, StatusPair
from fieldbridge.sandbox.autotask.seed import ROLE, STATUS
from fieldbridge.store import connectors
from tests.support.emulators import AutotaskSim, FieldNationSim, connector_fields
from tests.support.mappings import with_outbound_create_statics
from tests.support.served import Served

NORTHWIND = 174
DISPATCHER = 29682887
"""A seeded employee resource: field work is booked to the dispatcher."""


def instance_options(**changes: Any) -> dict[str, Any]:
    """Sync options with this instance's ids: imports on Dispatch to Field, time booked as a technician."""
    return {
        "triggers": {"status_becomes": [STATUS["Dispatch to Field"]]},
        "resource_id": DISPATCHER,
        "role_id": ROLE["Field Technician"],
    } | changes


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
    return with_outbound_create_statics(defaults.model_copy(update={"inbound": inbound}), NORTHWIND)


@dataclass
class Bridge:
    served: Served
    admin: httpx.Client
    at: AutotaskSim
    fn: FieldNationSim

    def create(self, **changes: Any) -> tuple[str, dict[str, Any]]:
        """A connector on both emulators (unique name); returns its name and the create answer."""
        name = f"c-{uuid.uuid4().hex[:10]}"
        body = {
            "name": name,
            **connector_fields(self.at, self.fn, "svc-fieldnation"),
            "outbound_create": True,
            "outbound_default_status": STATUS["New"],
            "notification_emails": ["dispatch@acme-msp.example"],
            "fieldnation_company_id": self.fn.announced["company_id"],
        } | changes
        created = self.admin.post("/v1/admin/connectors", json=body)
        assert created.status_code == 201, created.text
        self.save_options(name, instance_options())
        return name, created.json()

    def save_options(self, name: str, options: dict[str, Any]) -> None:
        saved = self.admin.put(f"/v1/admin/connectors/{name}/sync-options", json=options)
        assert saved.status_code == 200, saved.text

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


def writes(calls: dict[str, Any]) -> list[str]:
    """Every call an emulator counted that could change something: anything but GET, and a POST that
    is not a query (Autotask queries are POSTs)."""
    return [
        f"{i['method']} {i['route']}"
        for i in calls["items"]
        if i["method"] != "GET" and not (i["method"] == "POST" and "/query" in i["route"])
    ]
