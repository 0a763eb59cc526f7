"""Checks of the two webhooks as they exist: the Autotask ticket webhook (present, pointing at our trigger
URL, active, signed, excluding our API user) and the Field Nation webhook (registered, active, signed)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldbridge.checks.facts import AutotaskFacts, Failure, FieldNationFacts, Resource
from fieldbridge.checks.findings import Finding
from fieldbridge.checks.trigger import Trigger
from fieldbridge.checks.webhook_plan import FIELDNATION_EVENTS, ours, ours_on_fieldnation, webhook_name

AT_PRESENT = "Autotask ticket webhook: present, posting to the trigger URL"
AT_ACTIVE = "Autotask ticket webhook: active"
AT_SIGNED = "Autotask ticket webhook: signed"
AT_EXCLUDES = "Autotask ticket webhook: excludes our API user"
FN_REGISTERED = "Field Nation webhook: registered"
FN_SIGNED = "Field Nation webhook: signed"


@dataclass(frozen=True)
class WebhookSetup:
    """What the connector holds about its webhooks."""

    connector_name: str
    trigger: Trigger
    fieldnation_url: str
    autotask_secret: str | None = field(repr=False)
    fieldnation_secret: str | None = field(repr=False)

    @property
    def provision(self) -> str:
        """The fix for most webhook findings: provisioning makes the webhooks what these checks expect."""
        return f"Run `fieldbridge webhooks provision --connector {self.connector_name}`"


def autotask_webhook(facts: AutotaskFacts, setup: WebhookSetup) -> list[Finding]:
    checks = (AT_PRESENT, AT_ACTIVE, AT_SIGNED, AT_EXCLUDES)
    if facts.webhooks is None:
        return [Finding(c, "skip", "not checked: the API user did not sign in") for c in checks]
    if isinstance(facts.webhooks, Failure):
        seen = f"ticket webhooks could not be read: {facts.webhooks.summary}"
        return [Finding(c, "skip" if c != AT_PRESENT else "fail", seen, facts.webhooks.fix) for c in checks]
    found = ours(facts.webhooks, webhook_name(setup.connector_name), setup.trigger.carried_by)
    if not found:
        seen = f"no ticket webhook posts to {setup.trigger.endpoint} with this connector's token"
        return [Finding(AT_PRESENT, "fail", seen, setup.provision)] + [
            Finding(c, "skip", "not checked: there is no webhook") for c in checks[1:]
        ]
    hook = found[0]
    findings = []
    if not setup.trigger.carried_by(hook.url):
        findings.append(
            Finding(
                AT_PRESENT,
                "fail",
                f"webhook {hook.id} '{hook.name}' posts elsewhere, or with a token that no longer works",
                setup.provision,
            )
        )
    elif len(found) > 1:
        others = ", ".join(str(w.id) for w in found[1:])
        findings.append(
            Finding(
                AT_PRESENT,
                "warn",
                f"webhook {hook.id} posts to the trigger URL; so do (or are named like it) {others}",
                f"Delete webhook(s) {others} in Autotask: each event would arrive more than once",
            )
        )
    else:
        findings.append(Finding(AT_PRESENT, "pass", f"webhook {hook.id} '{hook.name}'"))
    findings.append(_active(hook.active, hook.ready, hook.create_events or hook.update_events, setup))
    findings.append(_signed(hook.secret_key, setup))
    findings.append(_excludes(facts.resource, set(hook.excluded), setup))
    return findings


def _active(active: bool, ready: bool, subscribed: bool, setup: WebhookSetup) -> Finding:
    if not active:
        return Finding(
            AT_ACTIVE,
            "fail",
            "inactive (Autotask turns a webhook off after 25 failed deliveries in a row)",
            f"Make sure the trigger URL answers from the internet. {setup.provision}",
        )
    if not ready or not subscribed:
        return Finding(
            AT_ACTIVE, "fail", "active, but no subscribed field or event: it never fires", setup.provision
        )
    return Finding(AT_ACTIVE, "pass", "active, with subscribed fields")


def _signed(secret_key: str | None, setup: WebhookSetup) -> Finding:
    if setup.autotask_secret is None:
        return Finding(
            AT_SIGNED,
            "fail",
            "the connector has no Autotask webhook secret, so payloads are taken unsigned",
            setup.provision + " (it makes one and stores it sealed)",
        )
    if secret_key is None:
        return Finding(
            AT_SIGNED,
            "warn",
            "Autotask does not show the webhook's secret key, so it cannot be compared with the connector's",
            setup.provision + " to set it again",
        )
    if secret_key != setup.autotask_secret:
        return Finding(
            AT_SIGNED,
            "fail",
            "the webhook's secret key is not the connector's: every delivery would be refused (401)",
            setup.provision,
        )
    return Finding(AT_SIGNED, "pass", "signed with the connector's secret (X-Hook-Signature)")


def _excludes(resource: Resource | Failure | None, excluded: set[int], setup: WebhookSetup) -> Finding:
    if not isinstance(resource, Resource):
        why = resource.summary if isinstance(resource, Failure) else "not looked up"
        return Finding(AT_EXCLUDES, "skip", f"the API user's resource id is unknown: {why}")
    if resource.id in excluded:
        return Finding(AT_EXCLUDES, "pass", f"resource {resource.id} is excluded")
    return Finding(
        AT_EXCLUDES,
        "fail",
        f"resource {resource.id} is not excluded: the connector's own writes would come back as events",
        setup.provision,
    )


def fieldnation_webhook(facts: FieldNationFacts | None, setup: WebhookSetup) -> list[Finding]:
    if facts is None:
        return []
    if isinstance(facts.webhooks, Failure):
        seen = f"Field Nation webhooks could not be read: {facts.webhooks.summary}"
        return [Finding(FN_REGISTERED, "fail", seen, "Check the connector's Field Nation credentials")]
    found = ours_on_fieldnation(facts.webhooks, setup.fieldnation_url)
    if not found:
        seen = f"no Field Nation webhook posts to {setup.fieldnation_url}"
        return [Finding(FN_REGISTERED, "fail", seen, setup.provision)]
    hook = found[0]
    missing = [e for e in FIELDNATION_EVENTS if e not in hook.events]
    if hook.status != "active":
        registered = Finding(
            FN_REGISTERED, "fail", f"webhook {hook.webhook_id} is {hook.status}", setup.provision
        )
    elif missing:
        registered = Finding(
            FN_REGISTERED,
            "warn",
            f"webhook {hook.webhook_id} lacks {len(missing)} event(s) the sync acts on: {', '.join(missing)}",
            setup.provision,
        )
    elif len(found) > 1:
        others = ", ".join(w.webhook_id for w in found[1:])
        registered = Finding(
            FN_REGISTERED,
            "warn",
            f"webhook {hook.webhook_id}; {others} post to the same URL",
            f"Delete {others} in Field Nation: each event would arrive more than once",
        )
    else:
        registered = Finding(FN_REGISTERED, "pass", f"webhook {hook.webhook_id}, {len(hook.events)} events")
    if setup.fieldnation_secret is None:
        signed = Finding(
            FN_SIGNED,
            "fail",
            "the connector has no Field Nation webhook secret: every delivery is refused",
            setup.provision + " (it makes one and stores it sealed)",
        )
    elif hook.secret != setup.fieldnation_secret:
        seen = "Field Nation does not show the secret" if hook.secret is None else "the secret differs"
        signed = Finding(FN_SIGNED, "fail" if hook.secret else "warn", seen, setup.provision)
    else:
        signed = Finding(FN_SIGNED, "pass", "signed with the connector's secret (X-FN-Signature)")
    return [registered, signed]
