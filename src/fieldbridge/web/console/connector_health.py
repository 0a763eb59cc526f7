"""Each connector's health at a glance, read from the store in a few queries: last successful sync each
way, events per hour over the last day, what is failing, the webhooks both sides, and what needs a person
first (`attention`: pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import CompoundSelect, bindparam, func, literal, select, union_all
from sqlalchemy.orm import Session

from fieldbridge.store import connectors, history
from fieldbridge.store.connectors import ConnectorView
from fieldbridge.store.inbox import EventStatus
from fieldbridge.store.tables import Connector, DeadLetter, HistoryEntry, InboxEvent

HOURS = 24
AUTOTASK_DOORS = ("trigger", "autotask-webhook")
FIELDNATION_DOORS = ("fieldnation-webhook",)


@dataclass(frozen=True)
class Webhook:
    provisioned: bool
    """FieldBridge made this side's webhook (its signing secret is stored)."""
    last_delivery: datetime | None


@dataclass(frozen=True)
class Attention:
    level: Literal["fail", "warn"]
    text: str
    link: str
    link_label: str
    command: str | None = None
    """The command that fixes it, when one does."""


@dataclass(frozen=True)
class ConnectorHealth:
    view: ConnectorView
    last_inbound: datetime | None
    """The last event from Autotask synced to Field Nation."""
    last_outbound: datetime | None
    first_hour: datetime
    received: list[int]
    failing: list[int]
    retrying: int
    dead_letters: int
    autotask_webhook: Webhook
    fieldnation_webhook: Webhook
    connector_problem: HistoryEntry | None
    """The connector's own last line when it is an error of the last day (a reconciler pass that failed)."""

    @property
    def attention(self) -> list[Attention]:
        return attention(self)


def read(session: Session, now: datetime) -> list[ConnectorHealth]:
    first_hour = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=HOURS - 1)
    return [_one(session, connector, first_hour, now) for connector in connectors.list_all(session)]


def _one(session: Session, connector: Connector, first_hour: datetime, now: datetime) -> ConnectorHealth:
    mine = InboxEvent.connector_id == connector.id
    received, failing = _per_hour(session, connector.id, first_hour)
    view = connectors.view(connector)
    own = history.for_pair(session, connector.id, [history.CONNECTOR], limit=1)
    problem = (
        own[0] if own and own[0].level == "error" and own[0].at >= now - timedelta(hours=HOURS) else None
    )
    return ConnectorHealth(
        view=view,
        last_inbound=_last_done(session, connector.id, "autotask"),
        last_outbound=_last_done(session, connector.id, "fieldnation"),
        first_hour=first_hour,
        received=received,
        failing=failing,
        retrying=session.scalar(select(func.count()).where(mine, InboxEvent.status == EventStatus.RETRYING))
        or 0,
        dead_letters=session.scalar(
            select(func.count())
            .select_from(DeadLetter)
            .where(DeadLetter.connector_id == connector.id, DeadLetter.resolved_at.is_(None))
        )
        or 0,
        autotask_webhook=Webhook(
            view.secrets_set["autotask_webhook_secret"], _last_delivery(session, connector.id, AUTOTASK_DOORS)
        ),
        fieldnation_webhook=Webhook(
            view.secrets_set["fieldnation_webhook_secret"],
            _last_delivery(session, connector.id, FIELDNATION_DOORS),
        ),
        connector_problem=problem,
    )


def _per_hour(session: Session, connector_id: int, first_hour: datetime) -> tuple[list[int], list[int]]:
    """Events received in each of the last `HOURS` hours, and how many of them are failing (retrying or
    dead)."""
    bounds = {f"hour_{n}": first_hour + timedelta(hours=n) for n in range(HOURS + 1)}

    def counted(query: CompoundSelect[int, int]) -> list[int]:
        found: dict[int, int] = dict(session.execute(query, {"connector_id": connector_id, **bounds}).all())
        return [found.get(n, 0) for n in range(HOURS)]

    return counted(_RECEIVED), counted(_FAILING)


