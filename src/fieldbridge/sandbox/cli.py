"""`fieldbridge sim autotask|fieldnation`: run an emulator on loopback."""

from __future__ import annotations

import typer

sim_app = typer.Typer(no_args_is_help=True, help="Run the Autotask or Field Nation emulator on loopback.")
