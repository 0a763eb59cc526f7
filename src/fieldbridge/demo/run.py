"""One demo run: start everything, set the connector up, play the story, report; with `serve`, keep
everything running afterwards until Ctrl+C."""

from __future__ import annotations

import json
import signal
import threading
import time
from functools import partial
from typing import Any

from rich.console import Console
from rich.table import Table

from fieldbridge.demo import setup, story
from fieldbridge.demo.scene import CONNECTOR, Scene
from fieldbridge.demo.stack import ADMIN, Stack, started
from fieldbridge.demo.steps import Run


def main(as_json: bool, serve: bool) -> bool:
    """True when every step held."""
    began = time.perf_counter()
    with started() as stack:
        run = Run(stack, CONNECTOR)
        scene = Scene(stack, run)
        for name, action in (*setup.STEPS, *story.STEPS):
            if not run.step(name, partial(action, scene)):
                break
        report: dict[str, Any] = {
            "ok": run.ok,
            "seconds": round(time.perf_counter() - began, 1),
            "steps": [vars(step) for step in run.steps],
        }
        if serve:
            report["serve"] = _addresses(stack)
        _print(report, as_json)
        if serve:
            _wait_for_interrupt()
    return bool(report["ok"])


def _addresses(stack: Stack) -> dict[str, str]:
    return {
        "broker": stack.broker_url,
        "console": f"{stack.broker_url}/",
        "admin_api": f"{stack.broker_url}/docs",
        "autotask": stack.autotask_url,
        "fieldnation": stack.fieldnation_url,
        "username": ADMIN,
        "password": stack.admin_password,
    }


def _print(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, indent=2), flush=True)
        return
    console = Console()
    table = Table(title=f"FieldBridge demo: {len(report['steps'])} steps in {report['seconds']} s")
    # The story column takes what the terminal leaves; the numbers stay narrow.
    table.add_column("#", justify="right")
    table.add_column("step", max_width=24)
    table.add_column("what happened (checked in the emulators)", ratio=1, overflow="fold")
    for column in ("AT calls", "FN calls", "ms"):
        table.add_column(column, justify="right", max_width=6)
    for n, step in enumerate(report["steps"], 1):
        mark = "" if step["ok"] else "[red]FAILED:[/red] "
        table.add_row(
            str(n),
            step["name"],
            mark + step["result"],
            str(step["autotask_calls"]),
            str(step["fieldnation_calls"]),
            f"{step['ms']:.0f}",
        )
    console.print(table)
    console.print("Every step held." if report["ok"] else "[red]The demo stopped at the failed step.[/red]")
    if "serve" in report:
        at = report["serve"]
        console.print(
            f"\nStill running; Ctrl+C stops everything.\n"
            f"  web console         {at['console']}  (open it in a browser)\n"
            f"  login               {at['username']} / {at['password']}\n"
            f"  broker (admin API)  {at['broker']}\n"
            f"  OpenAPI             {at['admin_api']}\n"
            f"  Autotask emulator   {at['autotask']}\n"
            f"  Field Nation emul.  {at['fieldnation']}",
            highlight=False,
        )
    else:
        console.print(
            "\nTo see it all in the web console, run `.venv/bin/fieldbridge demo --serve`: it keeps "
            "everything running and prints the console's address and a login to sign in with.",
            highlight=False,
        )


def _wait_for_interrupt() -> None:
    """Until Ctrl+C, or SIGTERM (what `kill` and service managers send): both stop everything cleanly,
    the temporary data directory included."""
    stop = threading.Event()
    # Both handlers are set here: a process started in the background of a non-interactive shell (a CI
    # script, `make ... &`) inherits SIGINT ignored, and Python then leaves it ignored.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    # In steps: the kernel may hand the signal to any of the stack's threads, and then a wait without a
    # timeout never returns to the interpreter, which runs Python's handlers on the main thread only.
    while not stop.wait(0.5):
        pass
    # A second Ctrl+C interrupts a stop that hangs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
