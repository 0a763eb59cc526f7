"""Small builders the store and worker tests share."""

from __future__ import annotations

from datetime import UTC, datetime

from fieldbridge.store import connectors
from fieldbridge.store.database import Database
from fieldbridge.store.inbox import Hint
from fieldbridge.store.secrets import SecretBox

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def add_connector(db: Database, box: SecretBox, name: str = "acme", **settings: object) -> int:
    fields: dict[str, object] = {
        "name": name,
        "autotask_username": "svc@acme.example",
        "autotask_secret": "s3cret",
    }
    fields.update(settings)
    with db.transaction() as session:
        return connectors.create(session, box, connectors.NewConnector.model_validate(fields), NOW).id


def ticket_hint(ticket_id: int, **changes: object) -> Hint:
    fields: dict[str, object] = {
        "source": "trigger",
        "system": "autotask",
        "entity": "Ticket",
        "record_id": ticket_id,
        "coalesce": True,
    }
    fields.update(changes)
    return Hint(**fields)  # type: ignore[arg-type]
