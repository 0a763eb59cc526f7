"""`fieldbridge backfill` and `fieldbridge reconcile`: the sync flows' pollers, run by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from fieldbridge.settings import Settings
from fieldbridge.terminal import CliError, console

if TYPE_CHECKING:
    from fieldbridge.jobs.consumer import Parts
    from fieldbridge.store.connectors import ConnectorConfig
    from fieldbridge.store.inbox import Hint
    from fieldbridge.sync.backfill_rules import Tally


def backfill(
    connector: str = typer.Option(..., help="The connector's name."),
    where: Annotated[
        list[str] | None,
        typer.Option(
            help="A condition, FIELD=VALUE or FIELD=V1,V2 (any of); repeat for several (all must hold)."
        ),
    ] = None,
    restart: bool = typer.Option(False, help="Start over instead of resuming an interrupted backfill."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Count what would be loaded (new, or linked already); load nothing."
    ),
    yes: bool = typer.Option(False, "--yes", help="Without --where, load without asking first."),
    concurrency: int | None = typer.Option(
        None,
        min=1,
        max=32,
        help="Records loaded at once (default 6); their Autotask calls wait within the shared limits.",
    ),
) -> None:
    """Load every open ticket matching the conditions through the normal inbound path; resumable. Ends with
    what it came to: created, updated, skipped (and why), failed (and why)."""
    from fieldbridge.autotask.service_objects import SERVICE_OBJECTS
    from fieldbridge.sync.backfill import CONCURRENCY
    from fieldbridge.sync.backfill import backfill as run
    from fieldbridge.sync.backfill_rules import Tally, WhereError

    parts, config = _open(connector)
    if not where and not yes and not dry_run:
        _confirm_all(connector)
    tally = Tally()
    process = _counted(parts, config, tally) if dry_run else _loaded(parts, config, tally)
    columns = (TextColumn("Backfill"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=console(), transient=True) as bar:
            task = bar.add_task("backfill", total=None)
            result = run(
                parts.db,
                config,
                parts.settings.sync,
                process,
                where or [],
                restart=restart,
                dry_run=dry_run,
                concurrency=concurrency or CONCURRENCY,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except WhereError as error:
        raise CliError(
            f"--where: {error}.",
            f"name the fields as Autotask does (`fieldbridge connectors catalog {connector} --entity "
            f"{SERVICE_OBJECTS[config.service_object].endpoint}` lists them).",
            code=2,
        ) from None
    except KeyboardInterrupt:
        console().print("Interrupted. Run the same command again to resume where it stopped.")
        raise typer.Exit(130) from None
    resumed = f" (resumed after id {result.resumed_after})" if result.resumed_after else ""
    if dry_run:
        console().print(f"Dry run: {result.done} open record(s) match{resumed}; nothing was loaded.")
    else:
        console().print(f"Backfill done: {result.done} record(s) through the inbound flow{resumed}.")
    for line in tally.lines():
        console().print(line)
    if tally.counts["failed"]:
        raise typer.Exit(1)


def _confirm_all(connector: str) -> None:
    question = f"No --where: every open ticket of {connector} will be loaded into Field Nation. Continue?"
    try:
        go_on = typer.confirm(question)
    except typer.Abort:
        go_on = False
    if not go_on:
        raise CliError(
            "Backfill cancelled: nothing was loaded.",
            "narrow it with --where FIELD=VALUE, see how many match with --dry-run, or confirm with --yes.",
        )


def _loaded(parts: Parts, config: ConnectorConfig, tally: Tally) -> Callable[[Hint], None]:
    """Each record through the inbound flow, in this process, and what it came to."""
    from fieldbridge.jobs.outcome import Outcome
    from fieldbridge.store import history, inbox
    from fieldbridge.sync.backfill_rules import loaded_before, outcome

    # Its own events only: the events of the pairs it links (the work orders' own webhooks) are the
    # workers', in their processes, while this one's threads queue for its write turns.
    processor = parts.processor(drain_limit=1)

    def process(hint: Hint) -> None:
        # Processed here, so the related records this process fetched in batches are used; a failure is
        # retried by the workers like any other event.
        accepted = inbox.accept(parts.db, config.id, hint, datetime.now(UTC))
        if not accepted.duplicate:
            processor.process(accepted.event_id)
        with parts.db.read() as session:  # no write turn: six loaders queue for SQLite's one write lock
            event = inbox.get(session, accepted.event_id)
            assert event is not None
            stored = [h.outcome for h in history.for_event(session, accepted.event_id) if h.outcome]
            status, error = event.status, event.last_error
        if accepted.duplicate:
            tally.add(loaded_before(status))
        else:
            tally.add(outcome(status, Outcome.from_data(stored[-1]) if stored else None, error))

    return process


def _counted(parts: Parts, config: ConnectorConfig, tally: Tally) -> Callable[[Hint], None]:
    """A dry run: whether each record would make a work order or update its linked one."""
    from fieldbridge.sync import pairs
    from fieldbridge.sync.backfill_rules import Outcome

    def count(hint: Hint) -> None:
        with parts.db.transaction() as session:
            linked = pairs.find(session, config.id, "autotask", hint.entity, hint.record_id) is not None
        tally.add(Outcome("updated" if linked else "created"))

    return count


def reconcile(connector: str = typer.Option(..., help="The connector's name.")) -> None:
    """Run one reconciler pass now; the workers process what it finds."""
    from fieldbridge.jobs import intake
    from fieldbridge.sync.reconcile import reconcile as run

    parts, config = _open(connector)

    def submit(hint: Hint) -> None:
        intake.submit(parts.db, parts.queue, config.id, hint, datetime.now(UTC))

    done = run(parts.db, config, parts.settings.sync, submit, datetime.now(UTC))
    console().print(
        f"Read {done.changed} record(s) changed since {done.since:%Y-%m-%d %H:%M:%S} UTC; queued "
        f"{done.autotask_hints} Autotask and {done.fieldnation_hints} Field Nation check(s)."
    )


def _open(name: str) -> tuple[Parts, ConnectorConfig]:
    from fieldbridge.jobs.consumer import open_parts
    from fieldbridge.store import connectors

    parts = open_parts(Settings(), create=False)
    with parts.db.transaction() as session:
        row = connectors.get(session, name)
        if row is None:
            raise CliError(
                f"There is no connector named {name!r}.", "see `fieldbridge connectors list` for the names."
            )
        if not row.enabled:
            raise CliError(
                f"Connector {name} is disabled.", f"enable it: `fieldbridge connectors enable {name}`."
            )
        return parts, connectors.config(row, parts.box, parts.settings.default_integration_code)
