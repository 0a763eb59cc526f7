"""The Field Nation emulator served over real HTTP, a client logged in to it, and a webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fieldbridge.fieldnation import FieldNationClient, Retries
from tests.integration.fieldnation.seeded import UPLOAD_LIMIT
from tests.support.emulators import FieldNationSim, serve_fieldnation
from tests.support.receiver import Receiver
from tests.support.receiver import receiver as receiving


@pytest.fixture(scope="module")
def fn_server() -> Iterator[FieldNationSim]:
    with serve_fieldnation(max_upload_bytes=UPLOAD_LIMIT) as sim:
        yield sim


@pytest.fixture
def sleeps() -> list[float]:
    """The client's back-off waits, recorded instead of slept."""
    return []


@pytest.fixture
def client(fn_sim: FieldNationSim, sleeps: list[float]) -> Iterator[FieldNationClient]:
    retries = Retries(sleep=sleeps.append)
    with FieldNationClient(fn_sim.url, fn_sim.credentials, retries=retries, timeout=10) as fn:
        yield fn


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook endpoint on loopback (the suite's shared one); deliveries go to `receiver.url + "/hook"`."""
    with receiving() as r:
        yield r
