"""Checks of a connector's own settings (the guide's Steps 6-11): whether it syncs at all, service object vs
time-entry sync, Outbound Create's required mappings, the status mapping against the instance's picklist, the
trigger URL."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from fieldbridge.checks.autotask_checks import on_this_machine
from fieldbridge.checks.facts import Failure, PicklistEntry
from fieldbridge.checks.findings import Finding
from fieldbridge.checks.trigger import Trigger
from fieldbridge.mapping import MappingSet, validate
from fieldbridge.mapping.model import ArrayMap, Mapping, SetStatic, StatusMap, where
from fieldbridge.mapping.paths import parse_target

ENABLED = "connector enabled"
SERVICE_OBJECT = "service object vs time-entry sync"
OUTBOUND_CREATE = "Outbound Create mappings"
STATUS_MAPPING = "status mapping"
TRIGGER_URL = "trigger URL"


def enabled(on: bool, connector_name: str) -> Finding:
    if on:
        return Finding(ENABLED, "pass", "enabled: its events are synced")
    return Finding(
        ENABLED,
        "warn",
        "disabled: its events are received and kept, but each is skipped and nothing syncs",
        f"Enable it (`fieldbridge connectors enable {connector_name}`), then replay the skipped events",
    )


def service_object(value: str) -> Finding:
    if value == "ticket":
        return Finding(SERVICE_OBJECT, "pass", "ticket: time entries and charges sync")
    return Finding(
        SERVICE_OBJECT,
        "warn",
        f"{value}: time entries and charges cannot sync (they are only written to tickets); ticket "
        "create/update and field mappings still work",
        "Set the service object to ticket if time entries must sync (setup guide, Step 6)",
    )


def outbound_create(enabled: bool, mappings: MappingSet, origin: str) -> list[Finding]:
    """`origin` says which mapping set this is (a saved version, or the guide's defaults)."""
    if not enabled:
        return [Finding(OUTBOUND_CREATE, "pass", "Outbound Create is off: work orders do not make tickets")]
    # What validation adds when Outbound Create is on: the six fields Autotask needs on a new ticket.
    required = set(validate(mappings, outbound_create=True)) - set(validate(mappings))
    missing = sorted((p for p in required if p.severity == "error"), key=lambda p: p.message)
    if not missing:
        return [Finding(OUTBOUND_CREATE, "pass", f"the six required ticket fields are mapped ({origin})")]
    return [Finding(OUTBOUND_CREATE, "fail", f"{p.message} ({origin})", p.fix) for p in missing]


def status_uses(mappings: MappingSet) -> Iterator[tuple[str, object]]:
    """(which mapping, value) for every Autotask status id the mappings compare with or write."""
    for direction in ("inbound", "outbound"):
        for index, mapping in enumerate(mappings.mappings(direction)):
            label = where(direction, index, mapping)
            if isinstance(mapping, StatusMap):
                yield from ((label, pair.autotask) for pair in mapping.statuses)
            if direction == "outbound" and _writes_ticket_status(mapping):
                values: list[object] = []
                if isinstance(mapping, SetStatic):
                    values.append(mapping.value)
                elif isinstance(mapping, ArrayMap):
                    values += [value for _, value in mapping.pairs()]
                values.append(mapping.default)
                yield from ((label, v) for v in values if v is not None)


def _writes_ticket_status(mapping: Mapping) -> bool:
    keys = [k.lower() for k in parse_target(mapping.target_field, outbound=True).keys]
    return keys in (["ticket", "status"], ["status"])


def status_mapping(
    uses: list[tuple[str, object]], statuses: tuple[PicklistEntry, ...] | Failure | None
) -> list[Finding]:
    """Every status id in use must be one of this instance's (ids differ per instance: guide, Step 10)."""
    if statuses is None:
        return [Finding(STATUS_MAPPING, "skip", "not checked: the API user did not sign in")]
    if isinstance(statuses, Failure):
        return [Finding(STATUS_MAPPING, "skip", f"the status picklist could not be read: {statuses.summary}")]
    known = {entry.value: entry for entry in statuses}
    listed = ", ".join(f"{e.value} {e.label}" for e in statuses if e.active)
    findings = []
    for label, value in uses:
        status_id = int(str(value)) if str(value).isdigit() else None
        entry = known.get(status_id) if status_id is not None else None
        if entry is None:
            what = (
                "a status label, not an id" if status_id is None else "not a ticket status of this instance"
            )
            findings.append(
                Finding(STATUS_MAPPING, "fail", f"{label}: {value!r} is {what}", f"Use one of: {listed}")
            )
        elif not entry.active:
            findings.append(
                Finding(
                    STATUS_MAPPING,
                    "warn",
                    f"{label}: {value} ({entry.label}) is inactive",
                    f"Use one of: {listed}",
                )
            )
    if findings:
        return findings
    used = sorted({int(str(v)) for _, v in uses})
    named = ", ".join(f"{i} {known[i].label}" for i in used) or "none"
    return [Finding(STATUS_MAPPING, "pass", f"{len(used)} status id(s) in use, all in the picklist: {named}")]


def trigger_url(trigger: Trigger, connector_name: str, zone: str | Failure) -> Finding:
    """Judged by who posts to it: Autotask, from `zone` (the discovered API URL, or why it is unknown).
    A loopback trigger URL is reachable only from this machine, which is enough when Autotask's zone is on
    this machine too (the emulators, a sandbox): then nothing, the client token included, crosses a
    network."""
    masked = trigger.masked()
    if masked is None:
        return Finding(
            TRIGGER_URL,
            "fail",
            "the connector has no working client token, so no trigger URL",
            f"Run `fieldbridge webhooks provision --connector {connector_name}` (it issues one for the "
            f"webhook) or `fieldbridge connectors rotate-token {connector_name}`",
        )
    if on_this_machine(trigger.public_base_url):
        if isinstance(zone, str) and on_this_machine(zone):
            return Finding(
                TRIGGER_URL,
                "pass",
                f"{masked}: reachable: Autotask's zone ({zone}) is on this machine, so nothing crosses a "
                "network",
            )
        return Finding(
            TRIGGER_URL,
            "warn",
            f"{masked}: a loopback address, reachable only from this machine (the emulator)",
            "Set FIELDBRIDGE_PUBLIC_BASE_URL to the HTTPS address Autotask reaches this service at",
        )
    if urlsplit(trigger.public_base_url).scheme != "https":
        return Finding(
            TRIGGER_URL,
            "fail",
            f"{masked} is not HTTPS: the client token would cross the network in clear",
            "Serve FieldBridge behind HTTPS and set FIELDBRIDGE_PUBLIC_BASE_URL to that address",
        )
    return Finding(TRIGGER_URL, "pass", masked)
