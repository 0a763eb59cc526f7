"""The work order status lifecycle: Field Nation's status ids, which action may move a work order from which
status, and the Assigned sub-statuses. Everything that changes a status goes through `transition`."""

from __future__ import annotations

from dataclasses import dataclass

from fieldbridge.sandbox.fieldnation.errors import ApiError

DRAFT, PUBLISHED, ASSIGNED, WORK_DONE, APPROVED, PAID, CANCELLED, ROUTED = 1, 2, 3, 4, 5, 6, 7, 9

# id -> (name, code). `name` as Field Nation gives it (`{"id": 1, "name": "Draft"}`); `code` is the
# lower-case form the broker's status mappings compare (`draft`, `assigned`, `work_done`, `approved`).
STATUSES: dict[int, tuple[str, str]] = {
    DRAFT: ("Draft", "draft"),
    PUBLISHED: ("Published", "published"),
    ASSIGNED: ("Assigned", "assigned"),
    WORK_DONE: ("Work Done", "work_done"),
    APPROVED: ("Approved", "approved"),
    PAID: ("Paid", "paid"),
    CANCELLED: ("Cancelled", "cancelled"),
    ROUTED: ("Routed", "routed"),
}

# Assigned sub-status -> (display, webhook event or None when Field Nation names no event for it).
SUB_STATUSES: dict[str, tuple[str, str | None]] = {
    "eta_set": ("ETA Set", None),
    "confirmed": ("Confirmed", "workorder.status.confirmed"),
    "on_my_way": ("On My Way", "workorder.status.on_my_way"),
    "checked_in": ("Checked In", "workorder.status.checked_in"),
    "checked_out": ("Checked Out", "workorder.status.checked_out"),
    "at_risk": ("At Risk", "workorder.status.at_risk"),
    "delayed": ("Delayed", "workorder.status.delayed"),
    "on_hold": ("On Hold", None),
}


@dataclass(frozen=True)
class Transition:
    verb: str
    sources: frozenset[int]
    target: int
    event: str
    action: str
    """The name Field Nation lists in a work order's `actions` when this transition is open."""


def _t(verb: str, sources: set[int], target: int, event: str, action: str) -> Transition:
    return Transition(verb, frozenset(sources), target, event, action)


TRANSITIONS: dict[str, Transition] = {
    "publish": _t("publish", {DRAFT}, PUBLISHED, "workorder.status.published", "publish"),
    "unpublish": _t("unpublish", {PUBLISHED}, DRAFT, "workorder.status.draft", "unpublish"),
    "route": _t("route", {DRAFT, PUBLISHED, ROUTED}, ROUTED, "workorder.status.routed", "route"),
    "assign": _t("assign", {DRAFT, PUBLISHED, ROUTED}, ASSIGNED, "workorder.status.assigned", "route"),
    "unassign": _t("unassign", {ASSIGNED}, PUBLISHED, "workorder.status.assigned_cancelled", "revert"),
    "work_done": _t("mark work done on", {ASSIGNED}, WORK_DONE, "workorder.status.work_done", "complete"),
    # Marking incomplete sends the work order back to Assigned; Field Nation names no event of its own for it.
    "incomplete": _t("mark incomplete", {WORK_DONE}, ASSIGNED, "workorder.status.assigned", "incomplete"),
    "approve": _t("approve", {WORK_DONE}, APPROVED, "workorder.status.approved", "approve"),
    "pay": _t("pay", {APPROVED}, PAID, "workorder.status.paid", "paid"),
    "cancel": _t("cancel", {PUBLISHED, ROUTED, ASSIGNED}, CANCELLED, "workorder.status.cancelled", "cancel"),
}


def status_name(status_id: int) -> str:
    return STATUSES[status_id][0]


def check(transition: str, work_order_id: int, status_id: int) -> Transition:
    """The transition, or a 409 saying why the work order's status does not allow it."""
    t = TRANSITIONS[transition]
    if status_id not in t.sources:
        allowed = ", ".join(status_name(s) for s in sorted(t.sources))
        raise ApiError(
            409,
            f"Cannot {t.verb} work order {work_order_id}: it is {status_name(status_id)}; "
            f"only possible when it is {allowed}",
        )
    return t


def require_assigned(work_order_id: int, status_id: int, doing: str) -> None:
    if status_id != ASSIGNED:
        raise ApiError(
            409, f"Cannot {doing} on work order {work_order_id}: it is {status_name(status_id)}, not Assigned"
        )


def open_actions(status_id: int) -> list[str]:
    """Field Nation's `actions` list for a work order: what its current status allows."""
    actions = ["edit", "messaging"] if status_id not in (CANCELLED, PAID) else []
    actions += [t.action for t in TRANSITIONS.values() if status_id in t.sources and t.action not in actions]
    if status_id == DRAFT:
        actions.append("delete")
    return actions
