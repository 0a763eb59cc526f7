"""Running the checks: on a saved connector, or straight on an API user's credentials (so the Autotask
admin can check Steps 1-5 alone, before handing the credentials over). The I/O edge of `preflight`."""

from __future__ import annotations

from collections.abc import Callable

from fieldbridge import fieldnation
from fieldbridge.autotask import AutotaskClient, Retry
from fieldbridge.checks import probes
from fieldbridge.checks.context import ConnectorContext
from fieldbridge.checks.facts import AutotaskFacts, Failure, FieldNationFacts
from fieldbridge.checks.findings import Report
from fieldbridge.checks.integration_code import no_code, source
from fieldbridge.checks.preflight import Subject, judge, option_uses
from fieldbridge.checks.reference import Entry, sheet
from fieldbridge.checks.trigger import token_in
from fieldbridge.checks.webhook_plan import webhook_name
from fieldbridge.sync.clients import INTERACTIVE_TIMEOUT, autotask_client, fieldnation_client

Probe = Callable[[AutotaskClient, str, probes.WebhookFilter], AutotaskFacts]

ONCE = Retry(attempts=1)
"""A person is waiting: one try per call, so a wrong setting is told in seconds rather than after backoff."""


def check_connector(context: ConnectorContext) -> Report:
    subject = context.subject()
    uses = option_uses(subject, context.options)
    named = probes.NamedIds(context.options.resource_id, tuple(u.picklist for u in uses))
    autotask = _autotask(context, lambda client, url, hooks: probes.autotask_facts(client, url, hooks, named))
    return judge(subject, autotask, fieldnation_facts(context))


def reference_for(context: ConnectorContext) -> list[Entry]:
    return sheet(context, _autotask(context, probes.reference_facts), fieldnation_facts(context))


def _autotask(context: ConnectorContext, probe: Probe) -> AutotaskFacts:
    def may_be_ours(name: str, url: str) -> bool:
        return name == webhook_name(context.name) or token_in(url, context.trigger.endpoint) is not None

    config = context.config
    try:
        client = autotask_client(config, context.limits, retry=ONCE)
    except ValueError as missing:
        failure = no_code() if context.integration_code == "none" else Failure(str(missing), asked=False)
        return AutotaskFacts(config.autotask_api_url, failure)
    with client:
        return probe(client, config.autotask_api_url, may_be_ours)


def fieldnation_facts(context: ConnectorContext) -> FieldNationFacts:
    try:
        client = fieldnation_client(context.config, retries=fieldnation.Retries(attempts=1))
    except ValueError as missing:
        return FieldNationFacts(Failure(str(missing)))
    with client:
        return probes.fieldnation_facts(client)


def check_credentials(
    username: str,
    secret: str,
    integration_code: str,
    *,
    default_integration_code: str,
    discovery_url: str,
    expense_target: str = "",
    attachment_sync: bool = False,
) -> Report:
    """`integration_code` blank: the deployment's default (the Field Nation partner code), as for a
    connector whose Integration Code is left blank."""
    code = source(integration_code, default_integration_code)
    subject = Subject(username, secret, expense_target, attachment_sync, code)
    try:
        client = AutotaskClient(
            username,
            secret,
            integration_code,
            default_integration_code=default_integration_code,
            discovery_url=discovery_url,
            timeout=INTERACTIVE_TIMEOUT,
            retry=ONCE,
        )
    except ValueError as missing:
        failure = no_code() if code == "none" else Failure(str(missing), asked=False)
        return judge(subject, AutotaskFacts(discovery_url, failure))
    with client:
        return judge(subject, probes.autotask_facts(client, discovery_url))
