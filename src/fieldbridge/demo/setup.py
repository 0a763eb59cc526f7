"""Setting a connector up as a person would, in the setup guide's order: credentials (saving runs the
connection test), Refresh Fields, the mappings, the trigger URL, then the two webhooks (provisioned by the
broker: the Autotask ticket webhook posts to the trigger URL and excludes our own API user, so our writes
never echo back; the Field Nation webhook posts work order events to the broker; both signed)."""

from __future__ import annotations

from collections.abc import Callable

from fieldbridge.demo.scene import CONNECTOR, TICKET, TRIGGER_STATUS, Scene
from fieldbridge.demo.steps import StepFailed
from fieldbridge.mapping import default_set
from fieldbridge.mapping.config import to_data
from fieldbridge.mapping.model import Mapping, SetStatic, StatusMap, StatusPair
from fieldbridge.sync.options import SyncOptions, TriggerConditions

# What Outbound Create's "Set Static Values" get (the guide's testing tip), by label: ids differ per instance.
PRIORITY, QUEUE = "Medium", "Field Services"
# Besides the default Work Done -> Complete: a technician taking the work shows in Autotask too.
ASSIGNED, IN_PROGRESS = "assigned", "In Progress"
# Who the technician's time and expenses are booked to in Autotask (the guide: resource and role from
# settings): the field technician's resource and role.
TIME_RESOURCE, TIME_ROLE = "Tech", "Field Technician"


def save_credentials(scene: Scene) -> str:
    stack = scene.stack
    at, fn = stack.autotask_credentials, stack.fieldnation_credentials
    answer = stack.admin.post(
        "/v1/admin/connectors",
        json={
            "name": CONNECTOR,
            "autotask_api_url": stack.autotask_url,
            "autotask_username": at["username"],
            "autotask_secret": at["secret"],
            "autotask_integration_code": at["integration_code"],
            "fieldnation_api_url": fn["url"],
            "fieldnation_company_id": fn["company_id"],
            "fieldnation_client_id": fn["client_id"],
            "fieldnation_client_secret": fn["client_secret"],
            "fieldnation_username": fn["username"],
            "fieldnation_password": fn["password"],
            "outbound_create": True,
            "attachment_sync": True,
        },
    )
    if answer.status_code != 201:
        raise StepFailed(f"saving the connector answered {answer.status_code}: {answer.text}")
    tests = answer.json()["connection_test"]
    if failed := [t for t in tests if t["status"] != "pass"]:
        raise StepFailed(
            "connection test failed: " + "; ".join(f"{t['name']}: {t['detail']}" for t in failed)
        )
    return "connection test passed: " + ", ".join(t["name"] for t in tests)


def refresh_fields(scene: Scene) -> str:
    refreshed = scene.admin("POST", "/refresh-fields")
    if refreshed["problems"]:
        raise StepFailed("Refresh Fields could not read: " + str(refreshed["problems"]))
    scene.catalog = scene.admin("GET", "/catalog")
    statuses = scene.picklist("Tickets", "status")
    entities = ", ".join(f"{name} {count}" for name, count in refreshed["autotask"].items())
    return (
        f"fields per Autotask entity: {entities}; {len(statuses)} ticket statuses "
        f"(New = {statuses['New']}, Complete = {statuses['Complete']}); Field Nation: "
        + ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in refreshed["fieldnation"].items())
    )


