"""Custom Jsonnet actions: a script sees `$.input` (the source record), `$.util` and `std`; it cannot import,
run past a time limit, or grow past a memory and result-size limit.

Why a long-running worker program: the official binding (`_jsonnet`) only offers `evaluate_snippet` /
`evaluate_file`, and each call builds a fresh VM that re-parses the whole standard library (~40 ms measured
with jsonnet 0.22), with no handle to keep a parsed program or a VM. So the worker process runs one Jsonnet
program that holds every script it has seen as a function and pulls inputs through a native callback: each
script is parsed once per worker program, and an evaluation costs well under a millisecond including the pipe.
The C evaluator cannot be interrupted from Python, so the parent enforces the time limit by killing the worker
on overrun (the next call starts a new one); the worker caps its own address space and result size.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import select
import subprocess
import sys
import threading
import time
from functools import cache
from typing import IO, Any

import _jsonnet

from fieldbridge.mapping.errors import ActionError

MAX_RESULT_BYTES = 1024 * 1024
STARTUP_SECONDS = 30.0
"""How long the worker may take to start, or to check and compile a script new to it: not the script's."""
RUNNING = b'{"running": true}'
"""What the worker says when it hands a request to the script, before the script's answer."""

# `$.util`: path lookups tolerant of missing keys, as Field Nation's broker offers. Written against builtins
# (`std.type`, `std.objectHasEx`) with the path split natively: `std.split`, `std.foldl` and `std.isObject`
# are Jsonnet code, and with them a lookup cost ~0.4 ms instead of ~0.2 ms. `fb_split` answers JSON text
# (jsonnet_worker says why), which `std.parseJson`, a builtin, decodes.
UTIL_LIBRARY = """{
  lookup_field(obj, path, default=null)::
    local keys = std.parseJson(std.native('fb_split')(path).json);
    local walk(value, i) =
      if i == std.length(keys) then value
      else
        local key = keys[i];
        local kind = std.type(value);
        if kind == 'object' then (if std.objectHasEx(value, key, true) then walk(value[key], i + 1) else null)
        else if kind == 'array' && std.type(key) == 'number' && key < std.length(value)
        then walk(value[key], i + 1)
        else null;
    local found = walk(obj, 0);
    if found == null then default else found,
}"""


def split_path(path: str) -> list[str | int]:
    """`fb_split` for `lookup_field`: `'contacts.0.name'` -> `['contacts', 0, 'name']`."""
    return [int(key) if key.isdigit() else key for key in path.split(".")]


def script_function(name: str, script: str) -> str:
    # `$` is the outermost object, so wrapping the script in this object gives it `$.input` and `$.util`; the
    # newlines keep a trailing `//` comment in the script from swallowing the closing parenthesis.
    return f"local {name}(input) = {{input: input, util: util, output: (\n{script}\n)}}.output;\n"


def refuse_import(base: str, rel: str) -> tuple[str, bytes]:
    raise RuntimeError("imports are refused")


def check_script(script: str) -> tuple[str, str] | None:
    """Parse and statically check a script without running it: (problem, fix), or None when it is sound."""
    prefix = f"local util = {UTIL_LIBRARY};\n"
    program = prefix + script_function("check", script) + "null"
    try:
        _jsonnet.evaluate_snippet("script", program, import_callback=refuse_import)
    except RuntimeError as error:
        # Positions count from the top of the program; the script starts on the line after its opening.
        offset = prefix.count("\n") + 1
        where = re.sub(
            r"^script:(\d+):([\d-]+):",
            lambda m: f"line {int(m[1]) - offset}, column {m[2]}:",
            first_line(error),
        )
        return f"the Jsonnet script does not compile: {where}", "correct the script's syntax"
    return None


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    for prefix in ("STATIC ERROR: ", "RUNTIME ERROR: "):
        text = text.removeprefix(prefix)
    return text


