"""Both emulators' state in a form two runs can compare: ids and markers holding ids are replaced by what
they stand for (a ticket by its title, a work order by its title), and times near the run by their offset
from its start in whole hours, dates in whole days (the emulators seed dates relative to their reset), so
what remains is content.

`differences` compares two snapshots record by record (as multisets: a duplicate counts) and says what one
run has that the other does not, readably.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

Record = dict[str, Any]
Snapshot = dict[str, list[str]]
"""Per kind of record, each normalised record as sorted JSON (hashable, and printable as it is)."""

AUTOTASK_FIELDS: dict[str, tuple[str, ...]] = {
    "Tickets": (
        "title", "description", "status", "priority", "queueID", "companyID", "resolution", "externalID",
        "dueDateTime", "assignedResourceID", "assignedResourceRoleID",
    ),
    "TicketNotes": ("ticketID", "title", "description", "noteType", "publish"),
    "TimeEntries": ("ticketID", "hoursWorked", "summaryNotes", "internalNotes", "resourceID", "roleID"),
    "ExpenseReports": ("name", "submitterID", "status", "weekEnding"),
    "ExpenseItems": (
        "ticketID", "expenseReportID", "description", "expenseCategory", "expenseCurrencyExpenseAmount",
        "paymentType", "companyID",
    ),
    "TicketCharges": (
        "ticketID", "name", "description", "notes", "unitPrice", "unitCost", "unitQuantity", "chargeType",
    ),
    "TicketAttachments": ("parentID", "title", "fullPath", "attachmentType", "publish", "fileSize"),
}  # fmt: skip
_MARKER = re.compile(r"\(#\d+\)")
"""`(#<Field Nation id>)`, the broker's marker: ids differ between runs."""
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?Z?")
NEAR = timedelta(days=60)
"""Times this close to the run's start are the seed's or the run's own; farther ones are set by a story."""


def snapshot(autotask: dict[str, list[Record]], work_orders: list[Record], start: datetime) -> Snapshot:
    """`autotask`: the records of each kind in `AUTOTASK_FIELDS`; `work_orders`: Field Nation's, as its API
    renders them; `start`: when the emulators were reset."""
    tickets = {t["id"]: f"ticket {t['title']!r}" for t in autotask["Tickets"]}
    orders = {w["id"]: f"work order {w['title']!r}" for w in work_orders}
    reports = {r["id"]: f"report {r['name']!r}" for r in autotask["ExpenseReports"]}
    refs: dict[str, Callable[[Any], Any]] = {
        "ticketID": tickets.get,
        "parentID": tickets.get,
        "expenseReportID": reports.get,
        "externalID": lambda v: orders.get(int(v[3:]), v) if str(v or "").startswith("FN-") else v,
    }

    def plain(value: Any) -> Any:
        if isinstance(value, str):
            return _MARKER.sub("(#)", value)
        if isinstance(value, float):
            return round(value, 2)
        return value

    found: Snapshot = {}
    for kind, fields in AUTOTASK_FIELDS.items():
        found[kind] = sorted(
            _dump({f: plain(refs.get(f, _same)(r.get(f))) for f in fields}, start) for r in autotask[kind]
        )
    found["WorkOrders"] = sorted(_dump(_work_order(w, tickets), start) for w in work_orders)
    return found


def _same(value: Any) -> Any:
    return value


def _results(envelope: Record | None) -> list[Record]:
    return list((envelope or {}).get("results") or [])


def _work_order(wo: Record, tickets: dict[int, str]) -> Record:
    correlation = wo.get("correlation_id")
    window = (wo.get("schedule") or {}).get("service_window") or {}
    custom = {
        f["name"]: f.get("value") for group in _results(wo.get("custom_fields")) for f in _results(group)
    }
    return {
        "title": wo["title"],
        "description": (wo.get("description") or {}).get("html"),
        "status": wo["status"]["name"],
        "assignee": ((wo.get("assignee") or {}).get("user") or {}).get("id"),
        "ticket": tickets.get(int(correlation), correlation)
        if str(correlation or "").isdigit()
        else correlation,
        "service_window_start": (window.get("start") or {}).get("utc"),
        "custom_fields": custom,
        "messages": sorted(m["message"] for m in _results(wo.get("messages"))),
        "files": sorted(
            f["file"]["name"] for folder in _results(wo.get("attachments")) for f in _results(folder)
        ),
        "time_logs_hours": sorted(
            round(float(t.get("hours") or 0), 2) for t in _results(wo.get("time_logs"))
        ),
        "closing_notes": wo.get("closing_notes"),
    }


def _dump(record: Record, start: datetime) -> str:
    def relative(found: re.Match[str]) -> str:
        at = datetime.fromisoformat(found.group(0)[:19].replace(" ", "T")).replace(tzinfo=UTC)
        if abs(at - start) > NEAR:
            return found.group(0)
        if at.time() == time(0):  # a date (an expense report's week ending): days from the start's date
            return f"start{(at.date() - start.date()).days:+d}d"
        return f"start{round((at - start).total_seconds() / 3600):+d}h"

    return _TIME.sub(relative, json.dumps(record, sort_keys=True, default=str))


def differences(expected: Snapshot, got: Snapshot) -> list[str]:
    """What `got` lacks (`-`) and has in excess (`+`) compared with `expected`, per kind of record."""
    lines: list[str] = []
    for kind in sorted(set(expected) | set(got)):
        want, have = Counter(expected.get(kind, [])), Counter(got.get(kind, []))
        missing, extra = sorted((want - have).elements()), sorted((have - want).elements())
        if missing or extra:
            lines.append(f"{kind}: {len(missing)} missing, {len(extra)} extra")
            lines += [f"  - {record}" for record in missing]
            lines += [f"  + {record}" for record in extra]
    return lines
