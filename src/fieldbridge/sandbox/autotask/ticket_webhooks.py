"""Ticket webhook callouts: which webhooks a ticket change fires, the payload Autotask sends, its escaping
and signature, and deactivation after 25 consecutive failures."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from fieldbridge.autotask.webhook_fields import FIELD_NAMES
from fieldbridge.autotask.webhooks import HEADER, sign
from fieldbridge.sandbox.autotask.query import format_datetime
from fieldbridge.sandbox.autotask.tenant import Change, Tenant
from fieldbridge.sandbox.webhooks import Attempt, Delivery, RetryPolicy, WebhookDispatcher

# Autotask's delivery: 10 s timeout, retried after 30 s, dropped after 5 attempts within about two minutes.
AUTOTASK_POLICY = RetryPolicy(delays=(0, 30, 30, 30, 30), timeout=10.0)
DEACTIVATE_AFTER = 25

_ESCAPES = {"&": "\\u0026", "<": "\\u003c", ">": "\\u003e", "'": "\\u0027", '\\"': "\\u0022"}


def autotask_json(payload: dict[str, Any]) -> bytes:
    """JSON as Autotask writes it: non-ASCII and & < > ' " escaped as \\uXXXX inside strings.

    Escape sequences are matched as units so an escaped backslash before a quote is never split.
    """
    text = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
    return re.sub(r"\\.|[&<>']", lambda m: _ESCAPES.get(m.group(0), m.group(0)), text).encode("ascii")


class TicketWebhooks:
    def __init__(self, tenant: Tenant, dispatcher: WebhookDispatcher) -> None:
        self._tenant = tenant
        self._dispatcher = dispatcher
        self._sequence = 0
        self._failures: dict[str, int] = {}

    def fire(self, change: Change) -> list[Delivery]:
        """Queue one delivery per active, ready, subscribed webhook that does not exclude the actor."""
        if change.entity != "Tickets":
            return []
        deliveries = []
        with self._tenant.lock:
            for hook in list(self._tenant.table("TicketWebhooks").values()):
                payload = self._payload(hook, change)
                if payload is None:
                    continue
                self._sequence += 1
                payload["SequenceNumber"] = self._sequence
                body = autotask_json(payload)
                headers = {"Content-Type": "application/json"}
                if hook.get("secretKey"):
                    headers[HEADER] = sign(str(hook["secretKey"]), body)
                deliveries.append(
                    self._dispatcher.submit(str(hook["id"]), str(hook["webhookUrl"]), body, headers)
                )
        return deliveries

    def on_attempt(self, delivery: Delivery, attempt: Attempt) -> None:
        """Count consecutive failed attempts per webhook; Autotask switches a webhook off at 25."""
        ok = attempt.status is not None and 200 <= attempt.status < 300
        count = 0 if ok else self._failures.get(delivery.target, 0) + 1
        self._failures[delivery.target] = count
        if count >= DEACTIVATE_AFTER:
            with self._tenant.lock:
                hook = self._tenant.get("TicketWebhooks", int(delivery.target))
                if hook is not None and hook.get("isActive"):
                    hook["isActive"] = False
                    if hook.get("deactivationUrl"):
                        note = autotask_json(
                            {
                                "Guid": hook.get("webhookGUID"),
                                "Reason": f"Deactivated after {DEACTIVATE_AFTER} consecutive failures",
                            }
                        )
                        self._dispatcher.submit(
                            f"deactivation-{hook['id']}",
                            str(hook["deactivationUrl"]),
                            note,
                            {"Content-Type": "application/json"},
                        )

    def reset(self) -> None:
        self._failures.clear()

    def _payload(self, hook: dict[str, Any], change: Change) -> dict[str, Any] | None:
        if not (hook.get("isActive") and hook.get("isReady")):
            return None
        if not hook.get(f"isSubscribedTo{change.action}Events"):
            return None
        hook_id = hook["id"]
        excluded = {
            r["resourceID"]
            for r in self._tenant.table("TicketWebhookExcludedResources").values()
            if r.get("webhookID") == hook_id
        }
        if change.actor_id in excluded:
            return None
        fields = [
            f for f in self._tenant.table("TicketWebhookFields").values() if f.get("webhookID") == hook_id
        ]
        subscribed = {FIELD_NAMES.get(int(f["fieldID"]), "") for f in fields if f.get("isSubscribedField")}
        always = {FIELD_NAMES.get(int(f["fieldID"]), "") for f in fields if f.get("isDisplayAlwaysField")}
        record = change.after if change.after is not None else change.before
        assert record is not None
        if change.action == "Update":
            before = change.before or {}
            changed = {k for k in subscribed if before.get(k) != record.get(k)}
            if not changed:
                return None
            shown = changed | always
        else:
            shown = subscribed | always
        return {
            "Action": change.action,
            "Guid": hook.get("webhookGUID"),
            "EntityType": "Ticket",
            "Id": record["id"],
            "Fields": {name: record.get(name) for name in sorted(shown) if name},
            "EventTime": format_datetime(datetime.now(UTC)),
            "PersonID": change.actor_id,
        }
