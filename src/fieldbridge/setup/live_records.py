"""The real records a mapping preview runs on, fetched now as the sync reads them: a ticket (by id or
number) with the related records the inbound mappings read, or a work order with its expenses, as the
outbound mappings read it. Shared by `fieldbridge mappings preview-live` and the console's preview."""

from __future__ import annotations

from typing import Any

from fieldbridge.autotask import AutotaskError, Limits, eq, where
from fieldbridge.autotask.service_objects import SERVICE_OBJECTS
from fieldbridge.fieldnation import FieldNationError
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.sync.clients import INTERACTIVE_TIMEOUT, ConnectorClients, fieldnation_client
from fieldbridge.sync.inbound import with_related
from fieldbridge.sync.outbound import read_work_order


class RecordUnavailable(Exception):
    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem, self.fix = problem, fix


def ticket(config: ConnectorConfig, limits: Limits, id_or_number: str) -> dict[str, Any]:
    """The service object's record (a ticket by id or by number, T20261201.0001) with its related records."""
    endpoint = SERVICE_OBJECTS[config.service_object].endpoint
    clients = ConnectorClients(config, INTERACTIVE_TIMEOUT, limits)
    try:
        if id_or_number.isdigit():
            record = clients.autotask.get(endpoint, int(id_or_number))
        else:
            found = clients.autotask.query(endpoint, where(eq("ticketNumber", id_or_number)))
            record = next(iter(found), None)
        if record is None:
            raise RecordUnavailable(
                f"Autotask has no {endpoint} record {id_or_number} that the API user may see.",
                "check the id or number, and the API user's security level and Line of Business.",
            )
        return with_related(clients, record)
    except AutotaskError as error:
        raise RecordUnavailable(f"Autotask refused: {error.diagnosis}", error.fix or "") from None
    finally:
        clients.close()


def work_order(config: ConnectorConfig, work_order_id: int) -> dict[str, Any]:
    """The work order with its expenses, as the outbound mappings read it."""
    with fieldnation_client(config) as fieldnation:
        try:
            return read_work_order(fieldnation, work_order_id).source
        except FieldNationError as error:
            raise RecordUnavailable(
                f"Field Nation work order {work_order_id} could not be read: {error}",
                "check the id, and that the connector's Field Nation user may see it.",
            ) from None
