"""A saved connector: the check through the admin API and the CLI, webhook provisioning (twice), and the
reference sheet, against both emulators."""

from __future__ import annotations

import json
from typing import Any

from fieldbridge.autotask.webhook_fields import ticket_field_id
from fieldbridge.checks.webhook_plan import FIELDNATION_EVENTS
from fieldbridge.sandbox.autotask.seed import STATUS
from tests.integration.checks.bridge import Bridge, instance_mappings, writes


def not_passed(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["check"], f["status"]) for f in report["findings"] if f["status"] != "pass"}


def test_before_provisioning_only_the_webhooks_fail(bridge: Bridge) -> None:
    report = bridge.check(bridge.ready())
    assert report["ok"] is False
    assert not_passed(report) == {
        ("Autotask ticket webhook: present, posting to the trigger URL", "fail"),
        ("Autotask ticket webhook: active", "skip"),
        ("Autotask ticket webhook: signed", "skip"),
        ("Autotask ticket webhook: excludes our API user", "skip"),
        ("Field Nation webhook: registered", "fail"),
    }


def test_a_disabled_connector_is_a_warning_with_the_way_back(bridge: Bridge) -> None:
    name = bridge.ready()
    assert bridge.admin.patch(f"/v1/admin/connectors/{name}", json={"enabled": False}).status_code == 200
    row = next(f for f in bridge.check(name)["findings"] if f["check"] == "connector enabled")
    assert row["status"] == "warn"
    assert row["fix"].startswith(f"Enable it (`fieldbridge connectors enable {name}`)")
    assert bridge.admin.patch(f"/v1/admin/connectors/{name}", json={"enabled": True}).status_code == 200
    assert ("connector enabled", "pass") in {
        (f["check"], f["status"]) for f in bridge.check(name)["findings"]
    }


def test_saving_credentials_runs_the_check_once_the_connection_test_signs_in(bridge: Bridge) -> None:
    name, created = bridge.create()
    assert {step["status"] for step in created["connection_test"]} == {"pass"}
    assert created["checks"]["subject"] == f"connector {name}"
    assert ("Field Nation webhook: registered", "fail") in not_passed(created["checks"])
    path = f"/v1/admin/connectors/{name}"
    wrong = bridge.admin.patch(path, json={"autotask_secret": "Not-the-password-2026"}).json()
    assert wrong["checks"] is None  # the connection test's cause and fix say it all
    good = bridge.at.user("svc-fieldnation")["secret"]
    assert bridge.admin.patch(path, json={"autotask_secret": good}).json()["checks"]["findings"]
    assert bridge.admin.patch(path, json={"attachment_sync": True}).json()["checks"] is None


def test_the_guides_defaults_fail_on_this_instances_ids(bridge: Bridge) -> None:
    name, _ = bridge.create(outbound_default_status=1)
    failed = {f["seen"] for f in bridge.check(name)["findings"] if f["status"] == "fail"}
    # Status ids differ per instance (this one has New = 21), and three required values are the instance's.
    assert "Outbound Create's status for new tickets: 1 is not a ticket status of this instance" in failed
    assert any("inbound[2] (Status -> status_id): 1 is not" in seen for seen in failed)
    assert sum("Autotask needs it on a ticket" in seen for seen in failed) == 2  # Priority, AccountID
    assert any("QueueID" in seen for seen in failed)


def webhook_of(bridge: Bridge) -> dict[str, Any]:
    hooks = bridge.at.records("TicketWebhooks")
    assert len(hooks) == 1, hooks
    return hooks[0]


