"""`fieldbridge sim fieldnation` as people and scripts run it: a real process, its first line, real HTTP."""

from __future__ import annotations

import subprocess

from fieldbridge.fieldnation import Credentials, FieldNationClient
from tests.support.emulators import FIELDBRIDGE, sim_process


def test_the_first_line_says_where_and_how_to_connect() -> None:
    options = ("--port", "0", "--token-ttl", "120", "--max-upload-bytes", "10")
    with sim_process("fieldnation", *options) as (first, process):
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
    assert process.returncode == 0


def test_seed_options_start_a_company_of_that_size() -> None:
    with sim_process("fieldnation", "--seed-workorders", "250", "--seed", "4") as (first, _):
        creds = Credentials(first["client_id"], first["client_secret"], first["username"], first["password"])
        with FieldNationClient(first["url"], creds) as fn:
            assert fn.workorders.list().metadata.total == 250


def test_a_seed_size_below_the_default_seed_is_refused_with_what_to_change() -> None:
    out = subprocess.run(
        [FIELDBRIDGE, "sim", "fieldnation", "--seed-workorders", "5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert "work orders must be at least 8" in out.stderr
