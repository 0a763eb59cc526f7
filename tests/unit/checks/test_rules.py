"""The rules of each check, judged from made-up facts: every pass / warn / fail / skip branch, no I/O."""

from __future__ import annotations

import httpx
import pytest

from fieldbridge.autotask import AuthenticationError, NetworkError, PermissionDeniedError, causes
from fieldbridge.checks import autotask_checks, connector_checks, troubleshooting
from fieldbridge.checks.facts import AutotaskFacts, Failure, PicklistEntry, TicketVisibility
from fieldbridge.checks.findings import Finding, Report
from fieldbridge.checks.trigger import LiveToken, Trigger
from fieldbridge.mapping import default_set
from fieldbridge.mapping.model import MappingSet, SetStatic, StatusMap, StatusPair
from fieldbridge.store import tokens

ZONE = "https://webservices2.autotask.net/atservicesrest/"
DISCOVERY = "https://webservices.autotask.net"
SIGNED_IN = AutotaskFacts(DISCOVERY, ZONE, access={})
STATUSES = (
    PicklistEntry(21, "New", True),
    PicklistEntry(5, "Complete", True),
    PicklistEntry(9, "Old", False),
)


def failure(cause: causes.Cause | None, answered: bool = True) -> Failure:
    return Failure("HTTP 401: Unauthorized" if answered else "ConnectError", cause, None, answered)


@pytest.mark.parametrize(
    ("zone", "status", "seen"),
    [
        (ZONE, "pass", "over HTTPS (port 443)"),
        ("http://127.0.0.1:4000/webservices2/atservicesrest/", "pass", "over HTTP on this machine"),
        ("http://webservices2.autotask.net/atservicesrest/", "fail", "is not HTTPS"),
    ],
)
def test_egress_reports_the_zone_scheme_as_seen(zone: str, status: str, seen: str) -> None:
    finding = autotask_checks.egress(AutotaskFacts(DISCOVERY, zone))
    assert finding.status == status
    assert seen in finding.seen


def test_an_unreachable_zone_fails_egress_with_the_guides_fix_and_skips_authentication() -> None:
    facts = AutotaskFacts(DISCOVERY, ZONE, login=failure(causes.NETWORK_EGRESS, answered=False))
    egress = autotask_checks.egress(facts)
    assert (egress.status, egress.cause, egress.fix) == ("fail", "network_egress", causes.NETWORK_EGRESS.fix)
    assert autotask_checks.authentication(facts, "svc@x", "default").status == "skip"


def test_authentication_names_the_cause() -> None:
    facts = AutotaskFacts(DISCOVERY, ZONE, login=failure(causes.INACTIVE_USER))
    finding = autotask_checks.authentication(facts, "svc@x", "default")
    assert (finding.status, finding.cause, finding.fix) == ("fail", "inactive_user", causes.INACTIVE_USER.fix)
    assert autotask_checks.api_access(facts).status == "skip"
    assert autotask_checks.permissions(facts, "", False) == [
        Finding("permissions", "skip", "not checked: the API user did not sign in")
    ]


def test_an_unknown_user_fails_discovery_and_authentication_alike() -> None:
    facts = AutotaskFacts(DISCOVERY, failure(causes.UNKNOWN_USER))
    assert autotask_checks.zone(facts, "nobody@x").cause == "unknown_user"
    assert autotask_checks.authentication(facts, "nobody@x", "default").cause == "unknown_user"


@pytest.mark.parametrize(("visible", "without", "status"), [(7, 6, "pass"), (1, 0, "warn"), (0, 0, "warn")])
def test_line_of_business_warns_when_no_ticket_without_one_is_visible(
    visible: int, without: int, status: str
) -> None:
    facts = AutotaskFacts(DISCOVERY, ZONE, tickets=TicketVisibility(visible, without))
    assert autotask_checks.line_of_business(facts).status == status


def test_a_non_ticket_service_object_warns_that_time_entries_cannot_sync() -> None:
    assert connector_checks.service_object("ticket").status == "pass"
    finding = connector_checks.service_object("ServiceCall")
    assert finding.status == "warn"
    assert "time entries" in finding.seen