def test_provisioning_twice_leaves_one_webhook_of_each_kind_and_then_everything_passes(
    bridge: Bridge,
) -> None:
    name, created = bridge.create()
    bridge.save_mappings(name, instance_mappings())
    first = bridge.provision(name, trigger_url=created["trigger_url"])
    assert first.status_code == 200, first.text
    done = first.json()
    assert done["changes"][:2] == ["autotask: create webhook", "autotask: create field #67"]
    assert done["changes"][-1] == "fieldnation: create webhook"
    assert done["new_trigger_url"] is None  # the URL given is kept
    second = bridge.provision(name).json()
    assert second == done | {"changes": []}
    hook = webhook_of(bridge)
    assert hook["webhookUrl"] == created["trigger_url"]
    assert hook["isActive"] is True
    assert hook["isReady"] is True
    fields = {
        r["fieldID"]: (r["isSubscribedField"], r["isDisplayAlwaysField"])
        for r in bridge.at.records("TicketWebhookFields")
    }
    assert fields == {
        ticket_field_id("status"): (True, False),
        ticket_field_id("title"): (True, True),
        ticket_field_id("description"): (True, False),
        ticket_field_id("dueDateTime"): (True, False),
        ticket_field_id("companyID"): (True, False),
    }
    excluded = [r["resourceID"] for r in bridge.at.records("TicketWebhookExcludedResources")]
    assert excluded == [bridge.at.user("svc-fieldnation")["resource_id"]]
    fn_hooks = list(bridge.fn.emulator.state.webhooks.values())
    assert len(fn_hooks) == 1
    assert fn_hooks[0].url == f"{bridge.served.url}/v1/fieldnation/webhooks/{name}"
    assert set(fn_hooks[0].events) == set(FIELDNATION_EVENTS)
    secrets = bridge.secrets(name)
    assert hook["secretKey"] == secrets["autotask_webhook_secret"]
    assert fn_hooks[0].secret == secrets["fieldnation_webhook_secret"]
    report = bridge.check(name)
    assert report["ok"] is True, not_passed(report)
    assert not_passed(report) == set()
    # Autotask's zone (the emulator) is on this machine too, so the loopback trigger URL reaches it.
    trigger = next(f for f in report["findings"] if f["check"] == "trigger URL")
    assert "reachable: Autotask's zone" in trigger["seen"]


def test_provisioning_keeps_the_live_trigger_url_and_rotates_it_only_when_asked(bridge: Bridge) -> None:
    name, created = bridge.create()
    # Only the hash of the live URL is kept and no webhook carries it yet: it cannot be put on the webhook,
    # and replacing it unasked would break whatever uses it.
    kept = bridge.provision(name)
    assert kept.status_code == 409
    assert kept.json()["detail"]["problem"].startswith("the connector's trigger URL is live, but no webhook")
    assert bridge.at.records("TicketWebhooks") == []
    assert bridge.served.http.post(created["trigger_url"], json={"id": 7001}).status_code == 202

    issued = bridge.provision(name, rotate=True).json()["new_trigger_url"]
    assert issued.startswith(f"{bridge.served.url}/v1/broker/inbound?client_token=fbc_")
    assert issued != created["trigger_url"]
    assert webhook_of(bridge)["webhookUrl"] == issued
    assert bridge.served.http.post(created["trigger_url"], json={"id": 7001}).status_code == 401
    assert bridge.provision(name).json()["new_trigger_url"] is None


def test_provisioning_mends_a_webhook_someone_changed(bridge: Bridge) -> None:
    name = bridge.ready()
    bridge.provision(name, rotate=True)
    hook = webhook_of(bridge)
    bridge.at.emulator.tenant.table("TicketWebhooks")[hook["id"]]["isActive"] = False  # 25 failures in a row
    report = bridge.check(name)
    assert ("Autotask ticket webhook: active", "fail") in not_passed(report)
    assert bridge.provision(name).json()["changes"] == ["autotask: update webhook (isActive)"]
    assert bridge.check(name)["ok"] is True


def test_a_refused_provisioning_says_why_and_changes_neither_side(bridge: Bridge) -> None:
    handmade = bridge.at.user("svc-handmade")  # may not add tickets, so may not add ticket webhooks
    name, _ = bridge.create(autotask_username=handmade["username"], autotask_secret=handmade["secret"])
    refused = bridge.provision(name, rotate=True)
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert "lacks the permission" in detail["problem"]
    assert detail["fix"].startswith("Grant ")
    assert bridge.at.records("TicketWebhooks") == []
    assert bridge.fn.emulator.state.webhooks == {}


