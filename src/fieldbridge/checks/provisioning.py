"""Webhook provisioning: make the connector's Autotask ticket webhook and Field Nation webhook what
`webhook_plan` says, creating them the first time and changing only what differs after that.

Safe to run again: the connector's webhooks are found first (by trigger URL, then by name; on Field Nation
by URL), so a second run updates them instead of adding more. The webhook secrets are made once, kept
sealed in the connector's secrets, and stored before Autotask or Field Nation hear of them, so a run that
stops half way leaves a secret the next run sets again rather than one the broker does not know.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from fieldbridge import fieldnation
from fieldbridge.autotask import AutotaskClient, AutotaskError, ChildCollection, eq, where
from fieldbridge.checks import probes
from fieldbridge.checks.context import ConnectorContext, load
from fieldbridge.checks.facts import Failure
from fieldbridge.checks.troubleshooting import explain
from fieldbridge.checks.webhook_plan import (
    AutotaskWebhookSpec,
    Change,
    FieldNationWebhookSpec,
    ours,
    ours_on_fieldnation,
    plan_autotask,
    plan_fieldnation,
    subscribed_fields,
    webhook_name,
)
from fieldbridge.settings import Settings
from fieldbridge.store import client_tokens, connectors
from fieldbridge.store.connectors import ConnectorChanges
from fieldbridge.store.database import Database
from fieldbridge.store.secrets import SecretBox
from fieldbridge.sync.clients import autotask_client, fieldnation_client

Client = TypeVar("Client", AutotaskClient, fieldnation.FieldNationClient)

SECRET_BYTES = 32
"""43 URL-safe characters: within Autotask's 64 for `secretKey`, and none of < > &."""


class ProvisioningError(Exception):
    def __init__(self, problem: str, fix: str = "") -> None:
        super().__init__(f"{problem}. Fix: {fix}" if fix else problem)
        self.problem = problem
        self.fix = fix


@dataclass(frozen=True)
class Provisioned:
    autotask_webhook_id: int
    fieldnation_webhook_id: str
    changes: tuple[str, ...]
    """What was done, e.g. "autotask: create webhook"; empty when everything was as it should be."""
    new_trigger_url: str | None
    """The trigger URL provisioning had to issue (the previous one stopped working), shown this once."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def provision(
    db: Database,
    box: SecretBox,
    settings: Settings,
    name: str,
    trigger_url: str | None = None,
    *,
    rotate: bool = False,
) -> Provisioned:
    """The webhook posts to the connector's live trigger URL: the one given (`trigger_url`), or the one our
    webhook carries. Only its hash is stored, so when neither is at hand a live URL is never replaced
    unless `rotate` says so (it may be in use elsewhere); a connector without one gets its first."""
    context = _with_secrets(db, box, settings, name)
    config = context.config
    # Both clients first: missing credentials stop the run before either side is changed.
    with (
        _client(lambda: autotask_client(config, context.limits)) as autotask,
        _client(lambda: fieldnation_client(config)) as fn,
    ):
        with _refused("Autotask"):
            autotask_id, issued, changes = _autotask(db, settings, context, autotask, trigger_url, rotate)
        with _refused("Field Nation"):
            fieldnation_id, fn_changes = _fieldnation(context, fn)
    done = [f"autotask: {c.describe()}" for c in changes] + [
        f"fieldnation: {c.describe()}" for c in fn_changes
    ]
    return Provisioned(autotask_id, fieldnation_id, tuple(done), issued)


def _autotask(
    db: Database,
    settings: Settings,
    context: ConnectorContext,
    client: AutotaskClient,
    trigger_url: str | None,
    rotate: bool,
) -> tuple[int, str | None, list[Change]]:
    """The ticket webhook's id, the trigger URL if one was issued, and the changes made."""
    resource = probes.own_resource(client)
    if isinstance(resource, Failure):
        raise ProvisioningError(
            f"the API user's own resource could not be found ({resource.summary}), so the webhook "
            "cannot exclude it",
            "Grant Resources (Users) — View to the API user's security level (setup guide, Step 2)",
        )
    name = webhook_name(context.name)
    found = ours(probes.ticket_webhooks(client), name, context.trigger.carried_by)
    existing = found[0] if found else None
    url, issued = _trigger_url(db, settings, context, trigger_url, existing.url if existing else None, rotate)
    assert context.config.autotask_webhook_secret is not None
    spec = AutotaskWebhookSpec(
        name,
        url,
        context.config.autotask_webhook_secret.get_secret_value(),
        resource.id,
        subscribed_fields(context.mappings, bool(context.triggers.queues)),
        notification_email=_notify(context),
    )
    changes = plan_autotask(spec, existing)
    return _apply_autotask(client, changes, existing.id if existing else None, name), issued, changes


