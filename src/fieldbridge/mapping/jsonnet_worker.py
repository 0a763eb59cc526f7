"""The Jsonnet worker process: `python -m fieldbridge.mapping.jsonnet_worker MEMORY_MB MAX_STACK`.

Reads one JSON request a line (`{"script", "input"}`) and answers one line (`{"ok": true, "value"}` or
`{"ok": false, "message", "fix"}`), preceded by `{"running": true}` once the script starts running (the parent
times the script from there). It runs a single Jsonnet program that loops over requests through the
native callbacks `fb_next` and `fb_emit` (see jsonnet.py for why). A request for a script the program does not
hold ends the program, which is rebuilt with the script added; a script that fails ends it too, and the next
request starts a fresh one.

Memory: the binding (`_jsonnet`, 0.22) never releases the object a native callback returns, nor each item it
takes out of a returned list, so whatever a callback returns lives as long as the process: a fresh request
record per evaluation grew the worker by the record's size every time (~21.5 KB for a ticket) until it hit
its memory cap. So a callback that passes data in returns one dict kept for the life of the process, whose
only value is JSON text (a dict's values are borrowed and a string is copied, so nothing is kept), and the
program decodes the text with `std.parseJson`, a builtin.
"""

from __future__ import annotations

import json
import resource
import sys
from collections.abc import Callable
from typing import Any

import _jsonnet

from fieldbridge.mapping.jsonnet import (
    MAX_RESULT_BYTES,
    RUNNING,
    UTIL_LIBRARY,
    check_script,
    describe_failure,
    refuse_import,
    script_function,
    split_path,
)

MAX_SCRIPTS = 256  # a program holding every script ever edited would grow without bound

# `tailstrict` makes the loop a tail call, so serving many requests does not deepen the stack. Native
# callbacks take only primitives, so a result comes back as JSON text: `std.toString([v])` is the C++
# manifester (a one-element array, so a string comes back quoted); `std.manifestJsonMinified` is Jsonnet
# code, ~100x slower.
_LOOP = """local serve(n) =
  local job = std.parseJson(std.native('fb_next')(n).json);
  if job == null then n
  else if std.native('fb_emit')(std.toString([scripts[job.name](job.input)]))
  then serve(n + 1) tailstrict
  else n;
serve(0)
"""


def as_json_text(function: Callable[..., Any]) -> Callable[..., dict[str, str]]:
    """A native callback that returns `function`'s value as JSON text in one dict reused for every call,
    which is all the binding then keeps (see above); the program reads it with `std.parseJson(...json)`."""
    held = {"json": "null"}

    def callback(*args: Any) -> dict[str, str]:
        held["json"] = json.dumps(function(*args))
        return held

    return callback


def _send(reply: bytes) -> None:
    sys.stdout.buffer.write(reply + b"\n")
    sys.stdout.buffer.flush()


def _fail(problem: str, fix: str) -> None:
    _send(json.dumps({"ok": False, "message": problem, "fix": fix}).encode())


class Server:
    def __init__(self, max_stack: int) -> None:
        self.max_stack = max_stack
        self.names: dict[str, str] = {}  # script source -> its function's name in the program
        self.held: dict[str, Any] | None = None  # a request waiting for the program that holds its script
        self.busy = False  # a request was handed to the program and not answered yet
        self.closed = False

    def run(self) -> None:
        callbacks = {
            "fb_next": (("n",), as_json_text(self.next_job)),
            "fb_emit": (("wrapped",), self.emit),  # True, which lives for ever anyway
            "fb_split": (("path",), as_json_text(split_path)),
        }
        while not self.closed:
            try:
                _jsonnet.evaluate_snippet(
                    "mappings",
                    self.program(),
                    max_stack=self.max_stack,
                    import_callback=refuse_import,
                    native_callbacks=callbacks,
                )
            except RuntimeError as error:
                if not self.busy:
                    raise  # the serving loop itself failed: let the process die, the parent starts another
                self.busy = False
                _fail(*describe_failure(error))

    def program(self) -> str:
        functions = "".join(script_function(name, source) for source, name in self.names.items())
        table = ", ".join(f"{name}: {name}" for name in self.names.values())
        return f"local util = {UTIL_LIBRARY};\n{functions}local scripts = {{{table}}};\n{_LOOP}"

    def next_job(self, _n: float) -> dict[str, Any] | None:
        while True:
            job = self.held or self._read()
            self.held = None
            if job is None:
                self.closed = True
                return None
            name = self.names.get(job["script"])
            if name is not None:
                self.busy = True
                _send(RUNNING)
                return {"name": name, "input": job["input"]}
            problem = check_script(job["script"])
            if problem is not None:
                _fail(*problem)
                continue
            if len(self.names) >= MAX_SCRIPTS:
                self.names.clear()
            self.names[job["script"]] = f"s{len(self.names)}"
            self.held = job
            return None  # ends this program; run() builds the next one with the new script

    def emit(self, wrapped: str) -> bool:
        self.busy = False
        value = wrapped[1:-1].encode()  # strip the one-element array
        if len(value) > MAX_RESULT_BYTES:
            _fail(
                f"the script's result is {len(value)} bytes, over the {MAX_RESULT_BYTES} byte limit",
                "return only the value the target field needs",
            )
        else:
            _send(b'{"ok": true, "value": ' + value + b"}")
        return True

    @staticmethod
    def _read() -> dict[str, Any] | None:
        line = sys.stdin.buffer.readline()
        return json.loads(line) if line else None


def main(argv: list[str]) -> None:
    memory_mb, max_stack = int(argv[0]), int(argv[1])
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    _send(b'{"ready": true}')
    Server(max_stack).run()


if __name__ == "__main__":
    main(sys.argv[1:])
