"""Keep secrets out of logs. The REST v2 token travels in the query (`?access_token=`), so any URL the
client or httpx logs is redacted first; httpx's own request log gets a filter that does the same."""

from __future__ import annotations

import logging
import re

import httpx

_SECRET_PARAMS = re.compile(r"(?i)\b(access_token|refresh_token|client_secret|password)=[^&\s\"']*")


def redact(text: str) -> str:
    return _SECRET_PARAMS.sub(lambda m: f"{m.group(1)}=[REDACTED]", text)


class RedactSecrets(logging.Filter):
    """Rewrites a record's arguments (httpx logs the URL as one) before anything formats them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact(str(arg)) if isinstance(arg, str | httpx.URL) else arg for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def protect_httpx_logs() -> None:
    """Idempotent: install the filter on httpx's logger once."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, RedactSecrets) for f in logger.filters):
        logger.addFilter(RedactSecrets())
