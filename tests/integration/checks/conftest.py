"""The checks, provisioning and the reference sheet over real HTTP: the broker app on loopback (its own
public base URL, so the Autotask emulator can deliver to its trigger URL), both emulators, the admin API,
and the `fieldbridge` commands run in this process against the same data directory
(tests/integration/checks/bridge.py)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from fieldbridge.sandbox.autotask.seed import FIELD_NATION_CODE
from fieldbridge.settings import Settings
from tests.integration.checks.bridge import Bridge
from tests.support.emulators import AutotaskSim, FieldNationSim
from tests.support.served import Served, serve, with_api_token


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("checks"),
        master_key=Fernet.generate_key().decode(),
        default_integration_code=SecretStr(FIELD_NATION_CODE),
    )
    with serve(settings) as app_served:
        # Known only once it listens: where Autotask and Field Nation are to deliver.
        settings.public_base_url = app_served.url
        yield app_served


@pytest.fixture(scope="module")
def admin_client(served: Served) -> Iterator[httpx.Client]:
    with with_api_token(served.broker.db, served.url) as client:
        yield client


@pytest.fixture
def bridge(
    served: Served, admin_client: httpx.Client, autotask_sim: AutotaskSim, fn_sim: FieldNationSim
) -> Bridge:
    return Bridge(served, admin_client, autotask_sim, fn_sim)
