"""Connectors: create, read, update, delete (secrets write-only), trigger URL, manual import, history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel
from sqlalchemy.orm import Session

from fieldbridge.autotask.service_objects import SERVICE_OBJECTS
from fieldbridge.jobs import hints, intake
from fieldbridge.setup import connection_check, rules
from fieldbridge.setup.connection_check import Step
from fieldbridge.setup.refresh_fields import Refreshed, refresh
from fieldbridge.store import client_tokens, connectors, field_catalog, history, links
from fieldbridge.store.columns import Fits
from fieldbridge.store.connectors import ConnectorChanges, ConnectorView, NewConnector
from fieldbridge.store.tables import Connector, InboxEvent
from fieldbridge.store.views import HistoryOut
from fieldbridge.web import admin_checks
from fieldbridge.web.admin_checks import CheckReport
from fieldbridge.web.deps import Broker, BrokerDep, current_admin, utcnow
from fieldbridge.web.inbound import AcceptedOut
from fieldbridge.web.strict_json import StrictJsonRoute

router = APIRouter(
    prefix="/v1/admin/connectors",
    tags=["connectors"],
    dependencies=[Depends(current_admin)],
    route_class=StrictJsonRoute,
)

RecordId = Annotated[int, Fits(InboxEvent.record_id, minimum=1)]


class SavedConnector(BaseModel):
    connector: ConnectorView
    connection_test: list[Step] | None
    """Each step's result, when credentials were saved."""
    checks: CheckReport | None = None
    """The full check (as `POST /{name}/check`), when the connection test signed in to Autotask."""


class CreatedConnector(SavedConnector):
    trigger_url: str
    """Contains the client token: shown this once."""


class TriggerUrl(BaseModel):
    trigger_url: str


class ManualImport(BaseModel):
    ticket_id: RecordId


def _config(broker: Broker, connector: Connector) -> connectors.ConnectorConfig:
    return connectors.config(connector, broker.box, broker.settings.default_integration_code)


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
    """Creates the connector, runs the connection test and answers the trigger URL (shown this once)."""
    with broker.db.transaction() as session:
        try:
            connector = connectors.create(session, broker.box, body, utcnow())
        except connectors.ConnectorExists as exists:
            raise HTTPException(409, str(exists)) from None
        token = client_tokens.rotate(session, connector, utcnow())
        view, config = connectors.view(connector), _config(broker, connector)
    url = client_tokens.trigger_url(broker.settings.public_base_url, token)
    tested = connection_check.check(config, broker.autotask_limits(config))
    checks = admin_checks.after_connection_test(broker, body.name, tested)
    return CreatedConnector(connector=view, connection_test=tested, checks=checks, trigger_url=url)


@router.get("/{name}", responses={404: {}})
def read_connector(name: str, broker: BrokerDep) -> ConnectorView:
    with broker.db.transaction() as session:
        return connectors.view(_named(session, name))


@router.patch("/{name}", responses={404: {}, 422: {}})
def update_connector(name: str, body: ConnectorChanges, broker: BrokerDep) -> SavedConnector:
    """Only the fields sent change; a secret sent as "" or null is removed. Changed credentials are tested."""
    with broker.db.transaction() as session:
        connector = _named(session, name)
        if body.outbound_create and not connector.outbound_create:
            _refuse_unless_create_is_mapped(session, connector)
        connectors.update(session, broker.box, connector, body, utcnow())
        view, config = connectors.view(connector), _config(broker, connector)
    tested = None
    if body.model_fields_set & rules.CONNECTION_FIELDS:
        tested = connection_check.check(config, broker.autotask_limits(config))
    checks = admin_checks.after_connection_test(broker, name, tested) if tested else None
    return SavedConnector(connector=view, connection_test=tested, checks=checks)


def _refuse_unless_create_is_mapped(session: Session, connector: Connector) -> None:
    """Switching Outbound Create on is refused while the mappings in force lack a required ticket field, as
    saving such mappings is."""
    problems = rules.missing_for_outbound_create(rules.mappings_in_force(session, connector.id))
    if problems:
        detail = [{"where": p.where, "message": p.message, "fix": p.fix} for p in problems]
        raise HTTPException(422, {"message": rules.CREATE_NEEDS_MAPPINGS, "problems": detail})


@router.post("/{name}/connection-test", responses={404: {}})
def test_connection(name: str, broker: BrokerDep) -> list[Step]:
    """Run the connection test again with the saved credentials."""
    with broker.db.transaction() as session:
        config = _config(broker, _named(session, name))
    return connection_check.check(config, broker.autotask_limits(config))


@router.post("/{name}/refresh-fields", responses={404: {}})
def refresh_fields(name: str, broker: BrokerDep) -> Refreshed:
    """Read fields, UDFs and picklists (Autotask) and custom fields, expense categories and statuses
    (Field Nation) into the catalog that mapping validation uses."""
    with broker.db.transaction() as session:
        config = _config(broker, _named(session, name))
    return refresh(broker.db, config, broker.autotask_limits(config), utcnow())


@router.get("/{name}/catalog", responses={404: {}})
def read_catalog(name: str, broker: BrokerDep) -> dict[str, Any]:
    """The field catalog from the last Refresh Fields."""
    with broker.db.transaction() as session:
        stored = field_catalog.catalog(session, _named(session, name).id)
    if stored is None:
        raise HTTPException(404, "Refresh Fields has not run for this connector yet.")
    return stored


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
    hint = hints.manual_import(body.ticket_id, SERVICE_OBJECTS[connector.service_object].entity)
    accepted = intake.submit(broker.db, broker.queue, connector.id, hint, utcnow())
    return AcceptedOut(event_id=accepted.event_id, duplicate=accepted.duplicate)


@router.get("/{name}/history/{system}/{entity}/{record_id}", responses={404: {}})
def pair_history(
    name: str, system: str, entity: str, record_id: RecordId, broker: BrokerDep
) -> list[HistoryOut]:
    """A pair's history, newest first: both sides' events once the records are linked."""
    with broker.db.transaction() as session:
        connector = _named(session, name)
        keys = links.pair_keys(session, connector.id, system, entity, record_id)
        return [HistoryOut.model_validate(line) for line in history.for_pair(session, connector.id, keys)]


@router.get("/{name}/history", responses={404: {}})
def connector_history(name: str, broker: BrokerDep) -> list[HistoryOut]:
    """The connector's own history, newest first: lines about it rather than one pair (a reconciler pass
    that failed, with cause and fix, and the alert about it)."""
    with broker.db.transaction() as session:
        connector = _named(session, name)
        lines = history.for_pair(session, connector.id, [history.CONNECTOR])
        return [HistoryOut.model_validate(line) for line in lines]
