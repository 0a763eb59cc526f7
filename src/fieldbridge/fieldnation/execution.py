"""What happens on a work order once it is assigned: time logs (check in/out or direct), expenses
(added by the technician, approved or rejected by the buyer) and messages (no edit or delete: Field
Nation's API has neither)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fieldbridge.fieldnation.models import (
    Expense,
    ExpenseCategory,
    Listing,
    Message,
    TimeLog,
    WorkOrder,
    fn_date,
)
from fieldbridge.fieldnation.transport import Transport

MessageType = Literal[
    "INTERNAL", "ASSIGNEDTECH", "REQUESTEDTECHS", "SPECIFICTECH", "FROMTECH",
    "REPLY", "TECHTOMANAGER", "ROUTEDTECHS", "REPLYTOTHREAD", "STAFF_NOTE",
]  # fmt: skip


class TimeLogs:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(self, work_order_id: int) -> list[TimeLog]:
        body = self._t.request("GET", f"/workorders/{work_order_id}/time_logs").json()
        return Listing[TimeLog].model_validate(body).results

    def create(self, work_order_id: int, start: datetime, end: datetime | None = None) -> TimeLog:
        """Log time directly; without `end` the log stays open (checked in)."""
        body: dict[str, Any] = {"in": {"created": fn_date(start)}}
        if end is not None:
            body["out"] = {"created": fn_date(end)}
        return self._log("POST", f"/workorders/{work_order_id}/time_logs", body)

    def update(
        self, work_order_id: int, time_log_id: int, start: datetime | None = None, end: datetime | None = None
    ) -> TimeLog:
        body: dict[str, Any] = {}
        if start is not None:
            body["in"] = {"created": fn_date(start)}
        if end is not None:
            body["out"] = {"created": fn_date(end)}
        return self._log("PUT", f"/workorders/{work_order_id}/time_logs/{time_log_id}", body)

    def delete(self, work_order_id: int, time_log_id: int) -> None:
        self._t.request("DELETE", f"/workorders/{work_order_id}/time_logs/{time_log_id}")

    def check_in(self, work_order_id: int, at: datetime | None = None) -> TimeLog:
        """Check the assigned technician in (now, or at `at`)."""
        return self._log(
            "POST", f"/workorders/{work_order_id}/check_in", {"created": fn_date(at)} if at else {}
        )

    def check_out(self, work_order_id: int, at: datetime | None = None) -> TimeLog:
        return self._log(
            "POST", f"/workorders/{work_order_id}/check_out", {"created": fn_date(at)} if at else {}
        )

    def _log(self, method: str, path: str, body: dict[str, Any]) -> TimeLog:
        return TimeLog.model_validate(self._t.request(method, path, json=body).json())


class Expenses:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def categories(self, company_id: int) -> list[ExpenseCategory]:
        body = self._t.request("GET", f"/company/{company_id}/expenses").json()
        return Listing[ExpenseCategory].model_validate(body).results

    def of(self, work_order: WorkOrder) -> list[Expense]:
        """The work order's expenses: those its pay carries (REST v2's `Pay.expenses`) when it carries them
        all, else read from their own list (one more request)."""
        carried = work_order.pay.expenses if work_order.pay is not None else None
        if carried is not None and len(carried.results) >= carried.metadata.total:
            return carried.results
        return self.list(work_order.id)

    def list(self, work_order_id: int) -> list[Expense]:
        body = self._t.request("GET", f"/workorders/{work_order_id}/expenses").json()
        return Listing[Expense].model_validate(body).results

    def add(
        self, work_order_id: int, category_id: int, amount: float, description: str = "", quantity: float = 1
    ) -> Expense:
        body = {
            "category": {"id": category_id},
            "amount": amount,
            "quantity": quantity,
            "description": description,
        }
        return self._expense("POST", f"/workorders/{work_order_id}/expenses", body)

    def approve(self, work_order_id: int, expense_id: int) -> Expense:
        return self._expense(
            "PUT", f"/workorders/{work_order_id}/expenses/{expense_id}", {"status": "approved"}
        )

    def reject(self, work_order_id: int, expense_id: int, reason: str) -> Expense:
        body = {"status": "rejected", "rejection_reason": reason}
        return self._expense("PUT", f"/workorders/{work_order_id}/expenses/{expense_id}", body)

    def _expense(self, method: str, path: str, body: dict[str, Any]) -> Expense:
        return Expense.model_validate(self._t.request(method, path, json=body).json())


class Messages:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(self, work_order_id: int) -> list[Message]:
        """Threads, oldest first; each message's `replies` holds its thread."""
        body = self._t.request("GET", f"/workorders/{work_order_id}/messages").json()
        return Listing[Message].model_validate(body).results

    def post(
        self,
        work_order_id: int,
        message: str,
        type: MessageType = "INTERNAL",
        to: int | None = None,
        notify: bool = True,
    ) -> Message:
        body: dict[str, Any] = {"message": message, "type": type, "notify": notify}
        if to is not None:
            body["to"] = {"id": to}
        return self._message(f"/workorders/{work_order_id}/messages", body)

    def reply(self, work_order_id: int, message_id: int, message: str, notify: bool = True) -> Message:
        return self._message(
            f"/workorders/{work_order_id}/messages/{message_id}", {"message": message, "notify": notify}
        )

    def _message(self, path: str, body: dict[str, Any]) -> Message:
        return Message.model_validate(self._t.request("POST", path, json=body).json())
