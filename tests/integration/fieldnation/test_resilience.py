"""The client under faults injected through `/_sim/faults`: back-off on 429 and 5xx (honouring Retry-After),
no duplicate writes, timeouts, unreachable hosts, and errors and logs that never show the token."""

from __future__ import annotations

import logging
import socket

import pytest

from fieldbridge.fieldnation import (
    Credentials,
    FieldNationClient,
    NotFoundError,
    RateLimitError,
    Retries,
    ServerError,
    TransportError,
)
from fieldbridge.fieldnation.redaction import redact
from tests.support.emulators import FieldNationSim
from tests.support.waiting import wait_until

LIST = "/api/rest/v2/workorders"


def test_429_is_retried_after_the_servers_retry_after(
    fn_sim: FieldNationSim, client: FieldNationClient, sleeps: list[float]
) -> None:
    fn_sim.fault(
        kind="status", status=429, method="GET", path="/workorders$", count=2, headers={"Retry-After": "2.5"}
    )
    assert client.workorders.list().metadata.total == 8
    assert sleeps == [2.5, 2.5]  # the server's Retry-After, not the client's own back-off
    assert fn_sim.calls(LIST, "GET") == 3


def test_429_without_retry_after_backs_off_on_its_own(fn_sim: FieldNationSim) -> None:
    waits: list[float] = []
    fn_sim.fault(kind="status", status=429, method="GET", path="/workorders$", count=2)
    retries = Retries(sleep=waits.append, rand=lambda: 1.0, backoff=0.25)
    with FieldNationClient(fn_sim.url, fn_sim.credentials, retries=retries) as fn:
        assert fn.workorders.list().metadata.total == 8
    assert waits == [0.25, 0.5]


def test_5xx_on_a_read_is_retried_with_growing_waits(fn_sim: FieldNationSim) -> None:
    waits: list[float] = []
    retries = Retries(sleep=waits.append, rand=lambda: 0.0, backoff=0.2)
    fn_sim.fault(kind="status", status=503, method="GET", path="/workorders$", count=3)
    with FieldNationClient(fn_sim.url, fn_sim.credentials, retries=retries) as fn:
        assert len(fn.workorders.list().results) == 8
    assert waits == [0.1, 0.2, 0.4]  # half of each doubling cap, the jitter at its lowest


def test_retries_give_up_with_the_last_error(
    fn_sim: FieldNationSim, client: FieldNationClient, sleeps: list[float]
) -> None:
    fn_sim.fault(
        kind="status", status=502, method="GET", path="/workorders$", body={"message": "Upstream down"}
    )
    with pytest.raises(ServerError) as caught:
        client.workorders.list()
    assert (caught.value.status, caught.value.message) == (502, "Upstream down")
    assert (caught.value.method, caught.value.path) == ("GET", LIST)
    assert len(sleeps) == 3
    assert fn_sim.calls(LIST, "GET") == 4


def test_a_create_is_never_repeated_after_a_5xx(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    fn_sim.fault(kind="status", status=500, method="POST", path="/workorders$", count=1)
    with pytest.raises(ServerError):
        client.workorders.create({"title": "Once"})
    assert fn_sim.calls(LIST, "POST") == 1


def test_a_create_is_repeated_after_a_429(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    fn_sim.fault(kind="status", status=429, method="POST", path="/workorders$", count=1)
    created = client.workorders.create({"title": "After the rate limit"})
    assert client.workorders.get(created.id).title == "After the rate limit"
    assert fn_sim.calls(LIST, "POST") == 2
    assert client.workorders.list().metadata.total == 9  # exactly one was created


def test_a_retry_after_longer_than_accepted_raises_at_once(fn_sim: FieldNationSim) -> None:
    waits: list[float] = []
    fn_sim.fault(kind="status", status=429, method="GET", path="/workorders$", headers={"Retry-After": "600"})
    retries = Retries(sleep=waits.append)
    with (
        FieldNationClient(fn_sim.url, fn_sim.credentials, retries=retries) as fn,
        pytest.raises(RateLimitError) as caught,
    ):
        fn.workorders.list()
    assert caught.value.retry_after == 600.0  # longer than the 120 s the client waits at most
    assert waits == []


def test_a_slow_read_times_out_and_is_retried(fn_sim: FieldNationSim, sleeps: list[float]) -> None:
    fn_sim.fault(kind="latency", seconds=2.0, method="GET", path="/workorders$", count=1)
    with FieldNationClient(
        fn_sim.url, fn_sim.credentials, timeout=0.5, retries=Retries(sleep=sleeps.append)
    ) as fn:
        fn.workorders.get(fn_sim.seeded("Draft"))  # gets the token before the slow call
        assert fn.workorders.list().metadata.total == 8
    assert len(sleeps) == 1


def test_a_slow_write_times_out_without_a_second_send(fn_sim: FieldNationSim, sleeps: list[float]) -> None:
    fn_sim.fault(kind="latency", seconds=1.0, method="POST", path="/workorders$", count=1)
    with FieldNationClient(
        fn_sim.url, fn_sim.credentials, timeout=0.5, retries=Retries(sleep=sleeps.append)
    ) as fn:
        fn.workorders.list()
        with pytest.raises(TransportError) as caught:
            fn.workorders.create({"title": "Slow"})
        # The server still had the request: it lands once, late, and the client never sent it again.
        wait_until(lambda: fn.workorders.list().metadata.total == 9, what="the late create to land")
    assert caught.value.status is None
    assert "ReadTimeout" in caught.value.message
    assert (caught.value.method, caught.value.path) == ("POST", LIST)
    assert sleeps == []
    assert fn_sim.calls(LIST, "POST") == 1


def test_an_unreachable_host_is_retried_then_reported() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    waits: list[float] = []
    creds = Credentials("id", "secret", "user", "pw")
    client = FieldNationClient(f"http://127.0.0.1:{port}", creds, retries=Retries(sleep=waits.append))
    with client, pytest.raises(TransportError) as caught:
        client.workorders.list()
    assert caught.value.message.startswith("ConnectError")
    assert caught.value.path == "/authentication/api/oauth/token"
    assert len(waits) == 3


def test_the_token_never_shows_in_errors_or_logs(
    fn_sim: FieldNationSim, client: FieldNationClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fn_sim.fault(kind="status", status=503, method="GET", path="/workorders/", count=1)
    client.workorders.get(fn_sim.seeded("Draft"))
    fn_sim.fault(kind="status", status=404, method="GET", path="/workorders/")
    with pytest.raises(NotFoundError) as caught:
        client.workorders.get(fn_sim.seeded("Draft"))
    tokens = list(fn_sim.emulator.tokens._access)  # every token the emulator issued
    announced = fn_sim.announced
    secrets = [*tokens, announced["client_secret"], announced["password"]]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "access_token=[REDACTED]" in logged  # httpx's own request log, redacted
    assert "retrying" in logged
    shown = [str(caught.value), repr(caught.value), repr(caught.value.args), logged]
    assert not [s for s in secrets for text in shown if s in text]


def test_redact_covers_every_secret_parameter() -> None:
    url = "https://x/api?access_token=abc&page=2&refresh_token=def&client_secret=ghi&password=jkl"
    assert redact(url) == (
        "https://x/api?access_token=[REDACTED]&page=2&refresh_token=[REDACTED]"
        "&client_secret=[REDACTED]&password=[REDACTED]"
    )
