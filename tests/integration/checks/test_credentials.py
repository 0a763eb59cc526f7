"""`fieldbridge check --username`: an API user's credentials alone, against the Autotask emulator's seeded
users, as the Autotask admin would run it before handing them over."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fieldbridge.checks.integration_code import NO_CODE, mismatch_fix
from tests.integration.checks.bridge import Bridge, writes
from tests.support.emulators import AutotaskSim
from tests.support.handmade_level import BEYOND_THE_GUIDE, MISSING


def check(bridge: Bridge, username: str, secret: str, *options: str) -> tuple[int, dict[str, Any], str]:
    """Exit code, JSON report, and everything printed (for the secret scan)."""
    args = ["check", "--username", username, "--discovery-url", bridge.at.url, *options]
    as_json = bridge.fieldbridge(*args, "--json", FIELDBRIDGE_AUTOTASK_SECRET=secret)
    table = bridge.fieldbridge(*args, FIELDBRIDGE_AUTOTASK_SECRET=secret)
    assert as_json.exit_code == table.exit_code, table.output
    return as_json.exit_code, json.loads(as_json.stdout), as_json.output + table.output


def by_status(report: dict[str, Any], status: str) -> set[str]:
    return {f["check"] for f in report["findings"] if f["status"] == status}


def test_the_field_nation_integration_user_passes(bridge: Bridge) -> None:
    user = bridge.at.user("svc-fieldnation")
    code, report, printed = check(bridge, user["username"], user["secret"])
    assert code == 0
    assert report["ok"] is True
    assert [f for f in report["findings"] if f["status"] != "pass"] == []
    # On loopback the emulator speaks plain HTTP: a pass, and the check says why.
    assert "answered over HTTP on this machine: nothing crosses a network" in printed
    assert "permissions" in printed  # the table folds the granted permissions into one row
    assert user["secret"] not in printed


def test_the_hand_made_level_fails_exactly_its_missing_permissions_and_warns_its_excess(
    bridge: Bridge,
) -> None:
    user = bridge.at.user("svc-handmade")
    code, report, printed = check(
        bridge, user["username"], user["secret"], "--expense-target", "charge", "--attachment-sync"
    )
    assert code == 1
    assert by_status(report, "fail") == MISSING
    # It sees the one ticket that has a Line of Business, no other.
    assert by_status(report, "warn") == {"Line of Business visibility"} | BEYOND_THE_GUIDE
    assert "set 'Contacts — View' to All" in printed


def test_expense_permissions_follow_the_expense_target(bridge: Bridge) -> None:
    user = bridge.at.user("svc-handmade")
    _, report, _ = check(bridge, user["username"], user["secret"])
    failed = by_status(report, "fail")
    assert "permission: Expenses — View (Contracts/Timesheets)" in failed  # it sees only its own
    assert not any("Ticket Costs" in c or "Attachments" in c for c in failed)


@pytest.mark.parametrize(
    ("user", "secret", "code", "cause"),
    [
        ("jdoe", None, "", "resource_type"),
        ("svc-ampersand", None, "", "secret_characters"),
        ("svc-custom", None, "", "integration_code"),  # the blank code means Field Nation's, not its own
        ("svc-inactive", None, "", "inactive_user"),
        ("svc-fieldnation", "Not-the-password-2026", "", "wrong_secret"),
        ("nobody", "Some-long-secret-2026", "", "unknown_user"),
    ],
)
def test_each_authentication_cause_is_told_apart(
    bridge: Bridge, user: str, secret: str | None, code: str, cause: str
) -> None:
    seeded = (
        bridge.at.user(user) if user != "nobody" else {"username": "nobody@acme-msp.example", "secret": ""}
    )
    secret = secret or seeded["secret"]
    exit_code, report, printed = check(bridge, seeded["username"], secret, "--integration-code", code)
    assert exit_code == 1
    authentication = next(f for f in report["findings"] if f["check"] == "authentication")
    assert (authentication["status"], authentication["cause"]) == ("fail", cause)
    assert authentication["fix"]
    assert secret not in printed


def test_the_custom_users_own_code_signs_in(bridge: Bridge) -> None:
    user = bridge.at.user("svc-custom")
    exit_code, report, _ = check(
        bridge, user["username"], user["secret"], "--integration-code", user["integration_code"]
    )
    assert exit_code == 0, report


def test_a_secret_with_forbidden_characters_is_named_without_a_call(bridge: Bridge) -> None:
    user = bridge.at.user("svc-ampersand")
    _, report, _ = check(bridge, user["username"], user["secret"])
    lint = next(f for f in report["findings"] if f["check"] == "secret characters")
    assert (lint["status"], lint["seen"]) == ("fail", "the secret contains & < >")


def test_the_check_writes_nothing_to_autotask(bridge: Bridge, autotask_sim: AutotaskSim) -> None:
    autotask_sim.control.delete("/_sim/calls")
    for prefix in ("svc-fieldnation", "svc-handmade"):
        user = bridge.at.user(prefix)
        check(bridge, user["username"], user["secret"], "--attachment-sync")
    calls = autotask_sim.calls()
    assert calls["total"] > 40  # it did look: entityInformation for every audited entity, counts, fields
    assert writes(calls) == []


def test_the_secret_comes_from_the_environment_only(bridge: Bridge) -> None:
    missing = bridge.fieldbridge("check", "--username", "svc@x.example", "--discovery-url", bridge.at.url)
    assert missing.exit_code == 2
    assert "FIELDBRIDGE_AUTOTASK_SECRET" in missing.output
    both = bridge.fieldbridge(
        "check", "--username", "a@x", "--connector", "c", FIELDBRIDGE_AUTOTASK_SECRET="x"
    )
    assert both.exit_code == 2


def finding(report: dict[str, Any], check_name: str) -> tuple[str, str, str]:
    found = next(f for f in report["findings"] if f["check"] == check_name)
    return found["status"], found["cause"], found["fix"]


def test_a_refused_integration_code_gets_the_fix_for_an_entered_code_or_a_blank_one(bridge: Bridge) -> None:
    custom = bridge.at.user("svc-custom")  # its tracking identifier is its own, not Field Nation's
    _, blank, _ = check(bridge, custom["username"], custom["secret"], "--integration-code", "")
    assert finding(blank, "authentication") == ("fail", "integration_code", mismatch_fix("default"))
    fieldnation = bridge.at.user("svc-fieldnation")
    _, wrong, _ = check(
        bridge, fieldnation["username"], fieldnation["secret"], "--integration-code", "WRONG42"
    )
    assert finding(wrong, "authentication") == ("fail", "integration_code", mismatch_fix("entered"))


def test_a_blank_code_without_a_deployment_default_fails_with_the_fix_and_asks_nothing(
    bridge: Bridge, autotask_sim: AutotaskSim
) -> None:
    user = bridge.at.user("svc-fieldnation")
    autotask_sim.control.delete("/_sim/calls")
    args = ["check", "--username", user["username"], "--discovery-url", bridge.at.url, "--json"]
    ran = bridge.fieldbridge(
        *args, FIELDBRIDGE_AUTOTASK_SECRET=user["secret"], FIELDBRIDGE_DEFAULT_INTEGRATION_CODE=""
    )
    assert ran.exit_code == 1
    report = json.loads(ran.stdout)
    assert finding(report, "zone discovery") == ("fail", "integration_code", NO_CODE.fix)
    assert finding(report, "egress to the zone (HTTPS)")[0] == "skip"
    assert autotask_sim.calls()["total"] == 0
