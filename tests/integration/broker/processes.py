"""Real `fieldbridge serve` and `fieldbridge worker` processes for the crash and concurrency tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support import wait_until

REPO = Path(__file__).resolve().parents[3]
HANDLERS = "tests.integration.broker.recording_handlers"


@dataclass
class Fleet:
    """The processes one test started; `stop_all` ends them (by pid) whatever happened."""

    directory: Path
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def command(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "fieldbridge.cli", *args],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            input=stdin,
            timeout=60,
            check=False,
        )

    def serve(self) -> tuple[subprocess.Popen[bytes], str]:
        """Start `fieldbridge serve --port 0`; returns it and the URL it announced."""
        process, stdout = self._start("serve", "--port", "0")

        def announced() -> str | None:
            if process.poll() is not None:
                pytest.fail(f"fieldbridge serve exited with {process.returncode}:\n{self.logs()}")
            text = stdout.read_text()
            return text.partition("\n")[0] if "\n" in text else None

        line = wait_until(announced, timeout=30, what="fieldbridge serve to announce its URL")
        return process, str(json.loads(line)["url"])

    def worker(self, threads: int = 4) -> subprocess.Popen[bytes]:
        return self._start("worker", "--threads", str(threads))[0]

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)

    def logs(self) -> str:
        return "".join(path.read_text(errors="replace") for path in sorted(self.directory.glob("*.log")))

    def _start(self, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
        number = len(self.processes)
        stdout = self.directory / f"{number}-{args[0]}.out.log"
        stderr = self.directory / f"{number}-{args[0]}.err.log"
        with stdout.open("wb") as out, stderr.open("wb") as err:
            process = subprocess.Popen(
                [sys.executable, "-m", "fieldbridge.cli", *args],
                env=self.env,
                cwd=REPO,
                stdout=out,
                stderr=err,
            )
        self.processes.append(process)
        return process, stdout


def fleet_env(directory: Path, **settings: str) -> dict[str, str]:
    """The environment of every process of one test: `settings` become FIELDBRIDGE_<NAME> variables."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FIELDBRIDGE_")}
    env["PYTHONPATH"] = str(REPO)
    env["FIELDBRIDGE_TEST_HANDLER_DIR"] = str(directory)
    env["FIELDBRIDGE_HANDLER_MODULES"] = HANDLERS
    env.update({f"FIELDBRIDGE_{name.upper()}": value for name, value in settings.items()})
    return env
