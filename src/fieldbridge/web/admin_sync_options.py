"""A connector's sync options (the guide's Workflow Setup settings the connector itself does not hold: trigger
conditions, the time entry resource and role, markers, note settings, the reconciler's interval)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from fieldbridge.store import connectors
from fieldbridge.sync import options
from fieldbridge.sync.options import SyncOptions
from fieldbridge.web.deps import BrokerDep, current_admin
from fieldbridge.web.strict_json import StrictJsonRoute

router = APIRouter(
    prefix="/v1/admin/connectors/{name}/sync-options",
    tags=["sync"],
    dependencies=[Depends(current_admin)],
    route_class=StrictJsonRoute,
)


@router.get("", responses={404: {}})
def read(name: str, broker: BrokerDep) -> SyncOptions:
    """The options in force (the defaults until some are saved)."""
    with broker.db.transaction() as session:
        return options.load(session, _connector_id(session, name))


@router.put("", responses={404: {}, 422: {}})
def save(name: str, body: SyncOptions, broker: BrokerDep) -> SyncOptions:
    """Replace the options; the next event uses them."""
    with broker.db.transaction() as session:
        options.save(session, _connector_id(session, name), body)
    return body


def _connector_id(session: Session, name: str) -> int:
    connector = connectors.get(session, name)
    if connector is None:
        raise HTTPException(404, f"There is no connector named {name!r}.")
    return connector.id
