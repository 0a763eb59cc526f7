"""Setting a connector up in the browser, in the setup guide's order (`setup_steps`): a wizard over the
functions the admin API and the commands use. Saving credentials runs the connection test
(`setup.connection_check`), Refresh Fields is `setup.refresh_fields`, the trigger URL is a client token
(`store.client_tokens`), the webhooks are `checks.provisioning`, the trigger conditions are sync options, and
the last step is the Check page's full check.

What was typed is never lost: a refused form comes back with its values (secrets excepted, which are never
sent back to the browser: the page says so). Secrets show only as "saved"; a secret field left blank keeps
the saved one.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from fieldbridge.autotask.service_objects import SERVICE_OBJECTS
from fieldbridge.checks.provisioning import ProvisioningError, provision
from fieldbridge.checks.trigger import LiveToken, Trigger
from fieldbridge.setup import connection_check
from fieldbridge.setup.connection_check import AUTHENTICATION, FIELDNATION, ZONE
from fieldbridge.setup.refresh_fields import refresh
from fieldbridge.store import client_tokens, connectors, field_catalog, mapping_sets
from fieldbridge.store.connectors import ConnectorChanges, ConnectorConfig, ConnectorExists
from fieldbridge.store.tables import AdminUser, Connector
from fieldbridge.sync import options
from fieldbridge.web.console import connector_form, instance_choices, options_form, setup_steps
from fieldbridge.web.console.activity import named
from fieldbridge.web.console.pages import PageError, redirect, render
from fieldbridge.web.console.security import CheckedForm, ConsoleAdmin
from fieldbridge.web.console.setup_steps import Progress, StepKey
from fieldbridge.web.deps import Broker, BrokerDep, utcnow

router = APIRouter(include_in_schema=False)

AUTOTASK_STEPS = (ZONE, AUTHENTICATION)


def _config(broker: Broker, row: Connector) -> ConnectorConfig:
    return connectors.config(row, broker.box, broker.settings.default_integration_code)


def _progress(session: Session, row: Connector) -> Progress:
    saved = mapping_sets.latest(session, row.id)
    return Progress(
        view=connectors.view(row),
        catalog_refreshed=field_catalog.catalog(session, row.id) is not None,
        trigger_url_live=client_tokens.live(session, row) is not None,
        mappings_version=saved.version if saved else None,
        options=options.load(session, row.id),
    )


def _step_page(
    request: Request,
    admin: AdminUser,
    broker: Broker,
    name: str,
    key: StepKey,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    with broker.db.read() as session:
        row = named(session, name)
        progress = _progress(session, row)
        catalog = field_catalog.catalog(session, row.id)
        trigger = client_tokens.live(session, row)
    extra: dict[str, Any] = {}
    if key == "refresh-fields":
        extra["found"] = _found(catalog)
    if key == "trigger-url":
        live = LiveToken(trigger.selector, trigger.verifier_hash) if trigger else None
        extra["masked_url"] = Trigger(broker.settings.public_base_url, live).masked()
    if key == "triggers":
        extra |= _trigger_choices(broker, row, catalog)
    previous, following = setup_steps.neighbours(key)
    return render(
        request,
        "setup.html",
        admin,
        status_code=status_code,
        name=name,
        view=progress.view,
        progress=progress,
        steps=setup_steps.STEPS,
        done={step.key: setup_steps.done(progress, step.key) for step in setup_steps.STEPS},
        current=setup_steps.step(key),
        previous=previous,
        following=following,
        service_objects=list(SERVICE_OBJECTS),
        sync_options=progress.options,
        **(extra | context),
    )


def _trigger_choices(broker: Broker, row: Connector, catalog: dict[str, Any] | None) -> dict[str, Any]:
    config = _config(broker, row)
    return {
        "statuses": instance_choices.picklist(catalog, "Tickets", "status"),
        "queues": instance_choices.picklist(catalog, "Tickets", "queueID"),
        "people": instance_choices.people(config, broker.autotask_limits(config)),
    }


def _found(catalog: dict[str, Any] | None) -> list[dict[str, Any]] | None:
    """What the last Refresh Fields stored, per entity: fields, UDFs and picklists."""
    if catalog is None:
        return None
    rows = []
    for entity, entry in sorted(catalog["autotask"].items()):
        fields = entry.get("fields") or []
        rows.append(
            {
                "system": "Autotask",
                "entity": entity,
                "fields": len(fields),
                "udfs": len(entry.get("userDefinedFields") or []),
                "picklists": sum(1 for f in fields if f.get("isPickList")),
            }
        )
    fn_fields = catalog["fieldnation"]["fields"]
    rows.append(
        {
            "system": "Field Nation",
            "entity": "work orders",
            "fields": len(fn_fields),
            "udfs": sum(1 for f in fn_fields if str(f.get("name", "")).startswith("custom_fields.")),
            "picklists": sum(1 for f in fn_fields if f.get("options")),
        }
    )
    return rows


@router.get("/connectors/new")
def new_connector(request: Request, admin: ConsoleAdmin) -> HTMLResponse:
    return render(request, "setup_new.html", admin, view=None, values={}, problems={}, secrets_lost=False)


@router.post("/connectors/new")
def create_connector(request: Request, admin: ConsoleAdmin, broker: BrokerDep, form: CheckedForm) -> Response:
    """Step 1 on a new connector: it is created with the Autotask credentials, which are tested at once."""
    name = str(form.get("name", "")).strip()
    parsed = connector_form.credentials(
        form,
        connector_form.AUTOTASK_FIELDS,
        connector_form.AUTOTASK_SECRETS,
        {},
        integration_code=True,
        new_name=name,
    )
    problems = dict(parsed.problems)
    if parsed.changes is not None:
        with broker.db.transaction() as session:
            try:
                connectors.create(
                    session,
                    broker.box,
                    connectors.NewConnector.model_validate(parsed.changes.model_dump()),
                    utcnow(),
                )
            except ConnectorExists:
                problems["name"] = f"A connector named {name!r} exists already: choose another name."
        if not problems:
            return _tested(request, admin, broker, name, "autotask", parsed.values)
    return render(
        request,
        "setup_new.html",
        admin,
        status_code=422,
        view=None,
        values=parsed.values,
        problems=problems,
        secrets_lost=True,
    )


@router.get("/connectors/{name}/setup")
def resume(name: str, admin: ConsoleAdmin, broker: BrokerDep) -> Response:
    with broker.db.read() as session:
        key = setup_steps.next_step(_progress(session, named(session, name)))
    return redirect(f"/connectors/{name}/setup/{key}")


@router.get("/connectors/{name}/setup/{key}")
def show_step(name: str, key: str, request: Request, admin: ConsoleAdmin, broker: BrokerDep) -> HTMLResponse:
    found = setup_steps.step(key)
    if found is None:
        raise PageError(
            404, f"There is no set-up step {key!r}.", "Start again from the connector's set-up page."
        )
    return _step_page(request, admin, broker, name, found.key)


@router.post("/connectors/{name}/setup/autotask")
def save_autotask(
    name: str, request: Request, admin: ConsoleAdmin, broker: BrokerDep, form: CheckedForm
) -> Response:
    return _save_credentials(
        request,
        admin,
        broker,
        name,
        form,
        "autotask",
        connector_form.AUTOTASK_FIELDS,
        connector_form.AUTOTASK_SECRETS,
        integration_code=True,
    )


@router.post("/connectors/{name}/setup/fieldnation")
def save_fieldnation(
    name: str, request: Request, admin: ConsoleAdmin, broker: BrokerDep, form: CheckedForm
) -> Response:
    return _save_credentials(
        request,
        admin,
        broker,
        name,
        form,
        "fieldnation",
        connector_form.FIELDNATION_FIELDS,
        connector_form.FIELDNATION_SECRETS,
    )


def _save_credentials(
    request: Request,
    admin: AdminUser,
    broker: Broker,
    name: str,
    form: Any,
    key: StepKey,
    fields: tuple[str, ...],
    secrets: tuple[str, ...],
    *,
    integration_code: bool = False,
) -> Response:
    """Save the step's credentials, then test them (the guide: saving tests the connection)."""
    with broker.db.transaction() as session:
        row = named(session, name)
        parsed = connector_form.credentials(
            form, fields, secrets, connectors.view(row).secrets_set, integration_code=integration_code
        )
        if parsed.changes is not None:
            connectors.update(session, broker.box, row, parsed.changes, utcnow())
    if parsed.changes is None:
        return _step_page(
            request,
            admin,
            broker,
            name,
            key,
            status_code=422,
            values=parsed.values,
            problems=parsed.problems,
            secrets_lost=True,
        )
    return _tested(request, admin, broker, name, key, parsed.values)