def mappings(scene: Scene) -> str:
    """The default set, with what validation against this instance's catalog asks a person to change."""
    statuses = scene.picklist("Tickets", "status")
    ticket = scene.stack.records("Tickets", id=TICKET)[0]
    static = {
        "Ticket:Priority": scene.picklist("Tickets", "priority")[PRIORITY],
        "Ticket:QueueID": scene.picklist("Tickets", "queueID")[QUEUE],
        "Ticket:AccountID": ticket["companyID"],
    }
    assigned = StatusPair(autotask=statuses[IN_PROGRESS], fieldnation=ASSIGNED)

    def inbound(mapping: Mapping) -> Mapping:
        if isinstance(mapping, StatusMap):  # the default's New is 1; this instance's New has its own id
            pairs = [p.model_copy(update={"autotask": statuses["New"]}) for p in mapping.statuses]
            return mapping.model_copy(update={"statuses": pairs})
        return mapping

    def outbound(mapping: Mapping) -> Mapping:
        if isinstance(mapping, SetStatic):
            return mapping.model_copy(update={"value": static[mapping.target_field]})
        if isinstance(mapping, StatusMap):
            return mapping.model_copy(update={"statuses": [*mapping.statuses, assigned]})
        return mapping

    defaults = default_set()
    mapping_set = defaults.model_copy(
        update={
            "inbound": [inbound(m) for m in defaults.inbound],
            "outbound": [outbound(m) for m in defaults.outbound],
        }
    )
    saved = scene.admin("PUT", "/mappings", json=to_data(mapping_set))
    if not saved["validation"]["catalog_used"]:
        raise StepFailed("the mappings were validated without the field catalog")
    # Outbound Create's default status is the guide's 1 (New); this instance's New has another id.
    scene.admin("PATCH", "", json={"outbound_default_status": statuses["New"]})
    _save_sync_options(scene, statuses[TRIGGER_STATUS])
    return (
        f"default set, validated against the catalog, saved as version {saved['mapping_set']['version']}: "
        f"New is {statuses['New']} here (status map, Outbound Create's default); its static values "
        f"Priority {PRIORITY}, Queue {QUEUE}, Account {ticket['companyID']}; "
        f"{ASSIGNED} -> {IN_PROGRESS} added to the status map; import when the status becomes "
        f"{TRIGGER_STATUS}"
    )


def _save_sync_options(scene: Scene, trigger_status: int) -> None:
    """The Workflow Setup options (trigger condition, time entry resource and role), through the admin API."""
    resource = scene.stack.records("Resources", lastName=TIME_RESOURCE)[0]["id"]
    role = scene.stack.records("Roles", name=TIME_ROLE)[0]["id"]
    chosen = SyncOptions(
        triggers=TriggerConditions(status_becomes=[trigger_status]), resource_id=resource, role_id=role
    )
    scene.admin("PUT", "/sync-options", json=chosen.model_dump(mode="json"))


def trigger_url(scene: Scene) -> str:
    scene.trigger_url = scene.admin("POST", "/trigger-url")["trigger_url"]
    return "generated in the connector's settings: " + scene.trigger_url.split("?")[0] + "?client_token=..."


def webhooks(scene: Scene) -> str:
    """Webhook provisioning through the admin API: both webhooks made from the connector's settings."""
    done = scene.admin("POST", "/webhooks/provision", json={"trigger_url": scene.trigger_url})
    hook = int(done["autotask_webhook_id"])
    record = scene.stack.records("TicketWebhooks", id=hook)
    if not record or record[0]["webhookUrl"] != scene.trigger_url:
        raise StepFailed(f"ticket webhook {hook} does not post to the trigger URL")
    own = scene.stack.records("Resources", userName=scene.stack.autotask_credentials["username"])[0]["id"]
    excluded = scene.stack.records("TicketWebhookExcludedResources", webhookID=hook)
    if [e["resourceID"] for e in excluded] != [own]:
        raise StepFailed(f"ticket webhook {hook} does not exclude our API user's resource {own}")
    return (
        f"ticket webhook {hook} posts to the trigger URL, signed, excluding resource {own} (our API user) so "
        f"our writes do not come back; Field Nation webhook {done['fieldnation_webhook_id']} posts work "
        f"order events to the broker, signed ({len(done['changes'])} changes made)"
    )


def check(scene: Scene) -> str:
    """The full check of the connector against the setup guide: nothing may fail now."""
    report = scene.admin("POST", "/check")
    findings = report["findings"]
    if failed := [f for f in findings if f["status"] == "fail"]:
        raise StepFailed("; ".join(f"{f['check']}: {f['seen']}" for f in failed))
    warned = [f"{f['check']} ({f['seen']})" for f in findings if f["status"] == "warn"]
    return f"{len(findings)} checks, none failed" + (f"; warnings: {'; '.join(warned)}" if warned else "")


STEPS: tuple[tuple[str, Callable[[Scene], str]], ...] = (
    ("Setup: save credentials (runs the connection test)", save_credentials),
    ("Setup: Refresh Fields", refresh_fields),
    ("Setup: default mappings + Outbound Create values", mappings),
    ("Setup: trigger URL", trigger_url),
    ("Setup: webhooks (Autotask, Field Nation)", webhooks),
    ("Setup: full connector check", check),
)
