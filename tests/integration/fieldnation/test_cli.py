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
