"""Connectors: create, read, update, delete (secrets write-only), trigger URL, manual import, history."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from fieldbridge.jobs import intake
from fieldbridge.store import client_tokens, connectors, history, links
from fieldbridge.store.connectors import ConnectorChanges, ConnectorView, NewConnector
from fieldbridge.store.tables import Connector
from fieldbridge.web import hints
from fieldbridge.web.deps import BrokerDep, current_admin, utcnow
from fieldbridge.web.inbound import AcceptedOut
from fieldbridge.web.schemas import HistoryOut

router = APIRouter(prefix="/v1/admin/connectors", tags=["connectors"], dependencies=[Depends(current_admin)])


class CreatedConnector(BaseModel):
    connector: ConnectorView
    trigger_url: str
    """Contains the client token: shown this once."""


class TriggerUrl(BaseModel):
    trigger_url: str


class ManualImport(BaseModel):
    ticket_id: int = Field(gt=0, le=2**63 - 1)


def _named(session: Session, name: str) -> Connector:
    connector = connectors.get(session, name)
    if connector is None:
        raise HTTPException(404, f"There is no connector named {name!r}.")
    return connector


@router.get("")
def list_connectors(broker: BrokerDep) -> list[ConnectorView]:
    with broker.db.transaction() as session:
        return [connectors.view(connector) for connector in connectors.list_all(session)]


@router.post("", status_code=201, responses={409: {}})
def create_connector(body: NewConnector, broker: BrokerDep) -> CreatedConnector:
    with broker.db.transaction() as session:
        try:
            connector = connectors.create(session, broker.box, body, utcnow())
        except connectors.ConnectorExists as exists:
            raise HTTPException(409, str(exists)) from None
        token = client_tokens.rotate(session, connector, utcnow())
        url = client_tokens.trigger_url(broker.settings.public_base_url, token)
        return CreatedConnector(connector=connectors.view(connector), trigger_url=url)


@router.get("/{name}", responses={404: {}})
def read_connector(name: str, broker: BrokerDep) -> ConnectorView:
    with broker.db.transaction() as session:
        return connectors.view(_named(session, name))


@router.patch("/{name}", responses={404: {}})
def update_connector(name: str, body: ConnectorChanges, broker: BrokerDep) -> ConnectorView:
    """Only the fields sent change; a secret sent as "" or null is removed."""
    with broker.db.transaction() as session:
        connector = _named(session, name)
        connectors.update(session, broker.box, connector, body, utcnow())
        return connectors.view(connector)


@router.delete("/{name}", status_code=204, responses={404: {}})
def delete_connector(name: str, broker: BrokerDep) -> None:
    """Deletes the connector with its events, history, links and tokens."""
    with broker.db.transaction() as session:
        session.delete(_named(session, name))


@router.post("/{name}/trigger-url", responses={404: {}})
def rotate_trigger_url(name: str, broker: BrokerDep) -> TriggerUrl:
    """A new client token; the previous trigger URL stops working at once."""
    with broker.db.transaction() as session:
        token = client_tokens.rotate(session, _named(session, name), utcnow())
    return TriggerUrl(trigger_url=client_tokens.trigger_url(broker.settings.public_base_url, token))


@router.post("/{name}/import", status_code=202, responses={404: {}})
def import_ticket(name: str, body: ManualImport, broker: BrokerDep) -> AcceptedOut:
    with broker.db.transaction() as session:
        connector = _named(session, name)
    hint = hints.manual_import(body.ticket_id, connectors.AUTOTASK_ENTITY[connector.service_object])
    accepted = intake.submit(broker.db, broker.queue, connector.id, hint, utcnow())
    return AcceptedOut(event_id=accepted.event_id, duplicate=accepted.duplicate)


@router.get("/{name}/history/{system}/{entity}/{record_id}", responses={404: {}})
def pair_history(name: str, system: str, entity: str, record_id: int, broker: BrokerDep) -> list[HistoryOut]:
    """A pair's history, newest first: both sides' events once the records are linked."""
    with broker.db.transaction() as session:
        connector = _named(session, name)
        keys = links.pair_keys(session, connector.id, system, entity, record_id)
        return [HistoryOut.model_validate(line) for line in history.for_pair(session, connector.id, keys)]
