"""Serve an emulator over real HTTP on loopback, in the foreground or in a background thread."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.types import ASGIApp


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind before starting uvicorn so that port 0 gives us the real port to announce."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto says
    # TCP, and without it every keep-alive request waits 40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(256)
    sock.set_inheritable(True)
    return sock


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _config(app: ASGIApp, *, access_log: bool = False) -> uvicorn.Config:
    """`access_log`: uvicorn logs through the logging the process configured (the broker's redacting
    handler on stderr) instead of its own, access lines included when that logging shows DEBUG lines (they
    are DEBUG lines there; made and then dropped, one a request was 4% of an accept's CPU). Otherwise (the
    emulators) no access log: they count calls themselves and their stdout is for the first-line
    announcement only."""
    if access_log:
        shown = logging.getLogger("uvicorn.access").isEnabledFor(logging.DEBUG)
        return uvicorn.Config(
            app, log_config=None, log_level=None, access_log=shown, lifespan="on", timeout_keep_alive=30
        )
    return uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", timeout_keep_alive=30)


def serve_forever(
    app: ASGIApp,
    host: str,
    port: int,
    announce: Callable[[str], dict[str, Any]],
    on_url: Callable[[str], None],
    *,
    access_log: bool = False,
) -> None:
    """Run until interrupted; the first stdout line is `announce(url)` as one JSON object."""
    sock = bind_socket(host, port)
    url = base_url(sock)
    on_url(url)
    sys.stdout.write(json.dumps(announce(url)) + "\n")
    sys.stdout.flush()
    server = uvicorn.Server(_config(app, access_log=access_log))
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])


@dataclass
class RunningServer:
    url: str
    _server: uvicorn.Server
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def start_in_thread(
    app: ASGIApp, host: str = "127.0.0.1", port: int = 0, ready_timeout: float = 30.0
) -> RunningServer:
    """Start `app` on a background thread and return once it accepts connections (an emulator, or the
    broker's app, whose start migrates its store: seconds on a busy machine)."""
    sock = bind_socket(host, port)
    server = uvicorn.Server(_config(app))

    def run() -> None:
        asyncio.run(server.serve(sockets=[sock]))

    thread = threading.Thread(target=run, name="sandbox-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + ready_timeout
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.005)
    if not server.started:
        server.should_exit = True
        raise RuntimeError(f"the server on {base_url(sock)} did not start within {ready_timeout} s")
    return RunningServer(url=base_url(sock), _server=server, _thread=thread)


@contextlib.contextmanager
def running(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> Iterator[RunningServer]:
    server = start_in_thread(app, host, port)
    try:
        yield server
    finally:
        server.stop()
