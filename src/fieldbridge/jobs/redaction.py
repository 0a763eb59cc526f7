"""Keeping secrets out of error messages and logs.

Error text from a handler can carry what an HTTP library put in it (a URL with `?access_token=`, a
credential echoed back by a server). Before such text is stored, shown or logged, the connector's known
secrets and any token-looking query parameter are replaced.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

REDACTED = "[redacted]"
_SECRET_PARAMETER = re.compile(
    r"(?i)\b(client_token|access_token|refresh_token|client_secret|password|secret|apiintegrationcode)"
    r"(\s*[=:]\s*)([^&\s\"',;]+)"
)
_SHORTEST = 4
"""Shorter secrets are not replaced: every 3-letter word would become [redacted] and reveal the secret."""


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= _SHORTEST:
            text = text.replace(secret, REDACTED)
    return _SECRET_PARAMETER.sub(lambda match: f"{match[1]}{match[2]}{REDACTED}", text)


class RedactingFilter(logging.Filter):
    """Installed on the log handlers of `serve` and `worker`: the last line of defence for log output."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback is printed redacted too.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


class AccessAtDebug(logging.Filter):
    """uvicorn logs each request it answers at INFO: one line per webhook delivery and admin call would bury
    the event lines, so `serve` keeps them at DEBUG (FIELDBRIDGE_LOG_LEVEL=DEBUG shows them, redacted like
    everything else: a trigger URL's client token is in its query)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return logging.getLogger().isEnabledFor(logging.DEBUG)


def configure_logging(level: int | str = logging.INFO) -> None:
    """Log to stderr through the redacting filter (stdout stays free for what commands print); uvicorn's
    loggers go the same way, its access lines at DEBUG."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)  # its start-up chatter says nothing new
    # The processing line of each event says what huey's two a task ("Executing", "executed in") would; and
    # at DEBUG its scheduler logs every second. Its consumer's start and stop lines stay.
    logging.getLogger("huey").setLevel(logging.WARNING)
    logging.getLogger("huey.consumer").setLevel(logging.INFO)
    # httpx logs each request at INFO: kept for FIELDBRIDGE_LOG_LEVEL=DEBUG, as uvicorn's access lines are.
    debugging = logging.getLogger().isEnabledFor(logging.DEBUG)
    logging.getLogger("httpx").setLevel(logging.NOTSET if debugging else logging.WARNING)
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessAtDebug) for f in access.filters):
        access.addFilter(AccessAtDebug())
