"""Where the broker listens for change notices: the paths its web routes serve and its checks, provisioning
and reference sheet give Autotask and Field Nation."""

from __future__ import annotations

INBOUND_PATH = "/v1/broker/inbound"
"""The trigger URL (with `?client_token=`): Autotask webhooks and imports by ticket id."""

FIELDNATION_WEBHOOKS_PATH = "/v1/fieldnation/webhooks/"
FIELDNATION_WEBHOOK_ROUTE = FIELDNATION_WEBHOOKS_PATH + "{connector_name}"


def fieldnation_webhook_path(connector_name: str) -> str:
    """A connector's Field Nation webhook receiver (connector names are URL-safe: `store.connectors`)."""
    return FIELDNATION_WEBHOOKS_PATH + connector_name
