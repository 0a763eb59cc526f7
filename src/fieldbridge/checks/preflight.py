"""Which checks run and in what order, from what the probes saw: pure, so every rule is tested without I/O.

On bare credentials (`fieldbridge check --username ...`) only the Autotask admin's Steps 1-5 are checked;
on a saved connector, its settings, mappings and webhooks too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldbridge.checks import autotask_checks, connector_checks, options_checks, webhook_checks
from fieldbridge.checks.credentials import lint_secret
from fieldbridge.checks.facts import AutotaskFacts, FieldNationFacts
from fieldbridge.checks.findings import Finding, Report
from fieldbridge.checks.integration_code import CodeSource
from fieldbridge.checks.webhook_checks import WebhookSetup
from fieldbridge.mapping import MappingSet
from fieldbridge.sync.options import SyncOptions


@dataclass(frozen=True)
class ConnectorSetup:
    name: str
    enabled: bool
    service_object: str
    outbound_create: bool
    outbound_default_status: int
    mappings: MappingSet
    mappings_origin: str
    """Which mapping set: a saved version, or the guide's defaults when none is saved."""
    webhooks: WebhookSetup
    options: SyncOptions


@dataclass(frozen=True)
class Subject:
    username: str
    secret: str = field(repr=False)
    """Only linted (length, < > &); never shown."""
    expense_target: str = ""
    attachment_sync: bool = False
    integration_code: CodeSource = "default"
    connector: ConnectorSetup | None = None

    def describe(self) -> str:
        return f"connector {self.connector.name}" if self.connector else f"API user {self.username}"


def judge(subject: Subject, autotask: AutotaskFacts, fieldnation: FieldNationFacts | None = None) -> Report:
    findings = [
        lint_secret(subject.secret),
        autotask_checks.zone(autotask, subject.username),
        autotask_checks.egress(autotask),
        autotask_checks.authentication(autotask, subject.username, subject.integration_code),
        autotask_checks.api_access(autotask),
        *autotask_checks.permissions(autotask, subject.expense_target, subject.attachment_sync),
        autotask_checks.line_of_business(autotask),
    ]
    if subject.connector is not None:
        findings += _connector(subject, subject.connector, autotask, fieldnation)
    return Report(subject.describe(), tuple(findings))


def option_uses(subject: Subject, options: SyncOptions) -> list[options_checks.OptionUse]:
    return options_checks.picklists_named(options, subject.expense_target, subject.attachment_sync)


def _connector(
    subject: Subject, setup: ConnectorSetup, autotask: AutotaskFacts, fieldnation: FieldNationFacts | None
) -> list[Finding]:
    uses = list(connector_checks.status_uses(setup.mappings))
    if setup.outbound_create:
        uses.append(("Outbound Create's status for new tickets", setup.outbound_default_status))
    return [
        connector_checks.enabled(setup.enabled, setup.name),
        connector_checks.service_object(setup.service_object),
        *connector_checks.outbound_create(setup.outbound_create, setup.mappings, setup.mappings_origin),
        *connector_checks.status_mapping(uses, autotask.statuses),
        *options_checks.sync_options(
            setup.options, setup.name, option_uses(subject, setup.options), autotask.ids, autotask.statuses
        ),
        connector_checks.trigger_url(setup.webhooks.trigger, setup.name, autotask.zone),
        *webhook_checks.autotask_webhook(autotask, setup.webhooks),
        *webhook_checks.fieldnation_webhook(fieldnation, setup.webhooks),
    ]
