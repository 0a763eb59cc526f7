"""Sync options: the connector's Outbound Create, default status, expense target and attachment sync, and
its sync options (trigger conditions, time entry resource and role, note type and publish settings, the
reconciler's interval), picked from the instance rather than typed as ids. Switching Outbound Create on is
refused while the mappings in force lack a field Autotask needs on a new ticket, by the rule the admin API
applies (`setup.rules.missing_for_outbound_create`), with the fields listed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from fieldbridge.setup import rules
from fieldbridge.store import connectors, field_catalog
from fieldbridge.store.connectors import ConnectorChanges
from fieldbridge.store.tables import AdminUser
from fieldbridge.sync import options
from fieldbridge.sync.options import SyncOptions
from fieldbridge.web.console import instance_choices, options_form
from fieldbridge.web.console.activity import named
from fieldbridge.web.console.pages import redirect, render
from fieldbridge.web.console.security import CheckedForm, ConsoleAdmin
from fieldbridge.web.deps import Broker, BrokerDep, utcnow

router = APIRouter(include_in_schema=False)

CONNECTOR_FIELDS = ("outbound_create", "outbound_default_status", "expense_target", "attachment_sync")
EXPENSE_TARGETS = [
    instance_choices.Choice("", "Expense module: ExpenseReport + ExpenseItem (default)"),
    instance_choices.Choice("charge", "Service Desk: TicketCharge"),
]


def _page(
    request: Request,
    admin: AdminUser,
    broker: Broker,
    name: str,
    *,
    shown: SyncOptions | None = None,
    connector_values: dict[str, Any] | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    with broker.db.read() as session:
        row = named(session, name)
        catalog = field_catalog.catalog(session, row.id)
        saved = options.load(session, row.id)
        view = connectors.view(row)
        config = connectors.config(row, broker.box, broker.settings.default_integration_code)

    def picklist(entity: str, field: str) -> list[instance_choices.Choice]:
        return instance_choices.picklist(catalog, entity, field)

    return render(
        request,
        "options.html",
        admin,
        status_code=status_code,
        name=name,
        sync_options=shown or saved,
        conn=connector_values or {field: getattr(view, field) for field in CONNECTOR_FIELDS},
        statuses=picklist("Tickets", "status"),
        queues=picklist("Tickets", "queueID"),
        note_types=picklist("TicketNotes", "noteType"),
        publish=picklist("TicketNotes", "publish"),
        attachment_publish=picklist("TicketAttachments", "publish"),
        expense_targets=EXPENSE_TARGETS,
        people=instance_choices.people(config, broker.autotask_limits(config)),
        **({"problems": {}, "typed": {}, "missing": None, "saved": False} | context),
    )


@router.get("/connectors/{name}/options")
def sync_options(
    name: str, request: Request, admin: ConsoleAdmin, broker: BrokerDep, saved: int = 0
) -> HTMLResponse:
    return _page(request, admin, broker, name, saved=bool(saved))


@router.post("/connectors/{name}/options")
def save(name: str, request: Request, admin: ConsoleAdmin, broker: BrokerDep, form: CheckedForm) -> Response:
    posted = _connector_values(form)
    with broker.db.transaction() as session:
        row = named(session, name)
        parsed = options_form.parse_options(form, options.load(session, row.id), options_form.SYNC)
        problems = dict(parsed.problems)
        try:
            changes = ConnectorChanges.model_validate(posted)
        except ValueError:
            problems["outbound_default_status"] = "Choose a status from the list."
            changes = None
        missing = None
        if posted["outbound_create"] and not row.outbound_create:
            missing = rules.missing_for_outbound_create(rules.mappings_in_force(session, row.id)) or None
        if parsed.options is not None and changes is not None and missing is None and not problems:
            connectors.update(session, broker.box, row, changes, utcnow())
            options.save(session, row.id, parsed.options)
            return redirect(f"/connectors/{name}/options?saved=1")
    return _page(
        request,
        admin,
        broker,
        name,
        shown=parsed.options,
        connector_values=posted,
        status_code=422,
        problems=problems,
        typed=parsed.typed,
        missing=missing,
        refusal=rules.CREATE_NEEDS_MAPPINGS if missing else None,
    )


def _connector_values(form: FormData) -> dict[str, Any]:
    status = str(form.get("outbound_default_status", "")).strip()
    return {
        "outbound_create": form.get("outbound_create") == "1",
        "outbound_default_status": status,
        "expense_target": str(form.get("expense_target", "")),
        "attachment_sync": form.get("attachment_sync") == "1",
    }
