from __future__ import annotations

from pathlib import Path

import pytest

from fieldbridge.settings import Settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("FIELDBRIDGE_"):
            monkeypatch.delenv(name)


def test_defaults_put_database_and_queue_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'fieldbridge.db'}"
    assert settings.queue_url == f"sqlite:///{tmp_path / 'queue.db'}"
    assert settings.embedded_queue
    assert settings.master_key is None


def test_environment_sets_nested_groups_and_lists(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FIELDBRIDGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FIELDBRIDGE_QUEUE_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("FIELDBRIDGE_SMTP__HOST", "mail.example.com")
    monkeypatch.setenv("FIELDBRIDGE_SMTP__TO", "ops@example.com, desk@example.com")
    monkeypatch.setenv("FIELDBRIDGE_RETRY__ATTEMPTS", "3")
    monkeypatch.setenv("FIELDBRIDGE_HANDLER_MODULES", "a.b,c.d")
    monkeypatch.setenv("FIELDBRIDGE_PUBLIC_BASE_URL", "https://bridge.example.com/")
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert not settings.embedded_queue
    assert settings.smtp.host == "mail.example.com"
    assert settings.smtp.to == ["ops@example.com", "desk@example.com"]
    assert settings.retry.attempts == 3
    assert settings.handler_modules == ["a.b", "c.d"]
    assert settings.public_base_url == "https://bridge.example.com"


def test_config_file_fills_in_and_environment_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "fieldbridge.yaml"
    config.write_text(
        "public_base_url: https://from-file.example.com\nretry:\n  attempts: 5\n  base_delay_seconds: 2\n"
    )
    monkeypatch.setenv("FIELDBRIDGE_CONFIG_FILE", str(config))
    monkeypatch.setenv("FIELDBRIDGE_RETRY__ATTEMPTS", "9")
    settings = Settings(data_dir=tmp_path)
    assert settings.public_base_url == "https://from-file.example.com"
    assert settings.retry.base_delay_seconds == 2
    assert settings.retry.attempts == 9


def test_missing_config_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FIELDBRIDGE_CONFIG_FILE", str(tmp_path / "nope.yaml"))
    with pytest.raises(FileNotFoundError, match=r"nope\.yaml"):
        Settings()


def test_secrets_do_not_show_in_the_settings_repr() -> None:
    settings = Settings(master_key="k" * 44, smtp={"password": "smtp-pass-123"})
    assert "smtp-pass-123" not in repr(settings)
    assert "k" * 44 not in repr(settings)
