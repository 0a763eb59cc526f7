"""The README's "Setting up a real connector", played command by command as it is written (the commands are
read from the README, so the two cannot drift) against both emulators, then a ticket synced both ways. Not
one call to the admin API is made by hand: the people in the story act in the emulators' apps (`/_sim/`).

Where the README has a person put in a value (`export NAME=...`, `NAME=... fieldbridge ...`), the test puts
in the emulators' (every name the README exports must be one the test knows). Besides, the environment says
where the data directory is, the port `serve` listens on, and the Autotask emulator's discovery URL and
integration code, as the README tells a person trying the emulators to export.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from fieldbridge.fieldnation import FieldNationClient
from tests.integration.cli.commands import Env, fieldbridge
from tests.support.emulators import FIELDBRIDGE, AutotaskSim, FieldNationSim
from tests.support.smtp import free_port
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[3]
SECTION = "## Setting up a real connector"
PASSWORD = "a long enough password for alice"
TICKET, DISPATCHER, DISPATCH_TO_FIELD, IN_PROGRESS = 7002, 29682887, 24, 22
TECHNICIAN = 3001
CLOSING_NOTES = "Both workstations set up and joined to the domain."


def readme_commands() -> list[list[str]]:
    """The section's shell lines as words, comments left out, in order."""
    text = (ROOT / "README.md").read_text()
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    lines = [line for block in re.findall(r"```sh\n(.*?)```", section, re.S) for line in block.splitlines()]
    return [words for words in (shlex.split(line, comments=True) for line in lines) if words]


@pytest.mark.long
def test_the_readme_sets_a_connector_up_and_a_ticket_syncs_both_ways(
    env: Env,
    autotask_sim: AutotaskSim,
    fn_sim: FieldNationSim,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    commands = readme_commands()
    assert ["fieldbridge", "apply", "-f", "examples/connector.yaml"] in commands
    assert commands[-1] == ["fieldbridge", "serve"]
    port = free_port()
    announced, fn = autotask_sim.creds, fn_sim.announced
    values = {
        "FIELDBRIDGE_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "FIELDBRIDGE_AUTOTASK_SECRET": announced["secret"],
        "ACME_AUTOTASK_URL": autotask_sim.url,
        "ACME_AUTOTASK_SECRET": announced["secret"],
        "ACME_AUTOTASK_INTEGRATION_CODE": announced["integration_code"],
        "ACME_FIELDNATION_URL": fn_sim.url,
        "ACME_FIELDNATION_CLIENT_ID": fn["client_id"],
        "ACME_FIELDNATION_CLIENT_SECRET": fn["client_secret"],
        "ACME_FIELDNATION_PASSWORD": fn["password"],
    }
    shell: Env = env | {
        "FIELDBRIDGE_MASTER_KEY": None,  # generated into the data directory, as the README says
        "FIELDBRIDGE_PORT": str(port),
        "FIELDBRIDGE_AUTOTASK_DISCOVERY_URL": autotask_sim.url,
        "FIELDBRIDGE_AUTOTASK_INTEGRATION_CODE": announced["integration_code"],
    }
    monkeypatch.chdir(ROOT)  # the README's paths are the repository's

    for words in commands[:-1]:
        if words[0] == "export":
            shell |= _assigned(words[1:], values)
            continue
        given = [word for word in words if "=" in word and word.split("=")[0].isupper()]
        program = words[len(given) :]
        assert program[0] == "fieldbridge", words
        result = fieldbridge(shell | _assigned(given, values), *program[1:], stdin=f"{PASSWORD}\n" * 2)
        assert result.exit_code == 0, f"{shlex.join(words)}\n{result.output}"

    with _serving(shell, tmp_path / "serve.log"):
        autotask_sim.ui_edit(TICKET, DISPATCHER, status=DISPATCH_TO_FIELD)
        work_order = wait_until(lambda: _created(fn_sim), timeout=30, what="the ticket's work order")
        with FieldNationClient(fn_sim.url, fn_sim.credentials) as client:
            made = client.workorders.get(work_order)
        assert (made.correlation_id, made.title) == (str(TICKET), _ticket(autotask_sim)["title"])

        fn_sim.act(work_order, "route", technician_id=TECHNICIAN)
        fn_sim.act(work_order, "accept", technician_id=TECHNICIAN)
        wait_until(
            lambda: _ticket(autotask_sim)["status"] == IN_PROGRESS, timeout=30, what="the ticket In Progress"
        )
        fn_sim.act(work_order, "closing_notes", notes=CLOSING_NOTES)
        wait_until(
            lambda: _ticket(autotask_sim)["resolution"] == CLOSING_NOTES,
            timeout=30,
            what="the closing notes as the ticket's Resolution",
        )


def _assigned(assignments: list[str], values: dict[str, str]) -> Env:
    """`NAME=...` as the person would set it: each name one the test has a value for."""
    names = [assignment.split("=", 1)[0] for assignment in assignments]
    unknown = [name for name in names if name not in values]
    assert not unknown, f"the README sets {unknown}: give the test a value for each"
    return {name: values[name] for name in names}


@contextmanager
def _serving(shell: Env, log: Path) -> Iterator[None]:
    """`fieldbridge serve` as its own process (it runs until stopped), once its first line says it listens;
    its log to a file, so a full pipe never stalls it."""
    variables = {name: value for name, value in (dict(os.environ) | shell).items() if value is not None}
    with log.open("w") as errors:
        process = subprocess.Popen(
            [FIELDBRIDGE, "serve"],
            env=variables,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        assert process.stdout is not None
        first: list[str] = []
        reader = threading.Thread(target=lambda: first.append(process.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout=60)
        try:
            if not (first and first[0].startswith('{"url": ')):
                process.kill()
                pytest.fail(f"fieldbridge serve did not start:\n{log.read_text()}")
            yield
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                process.wait(timeout=30)
            process.stdout.close()


def _created(fn_sim: FieldNationSim) -> int | None:
    events = fn_sim.control.get("/_sim/events").json()["items"]
    made = [int(event["work_order_id"]) for event in events if event["name"] == "workorder.created"]
    return made[0] if made else None


def _ticket(autotask_sim: AutotaskSim) -> dict[str, Any]:
    return next(ticket for ticket in autotask_sim.records("Tickets") if ticket["id"] == TICKET)
