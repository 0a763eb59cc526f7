"""`fieldbridge serve`: the broker's HTTP service; with the embedded queue it processes events too.

The first stdout line is one JSON object saying where it listens (useful with `--port 0`); logs go to
stderr. Modules are imported inside the command so that `fieldbridge --help` stays fast.
"""

from __future__ import annotations

import typer


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on (0 picks a free one)."),
) -> None:
    """Receive events (trigger URL, Field Nation webhooks) and serve the admin API."""
    from fieldbridge.jobs.redaction import configure_logging
    from fieldbridge.sandbox.server import serve_forever
    from fieldbridge.settings import Settings
    from fieldbridge.web.app import create_app

    configure_logging()
    settings = Settings()
    app = create_app(settings, consume=settings.embedded_queue)
    mode = (
        "embedded: this process also processes events" if settings.embedded_queue else "shared: run workers"
    )
    serve_forever(app, host, port, announce=lambda url: {"url": url, "queue": mode}, on_url=lambda url: None)
