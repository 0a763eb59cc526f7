"""Checks of the Autotask side (the guide's Steps 1-5), judged from what the probes saw: zone discovery,
egress, authentication with its cause, API access, the permission audit and Line of Business visibility."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address
from urllib.parse import urlsplit

from fieldbridge.autotask import causes
from fieldbridge.checks.facts import AutotaskFacts, Failure
from fieldbridge.checks.findings import Finding
from fieldbridge.checks.integration_code import CodeSource, mismatch_fix
from fieldbridge.checks.permissions import audit

ZONE = "zone discovery"
EGRESS = "egress to the zone (HTTPS)"
AUTHENTICATION = "authentication"
API_ACCESS = "API access (edition)"
PERMISSIONS = "permissions"
LINE_OF_BUSINESS = "Line of Business visibility"

_NOT_SIGNED_IN = "not checked: the API user did not sign in"


def on_this_machine(url: str) -> bool:
    """A loopback host (the emulators, a sandbox on this machine): what is sent to it crosses no network.
    Names are not resolved: a name other than localhost may point anywhere."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback  # all of 127.0.0.0/8 and ::1
    except ValueError:
        return False


def failed(check: str, failure: Failure, seen_prefix: str = "") -> Finding:
    """A failed check told in the guide's words: what was answered, the likely cause, the fix."""
    seen = f"{seen_prefix}{failure.summary}"
    if failure.cause is not None:
        seen = f"{seen}. Likely cause: {failure.cause.problem}"
    if failure.row is not None:
        seen = f"{seen} (the guide's symptom: {failure.row.symptom.lower()})"
    code = failure.cause.code if failure.cause else ""
    return Finding(check, "fail", seen, failure.fix, code)


def zone(facts: AutotaskFacts, username: str) -> Finding:
    if isinstance(facts.zone, Failure):
        if not facts.zone.asked:
            return failed(ZONE, facts.zone, "not asked: ")
        return failed(ZONE, facts.zone, f"asked {facts.discovery_url} about {username}: ")
    return Finding(ZONE, "pass", f"{username} is served from {facts.zone}")


def egress(facts: AutotaskFacts) -> Finding:
    """Autotask's zones are HTTPS on port 443. On loopback (the emulator) plain HTTP passes, saying why:
    the credentials cross no network. It passes only on an answer: nothing asked is nothing known."""
    if isinstance(facts.zone, Failure) and not facts.zone.asked:
        return Finding(EGRESS, "skip", f"not checked: nothing was asked ({facts.zone.summary})")
    unreachable = next(
        (f for f in (facts.zone, facts.login) if isinstance(f, Failure) and not f.answered), None
    )
    if unreachable is not None:
        return failed(EGRESS, unreachable)
    if isinstance(facts.zone, Failure):
        url, where = facts.discovery_url, "the discovery host"
    else:
        url, where = facts.zone, "the zone"
    parts = urlsplit(url)
    host = parts.hostname or url
    if parts.scheme == "https":
        return Finding(EGRESS, "pass", f"{where} {host} answered over HTTPS (port {parts.port or 443})")
    if on_this_machine(url):
        return Finding(
            EGRESS, "pass", f"{where} {url} answered over HTTP on this machine: nothing crosses a network"
        )
    return Finding(
        EGRESS,
        "fail",
        f"{where} {url} is not HTTPS: credentials would cross the network in clear",
        f"Use Autotask's own HTTPS address; {causes.NETWORK_EGRESS.fix}",
    )


def authentication(facts: AutotaskFacts, username: str, code: CodeSource) -> Finding:
    """`code`: where the integration code sent came from, which decides the fix when Autotask refuses it."""
    finding = _authentication(facts, username)
    if finding.status == "fail" and finding.cause == causes.INTEGRATION_CODE.code:
        return replace(finding, fix=mismatch_fix(code))
    return finding


def _authentication(facts: AutotaskFacts, username: str) -> Finding:
    if isinstance(facts.zone, Failure):
        # Autotask says "unknown user" through zone discovery: that is this check's answer too.
        if facts.zone.cause == causes.UNKNOWN_USER:
            return failed(AUTHENTICATION, facts.zone)
        return Finding(AUTHENTICATION, "skip", "not checked: zone discovery did not succeed")
    if facts.login is not None:
        if not facts.login.answered:
            return Finding(AUTHENTICATION, "skip", "not checked: the zone could not be reached")
        return failed(AUTHENTICATION, facts.login)
    resource = facts.resource
    if isinstance(resource, Failure) or resource is None:
        return Finding(AUTHENTICATION, "pass", f"signed in as {username}")
    return Finding(
        AUTHENTICATION,
        "pass",
        f"signed in as {username} (resource {resource.id}, {resource.resource_type or 'type not shown'})",
    )


def api_access(facts: AutotaskFacts) -> Finding:
    if facts.signed_in:
        return Finding(API_ACCESS, "pass", "an API user signed in to the REST API: the edition includes it")
    return Finding(
        API_ACCESS,
        "skip",
        "not confirmed: no API user signed in",
        "Autotask Pro and Enterprise include API access, Essentials does not: Admin > Resources (Users) "
        "must offer the API User resource type",
    )


def permissions(facts: AutotaskFacts, expense_target: str, attachment_sync: bool) -> list[Finding]:
    if facts.access is None:
        return [Finding(PERMISSIONS, "skip", _NOT_SIGNED_IN)]
    if isinstance(facts.access, Failure):
        return [failed(PERMISSIONS, facts.access, "entityInformation could not be read: ")]
    return audit(facts.access, expense_target, attachment_sync)


def line_of_business(facts: AutotaskFacts) -> Finding:
    tickets = facts.tickets
    if tickets is None:
        return Finding(LINE_OF_BUSINESS, "skip", _NOT_SIGNED_IN)
    if isinstance(tickets, Failure):
        return Finding(LINE_OF_BUSINESS, "skip", f"tickets could not be counted: {tickets.summary}")
    seen = (
        f"{tickets.visible} ticket(s) visible, {tickets.without_line_of_business} of them without a "
        "Line of Business"
    )
    if tickets.without_line_of_business:
        return Finding(LINE_OF_BUSINESS, "pass", seen)
    # A warning, not a failure: a tenant may give every ticket a Line of Business, or have none yet.
    return Finding(
        LINE_OF_BUSINESS,
        "warn",
        seen,
        "In Autotask, open the API user > Line of Business and check 'Resource can view items with no "
        "assigned Line of Business' (setup guide, Step 3); tickets Outbound Create makes have none",
    )
