"""Check and Reference: the connector's full check (pass / warn / fail with the fix for each row) and its
reference sheet (every non-secret value, with Copy all), through `fieldbridge.checks` as the admin API
and `fieldbridge check` use it. Both ask Autotask and Field Nation, so the pages load at once and the
result follows (in the background with JavaScript; on `run=1` without)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from fieldbridge.checks import runner
from fieldbridge.checks.context import ConnectorContext, UnknownConnector, load
from fieldbridge.checks.reference import as_text
from fieldbridge.web.console.activity import connector_names
from fieldbridge.web.console.pages import PageError, render
from fieldbridge.web.console.security import ConsoleAdmin
from fieldbridge.web.deps import Broker, BrokerDep

router = APIRouter(include_in_schema=False)

Run = Annotated[int, Query(ge=0, le=1)]


def _context(broker: Broker, name: str) -> ConnectorContext:
    try:
        return load(broker.db, broker.box, broker.settings, name)
    except UnknownConnector as unknown:
        raise PageError(404, str(unknown), "Pick a connector from the list.") from None


def _chosen(broker: Broker, connector: str) -> tuple[list[str], str]:
    """The connectors, and the one to show: the one asked for, or the only one there is."""
    with broker.db.read() as session:
        names = connector_names(session)
    return names, connector or (names[0] if len(names) == 1 else "")


@router.get("/check")
def check(
    request: Request, admin: ConsoleAdmin, broker: BrokerDep, connector: str = "", run: Run = 0
) -> HTMLResponse:
    names, chosen = _chosen(broker, connector)
    report = runner.check_connector(_context(broker, chosen)) if chosen and run else None
    return render(request, "check.html", admin, names=names, connector=chosen, report=report)


@router.get("/reference")
def reference(
    request: Request, admin: ConsoleAdmin, broker: BrokerDep, connector: str = "", run: Run = 0
) -> HTMLResponse:
    names, chosen = _chosen(broker, connector)
    entries = runner.reference_for(_context(broker, chosen)) if chosen and run else None
    return render(
        request,
        "reference.html",
        admin,
        names=names,
        connector=chosen,
        entries=entries,
        text=as_text(entries) if entries else "",
    )
