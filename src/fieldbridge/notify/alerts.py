"""What a person should hear about, as data: the worker, the flows and the reconciler raise alerts through an
`Alerter` they are given; `notify.email` is the one that sends them (rate limited)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

AlertKind = Literal[
    "dead_letter", "auth_failure", "outbound_create_failure", "sync_warning", "reconcile_failure"
]
"""`sync_warning`: a flow left something unwritten on purpose and a person should know (once per pair).
`reconcile_failure`: a reconciler pass failed (about the connector, not one event)."""


@dataclass(frozen=True)
class Alert:
    """Something a person should hear about by email (rate limited; see `fieldbridge.notify`)."""

    kind: AlertKind
    connector_id: int
    event_id: int | None
    """None for an alert about the connector itself; its outcome goes to the connector's own history."""
    subject: str
    """The pair, e.g. "Autotask Ticket 42", or what the connector was doing, e.g. "Autotask Tickets"."""
    cause: str
    fix: str | None


Alerter = Callable[[Alert], None]
