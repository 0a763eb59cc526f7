"""The Connectors overview: each connector's health at a glance (`connector_health`), and on request the
Autotask API requests used this hour against the tenant's threshold (one call to Autotask)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from fieldbridge.autotask import AutotaskError
from fieldbridge.checks.runner import ONCE
from fieldbridge.checks.troubleshooting import explain
from fieldbridge.store import connectors
from fieldbridge.sync.clients import autotask_client
from fieldbridge.web.console import connector_health
from fieldbridge.web.console.chart import hourly_bars
from fieldbridge.web.console.pages import render
from fieldbridge.web.console.security import ConsoleAdmin
from fieldbridge.web.deps import BrokerDep, utcnow

router = APIRouter(include_in_schema=False)


@router.get("/")
def overview(request: Request, admin: ConsoleAdmin, broker: BrokerDep) -> HTMLResponse:
    with broker.db.read() as session:
        healths = connector_health.read(session, utcnow())
    charts = {h.view.name: hourly_bars(h.received, h.failing, h.first_hour) for h in healths}
    return render(request, "overview.html", admin, healths=healths, charts=charts)


@router.get("/connectors/{name}/api-usage")
def api_usage(name: str, request: Request, admin: ConsoleAdmin, broker: BrokerDep) -> HTMLResponse:
    """Autotask's ThresholdInformation: the requests every integration of the tenant made this hour."""
    with broker.db.read() as session:
        connector = connectors.get(session, name)
        if connector is None:
            raise HTTPException(404, f"There is no connector named {name!r}.")
        config = connectors.config(connector, broker.box, broker.settings.default_integration_code)
    usage, problem, fix = None, None, None
    try:
        with autotask_client(config, broker.autotask_limits(config), retry=ONCE) as client:
            usage = client.threshold()
    except ValueError as missing:
        problem = str(missing)
    except AutotaskError as error:
        explained = explain(error)
        problem, fix = (explained.cause, explained.fix) if explained else (str(error), None)
    return render(request, "api_usage.html", admin, name=name, usage=usage, problem=problem, fix=fix)
