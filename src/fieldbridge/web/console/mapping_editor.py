"""The mappings editor: both directions as rows (source -> target, the action and its parameters), the
fields picked from the catalog Refresh Fields keeps, each problem shown on its row, a preview on a real
record, and saving as a new version (refused while it has errors, judged as every save is:
`setup.rules.judged`), with each version's diff against the one before and one-click rollback.

Plain form posts that work without JavaScript; `mappings.js` adds rows and previews in the background.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fieldbridge.mapping import MappingSet, default_set
from fieldbridge.mapping.config import to_data
from fieldbridge.mapping.model import Direction
from fieldbridge.setup import rules
from fieldbridge.setup.plan import mapping_diff
from fieldbridge.store import connectors, field_catalog, mapping_sets
from fieldbridge.store.tables import AdminUser
from fieldbridge.web.console import catalog_fields, mapping_form, mapping_preview
from fieldbridge.web.console.activity import named
from fieldbridge.web.console.mapping_form import Rows
from fieldbridge.web.console.pages import PageError, redirect, render
from fieldbridge.web.console.security import CheckedForm, ConsoleAdmin
from fieldbridge.web.deps import Broker, BrokerDep, utcnow

router = APIRouter(include_in_schema=False)


def _editor(
    request: Request,
    admin: AdminUser,
    broker: Broker,
    name: str,
    rows: Rows,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    with broker.db.transaction() as session:
        row = named(session, name)
        saved = mapping_sets.latest(session, row.id)
        catalog = field_catalog.catalog(session, row.id)
    fields = catalog_fields.editor_fields(catalog)
    return render(
        request,
        "mapping_editor.html",
        admin,
        status_code=status_code,
        name=name,
        rows=rows,
        version=saved.version if saved else None,
        catalog_used=catalog is not None,
        fields=fields,
        actions=mapping_form.action_choices(),
        examples=mapping_form.EXAMPLES,
        blank_row=mapping_form.Row(),
        **({"checked": None, "previewed": None, "record": {}} | context),
    )


@router.get("/mappings/{name}")
def editor(name: str, request: Request, admin: ConsoleAdmin, broker: BrokerDep) -> HTMLResponse:
    with broker.db.transaction() as session:
        in_force = rules.mappings_in_force(session, named(session, name).id)
    return _editor(request, admin, broker, name, mapping_form.rows_of(in_force))


@router.post("/mappings/{name}")
def post(name: str, request: Request, admin: ConsoleAdmin, broker: BrokerDep, form: CheckedForm) -> Response:
    """`do`: check, save, or preview-inbound / preview-outbound on the record typed."""
    action = str(form.get("do", "check"))
    rows = mapping_form.posted(form)
    record = {key: str(form.get(key, "")) for key in ("ticket", "work_order")}
    mapping_set = mapping_form.mapping_set(rows)
    if mapping_set is not None:
        with broker.db.transaction() as session:
            connector = named(session, name)
            checked = rules.judged(session, connector, mapping_set)
            rows.place(checked.problems)
            if action == "save" and rows.ok:
                saved: int | None
                try:
                    saved = _save(session, connector.id, mapping_set, admin.username)
                except IntegrityError:
                    saved = None
                if saved is not None:
                    return redirect(f"/mappings/{name}/versions/{saved}")
                return _editor(
                    request,
                    admin,
                    broker,
                    name,
                    rows,
                    status_code=409,
                    record=record,
                    refused="Another version was saved at the same moment: save again to follow it.",
                )
    if action.startswith("preview") and mapping_set is not None:
        direction: Direction = "inbound" if action == "preview-inbound" else "outbound"
        with broker.db.transaction() as session:
            config = connectors.config(
                named(session, name), broker.box, broker.settings.default_integration_code
            )
        key = record["ticket"] if direction == "inbound" else record["work_order"]
        previewed = mapping_preview.preview(
            broker.db, config, broker.autotask_limits(config), mapping_set, direction, key
        )
        return _editor(request, admin, broker, name, rows, record=record, previewed=previewed)
    refused = action == "save" and not rows.ok
    return _editor(
        request,
        admin,
        broker,
        name,
        rows,
        status_code=422 if not rows.ok else 200,
        record=record,
        checked=rows.ok,
        refused="The mapping set has errors, shown on their rows, and was not saved." if refused else None,
    )


def _save(session: Session, connector_id: int, mapping_set: MappingSet, by: str) -> int:
    """The new version's number; the one in force when nothing changed (no version is added for that)."""
    latest = mapping_sets.latest(session, connector_id)
    if latest is not None and to_data(MappingSet.model_validate(latest.body)) == to_data(mapping_set):
        return latest.version
    return mapping_sets.save(session, connector_id, to_data(mapping_set), by, utcnow()).version


@router.get("/mappings/{name}/versions")
def versions(name: str, request: Request, admin: ConsoleAdmin, broker: BrokerDep) -> HTMLResponse:
    with broker.db.transaction() as session:
        rows = mapping_sets.versions(session, named(session, name).id)
        listed = [(row.version, row.created_at, row.created_by) for row in rows]
    return render(request, "mapping_versions.html", admin, name=name, versions=listed, shown=None)


@router.get("/mappings/{name}/versions/{version}")
def version(
    name: str, version: int, request: Request, admin: ConsoleAdmin, broker: BrokerDep
) -> HTMLResponse:
    """A version with its diff against the one before it (the guide's defaults before the first)."""
    with broker.db.transaction() as session:
        rows = mapping_sets.versions(session, named(session, name).id)
    by_version = {row.version: row for row in rows}
    if version not in by_version:
        raise PageError(
            404, f"{name} has no mapping set version {version}.", "Pick one from the versions listed."
        )
    shown = by_version[version]
    before = next((row for row in rows if row.version < version), None)
    old = MappingSet.model_validate(before.body) if before else default_set()
    diff = mapping_diff(
        old,
        MappingSet.model_validate(shown.body),
        f"version {before.version}" if before else "the guide's defaults",
        f"version {version}",
    )
    listed = [(row.version, row.created_at, row.created_by) for row in rows]
    return render(
        request,
        "mapping_versions.html",
        admin,
        name=name,
        versions=listed,
        shown=shown,
        before=before,
        diff=diff,
        latest=rows[0].version,
    )


@router.post("/mappings/{name}/versions/{version}/restore")
def restore(
    name: str, version: int, request: Request, admin: ConsoleAdmin, broker: BrokerDep, form: CheckedForm
) -> Response:
    """Roll back: the version's mappings saved again as the newest version, judged as any save is."""
    with broker.db.transaction() as session:
        connector = named(session, name)
        old = next((r for r in mapping_sets.versions(session, connector.id) if r.version == version), None)
        if old is None:
            raise PageError(
                404, f"{name} has no mapping set version {version}.", "Pick one from the versions listed."
            )
        mapping_set = MappingSet.model_validate(old.body)
        checked = rules.judged(session, connector, mapping_set)
        if checked.ok:
            saved = _save(session, connector.id, mapping_set, admin.username)
            return redirect(f"/mappings/{name}/versions/{saved}")
    rows = mapping_form.rows_of(mapping_set)
    rows.place(checked.problems)
    return _editor(
        request,
        admin,
        broker,
        name,
        rows,
        status_code=422,
        refused=f"Version {version} cannot be restored as it is: it has errors today, shown on their rows.",
    )
