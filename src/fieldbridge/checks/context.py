"""Everything the checks, provisioning and the reference sheet need to know about a saved connector, read
from the store in one transaction: its settings and secrets, mappings, trigger conditions and trigger URL."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from fieldbridge.autotask import Limits
from fieldbridge.checks.integration_code import CodeSource
from fieldbridge.checks.preflight import ConnectorSetup, Subject
from fieldbridge.checks.trigger import LiveToken, Trigger
from fieldbridge.checks.webhook_checks import WebhookSetup
from fieldbridge.mapping import MappingSet, default_set
from fieldbridge.paths import fieldnation_webhook_path
from fieldbridge.settings import Settings
from fieldbridge.store import client_tokens, connectors, mapping_sets
from fieldbridge.store.connectors import ConnectorConfig, ConnectorView
from fieldbridge.store.database import Database
from fieldbridge.store.secrets import SecretBox
from fieldbridge.sync import options
from fieldbridge.sync.clients import shared_limits
from fieldbridge.sync.options import SyncOptions, TriggerConditions


class UnknownConnector(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"There is no connector named {name!r}.")


@dataclass(frozen=True)
class ConnectorContext:
    config: ConnectorConfig
    view: ConnectorView
    mappings: MappingSet
    mappings_version: int | None
    """None: no mapping set is saved, so the sync uses the guide's defaults (as checked here)."""
    options: SyncOptions
    trigger: Trigger
    fieldnation_webhook_url: str
    limits: Limits
    """Autotask's limits as the deployment's workers count them, so a check never crowds them out."""

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def triggers(self) -> TriggerConditions:
        return self.options.triggers

    @property
    def mappings_origin(self) -> str:
        if self.mappings_version is None:
            return "no mapping set saved: the guide's defaults"
        return f"mapping set version {self.mappings_version}"

    def webhook_setup(self) -> WebhookSetup:
        return WebhookSetup(
            self.name,
            self.trigger,
            self.fieldnation_webhook_url,
            _plain(self.config.autotask_webhook_secret),
            _plain(self.config.fieldnation_webhook_secret),
        )

    def subject(self) -> Subject:
        config = self.config
        setup = ConnectorSetup(
            self.name,
            config.enabled,
            config.service_object,
            config.outbound_create,
            config.outbound_default_status,
            self.mappings,
            self.mappings_origin,
            self.webhook_setup(),
            self.options,
        )
        return Subject(
            config.autotask_username,
            _plain(config.autotask_secret) or "",
            config.expense_target,
            config.attachment_sync,
            self.integration_code,
            setup,
        )

    @property
    def integration_code(self) -> CodeSource:
        if self.view.secrets_set.get("autotask_integration_code"):
            return "entered"
        return "default" if self.config.autotask_integration_code is not None else "none"


def load(db: Database, box: SecretBox, settings: Settings, name: str) -> ConnectorContext:
    with db.transaction() as session:
        row = connectors.get(session, name)
        if row is None:
            raise UnknownConnector(name)
        config = connectors.config(row, box, settings.default_integration_code)
        view = connectors.view(row)
        token = client_tokens.live(session, row)
        saved = mapping_sets.latest(session, row.id)
        sync_options = options.load(session, row.id)
    return ConnectorContext(
        config=config,
        view=view,
        mappings=default_set() if saved is None else MappingSet.model_validate(saved.body),
        mappings_version=None if saved is None else saved.version,
        options=sync_options,
        trigger=Trigger(
            settings.public_base_url,
            LiveToken(token.selector, token.verifier_hash) if token is not None else None,
        ),
        fieldnation_webhook_url=f"{settings.public_base_url}{fieldnation_webhook_path(name)}",
        limits=shared_limits(config, settings.sync, db),
    )


def _plain(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None
