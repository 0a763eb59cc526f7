"""The `fieldbridge demo` command. The emulators, the broker and the story are imported only when it runs:
they take seconds to import, and every other command (and `--help`) should not pay for them."""

from __future__ import annotations

import typer


def demo(
    as_json: bool = typer.Option(False, "--json", help="Print the steps as one JSON document."),
    serve: bool = typer.Option(
        False, "--serve", help="Keep everything running afterwards and print the URLs and the admin login."
    ),
) -> None:
    """Start both emulators and the broker, set a connector up and play a ticket's story end to end;
    exit 0 only when every step held."""
    from fieldbridge.demo.run import main

    raise typer.Exit(0 if main(as_json, serve) else 1)
