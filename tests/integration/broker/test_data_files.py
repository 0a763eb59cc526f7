"""The data directory and the files in it are private to the service's user whatever the umask, and the
master key can live outside it, in a file of the operator's choosing."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from fieldbridge.autotask.webhooks import sign as autotask_sign
from fieldbridge.settings import Settings
from fieldbridge.store.secrets import KEY_FILE, load_master_key
from tests.integration.broker.deliveries import WEBHOOK, autotask_bytes
from tests.integration.broker.processes import Fleet, fleet_env
from tests.support.served import serve


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o000, 0o277], ids=["umask 000", "umask 277"])
def fleet(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Fleet]:
    """Processes started with umask 000, which would make every file they create world-writable, or 277,
    which would take the owner's own write permission away."""
    env = fleet_env(tmp_path, data_dir=str(tmp_path / "deploy" / "data"))
    fleet = Fleet(tmp_path, env, umask=request.param)
    yield fleet
    fleet.stop_all()


def test_serve_keeps_its_data_directory_and_files_private_whatever_the_umask(fleet: Fleet) -> None:
    launched = fleet.launch()
    with httpx.Client(base_url=launched.url) as http:
        assert http.get("/readyz").status_code == 200  # the database and the queue are open and answer
    data = fleet.directory / "deploy" / "data"
    assert mode(data) == 0o700
    files = {path.name: mode(path) for path in data.iterdir()}
    # While the process runs, SQLite's write-ahead log and shared memory files exist beside each database.
    expected = {"fieldbridge.db", "fieldbridge.db-wal", "fieldbridge.db-shm", "queue.db", KEY_FILE}
    assert expected <= set(files), files
    assert files == dict.fromkeys(files, 0o600)


def test_the_master_key_can_live_in_a_file_outside_the_data_directory(tmp_path: Path) -> None:
    key_file = tmp_path / "secrets" / "fieldbridge.key"
    key_file.parent.mkdir()
    key_file.write_text(Fernet.generate_key().decode() + "\n")
    settings = Settings(data_dir=tmp_path / "data", master_key_file=key_file)
    body = autotask_bytes(WEBHOOK)
    with serve(settings) as served:
        # The webhook secret is sealed with the key from the file; the signature verifies only if the
        # service opened it with the same key.
        _, token = served.add_connector(autotask_webhook_secret="at-hook-secret-1")
        response = served.http.post(
            "/v1/broker/inbound",
            params={"client_token": token},
            content=body,
            headers={"X-Hook-Signature": autotask_sign("at-hook-secret-1", body)},
        )
    assert response.status_code == 202, response.text
    assert not (tmp_path / "data" / KEY_FILE).exists()


def test_a_named_master_key_file_that_is_missing_stops_the_start_and_is_not_generated(tmp_path: Path) -> None:
    missing = tmp_path / "secrets" / "fieldbridge.key"
    settings = Settings(data_dir=tmp_path / "data", master_key_file=missing)
    with pytest.raises(ValueError, match="cannot be read") as refused:
        load_master_key(settings)
    assert str(missing) in str(refused.value)
    assert "Restore it from its backup" in str(refused.value)
    assert f"> {missing}" in str(refused.value)  # the command that makes a new one, for a new deployment
    assert not missing.exists()
    assert not (tmp_path / "data" / KEY_FILE).exists()


def test_the_key_and_a_key_file_together_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="MASTER_KEY and FIELDBRIDGE_MASTER_KEY_FILE are both set"):
        Settings(data_dir=tmp_path, master_key=Fernet.generate_key().decode(), master_key_file=tmp_path / "k")