def test_outbound_create_fails_once_per_missing_required_mapping() -> None:
    off = connector_checks.outbound_create(False, default_set(), "defaults")
    assert [f.status for f in off] == ["pass"]
    # The guide's defaults leave Priority, AccountID and QueueID to the instance (set_static with no value).
    missing = connector_checks.outbound_create(True, default_set(), "defaults")
    assert [f.status for f in missing] == ["fail"] * 3
    assert any("Ticket:Priority" in f.seen for f in missing)
    complete = default_set().model_copy(
        update={
            "outbound": [
                *default_set().outbound[:2],
                SetStatic(action="set_static", target_field="Ticket:Priority", value=2),
                SetStatic(action="set_static", target_field="Ticket:AccountID", value=174),
                SetStatic(action="set_static", target_field="Ticket:QueueID", value=29683378),
                *default_set().outbound[5:],
            ]
        }
    )
    assert [f.status for f in connector_checks.outbound_create(True, complete, "v1")] == ["pass"]


def test_status_ids_are_judged_against_the_instances_picklist() -> None:
    mappings = MappingSet(
        outbound=[
            StatusMap(
                action="status_map",
                source_field="status",
                target_field="Ticket:Status",
                statuses=[
                    StatusPair(autotask=5, fieldnation="work_done"),
                    StatusPair(autotask=9, fieldnation=3),
                ],
            ),
            SetStatic(action="set_static", target_field="Ticket:Status", value="New"),
        ]
    )
    uses = [*connector_checks.status_uses(mappings), ("Outbound Create's status for new tickets", 1)]
    findings = connector_checks.status_mapping(uses, STATUSES)
    assert [(f.status, f.seen.split(": ", 1)[1]) for f in findings] == [
        ("warn", "9 (Old) is inactive"),
        ("fail", "'New' is a status label, not an id"),
        ("fail", "1 is not a ticket status of this instance"),
    ]
    assert findings[-1].fix == "Use one of: 21 New, 5 Complete"
    good = connector_checks.status_mapping([("x", 21), ("y", "5")], STATUSES)
    assert [(f.status, f.seen) for f in good] == [
        ("pass", "2 status id(s) in use, all in the picklist: 5 Complete, 21 New")
    ]


def test_the_trigger_url_is_shown_masked_and_judged_by_where_it_points() -> None:
    issued = tokens.issue("fbc")
    live = LiveToken(issued.selector, issued.verifier_hash)
    assert (
        connector_checks.trigger_url(Trigger("https://bridge.example", None), "acme", ZONE).status == "fail"
    )
    good = connector_checks.trigger_url(Trigger("https://bridge.example", live), "acme", ZONE)
    assert good.status == "pass"
    assert issued.plaintext not in good.seen
    assert good.seen == f"https://bridge.example/v1/broker/inbound?client_token={issued.selector}.…"
    assert connector_checks.trigger_url(Trigger("http://bridge.example", live), "acme", ZONE).status == "fail"
    on_loopback = "http://127.0.0.1:8000/v1/broker/inbound"
    assert connector_checks.trigger_url(Trigger("http://127.0.0.1:8000", live), "acme", ZONE) == Finding(
        "trigger URL",
        "warn",
        f"{on_loopback}?client_token={issued.selector}.…: a loopback address, reachable only from this "
        "machine (the emulator)",
        "Set FIELDBRIDGE_PUBLIC_BASE_URL to the HTTPS address Autotask reaches this service at",
    )