def _tested(
    request: Request, admin: AdminUser, broker: Broker, name: str, key: StepKey, values: dict[str, str]
) -> HTMLResponse:
    """The step again with the connection test's steps for its side: each passed, or its cause and fix."""
    with broker.db.read() as session:
        config = _config(broker, named(session, name))
    wanted = AUTOTASK_STEPS if key == "autotask" else (FIELDNATION,)
    steps = connection_check.check(config, broker.autotask_limits(config))
    tested = [step for step in steps if step.name in wanted]
    passed = all(step.status == "pass" for step in tested)
    return _step_page(
        request,
        admin,
        broker,
        name,
        key,
        status_code=200 if passed else 422,
        values=values,
        problems={},
        tested=tested,
        passed=passed,
    )


@router.post("/connectors/{name}/setup/service-object")
def save_service_object(
    name: str, request: Request, admin: ConsoleAdmin, broker: BrokerDep, form: CheckedForm
) -> Response:
    chosen = str(form.get("service_object", ""))
    if chosen not in SERVICE_OBJECTS:
        return _step_page(
            request,
            admin,
            broker,
            name,
            "service-object",
            status_code=422,
            problems={"service_object": "Choose one of the service objects listed."},
        )
    with broker.db.transaction() as session:
        changes = ConnectorChanges.model_validate({"service_object": chosen})
        connectors.update(session, broker.box, named(session, name), changes, utcnow())
    return redirect(f"/connectors/{name}/setup/refresh-fields")


