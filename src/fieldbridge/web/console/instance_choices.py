"""What the console's pickers offer, so an admin chooses by name rather than typing ids that differ per
instance: picklists (ticket statuses, queues, note types, publish levels) from the field catalog Refresh
Fields keeps, and the resources and roles time is booked to, asked of Autotask when the page is shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fieldbridge.autotask import AutotaskError, Limits, eq, where
from fieldbridge.checks.facts import API_USER
from fieldbridge.checks.runner import ONCE
from fieldbridge.checks.troubleshooting import explain
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.sync.clients import autotask_client


@dataclass(frozen=True)
class Choice:
    value: int | str
    label: str

    @property
    def shown(self) -> str:
        """How a picker names it: the label with its id, since the rest of the setup speaks of ids."""
        if not self.label or self.label == str(self.value) or self.value == "":
            return self.label or str(self.value)
        return f"{self.label} ({self.value})"


@dataclass(frozen=True)
class People:
    resources: list[Choice]
    roles: list[Choice]
    problem: str | None = None
    """Why the instance could not be asked, with the fix; the pickers are then empty."""


def picklist(catalog: dict[str, Any] | None, entity: str, field: str) -> list[Choice]:
    """A picklist's active values as Refresh Fields stored them; empty before it ran."""
    fields = ((catalog or {}).get("autotask", {}).get(entity) or {}).get("fields") or []
    found = next((f for f in fields if str(f.get("name", "")).lower() == field.lower()), None)
    values = (found or {}).get("picklistValues") or []
    return [
        Choice(int(v["value"]), str(v.get("label") or "")) for v in values if v.get("isActive") is not False
    ]


def people(config: ConnectorConfig, limits: Limits) -> People:
    """The instance's active resources (API users left out) and roles (one query each)."""
    try:
        with autotask_client(config, limits, retry=ONCE) as client:
            fields = ["id", "firstName", "lastName", "userName", "resourceType"]
            resources = client.query("Resources", where(eq("isActive", True), include_fields=fields))
            # Autotask refuses time entries owned by an API user, so none is offered.
            bookable = [r for r in resources if r.get("resourceType") != API_USER]
            listed = [Choice(int(r["id"]), _person(r)) for r in bookable]
            roles = client.query("Roles", where(eq("isActive", True), include_fields=["id", "name"]))
            role_choices = [Choice(int(r["id"]), str(r.get("name") or "")) for r in roles]
    except ValueError as missing:
        return People([], [], f"{missing}. Fix: enter the Autotask credentials first.")
    except AutotaskError as error:
        explained = explain(error)
        fix = f" Fix: {explained.fix}" if explained else ""
        return People(
            [], [], f"Autotask could not be asked for its resources and roles: {error.summary}.{fix}"
        )
    return People(sorted(listed, key=lambda c: c.label.lower()), sorted(role_choices, key=lambda c: c.label))


def _person(resource: dict[str, Any]) -> str:
    name = " ".join(str(resource.get(part) or "") for part in ("firstName", "lastName")).strip()
    user = resource.get("userName")
    return f"{name} — {user}" if user and name else name or str(user or resource["id"])
