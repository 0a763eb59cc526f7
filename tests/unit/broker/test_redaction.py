from __future__ import annotations

import logging

import pytest

from fieldbridge.jobs.redaction import REDACTED, AccessAtDebug, RedactingFilter, redact


def test_known_secrets_and_token_parameters_are_replaced() -> None:
    text = (
        "GET https://api.example/wo?access_token=abc123&page=2 failed; "
        "server said: bad Secret: Zq81-never for user svc, password=hunter22"
    )
    cleaned = redact(text, ["Zq81-never"])
    for leaked in ("abc123", "Zq81-never", "hunter22"):
        assert leaked not in cleaned
    assert "page=2" in cleaned
    assert f"access_token={REDACTED}" in cleaned


def test_the_longest_secret_goes_first_and_short_ones_are_left() -> None:
    assert redact("key=abcdef", ["abc", "abcdef"]) == f"key={REDACTED}"
    assert redact("a b c", ["b"]) == "a b c"


def test_the_log_filter_cleans_messages_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("fieldbridge.test.redaction")
    logger.addFilter(RedactingFilter())
    try:
        with caplog.at_level(logging.INFO, logger=logger.name):
            logger.info("posted to %s", "/v1/broker/inbound?client_token=fbc_1.verysecret")
            try:
                raise RuntimeError("token refused: access_token=t0ps3cret")
            except RuntimeError:
                logger.exception("call failed")
    finally:
        logger.filters.clear()
    assert "verysecret" not in caplog.text
    assert "t0ps3cret" not in caplog.text
    assert "client_token=[redacted]" in caplog.text


def test_access_lines_are_debug_lines(caplog: pytest.LogCaptureFixture) -> None:
    access = logging.getLogger("fieldbridge.test.access")
    access.addFilter(AccessAtDebug())
    line = '127.0.0.1:5 - "POST /v1/broker/inbound?client_token=fbc_a.b HTTP/1.1" 202'
    try:
        with caplog.at_level(logging.INFO):
            access.info(line)
        assert caplog.records == []
        with caplog.at_level(logging.DEBUG):
            access.info(line)
        assert [(r.levelname, r.getMessage()) for r in caplog.records] == [("DEBUG", line)]
    finally:
        access.filters.clear()