def _hourly(states: tuple[EventStatus, ...]) -> CompoundSelect[int, int]:
    """The events in `states` that arrived in each hour (bounds `hour_0`..`hour_24`), one range of the
    (connector, state, arrival) index per hour: counted from the index alone, without a value worked out
    per event. Every state is named even for all of them, so the range is bounded on the index's second
    column. Built once: a union of 24 selects costs more to build than to run."""
    return union_all(
        *(
            select(literal(n), func.count()).where(
                InboxEvent.connector_id == bindparam("connector_id"),
                InboxEvent.status.in_(states),
                InboxEvent.received_at >= bindparam(f"hour_{n}"),
                InboxEvent.received_at < bindparam(f"hour_{n + 1}"),
            )
            for n in range(HOURS)
        )
    )


_RECEIVED = _hourly(tuple(EventStatus))
_FAILING = _hourly((EventStatus.RETRYING, EventStatus.DEAD))


def _last_done(session: Session, connector_id: int, system: str) -> datetime | None:
    """When the newest event from `system` that synced finished (the newest first: no scan of the rest)."""
    return session.scalar(
        select(InboxEvent.finished_at)
        .where(
            InboxEvent.connector_id == connector_id,
            InboxEvent.system == system,
            InboxEvent.status == EventStatus.DONE,
        )
        .order_by(InboxEvent.id.desc())
        .limit(1)
    )


def _last_delivery(session: Session, connector_id: int, sources: tuple[str, ...]) -> datetime | None:
    return session.scalar(
        select(InboxEvent.received_at)
        .where(InboxEvent.connector_id == connector_id, InboxEvent.source.in_(sources))
        .order_by(InboxEvent.id.desc())
        .limit(1)
    )


def attention(health: ConnectorHealth) -> list[Attention]:
    """What needs a person, most urgent first: what stops the sync, then what fails, then what is idle."""
    view, name = health.view, health.view.name
    items: list[Attention] = []
    if not (view.autotask_username and view.secrets_set["autotask_secret"]):
        items.append(
            Attention("fail", "Autotask credentials are not set.", f"/check?connector={name}", "Check")
        )
    if not (view.fieldnation_client_id and view.secrets_set["fieldnation_client_secret"]):
        items.append(
            Attention("fail", "Field Nation credentials are not set.", f"/check?connector={name}", "Check")
        )
    if health.connector_problem is not None:
        line = health.connector_problem
        text = f"{line.message} {line.fix}" if line.fix else line.message
        items.append(Attention("fail", text, f"/activity/events?connector={name}", "Activity"))
    if health.dead_letters:
        items.append(
            Attention(
                "fail",
                f"{health.dead_letters} dead letter{_s(health.dead_letters)} wait for a person.",
                f"/dead-letters?connector={name}",
                "Dead letters",
            )
        )
    if health.retrying:
        items.append(
            Attention(
                "warn",
                f"{health.retrying} event{_s(health.retrying)} failing and retrying.",
                f"/activity/events?connector={name}&state=retrying",
                "Events",
            )
        )
    if not view.enabled:
        items.append(
            Attention(
                "warn",
                "The connector is disabled: its events are kept and skipped. Switch it on with",
                f"/activity/events?connector={name}&state=skipped",
                "Skipped events",
                f"fieldbridge connectors enable {name}",
            )
        )
    unprovisioned = [
        side
        for side, hook in (
            ("Autotask", health.autotask_webhook),
            ("Field Nation", health.fieldnation_webhook),
        )
        if not hook.provisioned
    ]
    if unprovisioned:
        items.append(
            Attention(
                "warn",
                f"No webhook provisioned on {' and '.join(unprovisioned)}. Provision them with",
                f"/check?connector={name}",
                "Check",
                f"fieldbridge webhooks provision --connector {name}",
            )
        )
    return items


def _s(count: int) -> str:
    return "s" if count != 1 else ""
