"""The fixed stories: what people do in Autotask and Field Nation, the same in every run.

Each field is written by one side only (Autotask owns the ticket's title and description, Field Nation the
work done and its status), as in real use, so the state the stories lead to does not depend on timing: a
run with faults must reach exactly the state of a run without. Acts that need the broker's work first (a
technician needs the work order the dispatch made) wait for it; nothing else waits, so the broker meets
the stories' events interleaved and in bursts.

A buyer approves finished work once its ticket shows it Complete. Approved has no ticket status in the
mappings, so the ticket keeps the status it has (a required field is never cleared) and the pair goes on
syncing; approving sooner would make that status depend on whether the broker saw the work done first.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import zip_longest
from typing import Any

from fieldbridge.demo.scene import TRIGGER_STATUS
from fieldbridge.sandbox.autotask.seed import PRIORITY, QUEUE, STATUS
from tests.integration.convergence.world import World

COMPANY = 174
DUE = "2031-05-06T14:00:00Z"
"""A fixed due date (and Outbound Create's service window), so runs on different days compare."""
PHOTO = base64.b64encode(b"\xff\xd8\xff\xe0 a photo of the closet \xff\xd9").decode()


@dataclass
class Case:
    """What one story has made so far."""

    ticket: int = 0
    work_order: int = 0


@dataclass(frozen=True)
class Act:
    label: str
    do: Callable[[World, Case], None]


@dataclass(frozen=True)
class Story:
    name: str
    title: str
    """The title the story's ticket ends with."""
    status: str
    """The status the story's ticket ends in: what the run without faults must show before it is used as
    the reference (a lost update there would make every seed's comparison meaningless)."""
    acts: tuple[Act, ...]
    case: Case = field(default_factory=Case, compare=False)


def _ticket(title: str) -> Callable[[World, Case], None]:
    def do(world: World, case: Case) -> None:
        case.ticket = world.create_ticket(
            {
                "title": title,
                "description": f"{title}: reported by the customer",
                "companyID": COMPANY,
                "status": STATUS["New"],
                "priority": PRIORITY["Medium"],
                "queueID": QUEUE["Field Services"],
                "dueDateTime": DUE,
            }
        )

    return do


def _dispatch(world: World, case: Case) -> None:
    world.edit_ticket(case.ticket, {"status": STATUS[TRIGGER_STATUS]})


def _edit(**fields: Any) -> Callable[[World, Case], None]:
    def do(world: World, case: Case) -> None:
        case.work_order = case.work_order or world.work_order_of(case.ticket)
        world.edit_ticket(case.ticket, fields)

    return do


def _app(action: str, **body: Any) -> Callable[[World, Case], None]:
    """An act in the Field Nation app on the story's work order (waiting for it to exist first)."""

    def do(world: World, case: Case) -> None:
        case.work_order = case.work_order or world.work_order_of(case.ticket)
        world.act(case.work_order, action, **body)

    return do


def _visit(action: str, hours_before_start: float) -> Callable[[World, Case], None]:
    """A check-in or check-out dated a set time before the run began, so the visit's length is the same
    whatever the run's pace."""

    def do(world: World, case: Case) -> None:
        case.work_order = case.work_order or world.work_order_of(case.ticket)
        since_start = (datetime.now(UTC) - world.started).total_seconds() / 3600
        world.act(case.work_order, action, hours_ago=hours_before_start + since_start)

    return do


def _approve(world: World, case: Case) -> None:
    world.ticket_reaches(case.work_order, STATUS["Complete"])
    world.act(case.work_order, "approve")


def _buyer_creates(title: str) -> Callable[[World, Case], None]:
    def do(world: World, case: Case) -> None:
        window = {"mode": "exact", "start": {"utc": DUE.replace("T", " ").removesuffix("Z")}}
        case.work_order = world.create_work_order({"title": title, "schedule": {"service_window": window}})

    return do


def stories() -> tuple[Story, ...]:
    """Fresh stories (their cases empty) for one run."""
    visit = "Conv: replace the failed switch"
    edits = "Conv: printer jams on tray 2"
    badge = "Conv: install a badge reader"
    return (
        Story(
            "a dispatched visit, start to work done",
            visit,
            "Complete",
            (
                Act("dispatcher creates a ticket", _ticket(visit)),
                Act("dispatcher sets it to the trigger status", _dispatch),
                Act("buyer routes it to technician 3001", _app("route", technician_id=3001)),
                Act("technician accepts", _app("accept", technician_id=3001)),
                Act("technician checks in (3 h before the run)", _visit("check_in", 3)),
                Act("technician logs 1.5 h", _app("log_time", hours=1.5)),
                Act("technician adds an expense", _app("add_expense", category_id=3, amount=18.5)),
                Act("technician posts a message", _app("post_message", message="On site; switch is dead.")),
                Act(
                    "technician uploads a photo",
                    _app("upload", name="closet.jpg", content=PHOTO, mime="image/jpeg"),
                ),
                Act("technician adds closing notes", _app("closing_notes", notes="Replaced the switch.")),
                Act("technician checks out (1 h before the run)", _visit("check_out", 1)),
                Act("technician marks work done", _app("work_done")),
                Act("buyer approves the work once its ticket is Complete", _approve),
            ),
        ),
        Story(
            "a ticket edited in Autotask while the technician works",
            f"{edits} (urgent)",
            "In Progress",
            (
                Act("dispatcher creates a ticket", _ticket(edits)),
                Act("dispatcher sets it to the trigger status", _dispatch),
                Act("dispatcher corrects the description", _edit(description="Jams on tray 2 and tray 3")),
                Act("buyer assigns technician 3002", _app("assign", technician_id=3002)),
                Act("technician posts a message", _app("post_message", message="Ordering a roller kit.")),
                Act("technician adds an expense", _app("add_expense", category_id=1, amount=42.0)),
                Act("dispatcher renames the ticket", _edit(title=f"{edits} (urgent)")),
                Act("technician posts another message", _app("post_message", message="Kit fitted.")),
                Act("technician logs 0.75 h", _app("log_time", hours=0.75)),
                Act("technician uploads a report", _app("upload", name="report.txt", content="aGVsbG8=")),
            ),
        ),
        Story(
            "a work order made in Field Nation becomes a ticket (Outbound Create)",
            badge,
            "Complete",
            (
                Act("buyer creates a work order", _buyer_creates(badge)),
                Act("buyer assigns technician 3003", _app("assign", technician_id=3003)),
                Act("technician posts a message", _app("post_message", message="Reader mounted.")),
                Act("technician adds an expense", _app("add_expense", category_id=2, amount=7.25)),
                Act("technician adds closing notes", _app("closing_notes", notes="Badge reader live.")),
                Act("technician marks work done", _app("work_done")),
                Act("buyer approves the work once its ticket is Complete", _approve),
            ),
        ),
    )


def interleaved(all_stories: tuple[Story, ...]) -> Iterator[tuple[Story, Act]]:
    """One act of each story in turn, as several people working at once."""
    for round_ in zip_longest(*(s.acts for s in all_stories)):
        for story, act in zip(all_stories, round_, strict=True):
            if act is not None:
                yield story, act
