"""Fixtures shared by every suite: the emulators served over real HTTP on loopback, PostgreSQL and Redis when
they answer, a migrated SQLite store to copy, and an SMTP server. What they build on lives in
tests/support/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from hypothesis import settings

from fieldbridge.store import admins
from tests.support.emulators import AutotaskSim, FieldNationSim, serve_autotask, serve_fieldnation
from tests.support.long_first import long_first
from tests.support.services import POSTGRES_URL, REDIS_URL, create_postgres_database, ping_redis
from tests.support.smtp import Mailbox, smtp_server
from tests.support.stores import migrated_store as make_migrated_store


def pytest_configure(config: pytest.Config) -> None:
    # Hypothesis' per-example deadline (200 ms) is a timing assertion: on a machine busy with the whole suite
    # it failed examples that pass alone. Speed is the benchmark harness's business.
    settings.register_profile("fieldbridge", deadline=None)
    settings.load_profile("fieldbridge")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    processes = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if processes > 1:  # every test process collects and orders alike, as xdist requires
        marked = [item.get_closest_marker("long") is not None for item in items]
        items[:] = long_first(items, marked, processes)


@pytest.fixture(scope="session")
def _autotask_server() -> Iterator[AutotaskSim]:
    with serve_autotask() as sim:
        yield sim


@pytest.fixture
def autotask_sim(_autotask_server: AutotaskSim) -> AutotaskSim:
    """The session's Autotask emulator, reset to its seed before each test."""
    _autotask_server.reset()
    return _autotask_server


@pytest.fixture(scope="module")
def fn_server() -> Iterator[FieldNationSim]:
    """The module's Field Nation emulator (a package whose tests need other options overrides this)."""
    with serve_fieldnation() as sim:
        yield sim


@pytest.fixture
def fn_sim(fn_server: FieldNationSim) -> FieldNationSim:
    """The module's Field Nation emulator, reset to its seed before each test."""
    fn_server.reset()
    return fn_server


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test database, created if missing."""
    create_postgres_database(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis, once it answers."""
    ping_redis(REDIS_URL)
    return REDIS_URL


@pytest.fixture(scope="session")
def migrated_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store at the newest schema, made once per test process, for tests to copy
    (tests/support/stores.py): migrating one per test would take most of a short test's time."""
    return make_migrated_store(tmp_path_factory.mktemp("migrated"))


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on loopback that keeps what it receives."""
    with smtp_server() as box:
        yield box


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes() -> Iterator[None]:
    """Admins' passwords hashed at argon2's lowest cost in this test process: at the product's (about 0.17 s
    of CPU a hash or check) a run's 131 of them cost 22 s of CPU, and no test is about the cost. A hash made
    at another cost (by a subprocess) is still checked by the parameters it carries."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(admins, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield
