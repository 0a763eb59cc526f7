"""`fieldbridge serve`: the broker's HTTP service; with the embedded queue it also starts (and stops) the
consumer process that processes events.

`serve` prints one JSON object first, saying where it listens (useful with `--port 0`); logs go to stderr.
Modules are imported inside the commands so that `fieldbridge --help` stays fast.
"""

from __future__ import annotations

import errno

import typer

from fieldbridge.settings import Settings
from fieldbridge.terminal import CliError


def serve(
    host: str = typer.Option("127.0.0.1", envvar="FIELDBRIDGE_HOST", help="Address to listen on."),
    port: int = typer.Option(
        8000, envvar="FIELDBRIDGE_PORT", min=0, max=65535, help="Port to listen on (0 picks a free one)."
    ),
) -> None:
    """Receive events (trigger URL, Field Nation webhooks) and serve the admin API."""
    from fieldbridge.jobs.consumer import ConsumerProcess
    from fieldbridge.jobs.redaction import configure_logging
    from fieldbridge.sandbox.server import serve_forever
    from fieldbridge.store.database import open_store
    from fieldbridge.web.app import create_app

    settings = Settings()
    configure_logging(settings.log_level)
    # Opened once before listening: a database that does not answer stops the start with its cause, rather
    # than in the middle of the HTTP server's startup.
    open_store(settings)[0].dispose()
    app = create_app(settings, consume=False)
    mode = (
        "embedded: a consumer process this one starts processes events"
        if settings.embedded_queue
        else "shared: run workers"
    )
    # Embedded: the consumer in a process of its own, so processing never holds the receiver's interpreter.
    consumer = ConsumerProcess(settings.lease_seconds).start() if settings.embedded_queue else None
    try:
        serve_forever(
            app,
            host,
            port,
            announce=lambda url: {"url": url, "queue": mode},
            on_url=lambda url: None,
            access_log=True,
        )
    except OSError as error:
        refusal = _bind_refusal(error, host, port)
        if refusal is None:
            raise
        raise refusal from None
    finally:
        if consumer is not None:
            consumer.stop()


def _bind_refusal(error: OSError, host: str, port: int) -> CliError | None:
    if error.errno == errno.EADDRINUSE:
        return CliError(
            f"Port {port} on {host} is in use by another process.",
            "stop that process, or give another port with --port (or FIELDBRIDGE_PORT; 0 picks a free one).",
        )
    if error.errno == errno.EACCES:
        return CliError(
            f"This user may not listen on port {port}.",
            "give a port above 1023 with --port (FIELDBRIDGE_PORT).",
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return CliError(
            f"{host} is not an address of this machine.",
            "give one of its addresses with --host (FIELDBRIDGE_HOST), or 0.0.0.0 for all of them.",
        )
    return None
