"""Child records: what each Field Nation record under a work order (time log, expense, message, file)
becomes under its ticket in Autotask, planned by one pure step and written by one executor.

A `ChildKind` states, for one kind, the entities its links name, whether Autotask's copy follows later
edits, and its delete policy: what happens to Autotask's copy when the Field Nation record is gone. `plan`
compares the children Field Nation holds now with the linked ones and decides the creates, updates and
deletes; `write` carries a plan out, every create through `creates.create_once`, so each record is made
once however the network answers, and each write is linked in the transaction that settles it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from fieldbridge.autotask import AutotaskError
from fieldbridge.jobs.handlers import JobFailed
from fieldbridge.sync import creates, pairs
from fieldbridge.sync.context import Context, utcnow
from fieldbridge.sync.fingerprint import fingerprint
from fieldbridge.sync.pairs import Pair

DeletePolicy = Literal["delete", "warn", "keep"]
"""What becomes of Autotask's copy when the Field Nation record is gone. `delete`: it is deleted too; `warn`:
it stays, since Autotask's API cannot delete it, and the history says so with the fix; `keep`: it stays
(messages cannot be deleted in Field Nation)."""


@dataclass(frozen=True)
class ChildKind:
    noun: str
    """How history names one: "time entry"."""
    fieldnation_entity: str
    autotask_entity: str
    follows_edits: bool
    """False for records Field Nation cannot edit (messages) or that are written once (files)."""
    on_delete: DeletePolicy


@dataclass(frozen=True)
class Wanted:
    """A child as Autotask should hold it."""

    fieldnation_id: int
    written: dict[str, Any]
    """What is written (or, for a file, its name and size): the link's fingerprint is taken from it."""
    source: dict[str, Any]
    """The Field Nation record, for writers that need more than `written` (a file's folder)."""


@dataclass(frozen=True)
class Linked:
    fieldnation_id: int
    autotask_id: int
    fingerprint: str


@dataclass(frozen=True)
class ChildPlan:
    create: tuple[Wanted, ...]
    update: tuple[tuple[Wanted, Linked], ...]
    delete: tuple[Linked, ...]


def plan(
    kind: ChildKind, wanted: Sequence[Wanted], present: Set[int], linked: Mapping[int, Linked]
) -> ChildPlan:
    """`wanted`: the children to be written now; `present`: the ids of every child Field Nation still has
    (an open time log is present but not wanted yet); `linked`: the children written before, by id."""
    return ChildPlan(
        create=tuple(w for w in wanted if w.fieldnation_id not in linked),
        update=tuple(
            (w, linked[w.fieldnation_id])
            for w in wanted
            if kind.follows_edits
            and w.fieldnation_id in linked
            and linked[w.fieldnation_id].fingerprint != fingerprint(w.written)
        ),
        delete=tuple(
            link for fid, link in sorted(linked.items()) if fid not in present and kind.on_delete != "keep"
        ),
    )


@dataclass(frozen=True)
class Writer:
    """How one kind is found, created, updated and deleted in Autotask, for one pair."""

    kind: ChildKind
    find: Callable[[Wanted], int | None]
    """The Autotask record made for this child, found by its marker."""
    create: Callable[[Wanted], int]
    update: Callable[[int, Wanted], None] | None = None
    """For kinds that follow edits."""
    delete: Callable[[Linked], bool] | None = None
    """For kinds deleted with their Field Nation record; False when the copy had to stay (the history says
    why). Its link goes either way."""


def write(ctx: Context, pair: Pair, writer: Writer, wanted: Sequence[Wanted], present: Set[int]) -> list[str]:
    """Carry out the plan for one kind; what was done, for the history."""
    kind = writer.kind
    with ctx.job.db.transaction() as session:
        linked = {
            fid: Linked(fid, link.autotask_id, link.fingerprint)
            for fid, link in pairs.children(session, pair, kind.fieldnation_entity).items()
        }
    todo = plan(kind, wanted, present, linked)
    done = []
    for child in todo.create:
        what = f"the {kind.noun} for {kind.fieldnation_entity} {child.fieldnation_id}"
        create = creates.Create(
            key=f"{kind.autotask_entity}<-{kind.fieldnation_entity}:{child.fieldnation_id}",
            what=what,
            find=lambda child=child: writer.find(child),  # type: ignore[misc]
            send=lambda child=child: writer.create(child),  # type: ignore[misc]
        )
        with refused(f"Autotask refused {what}"):
            autotask_id = creates.create_once(ctx, create)
        _link(ctx, pair, kind, child, autotask_id, settles=create.key)
        done.append(f"{kind.noun} {autotask_id} created")
    for child, link in todo.update:
        assert writer.update is not None, f"{kind.noun} follows edits but has no update"
        with refused(f"Autotask refused the update of {kind.noun} {link.autotask_id}"):
            writer.update(link.autotask_id, child)
        _link(ctx, pair, kind, child, link.autotask_id)
        done.append(f"{kind.noun} {link.autotask_id} updated")
    for link in todo.delete:
        gone = f"{kind.fieldnation_entity.replace('_', ' ')} {link.fieldnation_id} is gone"
        if kind.on_delete == "warn":
            ctx.note(
                "warning",
                "skipped",
                f"The {gone.replace(' is gone', '')} was deleted in Field Nation, but {kind.noun} "
                f"{link.autotask_id} stays in Autotask: Autotask's API cannot delete a {kind.noun}.",
                f"Delete {kind.noun} {link.autotask_id} in Autotask by hand if it should not count.",
            )
            deleted = False
        else:
            assert writer.delete is not None, f"{kind.noun} is deleted with its record but has no delete"
            with refused(f"Autotask refused to delete {kind.noun} {link.autotask_id}"):
                deleted = writer.delete(link)
        with ctx.job.db.transaction() as session:
            pairs.unlink_child(session, pair, kind.fieldnation_entity, link.fieldnation_id)
        if deleted:
            done.append(f"{kind.noun} {link.autotask_id} deleted ({gone})")
    return done


def _link(
    ctx: Context, pair: Pair, kind: ChildKind, child: Wanted, autotask_id: int, settles: str | None = None
) -> None:
    with ctx.job.db.transaction() as session:
        pairs.save_child(
            session,
            ctx.job.connector.id,
            pair,
            (kind.autotask_entity, autotask_id),
            (kind.fieldnation_entity, child.fieldnation_id),
            child.written,
            utcnow(),
        )
        if settles is not None:
            creates.settled(session, ctx.job.connector.id, settles)


@contextmanager
def refused(what: str) -> Iterator[None]:
    """An Autotask failure becomes a JobFailed with the client's cause and fix (the worker retries it)."""
    try:
        yield
    except AutotaskError as error:
        raise JobFailed(f"{what}: {error}", error.cause.fix if error.cause else None) from error
