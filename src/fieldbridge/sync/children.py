"""Child records: what a record under a work order (time log, expense, message, file) becomes under its
ticket, and what a ticket's note becomes under its work order, planned by one pure step and written by one
executor.

A `ChildKind` states, for one kind, the entities its links name, which side it is copied from, whether the
copy follows later edits, and its delete policy: what becomes of the copy when the original is gone. `plan`
compares the children the origin holds now with the linked ones and decides the creates, updates and
deletes; `write` carries a plan out, every create through `creates.create_once`, so each copy is made once
however the network answers, and each write is linked in the transaction that settles it. Both directions
share the link entities (a note and a message are linked the same way whichever was first), so a copy is
never copied back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from fieldbridge.autotask import AutotaskError
from fieldbridge.fieldnation import FieldNationError
from fieldbridge.jobs.handlers import JobFailed
from fieldbridge.jobs.outcome import Write
from fieldbridge.store.tables import Link
from fieldbridge.sync import creates, pairs
from fieldbridge.sync.context import Context, utcnow
from fieldbridge.sync.fingerprint import fingerprint
from fieldbridge.sync.pairs import Pair

Side = Literal["autotask", "fieldnation"]

Written = dict[str, Any]
"""What a copy is written with: the fields sent (for a file, its name and size). The link's fingerprint is
taken from it, so an edit of the original that changes it is an update."""

S = TypeVar("S")
"""The original as the flow read it: a Field Nation `TimeLog`, `Expense`, `Message`; an Autotask note."""

DeletePolicy = Literal["delete", "void", "keep"]
"""What becomes of the copy when the original is gone. `delete`: it is deleted too; `void`: the API cannot
delete it, so it is emptied (an expense item: amount 0, not billable, marked in its description) and the
history says so with the fix; `keep`: it stays (the original cannot be deleted, or the copy is a message,
which Field Nation's API cannot delete)."""


@dataclass(frozen=True)
class ChildKind:
    noun: str
    """How history names a copy: "time entry"."""
    autotask_entity: str
    fieldnation_entity: str
    origin: Side
    """The side whose records are copied to the other."""
    follows_edits: bool
    """False for copies written once (messages cannot be edited; a file is written as it was)."""
    on_delete: DeletePolicy

    @property
    def origin_entity(self) -> str:
        return self.fieldnation_entity if self.origin == "fieldnation" else self.autotask_entity

    @property
    def copy_entity(self) -> str:
        return self.autotask_entity if self.origin == "fieldnation" else self.fieldnation_entity


@dataclass(frozen=True)
class Wanted(Generic[S]):
    """A child as the other side should hold it."""

    origin_id: int
    written: Written
    source: S
    """The original, for writers that need more than `written` (an expense's date, a file's folder)."""


@dataclass(frozen=True)
class Linked:
    origin_id: int
    copy_id: int
    fingerprint: str
    link_id: int = 0


@dataclass(frozen=True)
class ChildPlan(Generic[S]):
    create: tuple[Wanted[S], ...]
    update: tuple[tuple[Wanted[S], Linked], ...]
    delete: tuple[Linked, ...]


def plan(
    kind: ChildKind, wanted: Sequence[Wanted[S]], present: Set[int], linked: Mapping[int, Linked]
) -> ChildPlan[S]:
    """`wanted`: the children to be copied now; `present`: the ids of every original still there (an open
    time log is present but not wanted yet); `linked`: the children copied before, by original id."""
    return ChildPlan(
        create=tuple(w for w in wanted if w.origin_id not in linked),
        update=tuple(
            (w, linked[w.origin_id])
            for w in wanted
            if kind.follows_edits
            and w.origin_id in linked
            and linked[w.origin_id].fingerprint != fingerprint(w.written)
        ),
        delete=tuple(
            link
            for origin_id, link in sorted(linked.items())
            if origin_id not in present and kind.on_delete != "keep"
        ),
    )


@dataclass(frozen=True)
class Writer(Generic[S]):
    """How copies of one kind are found, created, updated and deleted, for one pair."""

    kind: ChildKind
    find: Callable[[Wanted[S]], int | None]
    """The copy made for this child, found by its marker."""
    create: Callable[[Wanted[S]], int]
    update: Callable[[int, Wanted[S]], None] | None = None
    """For kinds that follow edits."""
    delete: Callable[[Linked], bool] | None = None
    """For kinds deleted (or voided) with their original; False when the copy had to stay as it was (the
    history says why). Its link goes either way."""


def write(
    ctx: Context, pair: Pair, writer: Writer[S], wanted: Sequence[Wanted[S]], present: Set[int]
) -> list[Write]:
    """Carry out the plan for one kind; the writes made."""
    kind = writer.kind
    with ctx.job.db.read() as session:  # no turn at the write lock: only the pair's holder changes them
        rows = pairs.child_links(session, pair, kind.autotask_entity, kind.fieldnation_entity)
        linked = {link.origin_id: link for link in (_linked(kind, row) for row in rows)}
    todo = plan(kind, wanted, present, linked)
    done: list[Write] = []
    for child in todo.create:
        what = f"the {kind.noun} for {kind.origin_entity} {child.origin_id}"
        create = creates.Create(
            key=f"{kind.copy_entity}<-{kind.origin_entity}:{child.origin_id}",
            what=what,
            find=lambda child=child: writer.find(child),  # type: ignore[misc]
            send=lambda child=child: writer.create(child),  # type: ignore[misc]
        )
        with refused(f"{what} was refused"):
            copy_id = creates.create_once(ctx, create).id
        _link(ctx, pair, kind, child, copy_id, settles=create.key)
        done.append(Write("created", kind.noun, copy_id))
    for child, link in todo.update:
        assert writer.update is not None, f"{kind.noun} follows edits but has no update"
        with refused(f"The update of {kind.noun} {link.copy_id} was refused"):
            writer.update(link.copy_id, child)
        _link(ctx, pair, kind, child, link.copy_id)
        done.append(Write("updated", kind.noun, link.copy_id))
    for link in todo.delete:
        assert writer.delete is not None, f"{kind.noun} goes with its original but has no delete"
        with refused(f"The delete of {kind.noun} {link.copy_id} was refused"):
            removed = writer.delete(link)
        with ctx.job.db.transaction() as session:
            pairs.unlink(session, link.link_id)
        if removed:
            done.append(_removed(ctx, kind, link))
    return done


def _removed(ctx: Context, kind: ChildKind, link: Linked) -> Write:
    original = f"{kind.origin_entity.replace('_', ' ')} {link.origin_id}"
    if kind.on_delete == "delete":
        return Write("deleted", kind.noun, link.copy_id, f"{original} is gone")
    service = "Autotask" if kind.origin == "fieldnation" else "Field Nation"
    ctx.job.skip(
        f"{original.capitalize()} is gone; {kind.noun} {link.copy_id} was voided in {service} (its amount "
        f"is 0 and it is not billable), since {service}'s API cannot delete one.",
        f"Delete {kind.noun} {link.copy_id} in {service} by hand to take it off the report.",
    )
    return Write("updated", kind.noun, link.copy_id, f"voided: {original} is gone")


def _linked(kind: ChildKind, row: Link) -> Linked:
    if kind.origin == "fieldnation":
        return Linked(row.fieldnation_id, row.autotask_id, row.fingerprint, row.id)
    return Linked(row.autotask_id, row.fieldnation_id, row.fingerprint, row.id)


def _link(
    ctx: Context, pair: Pair, kind: ChildKind, child: Wanted[Any], copy_id: int, settles: str | None = None
) -> None:
    ids = (copy_id, child.origin_id) if kind.origin == "fieldnation" else (child.origin_id, copy_id)
    with ctx.job.db.transaction() as session:
        pairs.save_child(
            session,
            ctx.job.connector.id,
            pair,
            (kind.autotask_entity, ids[0]),
            (kind.fieldnation_entity, ids[1]),
            child.written,
            utcnow(),
        )
        if settles is not None:
            creates.settled(session, ctx.job.connector.id, settles)


@contextmanager
def refused(what: str) -> Iterator[None]:
    """A service's refusal becomes a JobFailed with the cause and, from Autotask, the fix (retried)."""
    try:
        yield
    except AutotaskError as error:
        raise JobFailed(f"{what} by Autotask: {error.diagnosis}", error.fix) from error
    except FieldNationError as error:
        raise JobFailed(f"{what} by Field Nation: {error}") from error
