"""A ticket webhook as Autotask shows it, for the webhook plan and check tests."""

from __future__ import annotations

from dataclasses import replace

from fieldbridge.checks.facts import TicketWebhook, WebhookField
from fieldbridge.checks.webhook_plan import AutotaskWebhookSpec


def existing(spec: AutotaskWebhookSpec, **changes: object) -> TicketWebhook:
    """The webhook as Autotask shows it once `spec` was applied."""
    hook = TicketWebhook(
        id=7,
        name=spec.name,
        url=spec.url,
        active=True,
        ready=True,
        create_events=True,
        update_events=True,
        delete_events=False,
        secret_key=spec.secret_key,
        notification_email=None,
        threshold_notification=False,
        fields=tuple(
            WebhookField(100 + i, field_id, subscribed, always)
            for i, (field_id, (subscribed, always)) in enumerate(spec.field_flags().items())
        ),
        excluded={spec.excluded_resource: 300},
    )
    return replace(hook, **changes)  # type: ignore[arg-type]
