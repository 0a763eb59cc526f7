"""Autotask and Field Nation clients made from a connector's settings (for the connection test and
Refresh Fields; the sync flows will use the same)."""

from __future__ import annotations

from fieldbridge import fieldnation
from fieldbridge.autotask import AutotaskClient, Retry
from fieldbridge.store.connectors import ConnectorConfig

TIMEOUT = 10.0
"""Seconds per request when a person is waiting for the answer."""


def autotask_client(config: ConnectorConfig, retry: Retry | None = None) -> AutotaskClient:
    """Raises ValueError when the username, secret or (own or default) integration code is missing."""
    secret = config.autotask_secret.get_secret_value() if config.autotask_secret else ""
    code = config.autotask_integration_code.get_secret_value() if config.autotask_integration_code else ""
    return AutotaskClient(
        config.autotask_username,
        secret,
        code,
        discovery_url=config.autotask_api_url,
        timeout=TIMEOUT,
        retry=retry,
    )


def fieldnation_client(
    config: ConnectorConfig, retries: fieldnation.Retries | None = None
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
        config.fieldnation_api_url, credentials, timeout=TIMEOUT, retries=retries
    )