def _fieldnation(
    context: ConnectorContext, client: fieldnation.FieldNationClient
) -> tuple[str, list[Change]]:
    assert context.config.fieldnation_webhook_secret is not None
    spec = FieldNationWebhookSpec(
        context.fieldnation_webhook_url,
        context.config.fieldnation_webhook_secret.get_secret_value(),
        notification_email=_notify(context),
    )
    found = ours_on_fieldnation(client.webhooks.list(), spec.url)
    changes = plan_fieldnation(spec, found[0] if found else None)
    return _apply_fieldnation(client, changes, found[0].webhook_id if found else None), changes


def _notify(context: ConnectorContext) -> str | None:
    """Where Autotask and Field Nation write when a webhook keeps failing: the connector's first address."""
    emails = context.config.notification_emails
    return emails[0] if emails else None


def _with_secrets(db: Database, box: SecretBox, settings: Settings, name: str) -> ConnectorContext:
    """The connector, after giving it whichever webhook secret it lacks."""
    context = load(db, box, settings, name)
    missing = {
        field: secrets.token_urlsafe(SECRET_BYTES)
        for field in ("autotask_webhook_secret", "fieldnation_webhook_secret")
        if getattr(context.config, field) is None
    }
    if not missing:
        return context
    with db.transaction() as session:
        row = connectors.get(session, name)
        assert row is not None
        connectors.update(session, box, row, ConnectorChanges.model_validate(missing), datetime.now(UTC))
    return load(db, box, settings, name)


def _trigger_url(
    db: Database,
    settings: Settings,
    context: ConnectorContext,
    given: str | None,
    on_webhook: str | None,
    rotate: bool,
) -> tuple[str, str | None]:
    """The trigger URL for the webhook, and the same URL again when it had to be issued now."""
    if given is not None:
        if rotate:
            raise ProvisioningError(
                "a trigger URL to keep and a rotation were both asked for",
                "Give the URL to keep, or ask for a rotation, not both",
            )
        if not context.trigger.carried_by(given):
            raise ProvisioningError(
                "the trigger URL given is not this connector's current one",
                f"Give the URL shown when the token was last issued, or rotate it to issue a new one "
                f"(`fieldbridge webhooks provision --connector {context.name} --rotate`)",
            )
        return given, None
    if not rotate and on_webhook is not None and context.trigger.carried_by(on_webhook):
        return on_webhook, None
    if not rotate and context.trigger.live is not None:
        raise ProvisioningError(
            "the connector's trigger URL is live, but no webhook carries it and only its hash is kept, so "
            "it cannot be put on the webhook; a new one would stop the current one working",
            "Give the current URL (FIELDBRIDGE_TRIGGER_URL for `fieldbridge webhooks provision`, "
            '"trigger_url" for the API), or rotate it (`--rotate`, "rotate": true) if nothing else uses it',
        )
    with db.transaction() as session:
        row = connectors.get(session, context.name)
        assert row is not None
        token = client_tokens.rotate(session, row, datetime.now(UTC))
    issued = client_tokens.trigger_url(settings.public_base_url, token)
    return issued, issued


def _apply_autotask(client: AutotaskClient, changes: list[Change], webhook_id: int | None, name: str) -> int:
    for change in changes:
        if change.part == "webhook":
            if change.action == "create":
                # Looked up by name before any repeat, so a create that timed out does not make a second.
                webhook_id = client.create(
                    "TicketWebhooks", change.values, find_existing=where(eq("name", name))
                )
            else:
                assert webhook_id is not None
                client.update("TicketWebhooks", webhook_id, change.values)
            continue
        assert webhook_id is not None
        children = ChildCollection(
            "TicketWebhooks", webhook_id, "Fields" if change.part == "field" else "ExcludedResources"
        )
        if change.action == "create":
            client.create(children, change.values)
        elif change.action == "update":
            assert isinstance(change.record_id, int)
            client.update(children, change.record_id, change.values)
        else:
            assert isinstance(change.record_id, int)
            client.delete(children, change.record_id)
    assert webhook_id is not None
    return webhook_id


def _apply_fieldnation(
    client: fieldnation.FieldNationClient, changes: list[Change], webhook_id: str | None
) -> str:
    for change in changes:
        values = dict(change.values)
        if change.action == "create":
            webhook_id = client.webhooks.create(**values).webhook_id
        else:
            assert webhook_id is not None
            client.webhooks.update(webhook_id, **values)
    assert webhook_id is not None
    return webhook_id


@contextmanager
def _client(make: Callable[[], Client]) -> Iterator[Client]:
    try:
        client = make()
    except ValueError as missing:
        raise ProvisioningError(str(missing), "Enter the connector's credentials first") from None
    with client:
        yield client


@contextmanager
def _refused(system: str) -> Iterator[None]:
    """A refused call becomes a ProvisioningError with the guide's cause and fix when there is one."""
    try:
        yield
    except AutotaskError as error:
        explained = explain(error)
        raise ProvisioningError(
            f"{system} refused: {error.summary}"
            + (f". Likely cause: {explained.cause}" if explained else ""),
            explained.fix if explained else "",
        ) from error
    except fieldnation.FieldNationError as error:
        raise ProvisioningError(f"{system} refused: {error}") from error