@pytest.mark.parametrize(
    ("zone", "status"),
    [
        ("http://127.0.0.1:4000/atservicesrest/", "pass"),  # the emulator, a sandbox on this machine
        ("http://localhost:4000/atservicesrest/", "pass"),
        (ZONE, "warn"),  # a real zone cannot reach this machine's loopback
        ("http://127.0.0.2:4000/atservicesrest/", "pass"),  # any loopback address
        ("http://autotask-sandbox.example:4000/atservicesrest/", "warn"),  # a name may point anywhere
        (failure(causes.UNKNOWN_USER), "warn"),  # no zone discovered: who posts is unknown
    ],
)
def test_a_loopback_trigger_url_passes_only_when_autotasks_zone_is_on_this_machine_too(
    zone: str | Failure, status: str
) -> None:
    issued = tokens.issue("fbc")
    trigger = Trigger("http://127.0.0.1:8000", LiveToken(issued.selector, issued.verifier_hash))
    finding = connector_checks.trigger_url(trigger, "acme", zone)
    assert finding.status == status
    if status == "pass":
        assert f"reachable: Autotask's zone ({zone}) is on this machine" in finding.seen
        assert finding.fix == ""


def test_a_trigger_url_is_recognised_by_its_live_token_only() -> None:
    issued, other = tokens.issue("fbc"), tokens.issue("fbc")
    trigger = Trigger("https://Bridge.example", LiveToken(issued.selector, issued.verifier_hash))
    assert trigger.carried_by(f"https://bridge.EXAMPLE/v1/broker/inbound?client_token={issued.plaintext}")
    assert not trigger.carried_by(f"https://bridge.example/v1/broker/inbound?client_token={other.plaintext}")
    forged = f"{issued.selector}.{other.plaintext.split('.')[1]}"
    assert not trigger.carried_by(f"https://bridge.example/v1/broker/inbound?client_token={forged}")
    assert not trigger.carried_by(
        f"https://elsewhere.example/v1/broker/inbound?client_token={issued.plaintext}"
    )


def test_a_report_is_ok_unless_something_failed() -> None:
    assert Report("x", (Finding("a", "pass", ""), Finding("b", "warn", ""), Finding("c", "skip", ""))).ok
    assert not Report("x", (Finding("a", "pass", ""), Finding("b", "fail", ""))).ok


def refused(error_type: type, status: int | None, cause: causes.Cause, entity: str, operation: str) -> object:
    request = httpx.Request("POST", "https://webservices2.autotask.net/atservicesrest/V1.0/x")
    return error_type(
        "refused", operation=operation, entity=entity, status=status, cause=cause, request=request
    )


@pytest.mark.parametrize(
    ("error", "symptom"),
    [
        (
            refused(AuthenticationError, 401, causes.RESOURCE_TYPE, "Tickets", "get"),
            "Authentication fails entirely",
        ),
        (
            refused(AuthenticationError, 401, causes.SECRET_CHARACTERS, "Tickets", "get"),
            "Authentication errors on specific operations",
        ),
        (
            refused(AuthenticationError, 500, causes.INTEGRATION_CODE, "Tickets", "get"),
            "Permission denied or authentication rejected",
        ),
        (
            refused(
                PermissionDeniedError,
                403,
                causes.missing_permission("Tickets", "create"),
                "Tickets",
                "create",
            ),
            "Work orders not creating in Autotask",
        ),
        (
            refused(
                PermissionDeniedError,
                403,
                causes.missing_permission("TimeEntries", "delete"),
                "TimeEntries",
                "delete",
            ),
            "Time entry deletions not reflected in Autotask",
        ),
        (
            refused(
                PermissionDeniedError,
                403,
                causes.missing_permission("ExpenseItems", "create"),
                "ExpenseItems",
                "create",
            ),
            "Expense sync errors",
        ),
        (refused(NetworkError, None, causes.NETWORK_EGRESS, "Tickets", "get"), "Connection times out"),
    ],
)
def test_each_row_of_the_guides_table_explains_its_error(error: Exception, symptom: str) -> None:
    explained = troubleshooting.explain(error)
    assert explained is not None
    assert explained.row in troubleshooting.TABLE
    assert explained.row.symptom == symptom


def test_errors_the_guide_has_no_row_for_keep_the_clients_cause() -> None:
    wrong = refused(AuthenticationError, 401, causes.WRONG_SECRET, "Tickets", "get")
    explained = troubleshooting.explain(wrong)
    assert explained is not None
    assert (explained.row, explained.fix) == (None, causes.WRONG_SECRET.fix)
    assert troubleshooting.explain(ValueError("not Autotask")) is None