def describe_failure(error: BaseException) -> tuple[str, str]:
    """(problem, fix) for a script that failed while running."""
    text = first_line(error)
    if "imports are refused" in text:
        return f"the script imports a file ({text})", "inline the code: custom scripts cannot import"
    if "max stack frames exceeded" in text:
        return "the script recursed too deeply", "bound the recursion (use std.foldl or a comprehension)"
    return f"the script failed: {text}", "fix the script, or guard missing fields with $.util.lookup_field"


class JsonnetRunner:
    """Evaluates scripts in a worker process; thread-safe (calls are serialised)."""

    def __init__(self, *, timeout: float = 1.0, memory_mb: int = 512, max_stack: int = 200) -> None:
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.max_stack = max_stack
        self._lock = threading.Lock()
        self._worker: subprocess.Popen[bytes] | None = None
        self._pending = bytearray()
        """What was read from the worker beyond its last line."""

    def evaluate(self, script: str, record: Any) -> Any:
        try:
            request = json.dumps({"script": script, "input": record}).encode() + b"\n"
        except (TypeError, ValueError) as error:
            raise ActionError(f"the record is not JSON ({error})", "pass records as decoded JSON") from None
        with self._lock:
            worker = self._worker or self._start()
            stdin, _ = _pipes(worker)
            try:
                stdin.write(request)
                stdin.flush()
            except OSError:
                self._stop()
                raise self._died() from None
            # A script new to the worker is checked and compiled first (a tenth of a second, more on a busy
            # machine): that is the worker's work, bounded by the script's size, so only the time from
            # "running" on counts against the script's limit.
            line = self._line(STARTUP_SECONDS)
            if line == RUNNING:
                line = self._line(self.timeout)
        reply = json.loads(line)
        if reply["ok"]:
            return reply["value"]
        raise ActionError(reply["message"], reply["fix"])

    @property
    def worker_pid(self) -> int | None:
        """The worker process's id while one runs (its memory is what the limits above bound)."""
        return None if self._worker is None else self._worker.pid

    def close(self) -> None:
        with self._lock:
            self._stop()

    def __enter__(self) -> JsonnetRunner:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _start(self) -> subprocess.Popen[bytes]:
        command = [
            sys.executable,
            "-m",
            "fieldbridge.mapping.jsonnet_worker",
            str(self.memory_mb),
            str(self.max_stack),
        ]
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no outside input
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self._worker = worker
        try:
            ready = self._line(STARTUP_SECONDS)
        except ActionError:
            ready = b""
        if ready != b'{"ready": true}':
            self._stop()
            raise ActionError(
                "the Jsonnet worker did not start", "check that the jsonnet package is installed"
            )
        return worker

    def _line(self, seconds: float) -> bytes:
        """The worker's next line, within `seconds`. Read straight from the pipe into a buffer of our own: a
        buffered reader would hold the script's answer after "running", where select() does not see it."""
        assert self._worker is not None
        pipe = _pipes(self._worker)[1].fileno()
        deadline = time.monotonic() + seconds
        while (end := self._pending.find(b"\n")) < 0:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([pipe], [], [], left)[0]:
                self._stop()
                raise ActionError(
                    f"the script ran longer than {seconds:g} s and was stopped",
                    "look for unbounded recursion or a huge std.range in the script",
                )
            chunk = os.read(pipe, 1 << 16)
            if not chunk:
                self._stop()
                raise self._died()
            self._pending += chunk
        line = bytes(self._pending[:end])
        del self._pending[: end + 1]
        return line

    def _stop(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._worker.wait()
            for pipe in (self._worker.stdin, self._worker.stdout):
                if pipe is not None:
                    pipe.close()
            self._worker = None
            self._pending.clear()

    def _died(self) -> ActionError:
        return ActionError(
            f"the script's worker died (more than {self.memory_mb} MiB of memory?)",
            "make the script build smaller values",
        )


def _pipes(worker: subprocess.Popen[bytes]) -> tuple[IO[bytes], IO[bytes]]:
    assert worker.stdin is not None
    assert worker.stdout is not None
    return worker.stdin, worker.stdout


@cache
def shared_runner() -> JsonnetRunner:
    """The process-wide runner engines use unless given one."""
    runner = JsonnetRunner()
    atexit.register(runner.close)
    return runner
