"""Autotask and Field Nation clients made from a connector's settings: the one factory of the flows, the
connection test, Refresh Fields and the checks. The flows' clients are kept per process and connector (the
Autotask client's zone and metadata cache are worth sharing), with a cache of slow-changing related records.

The flows' Autotask clients count Autotask's limits where every process of the deployment sees them (Redis
when the deployment has one, else the database: `autotask.limits.SharedLimits`), with the deployment's share
of the tenant's hourly threshold as ThresholdInformation gives it, read again every hour.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from fieldbridge import fieldnation
from fieldbridge.autotask import (
    AutotaskClient,
    AutotaskError,
    ChildCollection,
    Limits,
    Record,
    Retry,
    SharedLimits,
)
from fieldbridge.autotask.limits import HOUR, TENANT_HOURLY_THRESHOLD, Counts
from fieldbridge.autotask.redis_counts import RedisCounts
from fieldbridge.settings import SyncSettings
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.store.database import Database
from fieldbridge.sync.fingerprint import fingerprint
from fieldbridge.sync.request_counts import open_counts

log = logging.getLogger(__name__)

RELATED_TTL_SECONDS = 3600.0
"""Companies, locations and contacts change rarely; an hour-old name on a work order is acceptable."""

THRESHOLD_RETRY_SECONDS = 300.0
"""After ThresholdInformation could not be read (the share assumes Autotask's documented 10,000 meanwhile)."""

INTERACTIVE_TIMEOUT = 10.0
"""Seconds per request when a person is waiting for the answer (connection test, Refresh Fields, checks)."""


def _secret(value: Any) -> str:
    return "" if value is None else str(value.get_secret_value())


def autotask_client(
    config: ConnectorConfig,
    limits: Limits,
    *,
    timeout: float = INTERACTIVE_TIMEOUT,
    retry: Retry | None = None,
) -> AutotaskClient:
    """Raises ValueError when the username, secret or (own or default) integration code is missing."""
    return AutotaskClient(
        config.autotask_username,
        _secret(config.autotask_secret),
        _secret(config.autotask_integration_code),
        discovery_url=config.autotask_api_url,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        retry=retry,
        limits=limits,
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
    def __init__(self, config: ConnectorConfig, timeout: float, limits: Limits) -> None:
        self.autotask = autotask_client(config, limits, timeout=timeout)
        self.fieldnation = fieldnation_client(config, timeout=timeout)
        self._related: dict[tuple[str, int], tuple[float, Record | None]] = {}
        self._handed: dict[tuple[str, int], Record] = {}
        self._handed_children: dict[ChildCollection, list[Record]] = {}
        self._lock = threading.Lock()
        self._threshold_due = 0.0

    def related(self, entity: str, record_id: int) -> Record | None:
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

    def remember(self, entity: str, record_id: int, record: Record | None) -> None:
        """Cache a record fetched in a batch (backfill), so imports do not fetch it one by one."""
        with self._lock:
            self._related[(entity, record_id)] = (time.monotonic(), record)

    @contextmanager
    def handing_over(
        self, entity_path: str, records: list[Record], children: Mapping[ChildCollection, list[Record]]
    ) -> Iterator[None]:
        """While the block runs, the first `get` of each of `records`, and the first `children` of each of
        `children`, takes it from here instead of asking Autotask: the backfill's page of records and their
        notes, just read in batches, are what each import would read again one by one. What the block
        leaves untaken is dropped."""
        keys = [(entity_path, int(record["id"])) for record in records]
        with self._lock:
            self._handed.update(zip(keys, records, strict=True))
            self._handed_children.update(children)
        try:
            yield
        finally:
            with self._lock:
                for key in keys:
                    self._handed.pop(key, None)
                for collection in children:
                    self._handed_children.pop(collection, None)

    def get(self, entity_path: str, record_id: int) -> Record | None:
        """The record: handed over by `handing_over` (once), else from Autotask."""
        with self._lock:
            handed = self._handed.pop((entity_path, record_id), None)
        return handed if handed is not None else self.autotask.get(entity_path, record_id)

    def children(self, collection: ChildCollection) -> list[Record]:
        """The collection's records: handed over by `handing_over` (once), else from Autotask."""
        with self._lock:
            handed = self._handed_children.pop(collection, None)
        return handed if handed is not None else list(self.autotask.children(collection))

    def read_threshold(self, limits: SharedLimits, share: float) -> None:
        """Set the hourly budget to the deployment's share of the tenant's threshold, read from Autotask once
        an hour (one request)."""
        now = time.monotonic()
        with self._lock:
            if now < self._threshold_due:
                return
            self._threshold_due = now + THRESHOLD_RETRY_SECONDS
        try:
            threshold = self.autotask.threshold().external_request_threshold
        except AutotaskError as error:
            log.warning(
                "Autotask ThresholdInformation could not be read (%s); keeping %d requests an hour",
                error.summary,
                limits.limit,
            )
            return
        limits.limit = _share_of(threshold, share)
        with self._lock:
            self._threshold_due = now + HOUR

    def close(self) -> None:
        self.autotask.close()
        self.fieldnation.close()


_clients: dict[int, tuple[str, ConnectorClients, SharedLimits]] = {}
_shared_counts: dict[tuple[str, str], Counts] = {}
_clients_lock = threading.Lock()
_counts_lock = threading.Lock()


def for_connector(config: ConnectorConfig, sync: SyncSettings, db: Database) -> ConnectorClients:
    """The connector's clients; new ones when its settings changed (new credentials, another URL), counting
    Autotask's limits where `sync.limits_url` says (Redis), or in `db`."""
    timeout, share = sync.client_timeout_seconds, sync.autotask_share
    where = sync.limits_url or _url(db)
    version = fingerprint(config.model_dump(mode="json"), config.secret_values(), timeout, share, where)
    with _clients_lock:
        known = _clients.get(config.id)
        if known is None or known[0] != version:
            if known is not None:
                known[1].close()
            # Until ThresholdInformation answers, the share of Autotask's documented threshold.
            limit = _share_of(TENANT_HOURLY_THRESHOLD, share)
            limits = SharedLimits(_counts(sync, db), config.autotask_username, limit, lease=timeout * 2 + 60)
            known = _clients[config.id] = (version, ConnectorClients(config, timeout, limits), limits)
    _, clients, limits = known
    clients.read_threshold(limits, share)
    return clients


def shared_limits(config: ConnectorConfig, sync: SyncSettings, db: Database) -> SharedLimits:
    """Autotask's limits of the connector's API user, counted where the flows count them, for a client made
    while a person waits (connection test, Refresh Fields, checks, webhooks, the console): what a person asks
    for never puts a fourth request in flight beside the workers' or spends past the deployment's share. The
    share is of Autotask's documented threshold: reading the tenant's own would cost a request each time."""
    limit = _share_of(TENANT_HOURLY_THRESHOLD, sync.autotask_share)
    lease = INTERACTIVE_TIMEOUT * 2 + 60
    return SharedLimits(_counts(sync, db), config.autotask_username, limit, lease=lease)


def _share_of(threshold: int, share: float) -> int:
    return max(1, int(threshold * share))


def _counts(sync: SyncSettings, db: Database) -> Counts:
    key = (sync.limits_url, sync.limits_namespace) if sync.limits_url else (_url(db), "")
    with _counts_lock:
        counts = _shared_counts.get(key)
        if counts is None:
            counts = _shared_counts[key] = RedisCounts(*key) if sync.limits_url else open_counts(key[0])
        return counts


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)
