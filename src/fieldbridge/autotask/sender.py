"""Sending one Autotask call: zone discovery, credentials, the limits (`limits.Limits`: the per-endpoint
gate, the hourly budget, the pause every caller keeps after a 429), retries with backoff, discovery again
after a 401 (tenants move), and what happens when a write's outcome is unknown.

Retried: connection failures, timeouts, 429 (thread threshold, or any 429 with a Retry-After), 502/503/504,
and a 500 that is not Autotask's own `{"errors": [...]}` answer. Never retried: Autotask's business-rule 500s,
401/403/404/405, and the tenant's hourly threshold without a Retry-After (seconds of backoff cannot help).

Duplicates: after a timeout, a broken connection, a 502/504 or a crash-500, a request may have been applied
even though no answer came. Reads and PATCH/PUT are simply repeated (applying them twice changes nothing).
A create is not repeated at all: its `Call` may carry a `lookup`, run once after a backoff, that returns the
record the first attempt made; when there is none or it finds nothing (Autotask may still be saving it), the
call stops with `OutcomeUnknownError` and the caller, which stored that it sent the create, looks again later
before it creates again (`fieldbridge.sync.creates`). A delete looks itself up the same way (GET by id).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from fieldbridge import backoff
from fieldbridge.autotask.causes import NETWORK_EGRESS
from fieldbridge.autotask.credentials import Credentials
from fieldbridge.autotask.errors import (
    AutotaskError,
    BudgetExhaustedError,
    NetworkError,
    Operation,
    OutcomeUnknownError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    from_response,
    is_business_error,
    messages_of,
)
from fieldbridge.autotask.limits import Held, Limits, gate_key
from fieldbridge.autotask.retry import Retry
from fieldbridge.tls import client_context

log = logging.getLogger("fieldbridge.autotask")

DEFAULT_DISCOVERY_URL = "https://webservices.autotask.net"
_DISCOVERY_PATH = "/atservicesrest/v1.0/zoneInformation"

# Failures after which the request may have reached Autotask and been applied.
_MAYBE_APPLIED = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)
_MAYBE_APPLIED_STATUSES = (500, 502, 504)  # a 500 only gets this far when it is not Autotask's own answer


@dataclass(frozen=True)
class Call:
    """One logical Autotask call, however many attempts it takes."""

    operation: Operation
    entity: str | None
    method: str
    path: str
    """Relative to the zone URL, e.g. `V1.0/Tickets/query`."""
    body: Any = None
    repeatable: bool = True
    """False for writes that would apply twice (a create). See `lookup`."""
    lookup: Callable[[], Any] | None = None
    """Run after an unknown outcome, before any repeat: the call's answer if the first attempt was applied,
    else None (then the call is repeated)."""


class Sender:
    def __init__(
        self,
        credentials: Credentials,
        *,
        discovery_url: str,
        timeout: float | httpx.Timeout,
        retry: Retry,
        limits: Limits,
    ) -> None:
        self.credentials = credentials
        self.retry = retry
        self.limits = limits
        self._discovery_url = discovery_url.rstrip("/")
        self._http = httpx.Client(
            timeout=timeout, headers={"Accept": "application/json"}, verify=client_context()
        )
        self._zone: str | None = None
        self._zone_lock = threading.Lock()  # one discovery at a time, however many threads need the zone

    def close(self) -> None:
        self._http.close()

    def zone_url(self) -> str:
        with self._zone_lock:
            if self._zone is None:
                self._zone = self._discover()
            return self._zone

    def send(self, call: Call) -> Any:
        """The decoded JSON answer of `call`, or a typed `AutotaskError`."""
        relocated = False

        def once() -> httpx.Response:
            nonlocal relocated
            zone = self.zone_url()
            response = self._through_gate(zone, call)
            if response.status_code == 401 and not relocated and self._moved_from(zone):
                relocated = True
                response = self._through_gate(self.zone_url(), call)
            return response

        return self._with_retries(call, once)

    def _moved_from(self, zone: str) -> bool:
        """After a 401: look the zone up again; True when the tenant now answers elsewhere."""
        with self._zone_lock:
            if self._zone == zone:
                self._zone = self._discover()
            current = self._zone
        if current != zone:
            log.info("Autotask tenant of %s moved zones: now %s", self.credentials.username, current)
        return current != zone

    def _discover(self) -> str:
        call = Call("zone discovery", None, "GET", "")
        url = self._discovery_url + _DISCOVERY_PATH
        answer = self._with_retries(
            call, lambda: self._http.get(url, params={"user": self.credentials.username})
        )
        zone = (
            next((v for k, v in answer.items() if k.lower() == "url"), None)
            if isinstance(answer, dict)
            else None
        )
        if not isinstance(zone, str) or not zone:
            raise ServerError("zone discovery answered without a zone url", operation="zone discovery")
        return zone if zone.endswith("/") else zone + "/"

    def _through_gate(self, zone: str, call: Call) -> httpx.Response:
        endpoint = call.path.split("/")[1].split("?")[0]
        gate = gate_key(zone, self.credentials.integration_code.get_secret_value(), endpoint)
        while isinstance(admission := self.limits.admit(gate), Held):
            self._hold(admission, call)
        try:
            request = self._http.build_request(
                call.method, zone + call.path, json=call.body, headers=self.credentials.headers()
            )
            response = self._http.send(request)
        finally:
            self.limits.release(gate, admission.token)
        log.debug("Autotask %s %s -> %s", call.method, request.url.path, response.status_code)
        return response

    def _hold(self, held: Held, call: Call) -> None:
        """Wait out a pause another caller's 429 started, or raise when the wait is too long for a thread
        (the hourly budget, or a long Retry-After): the job queue does that waiting."""
        if held.reason == "budget":
            raise BudgetExhaustedError(
                f"not sent: the budget of {self.limits.limit} requests per {self.limits.window:.0f} s is "
                f"used up; the next one frees in {held.seconds:.0f} s",
                retry_after=held.seconds,
                operation=call.operation,
                entity=call.entity,
            )
        if held.seconds > self.retry.max_retry_after:
            raise RateLimitError(
                f"not sent: Autotask asked every caller to wait {held.seconds:.0f} s (429)",
                retry_after=held.seconds,
                operation=call.operation,
                entity=call.entity,
            )
        time.sleep(held.seconds)

    def _with_retries(self, call: Call, once: Callable[[], httpx.Response]) -> Any:
        retries = 0
        unsure = False  # some attempt of this call may have been applied without an answer saying so
        while True:
            retry_after: float | None = None
            throttled = False
            try:
                response = once()
            except httpx.TransportError as exc:
                error: AutotaskError = _transport_error(exc, call)
                maybe_applied = isinstance(exc, _MAYBE_APPLIED)
            else:
                if response.is_success:
                    return _decode(response, call)
                retry_after = backoff.retry_after(response.headers)
                error = from_response(
                    response,
                    operation=call.operation,
                    entity=call.entity,
                    secret=self.credentials.secret.get_secret_value(),
                    retry_after=retry_after,
                )
                throttled = response.status_code == 429
                if not _retryable(response):
                    raise error
                maybe_applied = response.status_code in _MAYBE_APPLIED_STATUSES
            unsure = unsure or maybe_applied
            retries += 1
            delay = self.retry.delay(retries, retry_after) if retries < self.retry.attempts else None
            if throttled and delay is not None:
                # Every caller of this user waits as this one does, in every process. A wait too long for
                # a thread goes up with the error instead, and the job queue waits it for this job alone.
                self.limits.pause(delay)
            if unsure and not call.repeatable and (call.lookup is None or delay is None):
                raise _outcome_unknown(
                    error,
                    call,
                    "not repeated, since an attempt may have been applied and a repeat could duplicate it",
                ) from error
            if delay is None:
                raise error
            log.warning(
                "Autotask %s %s: %s; retry %d in %.2f s",
                call.operation,
                call.entity or "",
                error.summary,
                retries,
                delay,
            )
            time.sleep(delay)
            if maybe_applied and call.lookup is not None:
                answer = call.lookup()
                if answer is not None:
                    log.info(
                        "Autotask %s %s: the first attempt was applied; not repeated",
                        call.operation,
                        call.entity or "",
                    )
                    return answer
                if not call.repeatable:
                    # Not found yet is not "not applied": Autotask may still be saving it after our timeout.
                    raise _outcome_unknown(
                        error,
                        call,
                        "the record was looked for and not found yet, and the create was not "
                        "repeated, since Autotask may still be saving it",
                    ) from error


def _outcome_unknown(error: AutotaskError, call: Call, why: str) -> OutcomeUnknownError:
    return OutcomeUnknownError(
        f"{error.summary}; {why}",
        operation=call.operation,
        entity=call.entity,
        status=error.status,
        messages=error.messages,
        request=error.request,
        response=error.response,
    )


def _retryable(response: httpx.Response) -> bool:
    status = response.status_code
    if status == 429:
        # The thread threshold clears within moments; the hourly one does not, unless Autotask says when.
        thread_threshold = any("thread" in m.lower() for m in messages_of(response))
        return thread_threshold or "Retry-After" in response.headers
    if status == 500:
        return not is_business_error(response)
    return status in (502, 503, 504)


def _transport_error(exc: httpx.TransportError, call: Call) -> AutotaskError:
    request = exc.request if _has_request(exc) else None
    where = f" calling {request.url.host}" if request is not None else ""
    summary = f"{type(exc).__name__}{where}: {exc}"
    context: dict[str, Any] = {"operation": call.operation, "entity": call.entity, "request": request}
    if isinstance(exc, httpx.ConnectTimeout):
        return RequestTimeoutError(summary, cause=NETWORK_EGRESS, **context)
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeoutError(summary, **context)
    if isinstance(exc, httpx.ConnectError | httpx.ProxyError):
        return NetworkError(summary, cause=NETWORK_EGRESS, **context)
    return NetworkError(summary, **context)


def _has_request(exc: httpx.TransportError) -> bool:
    try:
        exc.request  # noqa: B018 - httpx raises RuntimeError when the request is not set
    except RuntimeError:
        return False
    return True


def _decode(response: httpx.Response, call: Call) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ServerError(
            f"HTTP {response.status_code} with a body that is not JSON",
            operation=call.operation,
            entity=call.entity,
            status=response.status_code,
            messages=messages_of(response),
            request=response.request,
            response=response,
        ) from None
