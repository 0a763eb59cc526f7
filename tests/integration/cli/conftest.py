"""The `fieldbridge` commands against a data directory of their own and both emulators
(tests/integration/cli/commands.py); `examples/connector.yaml` is the connector they set up, its environment
references pointing at the emulators."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.integration.cli.commands import EXAMPLE, Env, fieldbridge
from tests.support.emulators import AutotaskSim, FieldNationSim


@pytest.fixture
def env(tmp_path: Path) -> Env:
    """No FIELDBRIDGE_* variable of the machine's, a data directory of the test's own, a wide terminal."""
    cleared: Env = {name: None for name in os.environ if name.startswith(("FIELDBRIDGE_", "ACME_"))}
    return cleared | {
        "FIELDBRIDGE_DATA_DIR": str(tmp_path / "data"),
        "FIELDBRIDGE_MASTER_KEY": Fernet.generate_key().decode(),
        "FIELDBRIDGE_PUBLIC_BASE_URL": "https://bridge.example.test",
        "COLUMNS": "250",
    }


@pytest.fixture
def acme_env(env: Env, autotask_sim: AutotaskSim, fn_sim: FieldNationSim) -> Env:
    """`env` with the variables examples/connector.yaml reads, set to what the emulators announce."""
    at, fn = autotask_sim.creds, fn_sim.announced
    return env | {
        "ACME_AUTOTASK_URL": autotask_sim.url,
        "ACME_AUTOTASK_SECRET": at["secret"],
        "ACME_AUTOTASK_INTEGRATION_CODE": at["integration_code"],
        "ACME_FIELDNATION_URL": fn_sim.url,
        "ACME_FIELDNATION_CLIENT_ID": fn["client_id"],
        "ACME_FIELDNATION_CLIENT_SECRET": fn["client_secret"],
        "ACME_FIELDNATION_PASSWORD": fn["password"],
    }


@pytest.fixture
def applied(acme_env: Env) -> Env:
    """The example connector, applied."""
    result = fieldbridge(acme_env, "apply", "-f", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    return acme_env
