"""State -> Field Nation JSON. Every key written here is a property of the matching model in
`rest-v2-models.json` (the contract tests check it), so a client built against the real API reads the same
shapes from the emulator."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from fieldbridge.sandbox.fieldnation.lifecycle import ASSIGNED, ROUTED, STATUSES, SUB_STATUSES, open_actions
from fieldbridge.sandbox.fieldnation.state import (
    Attachment,
    Expense,
    Folder,
    Message,
    State,
    TimeLog,
    WorkOrder,
)
from fieldbridge.sandbox.fieldnation.timezones import fn_date, time_zone_json

JSON = dict[str, Any]

# Milestones name the moment a work order first reached a status (keys of the `Milestones` model).
MILESTONE_KEYS = {
    "draft": "created",
    "published": "published",
    "routed": "routed",
    "assigned": "assigned",
    "work_done": "workdone",
    "approved": "approved",
    "paid": "paid",
    "cancelled": "canceled",
}


def envelope(
    results: list[JSON], page: int = 1, per_page: int | None = None, total: int | None = None
) -> JSON:
    total = len(results) if total is None else total
    per_page = per_page or max(total, 1)
    return {
        "metadata": {
            "total": total,
            "page": page,
            "pages": max(1, math.ceil(total / per_page)),
            "per_page": per_page,
        },
        "results": results,
    }


class Views:
    def __init__(self, state: State, base_url: str, max_upload_bytes: int) -> None:
        self.catalog = state.catalog
        self.base_url = base_url
        self.max_upload_bytes = max_upload_bytes

    # -- people and references -------------------------------------------------------------------
    def user(self, user_id: int) -> JSON:
        user = self.catalog.users[user_id]
        return {"id": user.id, "first_name": user.first_name, "last_name": user.last_name}

    def _sender(self, user_id: int) -> JSON:
        user = self.catalog.users[user_id]
        return {"id": user.id, "name": user.name, "role": "buyer" if user.role == "manager" else "provider"}

    def _date(self, wo: WorkOrder, at: datetime | None) -> JSON | None:
        return fn_date(at, wo.time_zone_id) if at is not None else None

    # -- status, schedule, location, pay ----------------------------------------------------------
    def status(self, wo: WorkOrder) -> JSON:
        name, code = STATUSES[wo.status_id]
        sub = wo.sub_status if wo.status_id == ASSIGNED else None
        return {
            "id": wo.status_id,
            "name": name,
            "display": SUB_STATUSES[sub][0] if sub else name,
            "code": code,
            "is_routed": wo.status_id == ROUTED,
            "delay": wo.delay_minutes,
            "ncns": False,
            "sub_status": sub,
            "confirmed": wo.confirmed,
        }

    def schedule(self, wo: WorkOrder) -> JSON:
        window = wo.schedule
        return {
            "work_order_id": wo.id,
            "status_id": wo.status_id,
            "service_window": None
            if window is None
            else {
                "mode": window.mode,
                "start": self._date(wo, window.start),
                "end": self._date(wo, window.end),
            },
            "time_zone": time_zone_json(wo.time_zone_id, window.start if window else None),
        }

    def location(self, wo: WorkOrder) -> JSON | None:
        loc = wo.location
        if loc is None:
            return None
        body: JSON = {"work_order_id": wo.id, "mode": loc.mode, "time_zone": time_zone_json(wo.time_zone_id)}
        if loc.mode == "location" and loc.saved_location is not None:
            saved = self.catalog.saved_locations[loc.saved_location.id]
            kind = self.catalog.location_types[saved.type_id]
            address = {
                "address1": saved.address1,
                "city": saved.city,
                "state": saved.state,
                "zip": saved.zip,
                "country": saved.country,
            }
            coords = {"latitude": saved.latitude, "longitude": saved.longitude}
            body |= address | {"coordinates": coords, "type": {"id": kind.id, "name": kind.name}}
            body["saved_location"] = {
                "id": saved.id,
                "name": saved.name,
                **address,
                "geo": coords,
                "time_zone": time_zone_json(saved.time_zone_id),
                "type": {"id": kind.id, "name": kind.name},
            }
            return body
        if loc.mode == "custom":
            body |= loc.model_dump(include={"address1", "address2", "city", "state", "zip", "country"})
            body["coordinates"] = loc.coordinates.model_dump() if loc.coordinates else None
        if loc.type is not None:
            body["type"] = {"id": loc.type.id, "name": self.catalog.location_types[loc.type.id].name}
        return body

    def pay(self, wo: WorkOrder) -> JSON:
        """REST v2's `Pay`, with the work order's expenses (`Pay.expenses`). A work order with no pay set
        still has one, of type "" (one of the model's types): where its expenses are."""
        pay = wo.pay
        body: JSON = {"work_order_id": wo.id, "type": ""}
        if pay is not None:
            base = pay.base.amount * (1 if pay.type == "fixed" else pay.base.units)
            extra = pay.additional.amount * pay.additional.units if pay.additional else 0.0
            body |= {
                "type": pay.type,
                "base": pay.base.model_dump(),
                "total": round(base + extra, 2),
                "reported_hours": round(sum(t.hours for t in wo.time_logs), 2),
            }
            if pay.additional is not None:
                body["additional"] = pay.additional.model_dump()
        body["expenses"] = self.expenses(wo)
        return body

    # -- custom fields ----------------------------------------------------------------------------
    def custom_fields(self, wo: WorkOrder | None) -> JSON:
        """The company's custom fields by category; with a work order, each carries its value."""
        categories = []
        for category in self.catalog.custom_field_categories.values():
            fields = []
            for d in self.catalog.custom_fields.values():
                if d.category_id != category.id:
                    continue
                field: JSON = {
                    "id": d.id,
                    "name": d.name,
                    "type": d.type,
                    "options": d.options,
                    "flags": d.flags,
                    "role": category.role,
                    "category": category.name,
                    "tip": d.tip,
                    "actions": ["edit"],
                }
                if wo is not None:
                    field["value"] = wo.custom_values.get(d.id, "")
                fields.append(field)
            categories.append(
                {"id": category.id, "name": category.name, "role": category.role, **envelope(fields)}
            )
        return envelope(categories)

    # -- time logs, expenses, messages ------------------------------------------------------------
    def time_log(self, wo: WorkOrder, log: TimeLog) -> JSON:
        out = None
        if log.checked_out_at is not None and log.checked_out_by is not None:
            out = {"created": self._date(wo, log.checked_out_at), "actor": self.user(log.checked_out_by)}
        return {
            "id": log.id,
            "in": {"created": self._date(wo, log.checked_in_at), "actor": self.user(log.checked_in_by)},
            "out": out,
            "hours": log.hours,
            "status": "checked_in" if log.checked_out_at is None else "checked_out",
            "verified": log.verified,
            "logged_by": self.user(log.logged_by),
            "time_zone": time_zone_json(wo.time_zone_id, log.checked_in_at),
            "actions": ["edit", "delete"],
        }

    def time_logs(self, wo: WorkOrder) -> JSON:
        open_log = wo.open_time_log()
        return {
            **envelope([self.time_log(wo, t) for t in wo.time_logs]),
            "hours": round(sum(t.hours for t in wo.time_logs), 2),
            "status": "checked_in" if open_log else "checked_out",
            "open_time_log": self.time_log(wo, open_log) if open_log else None,
            "time_zone": time_zone_json(wo.time_zone_id),
        }

    def expense(self, wo: WorkOrder, expense: Expense) -> JSON:
        category = self.catalog.expense_categories[expense.category_id]
        return {
            "id": expense.id,
            "category": {"id": category.id, "name": category.name},
            "amount": expense.amount,
            "quantity": expense.quantity,
            "description": expense.description,
            "status": expense.status,
            "reason": expense.reason,
            "added": self._date(wo, expense.added),
            "author": self.user(expense.author_id),
            "actions": ["edit", "approve", "deny"] if expense.status == "new" else ["reopen"],
        }

    def expenses(self, wo: WorkOrder) -> JSON:
        # Of `sum` only `all`: the models do not say what its charged and uncharged parts are.
        return {
            **envelope([self.expense(wo, e) for e in wo.expenses]),
            "sum": {"all": round(sum(e.amount * e.quantity for e in wo.expenses), 2)},
            "actions": ["add"],
        }

    def message(self, wo: WorkOrder, message: Message, with_replies: bool = True) -> JSON:
        body: JSON = {
            "id": message.id,
            "msg_id": message.id,
            "message": message.text,
            "type": message.type,
            "from": self._sender(message.author_id),
            "to": self._sender(message.to_id) if message.to_id is not None else None,
            "created": self._date(wo, message.created),
            "read": False,
            "parent_id": message.parent_id,
        }
        if with_replies:
            replies = [self.message(wo, m, False) for m in wo.messages if m.parent_id == message.id]
            body["replies"] = {**envelope(replies), "sum": len(replies)}
        return body

    def messages(self, wo: WorkOrder) -> JSON:
        threads = [self.message(wo, m) for m in wo.messages if m.parent_id is None]
        return {**envelope(threads), "sum": len(wo.messages), "unread": 0, "actions": ["add"]}

    # -- attachments ------------------------------------------------------------------------------
    def attachment(self, wo: WorkOrder, a: Attachment) -> JSON:
        link = f"{self.base_url}/api/rest/v2/workorders/{wo.id}/attachments/{a.folder_id}/{a.id}"
        return {
            "id": a.id,
            "folder_id": a.folder_id,
            "file": {"name": a.name, "mime": a.mime, "size": len(a.content), "link": link},
            "notes": a.notes,
            "created": self._date(wo, a.created),
            "author": self.user(a.author_id),
            "status": a.status,
            "show_before_assignment": False,
            "actions": ["view", "edit", "delete"],
        }

    def folder(self, wo: WorkOrder, folder: Folder) -> JSON:
        files = [self.attachment(wo, a) for a in wo.attachments if a.folder_id == folder.id]
        return {
            "id": folder.id,
            "name": folder.name,
            "type": folder.type,
            "max_bytes": self.max_upload_bytes,
            "results": files,
            "actions": ["upload", "edit"],
        }

    def attachments(self, wo: WorkOrder) -> JSON:
        return {**envelope([self.folder(wo, f) for f in wo.folders]), "actions": ["add_slot", "download"]}

    # -- the work order ---------------------------------------------------------------------------
    def work_order(self, wo: WorkOrder) -> JSON:
        c = self.catalog
        manager = c.users[wo.manager_id]
        type_of_work = c.types_of_work.get(wo.type_of_work_id) if wo.type_of_work_id else None
        client = c.clients.get(wo.client_id) if wo.client_id else None
        project = c.projects.get(wo.project_id) if wo.project_id else None
        return {
            "id": wo.id,
            "title": wo.title,
            "description": {"html": wo.description_html},
            "confidential": {"html": wo.confidential_html},
            "status": self.status(wo),
            "schedule": self.schedule(wo),
            "location": self.location(wo),
            "pay": self.pay(wo),
            "contacts": envelope([contact.model_dump(exclude_none=True) for contact in wo.contacts]),
            "custom_fields": self.custom_fields(wo),
            "time_logs": self.time_logs(wo),
            "attachments": self.attachments(wo),
            "messages": self.messages(wo),
            "tasks": envelope(
                [
                    {
                        "id": t.id,
                        "label": t.label,
                        "type": {"key": t.key, "name": t.label},
                        "status": "complete" if t.completed else "incomplete",
                        "completed": self._date(wo, t.completed),
                    }
                    for t in wo.tasks
                ]
            ),
            "shipments": envelope(
                [
                    {
                        "id": s.id,
                        "name": s.name,
                        "carrier": {"name": s.carrier, "tracking": s.tracking},
                        "status": s.status,
                        "direction": s.direction,
                        "user": self.user(s.user_id),
                        "created": self._date(wo, s.created),
                    }
                    for s in wo.shipments
                ]
            ),
            "closing_notes": wo.closing_notes,
            "correlation_id": wo.correlation_id,
            "type_of_work": {
                "id": type_of_work.id,
                "name": type_of_work.name,
                "industry": "Information Technology",
            }
            if type_of_work
            else None,
            "client": {"id": client.id, "name": client.name} if client else None,
            "company": {"id": c.company.id, "name": c.company.name},
            "project": {"id": project.id, "name": project.name} if project else None,
            "manager": {
                "id": manager.id,
                "first_name": manager.first_name,
                "last_name": manager.last_name,
                "email": manager.email,
                "phone": manager.phone,
            },
            "assignee": {"work_order_id": wo.id, "status_id": wo.status_id, "user": self.user(wo.assignee_id)}
            if wo.assignee_id
            else None,
            "routes": envelope(
                [
                    {
                        "id": r.id,
                        "technician": self.user(r.technician_id),
                        "created": self._date(wo, r.created),
                        "declined": r.declined,
                        "assigned": r.technician_id == wo.assignee_id,
                    }
                    for r in wo.routes
                ]
            ),
            "requests": envelope(
                [
                    {
                        "id": r.id,
                        "user": self.user(r.technician_id),
                        "created": self._date(wo, r.created),
                        "active": True,
                    }
                    for r in wo.requests
                ]
            ),
            "declines": envelope(
                [
                    {"id": d.id, "user": self.user(d.technician_id), "created": self._date(wo, d.created)}
                    for d in wo.declines
                ]
            ),
            "milestones": {MILESTONE_KEYS[code]: self._date(wo, at) for code, at in wo.milestones.items()},
            "actions": open_actions(wo.status_id),
        }

    def tags(self, wo: WorkOrder) -> JSON:
        return envelope([{"id": t.id, "label": t.name} for t in wo.tags])

    def expense_categories(self) -> JSON:
        return envelope(
            [
                {"id": e.id, "label": e.name, "type": "custom", "actions": []}
                for e in self.catalog.expense_categories.values()
            ]
        )
