"""What Refresh Fields found, kept per (system, entity) and read back whole in the shape
`fieldbridge.mapping.Catalog` takes:

    {"autotask": {"Tickets": {"fields": [...], "userDefinedFields": [...]}, ...},
     "fieldnation": {"fields": [{"name": "custom_fields.Site", "type": "predefined", "options": [...]}, ...]}}

Field Nation rows (custom fields, expense categories, statuses) each hold a `fields` list; reading them
back joins the lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldbridge.store.tables import FieldCatalog


def save(
    session: Session, connector_id: int, system: str, entity: str, fields: dict[str, Any], now: datetime
) -> None:
    row = session.scalars(
        select(FieldCatalog).where(
            FieldCatalog.connector_id == connector_id,
            FieldCatalog.system == system,
            FieldCatalog.entity == entity,
        )
    ).one_or_none()
    if row is None:
        row = FieldCatalog(connector_id=connector_id, system=system, entity=entity)
        session.add(row)
    row.fields = fields
    row.refreshed_at = now
    session.flush()


def catalog(session: Session, connector_id: int) -> dict[str, Any] | None:
    """The connector's catalog, or None before the first Refresh Fields."""
    rows = list(session.scalars(select(FieldCatalog).where(FieldCatalog.connector_id == connector_id)))
    if not rows:
        return None
    return assemble((row.system, row.entity, row.fields) for row in rows)


def assemble(entries: Iterable[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    """The catalog that (system, entity, fields) rows make."""
    autotask: dict[str, Any] = {}
    fieldnation: list[Any] = []
    for system, entity, fields in entries:
        if system == "autotask":
            autotask[entity] = fields
        elif system == "fieldnation":
            fieldnation += fields.get("fields", [])
    return {"autotask": autotask, "fieldnation": {"fields": fieldnation}}
