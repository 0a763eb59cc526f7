"""Mappings: the rows in force for each direction (source -> target, the action), as `fieldbridge mappings
show` reads them (`setup.rules.mappings_in_force`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from fieldbridge.setup.rules import mappings_in_force
from fieldbridge.store import mapping_sets
from fieldbridge.web.console.activity import connector_names, named
from fieldbridge.web.console.pages import render
from fieldbridge.web.console.security import ConsoleAdmin
from fieldbridge.web.deps import BrokerDep

router = APIRouter(include_in_schema=False)


@router.get("/mappings")
def mappings(request: Request, admin: ConsoleAdmin, broker: BrokerDep, connector: str = "") -> HTMLResponse:
    with broker.db.read() as session:
        names = connector_names(session)
        chosen = connector or (names[0] if len(names) == 1 else "")
        in_force, version = None, None
        if chosen:
            connector_id = named(session, chosen).id
            in_force = mappings_in_force(session, connector_id)
            saved = mapping_sets.latest(session, connector_id)
            version = saved.version if saved else None
    return render(
        request, "mappings.html", admin, names=names, connector=chosen, mapping_set=in_force, version=version
    )
