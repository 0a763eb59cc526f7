"""The webhook checks' rules, from made-up webhooks: what fails, what only warns."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fieldbridge.checks.facts import AutotaskFacts, Failure, FieldNationFacts, Resource, TicketWebhook
from fieldbridge.checks.trigger import LiveToken, Trigger
from fieldbridge.checks.webhook_checks import WebhookSetup, autotask_webhook, fieldnation_webhook
from fieldbridge.checks.webhook_plan import FIELDNATION_EVENTS, AutotaskWebhookSpec
from fieldbridge.fieldnation.models import Webhook
from fieldbridge.store import tokens
from tests.unit.checks.webhooks import existing

ISSUED = tokens.issue("fbc")
TRIGGER = Trigger("https://bridge.example", LiveToken(ISSUED.selector, ISSUED.verifier_hash))
URL = f"https://bridge.example/v1/broker/inbound?client_token={ISSUED.plaintext}"
SPEC = AutotaskWebhookSpec("FieldBridge acme", URL, "a" * 43, 29682900, ("status",))
SETUP = WebhookSetup(
    "acme", TRIGGER, "https://bridge.example/v1/fieldnation/webhooks/acme", "a" * 43, "f" * 43
)
ME = Resource(29682900, "API User", active=True)


def judged(*hooks: TicketWebhook, setup: WebhookSetup = SETUP) -> dict[str, str]:
    facts = AutotaskFacts("https://webservices.autotask.net", "https://z/", resource=ME, webhooks=hooks)
    return {f.check.split(": ")[1]: f.status for f in autotask_webhook(facts, setup)}


def test_the_provisioned_webhook_passes_every_check() -> None:
    assert set(judged(existing(SPEC)).values()) == {"pass"}


@pytest.mark.parametrize(
    ("changes", "check", "status"),
    [
        ({"url": URL.replace(ISSUED.plaintext, "fbc_0.old")}, "present, posting to the trigger URL", "fail"),
        ({"active": False}, "active", "fail"),
        ({"ready": False}, "active", "fail"),
        ({"secret_key": "b" * 43}, "signed", "fail"),
        ({"secret_key": None}, "signed", "warn"),
        ({"excluded": {}}, "excludes our API user", "fail"),
    ],
)
def test_each_departure_from_the_plan_is_named(changes: dict[str, object], check: str, status: str) -> None:
    assert judged(existing(SPEC, **changes))[check] == status


def test_no_webhook_fails_once_and_skips_the_rest() -> None:
    assert judged() == {
        "present, posting to the trigger URL": "fail",
        "active": "skip",
        "signed": "skip",
        "excludes our API user": "skip",
    }


def test_a_duplicate_warns_and_a_connector_without_a_secret_fails() -> None:
    assert judged(existing(SPEC), existing(SPEC, id=8))["present, posting to the trigger URL"] == "warn"
    assert judged(existing(SPEC), setup=replace(SETUP, autotask_secret=None))["signed"] == "fail"


def test_the_field_nation_webhook() -> None:
    hook = Webhook.model_validate(
        {
            "webhookId": "wh_1",
            "url": SETUP.fieldnation_url,
            "status": "active",
            "events": list(FIELDNATION_EVENTS),
            "secret": "f" * 43,
        }
    )

    def statuses(*hooks: Webhook, setup: WebhookSetup = SETUP) -> list[str]:
        return [f.status for f in fieldnation_webhook(FieldNationFacts(hooks), setup)]

    assert statuses(hook) == ["pass", "pass"]
    assert statuses() == ["fail"]
    assert statuses(hook.model_copy(update={"status": "inactive"}))[0] == "fail"
    assert statuses(hook.model_copy(update={"events": ["workorder.created"]}))[0] == "warn"
    assert statuses(hook.model_copy(update={"secret": None})) == ["pass", "warn"]
    assert statuses(hook, setup=replace(SETUP, fieldnation_secret=None)) == ["pass", "fail"]
    unreadable = fieldnation_webhook(FieldNationFacts(Failure("HTTP 401")), SETUP)
    assert [f.status for f in unreadable] == ["fail"]