@router.post("/connectors/{name}/setup/refresh-fields")
def refresh_fields(
    name: str, request: Request, admin: ConsoleAdmin, broker: BrokerDep, form: CheckedForm
) -> HTMLResponse:
    """Long: both sides are read. Sent in the background by the page's script; the page stays usable."""
    with broker.db.read() as session:
        config = _config(broker, named(session, name))
    refreshed = refresh(broker.db, config, broker.autotask_limits(config), utcnow())
    return _step_page(request, admin, broker, name, "refresh-fields", refreshed=refreshed)


@router.post("/connectors/{name}/setup/trigger-url")
def issue_trigger_url(
    name: str, request: Request, admin: ConsoleAdmin, broker: BrokerDep, form: CheckedForm
) -> HTMLResponse:
    """A new client token: the URL is shown this once (only its hash is kept), with the button that puts it
    on the Autotask webhook."""
    with broker.db.transaction() as session:
        token = client_tokens.rotate(session, named(session, name), utcnow())
    url = client_tokens.trigger_url(broker.settings.public_base_url, token)
    return _step_page(request, admin, broker, name, "trigger-url", issued_url=url)


@router.post("/connectors/{name}/setup/webhooks")
def provision_webhooks(
    name: str, request: Request, admin: ConsoleAdmin, broker: BrokerDep, form: CheckedForm
) -> HTMLResponse:
    """Long: both sides are asked and changed. Sent in the background by the page's script."""
    given = str(form.get("trigger_url", "")).strip() or None
    rotate = form.get("rotate") == "1"
    with broker.db.read() as session:
        named(session, name)
    try:
        done = provision(broker.db, broker.box, broker.settings, name, given, rotate=rotate)
    except ProvisioningError as refused:
        return _step_page(
            request,
            admin,
            broker,
            name,
            "webhooks",
            status_code=422,
            refused=refused,
            url_lost=given is not None,
        )
    return _step_page(request, admin, broker, name, "webhooks", provisioned=done)


@router.post("/connectors/{name}/setup/triggers")
def save_triggers(
    name: str, request: Request, admin: ConsoleAdmin, broker: BrokerDep, form: CheckedForm
) -> Response:
    with broker.db.transaction() as session:
        row = named(session, name)
        chosen = options_form.parse_options(form, options.load(session, row.id), options_form.WORKFLOW)
        if chosen.options is not None:
            options.save(session, row.id, chosen.options)
    if chosen.options is None:
        return _step_page(request, admin, broker, name, "triggers", status_code=422, problems=chosen.problems)
    return redirect(f"/connectors/{name}/setup/check")
