"""The set-up wizard's steps, in the setup guide's order, and how far a connector has come through them.

Nothing of the wizard is kept on its own: each step's state is read from what the connector holds (its
credentials, catalog, trigger URL, webhook secrets, mappings, sync options), so the wizard can be left at
any step and resumed from any browser, and a connector made with the CLI or the API shows its progress too.
Pure: the caller reads the facts (`Progress`) from the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fieldbridge.store.connectors import ConnectorView
from fieldbridge.sync.options import SyncOptions

StepKey = Literal[
    "autotask",
    "fieldnation",
    "service-object",
    "refresh-fields",
    "mappings",
    "trigger-url",
    "webhooks",
    "triggers",
    "check",
]


@dataclass(frozen=True)
class Step:
    key: StepKey
    title: str
    summary: str


STEPS = (
    Step("autotask", "Autotask credentials", "The API user's username, secret and integration code."),
    Step("fieldnation", "Field Nation credentials", "The API client and the API user of your company."),
    Step("service-object", "Service object", "Which Autotask records become work orders."),
    Step("refresh-fields", "Refresh Fields", "Read the fields, UDFs and picklists the mappings can use."),
    Step("mappings", "Mappings", "How fields go each way; statuses with this instance's ids."),
    Step("trigger-url", "Trigger URL", "Where Autotask posts the tickets to import."),
    Step("webhooks", "Webhooks", "Both sides' webhooks, made by FieldBridge with one button."),
    Step("triggers", "Trigger conditions", "Which tickets go to Field Nation, and who time is booked to."),
    Step("check", "Check", "Every check of the guide, with the fix for each row."),
)
KEYS: tuple[StepKey, ...] = tuple(step.key for step in STEPS)


@dataclass(frozen=True)
class Progress:
    """What the store says of a connector, as far as the wizard's steps need it."""

    view: ConnectorView
    catalog_refreshed: bool
    trigger_url_live: bool
    mappings_version: int | None
    options: SyncOptions


def done(progress: Progress, key: StepKey) -> bool:
    """Whether a step's part of the setup is in place. The check is never "done": it is asked each time."""
    view, secrets = progress.view, progress.view.secrets_set
    if key == "autotask":
        return bool(view.autotask_username and secrets["autotask_secret"])
    if key == "fieldnation":
        fields = ("fieldnation_client_secret", "fieldnation_password")
        return bool(
            view.fieldnation_client_id and view.fieldnation_username and all(secrets[f] for f in fields)
        )
    if key == "service-object":
        return done(progress, "autotask")  # it always has a value (ticket by default), seen on saving
    if key == "refresh-fields":
        return progress.catalog_refreshed
    if key == "mappings":
        return progress.mappings_version is not None
    if key == "trigger-url":
        return progress.trigger_url_live
    if key == "webhooks":
        return secrets["autotask_webhook_secret"] and secrets["fieldnation_webhook_secret"]
    if key == "triggers":
        options = progress.options
        triggers = options.triggers
        chosen = bool(triggers.status_becomes or triggers.queues)
        return chosen and options.resource_id is not None and options.role_id is not None
    return False


def next_step(progress: Progress) -> StepKey:
    """Where to resume: the first step not done (the check once all others are)."""
    return next((key for key in KEYS if not done(progress, key)), "check")


def neighbours(key: StepKey) -> tuple[Step | None, Step | None]:
    index = KEYS.index(key)
    return (STEPS[index - 1] if index else None, STEPS[index + 1] if index + 1 < len(STEPS) else None)


def step(key: str) -> Step | None:
    return next((s for s in STEPS if s.key == key), None)
