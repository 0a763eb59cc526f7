"""The integration code told one way: which fix for an entered code Autotask refuses, for a blank one (the
deployment's default was sent), and for a blank one with no default; and egress passes only on an answer."""

from __future__ import annotations

import pytest

from fieldbridge.autotask import causes
from fieldbridge.checks import autotask_checks
from fieldbridge.checks.facts import AutotaskFacts, Failure
from fieldbridge.checks.integration_code import CodeSource, mismatch_fix, no_code, source

ZONE = "https://webservices2.autotask.net/atservicesrest/"
DISCOVERY = "https://webservices.autotask.net"


@pytest.mark.parametrize(
    ("entered", "default", "expected"),
    [("CUSTOM", "FN", "entered"), (" ", "FN", "default"), ("", None, "none"), ("", " ", "none")],
)
def test_where_the_code_comes_from(entered: str, default: str | None, expected: CodeSource) -> None:
    assert source(entered, default) == expected


@pytest.mark.parametrize(
    ("code", "fix"),
    [
        (
            "entered",
            "The code entered is not the one of the API user's tracking identifier: enter that code, or "
            "leave it blank to send the deployment's default (FIELDBRIDGE_DEFAULT_INTEGRATION_CODE, the "
            "Field Nation partner code) and set the API user's tracking identifier to Integration Vendor "
            "'Field Nation - Pre-packed integration with Autotask' (setup guide, Step 4)",
        ),
        (
            "default",
            "The code is blank, so the deployment's default (FIELDBRIDGE_DEFAULT_INTEGRATION_CODE, the Field "
            "Nation partner code) was sent and the API user's tracking identifier is not Field Nation's: set "
            "the API user's tracking identifier to Integration Vendor 'Field Nation - Pre-packed integration "
            "with Autotask' (setup guide, Step 4), or enter the code of its own tracking identifier",
        ),
    ],
)
def test_a_refused_code_gets_the_fix_for_where_it_came_from(code: CodeSource, fix: str) -> None:
    refused = Failure("HTTP 500: IntegrationCode is invalid", causes.INTEGRATION_CODE)
    finding = autotask_checks.authentication(AutotaskFacts(DISCOVERY, ZONE, login=refused), "svc@x", code)
    assert (finding.status, finding.cause, finding.fix) == ("fail", "integration_code", fix)
    assert mismatch_fix(code) == fix


def test_no_code_at_all_fails_discovery_with_the_fix_and_egress_is_not_claimed() -> None:
    facts = AutotaskFacts(DISCOVERY, no_code())
    zone = autotask_checks.zone(facts, "svc@x")
    assert (zone.status, zone.cause) == ("fail", "integration_code")
    assert zone.seen.startswith(
        "not asked: no integration code to send. Likely cause: The integration code is"
    )
    assert zone.fix == (
        "Set FIELDBRIDGE_DEFAULT_INTEGRATION_CODE to the Field Nation partner code, or enter the API user's "
        "own integration code (the connector's Integration Code, or `--integration-code`)"
    )
    egress = autotask_checks.egress(facts)
    assert (egress.status, egress.seen) == (
        "skip",
        "not checked: nothing was asked (no integration code to send)",
    )
    assert autotask_checks.authentication(facts, "svc@x", "none").status == "skip"


def test_a_host_that_does_not_resolve_fails_egress_with_the_fix() -> None:
    unresolved = Failure("ConnectError: Name or service not known", causes.NETWORK_EGRESS, answered=False)
    egress = autotask_checks.egress(AutotaskFacts(DISCOVERY, unresolved))
    assert (egress.status, egress.fix) == ("fail", causes.NETWORK_EGRESS.fix)
