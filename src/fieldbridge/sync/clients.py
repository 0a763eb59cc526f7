"""The API clients a connector's flows use, kept per process and connector (the Autotask client's zone,
metadata cache and request budget are worth sharing), and a cache of slow-changing related records."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx

from fieldbridge.autotask import AutotaskClient
from fieldbridge.fieldnation import Credentials, FieldNationClient
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.sync.fingerprint import fingerprint

RELATED_TTL_SECONDS = 3600.0
"""Companies, locations and contacts change rarely; an hour-old name on a work order is acceptable."""


def _secret(value: Any) -> str:
    return "" if value is None else str(value.get_secret_value())


class ConnectorClients:
    def __init__(self, config: ConnectorConfig, timeout: float = 30.0) -> None:
        self.autotask = AutotaskClient(
            config.autotask_username,
            _secret(config.autotask_secret),
            _secret(config.autotask_integration_code),
            discovery_url=config.autotask_api_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        )
        self.fieldnation = FieldNationClient(
            config.fieldnation_api_url,
            Credentials(
                config.fieldnation_client_id,
                _secret(config.fieldnation_client_secret),
                config.fieldnation_username,
                _secret(config.fieldnation_password),
            ),
            timeout=timeout,
        )
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
