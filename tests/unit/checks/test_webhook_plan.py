"""What the webhooks should look like, and the changes from what exists: pure, no emulator."""

from __future__ import annotations

from fieldbridge.autotask.webhook_fields import ticket_field_id
from fieldbridge.checks.facts import WebhookField
from fieldbridge.checks.webhook_plan import (
    FIELDNATION_EVENTS,
    AutotaskWebhookSpec,
    FieldNationWebhookSpec,
    ours,
    plan_autotask,
    plan_fieldnation,
    subscribed_fields,
)
from fieldbridge.fieldnation.models import Webhook
from fieldbridge.mapping import default_set
from fieldbridge.mapping.model import MappingSet, Sync
from fieldbridge.sandbox.fieldnation.events import EVENT_NAMES
from tests.unit.checks.webhooks import existing

URL = "https://bridge.example/v1/broker/inbound?client_token=fbc_1.secret"
SPEC = AutotaskWebhookSpec("FieldBridge acme", URL, "s" * 43, 29682900, ("status", "title"))


def test_subscribed_fields_are_the_status_and_what_inbound_mappings_read() -> None:
    assert subscribed_fields(default_set(), queue_conditions=False) == (
        "status",
        "title",
        "description",
        "dueDateTime",
        "companyID",  # Account.AccountName changes when the ticket's company does
    )
    with_udf = MappingSet(
        inbound=[Sync(action="sync", source_field="UserDefinedField.Site Code", target_field="x")]
    )
    assert subscribed_fields(with_udf, queue_conditions=True) == ("status", "queueID")


def test_a_first_run_creates_the_webhook_its_fields_and_the_exclusion() -> None:
    changes = plan_autotask(SPEC, None)
    assert [(c.action, c.part) for c in changes] == [
        ("create", "webhook"),
        ("create", "field"),
        ("create", "field"),
        ("create", "excluded resource"),
    ]
    assert changes[0].values["webhookUrl"] == URL
    assert changes[0].values["isActive"] is True
    flags = {
        c.values["fieldID"]: (c.values["isSubscribedField"], c.values["isDisplayAlwaysField"])
        for c in changes[1:3]
    }
    assert flags == {ticket_field_id("status"): (True, False), ticket_field_id("title"): (True, True)}
    assert changes[3].values == {"resourceID": 29682900}


def test_a_webhook_as_it_should_be_needs_no_change() -> None:
    assert plan_autotask(SPEC, existing(SPEC)) == []


def test_only_what_differs_changes() -> None:
    drifted = existing(
        SPEC,
        active=False,
        url=URL.replace("fbc_1", "fbc_0"),
        fields=(WebhookField(101, ticket_field_id("status"), True, True), WebhookField(102, 1, True, False)),
        excluded={},
    )
    changes = plan_autotask(SPEC, drifted)
    assert [(c.action, c.part, c.record_id) for c in changes] == [
        ("update", "webhook", 7),
        ("update", "field", 101),
        ("create", "field", None),
        ("delete", "field", 102),
        ("create", "excluded resource", None),
    ]
    assert set(changes[0].values) == {"isActive", "webhookUrl"}


def test_a_secret_autotask_does_not_show_is_set_again() -> None:
    changes = plan_autotask(SPEC, existing(SPEC, secret_key=None))
    assert [set(c.values) for c in changes] == [{"secretKey"}]
    assert SPEC.secret_key not in changes[0].describe()


def test_ours_prefers_the_webhook_posting_to_our_trigger_url() -> None:
    by_name = existing(SPEC, id=3, url="https://old.example/hook")
    by_url = existing(SPEC, id=9, name="renamed by someone")
    other = existing(SPEC, id=1, name="another integration", url="https://else.example")
    assert [w.id for w in ours([other, by_name, by_url], SPEC.name, lambda url: url == URL)] == [9, 3]


def test_fieldnation_webhook_is_created_then_left_alone() -> None:
    spec = FieldNationWebhookSpec("https://bridge.example/v1/fieldnation/webhooks/acme", "f" * 43)
    assert [c.action for c in plan_fieldnation(spec, None)] == ["create"]
    registered = Webhook.model_validate(
        {
            "webhookId": "wh_1",
            "url": spec.url,
            "status": "active",
            "events": list(spec.events),
            "secret": spec.secret,
        }
    )
    assert plan_fieldnation(spec, registered) == []
    stale = registered.model_copy(update={"status": "inactive", "events": spec.events[:3]})
    assert set(plan_fieldnation(spec, stale)[0].values) == {"status", "events"}


def test_fieldnation_events_are_ones_field_nation_sends() -> None:
    assert set(FIELDNATION_EVENTS) <= set(EVENT_NAMES)
