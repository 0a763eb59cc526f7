"""Connectors keep their secrets sealed, write-only, and decryptable only with the same master key."""

from __future__ import annotations

import logging
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr, ValidationError
from sqlalchemy import text

from fieldbridge.settings import Settings
from fieldbridge.store import client_tokens, connectors
from fieldbridge.store.database import Database
from fieldbridge.store.secrets import SecretBox, SecretUnreadable, load_master_key

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SECRET = "at-secret-Zq81-never-shown"


def new_connector(**changes: object) -> connectors.NewConnector:
    fields: dict[str, object] = {
        "name": "acme",
        "autotask_username": "svc-fieldnation@acme.example",
        "autotask_secret": SECRET,
        "fieldnation_client_id": "client-1",
        "fieldnation_client_secret": "fn-client-secret-9",
        "fieldnation_username": "dispatch@acme.example",
        "fieldnation_password": "fn-password-7",
        "notification_emails": ["ops@acme.example"],
    }
    fields.update(changes)
    return connectors.NewConnector.model_validate(fields)


@pytest.fixture
def box(settings: Settings) -> SecretBox:
    return SecretBox(load_master_key(settings))


def test_secrets_are_sealed_in_the_table_and_hidden_from_the_view(db: Database, box: SecretBox) -> None:
    with db.transaction() as session:
        connector = connectors.create(session, box, new_connector(), NOW)
        view = connectors.view(connector)
    with db.engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM connectors")).mappings().one()
    assert SECRET not in repr(dict(row))
    assert view.secrets_set == {
        "autotask_secret": True,
        "autotask_integration_code": False,
        "autotask_webhook_secret": False,
        "fieldnation_client_secret": True,
        "fieldnation_password": True,
        "fieldnation_webhook_secret": False,
    }
    assert SECRET not in view.model_dump_json()
    assert view.service_object == "ticket"
    assert view.expense_target == ""


def test_config_decrypts_and_falls_back_to_the_default_integration_code(db: Database, box: SecretBox) -> None:
    with db.transaction() as session:
        connector = connectors.create(session, box, new_connector(), NOW)
        config = connectors.config(connector, box, SecretStr("DEPLOYMENT-CODE"))
    assert config.autotask_secret is not None
    assert config.autotask_secret.get_secret_value() == SECRET
    assert config.autotask_integration_code is not None
    assert config.autotask_integration_code.get_secret_value() == "DEPLOYMENT-CODE"
    assert SECRET in config.secret_values()
    assert SECRET not in repr(config)


def test_update_changes_only_what_is_given_and_blank_clears(db: Database, box: SecretBox) -> None:
    with db.transaction() as session:
        connector = connectors.create(session, box, new_connector(autotask_integration_code="OWN"), NOW)
        changes = connectors.ConnectorChanges.model_validate(
            {"service_object": "ServiceCall", "autotask_integration_code": ""}
        )
        connectors.update(session, box, connector, changes, NOW)
        config = connectors.config(connector, box, None)
    assert config.service_object == "ServiceCall"
    assert config.autotask_integration_code is None
    assert config.autotask_secret is not None  # untouched
    assert config.notification_emails == ["ops@acme.example"]


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"service_object": "Tickets"}, "service_object"),
        ({"expense_target": "expense"}, "expense_target"),
        ({"notification_emails": ["not-an-address"]}, "not an email address"),
        ({"name": "Has Spaces"}, "name"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_settings_outside_the_guide_are_refused_by_name(changes: dict[str, object], complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        new_connector(**changes)


def test_another_master_key_cannot_read_the_secrets(db: Database, box: SecretBox) -> None:
    with db.transaction() as session:
        connector = connectors.create(session, box, new_connector(), NOW)
        with pytest.raises(SecretUnreadable, match="master key"):
            connectors.config(connector, SecretBox(Fernet.generate_key()), None)


def test_master_key_is_generated_once_with_a_notice(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    with caplog.at_level(logging.WARNING):
        first = load_master_key(settings)
    assert "generated" in caplog.text
    assert first.decode() not in caplog.text
    key_file = tmp_path / "data" / "master.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    caplog.clear()
    assert load_master_key(settings) == first
    assert caplog.text == ""


def test_a_master_key_that_is_not_a_fernet_key_is_explained(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a Fernet key"):
        load_master_key(Settings(data_dir=tmp_path, master_key="too-short"))


def test_rotating_the_client_token_revokes_the_previous_one(db: Database, box: SecretBox) -> None:
    with db.transaction() as session:
        connector = connectors.create(session, box, new_connector(), NOW)
        first = client_tokens.rotate(session, connector, NOW)
        assert client_tokens.connector_for(session, first) is connector
        second = client_tokens.rotate(session, connector, NOW)
        assert client_tokens.connector_for(session, first) is None
        assert client_tokens.connector_for(session, second) is connector
        selector, _, verifier = second.partition(".")
        for wrong in (
            None,
            "",
            "garbage",
            selector,
            f"{selector}.",
            f"{selector}.{verifier[:-1]}x",
            verifier,
        ):
            assert client_tokens.connector_for(session, wrong) is None
    with db.engine.connect() as connection:
        stored = connection.execute(text("SELECT selector, verifier_hash FROM client_tokens")).all()
    assert all(verifier not in (row.selector + row.verifier_hash) for row in stored)


def test_trigger_url_follows_the_guide_pattern() -> None:
    url = client_tokens.trigger_url("https://bridge.example.test", "fbc_ab12.x-y_z")
    assert url == "https://bridge.example.test/v1/broker/inbound?client_token=fbc_ab12.x-y_z"
