"""The processes a benchmark starts, each its own process on loopback as a deployment runs them: the
emulators (`fieldbridge sim`), `fieldbridge serve`, `fieldbridge worker`, the yardstick and the load
generator. Their CPU time is read from /proc, the machine's load from /proc/loadavg."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
FIELDBRIDGE = [PYTHON, "-m", "fieldbridge.cli"]
COUNTING = REPO / "bench" / "counting"
"""On PYTHONPATH with FIELDBRIDGE_BENCH_COUNTS set: every Python process counts its SQL (see counting/)."""
TICK = os.sysconf("SC_CLK_TCK")
T = TypeVar("T")


def wait_for(probe: Callable[[], T | None], timeout: float, what: str, interval: float = 0.1) -> T:
    """Call `probe` until it returns something truthy; TimeoutError naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"gave up after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    """A loopback port free now (for a process that must know its address before it listens)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**settings: str) -> dict[str, str]:
    """This environment without any FIELDBRIDGE_* a real deployment set, plus `settings` as
    FIELDBRIDGE_<NAME> variables."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FIELDBRIDGE_")}
    env["PYTHONUNBUFFERED"] = "1"
    env.update({f"FIELDBRIDGE_{name.upper()}": value for name, value in settings.items()})
    return env


@dataclass
class Started:
    name: str
    process: subprocess.Popen[bytes]
    out: Path
    err: Path
    first: dict[str, Any] = field(default_factory=dict)
    """The first stdout line, as JSON, of a process that announces itself (emulators, serve, yardstick)."""

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return str(self.first["url"])

    def stderr(self) -> str:
        return self.err.read_text(errors="replace")

    def cpu(self) -> float:
        return cpu_seconds(self.pid)


class Processes:
    """Starts processes with their output in `directory`; `close` stops every one still running, by pid."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.started: list[Started] = []

    def start(
        self, name: str, argv: list[str], env: dict[str, str], *, announces: bool = True, timeout: float = 60
    ) -> Started:
        number = len(self.started)
        out, err = self.directory / f"{number}-{name}.out", self.directory / f"{number}-{name}.err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            process = subprocess.Popen(argv, env=env, cwd=REPO, stdout=stdout, stderr=stderr)
        started = Started(name, process, out, err)
        self.started.append(started)
        if announces:
            line = wait_for(lambda: self._first_line(started), timeout, f"{name} to announce itself")
            started.first = json.loads(line)
        return started

    def fieldbridge(self, name: str, args: list[str], env: dict[str, str], **options: Any) -> Started:
        return self.start(name, [*FIELDBRIDGE, *args], env, **options)

    def stop(self, started: Started, how: signal.Signals = signal.SIGTERM, timeout: float = 20) -> None:
        if started.process.poll() is None:
            started.process.send_signal(how)
            try:
                started.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                started.process.send_signal(signal.SIGKILL)
                started.process.wait(timeout=10)

    def close(self) -> None:
        for started in reversed(self.started):
            self.stop(started)

    def _first_line(self, started: Started) -> str | None:
        if started.process.poll() is not None:
            raise RuntimeError(
                f"{started.name} exited with {started.process.returncode}: {started.stderr()[-2000:]}"
            )
        text = started.out.read_text(errors="replace")
        return text.partition("\n")[0] if "\n" in text else None


@contextmanager
def processes(prefix: str) -> Iterator[Processes]:
    """A scratch directory (logs, data) and the processes started in it, all stopped on the way out."""
    with tempfile.TemporaryDirectory(prefix=f"fieldbridge-bench-{prefix}-") as directory:
        started = Processes(Path(directory))
        try:
            yield started
        finally:
            started.close()


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rpartition(")")[2].split()  # fields from the 3rd on: state, ppid, ...


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of `pid`, its live descendants and the children it has waited for."""
    tree, total, todo = _children(), 0, [pid]
    while todo:
        current = todo.pop()
        fields = _stat(current)
        if fields is None:
            continue
        # utime, stime, cutime, cstime are the 14th to 17th fields (11th to 14th after the name).
        total += sum(int(value) for value in fields[11:15])
        todo += tree.get(current, [])
    return total / TICK


def own_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the process `pid` itself, all its threads, none of its children."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICK if fields else 0.0


def load_average() -> float:
    """The machine's one-minute load average: how busy it was while a figure was measured."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def run_load(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the load generator (bench.load) as its own process with `spec`; its JSON report."""
    seconds = float(spec.get("seconds", 10)) + float(spec.get("timeout", 10)) + 60
    done = subprocess.run(
        [sys.executable, "-m", "bench.load", json.dumps(spec)],
        cwd=REPO,
        capture_output=True,
        timeout=seconds,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed: {done.stderr.decode(errors='replace')[-2000:]}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report
