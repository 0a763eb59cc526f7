"""Sign-in throttling over real HTTP: a username and a client address are locked after their failed
attempts, with a 429 whose Retry-After says when to try again; an unknown name is answered exactly as a known
one; the count lives in the database, so every process of a deployment shares it; an admin lifts a lockout
with `fieldbridge admin unlock`.

Client addresses are set with X-Forwarded-For, which the server believes from loopback (as it would from
a reverse proxy on the same machine)."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from fieldbridge.cli import app as cli
from fieldbridge.settings import Settings, SignInSettings
from tests.support.served import ADMIN_PASSWORD, Served, serve

LIMITS = SignInSettings(user_failures=3, address_failures=5, window_seconds=600, lockout_seconds=900)
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


def settings_for(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, master_key=Fernet.generate_key().decode(), sign_in=LIMITS)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sign-in")


@pytest.fixture(scope="module")
def served(data_dir: Path) -> Iterator[Served]:
    with serve(settings_for(data_dir)) as app:
        yield app


@pytest.fixture
def address() -> str:
    """A client address of this test's own, so no test's failures count against another's."""
    return next(_addresses)


def sign_in(served: Served, username: str, password: str, address: str) -> httpx.Response:
    return served.http.post(
        "/v1/admin/session",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": address},
    )


def test_a_username_is_locked_after_its_failures_and_told_when_to_try_again(
    served: Served, address: str
) -> None:
    alice = served.add_admin()
    assert [sign_in(served, alice, "wrong password!", address).status_code for _ in range(2)] == [401, 401]
    third = sign_in(served, alice, "wrong password!", address)
    assert third.status_code == 429
    assert 890 <= int(third.headers["Retry-After"]) <= 900
    detail = third.json()["detail"]
    assert detail.startswith("Too many failed sign-ins for this username. Try again in 15 minute(s), at ")
    assert detail.endswith("UTC, or ask an administrator to run `fieldbridge admin unlock <username>`.")
    # Locked: the right password does not help, from this address or another, and no session is made.
    for where in (address, next(_addresses)):
        refused = sign_in(served, alice, ADMIN_PASSWORD, where)
        assert refused.status_code == 429
        assert "set-cookie" not in refused.headers


def answers(served: Served, username: str, address: str) -> list[tuple[int, str, bool]]:
    """Status, detail (its clock time left out) and whether Retry-After came, for four wrong passwords."""
    seen = []
    for _ in range(4):
        response = sign_in(served, username, "wrong password!", address)
        detail = re.sub(r"\d\d:\d\d:\d\d", "HH:MM:SS", response.json()["detail"])
        seen.append((response.status_code, detail, "retry-after" in response.headers))
    return seen


def test_an_unknown_username_is_answered_exactly_as_a_known_one(served: Served, address: str) -> None:
    known = answers(served, served.add_admin(), address)
    unknown = answers(served, "nobody-by-this-name", next(_addresses))
    assert known == unknown
    assert [status for status, _, _ in known] == [401, 401, 429, 429]


def test_an_address_trying_many_names_is_locked_for_every_name(served: Served, address: str) -> None:
    statuses = [sign_in(served, f"guess-{n}", "wrong password!", address).status_code for n in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    alice = served.add_admin()
    refused = sign_in(served, alice, ADMIN_PASSWORD, address)
    assert refused.status_code == 429
    assert "from this address" in refused.json()["detail"]
    assert "fieldbridge admin unlock --address <address>" in refused.json()["detail"]
    assert sign_in(served, alice, ADMIN_PASSWORD, next(_addresses)).status_code == 200


def test_signing_in_forgets_the_names_earlier_failures(served: Served, address: str) -> None:
    alice = served.add_admin()
    for _ in range(2):
        assert sign_in(served, alice, "wrong password!", address).status_code == 401
    assert sign_in(served, alice, ADMIN_PASSWORD, address).status_code == 200
    for _ in range(2):
        assert sign_in(served, alice, "wrong password!", address).status_code == 401


def test_every_process_counts_into_the_same_database(served: Served, data_dir: Path, address: str) -> None:
    alice = served.add_admin()
    # A second broker on the same database: another process as far as the count is concerned.
    with serve(settings_for(data_dir)) as other:
        assert sign_in(served, alice, "wrong password!", address).status_code == 401
        assert sign_in(other, alice, "wrong password!", address).status_code == 401
        assert sign_in(served, alice, "wrong password!", address).status_code == 429
        assert sign_in(other, alice, ADMIN_PASSWORD, next(_addresses)).status_code == 429


def unlock(data_dir: Path, *args: str) -> str:
    env: dict[str, str | None] = {name: None for name in os.environ if name.startswith("FIELDBRIDGE_")}
    result = CliRunner().invoke(
        cli, ["admin", "unlock", *args], env=env | {"FIELDBRIDGE_DATA_DIR": str(data_dir)}
    )
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_an_admin_lifts_a_lockout_with_the_command(served: Served, data_dir: Path, address: str) -> None:
    alice = served.add_admin()
    for n in range(5):  # locks alice (3 failures) and then the address (5)
        sign_in(served, alice if n < 3 else f"guess-{n}", "wrong password!", address)
    assert unlock(data_dir, alice) == f"Sign-in lockout of username {alice} lifted."
    assert sign_in(served, alice, ADMIN_PASSWORD, next(_addresses)).status_code == 200
    assert sign_in(served, alice, ADMIN_PASSWORD, address).status_code == 429  # the address is still locked
    assert unlock(data_dir, "--address", address) == f"Sign-in lockout of address {address} lifted."
    assert sign_in(served, alice, ADMIN_PASSWORD, address).status_code == 200
    assert unlock(data_dir, alice) == f"The username {alice} was not locked out."


def test_unlock_needs_a_name_or_an_address(data_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["admin", "unlock"], env={"FIELDBRIDGE_DATA_DIR": str(data_dir)})
    assert result.exit_code == 1
    assert "Name the username to unlock, or give --address." in result.output
