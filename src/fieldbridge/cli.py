"""The `fieldbridge` command: each group lives beside the code it drives."""

from __future__ import annotations

import typer

from fieldbridge.sandbox.cli import sim_app

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Keep Autotask PSA and Field Nation in sync.")
app.add_typer(sim_app, name="sim")


if __name__ == "__main__":
    app()
