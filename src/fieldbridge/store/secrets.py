"""Secrets at rest: Fernet encryption under the deployment's master key, and where that key comes from."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from fieldbridge.settings import Settings

log = logging.getLogger(__name__)

KEY_FILE = "master.key"


class SecretUnreadable(Exception):
    """A stored secret does not decrypt: the master key is not the one it was saved with."""


class SecretBox:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise SecretUnreadable(
                "a stored secret cannot be decrypted with this master key; restore the master key it was "
                "saved with, or enter the secret again"
            ) from None


def load_master_key(settings: Settings) -> bytes:
    """The configured key; else the key file in the data directory, created on first run with a notice."""
    if settings.master_key is not None:
        key = settings.master_key.get_secret_value().encode("ascii")
        _check(key, "FIELDBRIDGE_MASTER_KEY")
        return key
    path = settings.data_dir / KEY_FILE
    if not path.exists():
        _create_key_file(path)
    key = path.read_bytes().strip()
    _check(key, str(path))
    return key


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when serve and a worker start together on a fresh data dir, one key wins, both use it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(Fernet.generate_key() + b"\n")
    log.warning(
        "No FIELDBRIDGE_MASTER_KEY was given, so a new master key was generated into %s. Stored secrets "
        "(Autotask and Field Nation credentials) are encrypted with it: back this file up, and give the same "
        "key to every process of this deployment. Without it the stored secrets cannot be read.",
        path,
    )


def _check(key: bytes, origin: str) -> None:
    try:
        Fernet(key)
    except ValueError:
        raise ValueError(
            f"the master key from {origin} is not a Fernet key (32 url-safe base64-encoded bytes); "
            "make one with cryptography's Fernet.generate_key(), or leave it unset to have one generated"
        ) from None
