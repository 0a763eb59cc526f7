"""`fieldbridge sim fieldnation` as people and scripts run it: a real process, its first line, real HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from fieldbridge.fieldnation import Credentials, FieldNationClient

FIELDBRIDGE = str(Path(sys.executable).with_name("fieldbridge"))


def test_the_first_line_says_where_and_how_to_connect() -> None:
    process = subprocess.Popen(
        [FIELDBRIDGE, "sim", "fieldnation", "--port", "0", "--token-ttl", "120", "--max-upload-bytes", "10"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())
        assert set(first) == {"url", "client_id", "client_secret", "username", "password", "company_id"}
        assert first["url"].startswith("http://127.0.0.1:")
        assert first["company_id"] == 4182
        creds = Credentials(first["client_id"], first["client_secret"], first["username"], first["password"])
        with FieldNationClient(first["url"], creds) as fn:
            page = fn.workorders.list()
            assert page.metadata.total == 8
            folder = fn.attachments.folders(page.results[0].id)[0]
            assert folder.max_bytes == 10  # the options reached the emulator
            assert folder.results == []
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    assert process.returncode == 0


def test_seed_options_start_a_company_of_that_size() -> None:
    process = subprocess.Popen(
        [FIELDBRIDGE, "sim", "fieldnation", "--seed-workorders", "250", "--seed", "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())
        creds = Credentials(first["client_id"], first["client_secret"], first["username"], first["password"])
        with FieldNationClient(first["url"], creds) as fn:
            assert fn.workorders.list().metadata.total == 250
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)


def test_a_seed_size_below_the_default_seed_is_refused_with_what_to_change() -> None:
    out = subprocess.run(
        [FIELDBRIDGE, "sim", "fieldnation", "--seed-workorders", "5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert "work orders must be at least 8" in out.stderr
