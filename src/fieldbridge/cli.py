"""The `fieldbridge` command: each group lives beside the code it drives."""

from __future__ import annotations

import typer

from fieldbridge.checks.cli import check, reference, webhooks_app
from fieldbridge.demo.command import demo
from fieldbridge.jobs.cli import events_app, import_ticket, worker
from fieldbridge.mapping.cli import mappings_app
from fieldbridge.sandbox.cli import sim_app
from fieldbridge.store.cli import admin_app
from fieldbridge.sync.cli import backfill, reconcile
from fieldbridge.web.cli import connectors_app, serve

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Keep Autotask PSA and Field Nation in sync."
)
app.add_typer(sim_app, name="sim")
app.command("demo")(demo)
app.command("serve")(serve)
app.command("worker")(worker)
app.command("import")(import_ticket)
app.command("backfill")(backfill)
app.command("reconcile")(reconcile)
app.add_typer(admin_app, name="admin")
app.add_typer(connectors_app, name="connectors")
app.add_typer(events_app, name="events")
app.add_typer(mappings_app, name="mappings")
app.command("check")(check)
app.add_typer(webhooks_app, name="webhooks")
app.command("reference")(reference)


if __name__ == "__main__":
    app()
