"""`fieldbridge backfill` and `fieldbridge reconcile`: the sync flows' pollers, run by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from fieldbridge.settings import Settings
from fieldbridge.terminal import console

if TYPE_CHECKING:
    from fieldbridge.jobs.consumer import Parts
    from fieldbridge.store.connectors import ConnectorConfig


def backfill(
    connector: str = typer.Option(..., help="The connector's name."),
    where: Annotated[
        list[str] | None,
        typer.Option(
            help="A condition, FIELD=VALUE or FIELD=V1,V2 (any of); repeat for several (all must hold)."
        ),
    ] = None,
    restart: bool = typer.Option(False, help="Start over instead of resuming an interrupted backfill."),
) -> None:
    """Load every open ticket matching the conditions through the normal inbound path; resumable."""
    from fieldbridge.store import inbox
    from fieldbridge.store.inbox import Hint
    from fieldbridge.sync.backfill import backfill as run
    from fieldbridge.sync.backfill_rules import WhereError

    parts, config = _open(connector)
    processor = parts.processor()

    def process(hint: Hint) -> None:
        # Processed here, so the related records this process fetched in batches are used; a failure is
        # retried by the workers like any other event.
        accepted = inbox.accept(parts.db, config.id, hint, datetime.now(UTC))
        if not accepted.duplicate:
            processor.process(accepted.event_id)

    columns = (TextColumn("Backfill"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=console()) as bar:
            task = bar.add_task("backfill", total=None)
            result = run(
                parts.db,
                config,
                parts.settings.sync,
                process,
                where or [],
                restart=restart,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except WhereError as error:
        raise typer.BadParameter(str(error), param_hint="--where") from None
    except KeyboardInterrupt:
        console().print("Interrupted. Run the same command again to resume where it stopped.")
        raise typer.Exit(130) from None
    resumed = f" (resumed after id {result.resumed_after})" if result.resumed_after else ""
    console().print(f"Backfill done: {result.done} record(s) through the inbound flow{resumed}.")


def reconcile(connector: str = typer.Option(..., help="The connector's name.")) -> None:
    """Run one reconciler pass now; the workers process what it finds."""
    from fieldbridge.jobs import intake
    from fieldbridge.store.inbox import Hint
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

    parts = open_parts(Settings())
    with parts.db.transaction() as session:
        row = connectors.get(session, name)
        if row is None:
            raise typer.BadParameter(f"there is no connector named {name!r}", param_hint="--connector")
        return parts, connectors.config(row, parts.box, parts.settings.default_integration_code)