def test_the_check_writes_nothing_to_autotask(bridge: Bridge) -> None:
    name = bridge.ready()
    bridge.provision(name, rotate=True)
    bridge.at.control.delete("/_sim/calls")
    bridge.check(name)
    cli = bridge.fieldbridge("check", "--connector", name, "--json")
    assert cli.exit_code == 0, cli.output
    calls = bridge.at.calls()
    assert any("TicketWebhooks" in i["route"] for i in calls["items"])
    assert writes(calls) == []


def test_the_cli_checks_and_provisions_a_saved_connector(bridge: Bridge) -> None:
    name = bridge.ready()
    before = bridge.fieldbridge("check", "--connector", name)
    assert before.exit_code == 1
    assert "FAIL" in before.output
    assert f"fieldbridge webhooks provision --connector {name}" in before.output
    kept = bridge.fieldbridge("webhooks", "provision", "--connector", name)
    assert kept.exit_code == 1
    assert kept.stderr.startswith("Provisioning stopped: the connector's trigger URL is live, but no webhook")
    provisioned = bridge.fieldbridge("webhooks", "provision", "--connector", name, "--rotate")
    assert provisioned.exit_code == 0, provisioned.output
    assert "Trigger URL issued (shown this once; keep it secret; the previous one no longer works):" in (
        provisioned.output
    )
    again = bridge.fieldbridge("webhooks", "provision", "--connector", name, "--json")
    assert json.loads(again.stdout)["changes"] == []
    after = bridge.fieldbridge("check", "--connector", name, "--json")
    assert after.exit_code == 0, after.output
    assert bridge.fieldbridge("check", "--connector", "no-such").exit_code == 2
    for secret in bridge.secrets(name).values():
        assert secret not in before.output + after.output + again.output


def test_the_reference_sheet_holds_every_non_secret_value_and_no_secret(bridge: Bridge) -> None:
    name, created = bridge.create()
    bridge.save_mappings(name, instance_mappings())
    done = bridge.provision(name, trigger_url=created["trigger_url"]).json()
    answer = bridge.admin.get(f"/v1/admin/connectors/{name}/reference")
    assert answer.status_code == 200, answer.text
    sheet = {e["key"]: e["value"] for e in answer.json()["entries"]}
    selector = created["trigger_url"].split("client_token=")[1].split(".")[0]
    assert sheet["autotask_zone_url"] == bridge.at.zone_url
    assert sheet["integration_code"] == "the default (Field Nation partner code)"
    assert sheet["trigger_url"] == f"{bridge.served.url}/v1/broker/inbound?client_token={selector}.…"
    assert sheet["new_ticket_status"] == f"{STATUS['New']} (New)"
    assert sheet["complete_status"] == "5 (Complete)"
    assert sheet["mapped_statuses"] == f"5 (Complete), {STATUS['Dispatch to Field']} (Dispatch to Field)"
    assert sheet["mappings"] == "mapping set version 1: 5 inbound, 9 outbound"
    assert sheet["autotask_webhook"] == f"{done['autotask_webhook_id']} (FieldBridge {name})"
    assert sheet["fieldnation_webhook"] == done["fieldnation_webhook_id"]
    text = bridge.fieldbridge("reference", "--connector", name)
    assert text.exit_code == 0, text.output
    assert text.stdout.rstrip("\n") == answer.json()["text"]
    assert json.loads(bridge.fieldbridge("reference", "--connector", name, "--json").stdout) == answer.json()
    shown = answer.text + text.output
    assert created["trigger_url"].split("client_token=")[1] not in shown
    for secret in bridge.secrets(name).values():
        assert secret not in shown


def test_a_custom_integration_code_is_shown_by_its_last_characters(bridge: Bridge) -> None:
    custom = bridge.at.user("svc-custom")
    name, _ = bridge.create(
        autotask_username=custom["username"],
        autotask_secret=custom["secret"],
        autotask_integration_code=custom["integration_code"],
    )
    sheet = {
        e["key"]: e["value"]
        for e in bridge.admin.get(f"/v1/admin/connectors/{name}/reference").json()["entries"]
    }
    assert sheet["integration_code"] == f"custom, ending …{custom['integration_code'][-4:]}"
