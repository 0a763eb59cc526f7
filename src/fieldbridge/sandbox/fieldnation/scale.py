"""A buyer company of a chosen size: the default seed and generated work orders behind it, the same for the
same `seed`, each taken to its status by the app's own acts (publish, route, assign, visit, approve, pay,
cancel) so every one is in a state the lifecycle can reach.

A company's history is mostly finished work; ticket-made work orders carry the ticket number as their
correlation id, the rest were made by hand. Dates are placed relative to the moment of seeding.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from fieldbridge.sandbox.fieldnation import operations as op
from fieldbridge.sandbox.fieldnation.lifecycle import (
    APPROVED,
    ASSIGNED,
    CANCELLED,
    DRAFT,
    PAID,
    PUBLISHED,
    ROUTED,
    WORK_DONE,
)
from fieldbridge.sandbox.fieldnation.seed import API_USER_ID, draft, work
from fieldbridge.sandbox.fieldnation.state import WorkOrder

if TYPE_CHECKING:
    from fieldbridge.sandbox.fieldnation.emulator import FieldNationEmulator

_JOBS = (
    ("Replace receipt printer", 4),
    ("Install wireless access point", 1),
    ("Swap network switch", 1),
    ("Install POS terminal", 2),
    ("Desktop refresh", 3),
    ("Label printer install", 4),
    ("Cable run survey", 1),
    ("Troubleshoot card reader", 2),
    ("Re-image workstations", 3),
)
# Where a company's work orders are, most of them long finished.
_STATUS_WEIGHTS = {
    DRAFT: 3,
    PUBLISHED: 6,
    ROUTED: 4,
    ASSIGNED: 7,
    WORK_DONE: 8,
    APPROVED: 22,
    PAID: 45,
    CANCELLED: 5,
}
_TECHNICIANS = (3001, 3002, 3003, 3004)


@dataclass(frozen=True)
class CompanySize:
    """How many work orders the company holds (None: as the default seed has them), and the seed of the
    generator."""

    work_orders: int | None = None
    seed: int = 0


def grow(emu: FieldNationEmulator, size: CompanySize) -> None:
    """Add generated work orders after the seeded ones until there are `size.work_orders`."""
    if size.work_orders is None:
        return
    rng = random.Random(size.seed)
    statuses, weights = zip(*_STATUS_WEIGHTS.items(), strict=True)
    count = size.work_orders - len(emu.state.work_orders)
    catalog = emu.state.catalog
    for n in range(count):
        status = rng.choices(statuses, weights)[0]
        finished = status in (WORK_DONE, APPROVED, PAID)
        # Older work orders lie further back: finished ones over the past year, open ones in the weeks ahead.
        hours = -24 * 365 * (1 - n / count) - 6 if finished else rng.uniform(-48, 24 * 21)
        job, type_of_work = rng.choice(_JOBS)
        location = rng.choice(list(catalog.saved_locations.values()))
        made_from_ticket = rng.random() < 0.7
        ticket = f"T{emu.now() + timedelta(hours=hours):%Y%m%d}.{n % 10000:04d}" if made_from_ticket else None
        wo = draft(
            emu,
            f"{job} - {location.name}",
            location.id,
            type_of_work,
            hours,
            ticket,
            client=rng.choice(list(catalog.clients)),
            project=rng.choice(list(catalog.projects)),
        )
        _take_to(emu, wo, status, rng.choice(_TECHNICIANS), -hours - 3, rng)


def _take_to(
    emu: FieldNationEmulator, wo: WorkOrder, status: int, tech: int, hours_ago: float, rng: random.Random
) -> None:
    """From draft to `status` by the app's acts; a finished visit ended `hours_ago`."""
    if status in (PUBLISHED, CANCELLED):
        op.publish(emu, wo, API_USER_ID)
    if status == CANCELLED:
        op.cancel_or_delete(emu, wo, "Customer cancelled the visit", API_USER_ID)
    if status == ROUTED:
        op.route(emu, wo, tech, API_USER_ID)
    if status == ASSIGNED:
        op.assign(emu, wo, tech, API_USER_ID)
        if rng.random() < 0.5:
            op.set_sub_status(emu, wo, "confirmed", tech)
    if status in (WORK_DONE, APPROVED, PAID):
        work(emu, wo, tech, max(hours_ago, 0), round(rng.uniform(5, 60), 2))
    if status in (APPROVED, PAID):
        op.approve(emu, wo, API_USER_ID)
    if status == PAID:
        op.pay(emu, wo, API_USER_ID)
