"""Autotask and Field Nation clients made from a connector's settings: the one factory of the flows, the
connection test, Refresh Fields and the checks. The flows' clients are kept per process and connector (the
Autotask client's zone, metadata cache and request budget are worth sharing), with a cache of slow-changing
related records."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx

from fieldbridge import fieldnation
from fieldbridge.autotask import AutotaskClient, Retry
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.sync.fingerprint import fingerprint

RELATED_TTL_SECONDS = 3600.0
"""Companies, locations and contacts change rarely; an hour-old name on a work order is acceptable."""


INTERACTIVE_TIMEOUT = 10.0
"""Seconds per request when a person is waiting for the answer (connection test, Refresh Fields, checks)."""


def _secret(value: Any) -> str:
    return "" if value is None else str(value.get_secret_value())


def autotask_client(
    config: ConnectorConfig, *, timeout: float = INTERACTIVE_TIMEOUT, retry: Retry | None = None
) -> AutotaskClient:
    """Raises ValueError when the username, secret or (own or default) integration code is missing."""
    return AutotaskClient(
        config.autotask_username,
        _secret(config.autotask_secret),
        _secret(config.autotask_integration_code),
        discovery_url=config.autotask_api_url,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        retry=retry,
    )


def fieldnation_client(
    config: ConnectorConfig,
    *,
    timeout: float = INTERACTIVE_TIMEOUT,
    retries: fieldnation.Retries | None = None,
) -> fieldnation.FieldNationClient:
    """Raises ValueError when a credential REST v2 needs is missing."""
    secret, password = config.fieldnation_client_secret, config.fieldnation_password
    if not (config.fieldnation_client_id and secret and config.fieldnation_username and password):
        raise ValueError(
            "Field Nation needs the client id and secret, and the API user's username and password"
        )
    credentials = fieldnation.Credentials(
        config.fieldnation_client_id,
        secret.get_secret_value(),
        config.fieldnation_username,
        password.get_secret_value(),
    )
    return fieldnation.FieldNationClient(
        config.fieldnation_api_url, credentials, timeout=timeout, retries=retries
    )


class ConnectorClients:
    def __init__(self, config: ConnectorConfig, timeout: float = 30.0) -> None:
        self.autotask = autotask_client(config, timeout=timeout)
        self.fieldnation = fieldnation_client(config, timeout=timeout)
        self._related: dict[tuple[str, int], tuple[float, dict[str, Any] | None]] = {}
        self._lock = threading.Lock()

    def related(self, entity: str, record_id: int) -> dict[str, Any] | None:
        """An Autotask record from the cache, fetched when missing or older than the TTL."""
        now = time.monotonic()
        with self._lock:
            cached = self._related.get((entity, record_id))
        if cached is not None and now - cached[0] < RELATED_TTL_SECONDS:
            return cached[1]
        record = self.autotask.get(entity, record_id)
        with self._lock:
            self._related[(entity, record_id)] = (now, record)
        return record

    def remember(self, entity: str, record_id: int, record: dict[str, Any] | None) -> None:
        """Cache a record fetched in a batch (backfill), so imports do not fetch it one by one."""
        with self._lock:
            self._related[(entity, record_id)] = (time.monotonic(), record)

    def close(self) -> None:
        self.autotask.close()
        self.fieldnation.close()


_clients: dict[int, tuple[str, ConnectorClients]] = {}
_clients_lock = threading.Lock()


def for_connector(config: ConnectorConfig, timeout: float = 30.0) -> ConnectorClients:
    """The connector's clients; new ones when its settings changed (new credentials, another URL)."""
    version = fingerprint(config.model_dump(mode="json"), config.secret_values(), timeout)
    with _clients_lock:
        known = _clients.get(config.id)
        if known is not None and known[0] == version:
            return known[1]
        if known is not None:
            known[1].close()
        clients = ConnectorClients(config, timeout)
        _clients[config.id] = (version, clients)
        return clients
