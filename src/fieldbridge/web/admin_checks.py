"""The checks, webhook provisioning and the reference sheet of a connector (`fieldbridge.checks`)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel

from fieldbridge.checks import runner
from fieldbridge.checks.context import ConnectorContext, UnknownConnector, load
from fieldbridge.checks.provisioning import ProvisioningError, provision
from fieldbridge.checks.reference import as_dict
from fieldbridge.setup.connection_check import Step
from fieldbridge.setup.rules import signed_in
from fieldbridge.web.deps import Broker, BrokerDep, current_admin
from fieldbridge.web.strict_json import StrictJsonRoute

router = APIRouter(
    prefix="/v1/admin/connectors",
    tags=["checks"],
    dependencies=[Depends(current_admin)],
    route_class=StrictJsonRoute,
)


class FindingOut(BaseModel):
    check: str
    status: Literal["pass", "warn", "fail", "skip"]
    seen: str
    fix: str
    cause: str
    """The likely cause's code when one was named (e.g. `integration_code`), else empty."""


class CheckReport(BaseModel):
    subject: str
    status: Literal["pass", "warn", "fail"]
    ok: bool
    """False when any check failed."""
    findings: list[FindingOut]


class ProvisionRequest(BaseModel):
    trigger_url: str | None = None
    """The connector's current trigger URL, to keep it (needed once, before a webhook carries it)."""
    rotate: bool = False
    """Issue a new trigger URL (answered once) even though the current one works; it stops working."""


class Provisioned(BaseModel):
    autotask_webhook_id: int
    fieldnation_webhook_id: str
    changes: list[str]
    new_trigger_url: str | None
    """Only when provisioning issued a trigger URL (the first, or a rotation asked for): shown this once."""


class ReferenceEntry(BaseModel):
    key: str
    label: str
    value: str


class ReferenceSheet(BaseModel):
    entries: list[ReferenceEntry]
    text: str
    """The same entries as one block to copy."""


def _context(broker: Broker, name: str) -> ConnectorContext:
    try:
        return load(broker.db, broker.box, broker.settings, name)
    except UnknownConnector as unknown:
        raise HTTPException(404, str(unknown)) from None


def _checked(broker: Broker, name: str) -> CheckReport:
    return CheckReport.model_validate(runner.check_connector(_context(broker, name)).as_dict())


def after_connection_test(broker: Broker, name: str, steps: list[Step]) -> CheckReport | None:
    """Saving credentials runs the connection test; once it signed in to Autotask, the full check follows
    (permissions, mappings, webhooks). Before that, the connection test's cause and fix are the news."""
    return _checked(broker, name) if signed_in(steps) else None


@router.post("/{name}/check", responses={404: {}})
def check_connector(name: str, broker: BrokerDep) -> CheckReport:
    """Every check of the setup guide, with what was seen and the fix; reads only, changes nothing."""
    return _checked(broker, name)


@router.post("/{name}/webhooks/provision", responses={404: {}, 409: {}})
def provision_webhooks(name: str, broker: BrokerDep, body: ProvisionRequest | None = None) -> Provisioned:
    """Create or update the Autotask ticket webhook and the Field Nation webhook; safe to repeat."""
    _context(broker, name)  # a 404 before anything is written
    try:
        request = body or ProvisionRequest()
        done = provision(
            broker.db, broker.box, broker.settings, name, request.trigger_url, rotate=request.rotate
        )
    except ProvisioningError as refused:
        raise HTTPException(409, {"problem": refused.problem, "fix": refused.fix}) from None
    return Provisioned.model_validate(done.as_dict())


@router.get("/{name}/reference", responses={404: {}})
def reference_sheet(name: str, broker: BrokerDep) -> ReferenceSheet:
    """Every non-secret value of the connector (trigger URL token masked), ready to copy."""
    return ReferenceSheet.model_validate(as_dict(runner.reference_for(_context(broker, name))))
