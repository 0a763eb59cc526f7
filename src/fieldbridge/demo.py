"""`fieldbridge demo`: start both emulators on loopback and drive the parts of FieldBridge that exist, step by
step, printing what each step did, the API calls it cost on each side and how long it took.

Everything runs for real over HTTP: the Autotask and Field Nation clients against the emulators, the default
mapping set through the mapping engine. The sync flows (issue 6) will turn this into the full story.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from fieldbridge.autotask import AutotaskClient, ChildCollection, eq, where
from fieldbridge.fieldnation import Credentials, FieldNationClient
from fieldbridge.mapping import compile_mappings, default_set
from fieldbridge.sandbox.autotask.app import create_app as autotask_app
from fieldbridge.sandbox.fieldnation.app import create_app as fieldnation_app
from fieldbridge.sandbox.server import RunningServer, running


@dataclass
class Step:
    name: str
    result: str
    autotask_calls: int
    fieldnation_calls: int
    ms: float
    ok: bool


class Emulators:
    """Both emulators, started in this process, with their call counters."""

    def __init__(self, autotask: RunningServer, fieldnation: RunningServer, at: Any, fn: Any) -> None:
        self.autotask, self.fieldnation = autotask, fieldnation
        self.at_creds = at.state.emulator.announce(autotask.url)
        self.fn_creds = fn.state.emulator.announce(fieldnation.url)
        self._control = httpx.Client(timeout=10)

    def calls(self) -> tuple[int, int]:
        at = self._control.get(f"{self.autotask.url}/_sim/calls").json()["total"]
        fn = self._control.get(f"{self.fieldnation.url}/_sim/calls").json()["total"]
        return int(at), int(fn)

    def fieldnation_app(self, work_order_id: int, action: str, body: dict[str, Any]) -> list[str]:
        """Act in the Field Nation app as a person would (these are not API calls of ours)."""
        answer = self._control.post(
            f"{self.fieldnation.url}/_sim/workorders/{work_order_id}/{action}", json=body
        )
        if answer.is_error:
            raise RuntimeError(f"the Field Nation app refused '{action}': {answer.text}")
        return list(answer.json()["events"])

    def technician(self) -> int:
        seed = self._control.get(f"{self.fieldnation.url}/_sim/seed").json()
        return int(seed["technicians"][0]["id"])


@contextmanager
def emulators() -> Iterator[Emulators]:
    at, fn = autotask_app(), fieldnation_app()
    with ExitStack() as stack:
        at_server = stack.enter_context(running(at))
        fn_server = stack.enter_context(running(fn))
        at.state.emulator.set_base_url(at_server.url)
        fn.state.emulator.set_base_url(fn_server.url)
        yield Emulators(at_server, fn_server, at, fn)


def run_story(env: Emulators) -> list[Step]:
    steps: list[Step] = []
    at_creds, fn_creds = env.at_creds, env.fn_creds
    autotask = AutotaskClient(
        at_creds["username"], at_creds["secret"], at_creds["integration_code"], discovery_url=env.autotask.url
    )
    fieldnation = FieldNationClient(
        fn_creds["url"],
        Credentials(
            fn_creds["client_id"], fn_creds["client_secret"], fn_creds["username"], fn_creds["password"]
        ),
    )
    state: dict[str, Any] = {}

    def step(name: str, action: Callable[[], str]) -> bool:
        before = env.calls()
        started = time.perf_counter()
        try:
            result, ok = action(), True
        except Exception as exc:  # the demo reports any failure as its step's result
            result, ok = f"{type(exc).__name__}: {exc}", False
        elapsed = (time.perf_counter() - started) * 1000
        after = env.calls()
        steps.append(Step(name, result, after[0] - before[0], after[1] - before[1], round(elapsed, 1), ok))
        return ok

    def connect() -> str:
        info = autotask.threshold()
        return (
            f"zone {autotask.zone_url()}; {info.current_timeframe_request_count}"
            f"/{info.external_request_threshold} requests this hour"
        )

    def refresh_fields() -> str:
        status = next(f for f in autotask.fields("Tickets") if f.name.lower() == "status")
        labels = {p.label: int(p.value) for p in status.picklist_values}
        state["statuses"] = labels
        udfs = autotask.user_defined_fields("Tickets")
        return (
            f"{len(labels)} ticket statuses (New = {labels['New']}, Complete = {labels['Complete']}), "
            f"{len(udfs)} ticket UDFs"
        )

    def find_tickets() -> str:
        dispatch = state["statuses"]["Dispatch to Field"]
        tickets = list(autotask.query("Tickets", where(eq("status", dispatch))))
        state["ticket"] = tickets[0]
        return f"{len(tickets)} tickets in 'Dispatch to Field' ({dispatch}): {[t['id'] for t in tickets]}"

    def map_ticket() -> str:
        document = compile_mappings(default_set(), "inbound").apply(state["ticket"])
        state["document"] = document
        return f"default inbound mappings gave {sorted(document)}"

    def create_work_order() -> str:
        doc, ticket = state["document"], state["ticket"]
        work_order = fieldnation.workorders.create(
            {
                "title": str(doc.get("title") or ticket["title"]),
                "description": {"html": str(doc.get("description") or "")},
                "correlation_id": str(ticket["id"]),
            }
        )
        state["work_order"] = work_order.id
        return f"work order {work_order.id} for ticket {ticket['id']}"

    def technician_works() -> str:
        wo, tech = state["work_order"], env.technician()
        fieldnation.workorders.publish(wo)
        fired: list[str] = []
        fired += env.fieldnation_app(wo, "route", {"technician_id": tech})
        fired += env.fieldnation_app(wo, "accept", {"technician_id": tech})
        fired += env.fieldnation_app(wo, "confirm", {})
        fired += env.fieldnation_app(wo, "check_in", {})
        fired += env.fieldnation_app(wo, "log_time", {"hours": 1.5})
        return f"events fired: {', '.join(fired)}"

    def read_back() -> str:
        logs = fieldnation.time_logs.list(state["work_order"])
        return f"{len(logs)} time log(s) on work order {state['work_order']}"

    def note_on_ticket() -> str:
        ticket = state["ticket"]["id"]
        note = autotask.create(
            ChildCollection("Tickets", ticket, "Notes"),
            {
                "title": "Field Nation",
                "description": f"Work order {state['work_order']} created and assigned.",
                "noteType": 2,
                "publish": 2,
            },
        )
        return f"note {note} on ticket {ticket}"

    try:
        for name, action in (
            ("Autotask: zone discovery and authentication", connect),
            ("Autotask: Refresh Fields (statuses, UDFs)", refresh_fields),
            ("Autotask: tickets waiting for dispatch", find_tickets),
            ("Mapping: ticket through the default inbound set", map_ticket),
            ("Field Nation: token and a new work order", create_work_order),
            ("Field Nation: publish; app: technician routed, checks in, logs time", technician_works),
            ("Field Nation: read the work order's time logs", read_back),
            ("Autotask: note on the ticket", note_on_ticket),
        ):
            if not step(name, action):
                break
    finally:
        autotask.close()
        fieldnation.close()
    return steps


def demo(as_json: bool = typer.Option(False, "--json", help="Print the steps as one JSON document.")) -> None:
    """Start both emulators and drive FieldBridge's parts against them, step by step."""
    with emulators() as env:
        steps = run_story(env)
    ok = len(steps) == 8 and all(s.ok for s in steps)
    if as_json:
        typer.echo(json.dumps({"ok": ok, "steps": [asdict(s) for s in steps]}, indent=2))
    else:
        table = Table(title="FieldBridge demo (emulators on loopback)")
        for column in ("#", "step", "what happened", "AT calls", "FN calls", "ms"):
            table.add_column(column, overflow="fold")
        for n, s in enumerate(steps, 1):
            mark = "" if s.ok else "[red]FAILED[/red] "
            table.add_row(
                str(n), s.name, mark + s.result, str(s.autotask_calls), str(s.fieldnation_calls), str(s.ms)
            )
        Console().print(table)
    raise typer.Exit(0 if ok else 1)
