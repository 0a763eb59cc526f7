"""`FieldNationClient`: one object per Field Nation account, safe to share between threads.

with FieldNationClient("https://api.fieldnation.com", Credentials(...)) as fn:
    draft = fn.workorders.create({"title": "Replace POS terminal"})
    fn.workorders.publish(draft.id)
    for wo in fn.workorders.iterate():
        ...
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType

import httpx

from fieldbridge.fieldnation.attachments import Attachments
from fieldbridge.fieldnation.auth import Credentials
from fieldbridge.fieldnation.execution import Expenses, Messages, TimeLogs
from fieldbridge.fieldnation.subscriptions import Webhooks
from fieldbridge.fieldnation.transport import Retries, Transport
from fieldbridge.fieldnation.workorders import CustomFields, WorkOrders

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class FieldNationClient:
    """`base_url` is the host (`https://api.fieldnation.com`); the API paths are added per call.

    `timeout` bounds each HTTP exchange; `retries` says how 429/5xx/network failures are retried;
    tokens are refreshed `refresh_margin` seconds before they expire (measured with `clock`)."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retries: Retries | None = None,
        refresh_margin: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        http_transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._transport = Transport(
            base_url,
            credentials,
            timeout=timeout,
            retries=retries or Retries(),
            refresh_margin=refresh_margin,
            clock=clock,
            http_transport=http_transport,
        )
        self.workorders = WorkOrders(self._transport)
        self.custom_fields = CustomFields(self._transport)
        self.time_logs = TimeLogs(self._transport)
        self.expenses = Expenses(self._transport)
        self.messages = Messages(self._transport)
        self.attachments = Attachments(self._transport)
        self.webhooks = Webhooks(self._transport)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> FieldNationClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
