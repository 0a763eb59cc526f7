"""Secrets at rest: Fernet encryption under the deployment's master key, and where that key comes from."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from fieldbridge.settings import Settings
from fieldbridge.store.files import create_private_file, private_directory

log = logging.getLogger(__name__)

KEY_FILE = "master.key"


class SecretUnreadable(Exception):
    """A stored secret does not decrypt: the master key is not the one it was saved with."""


class MasterKeyError(ValueError):
    """The master key is missing, unreadable or not a key; the message says where it was looked for."""


class SecretBox:
    MOST_OPENED = 256
    """Secrets kept opened at most (a few per connector); past it, all are forgotten."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)
        # Every event opens its connector's secrets (four decryptions, 4% of a no-op event's CPU). A sealed
        # value always opens to the same secret, so what was opened is kept, by the sealed value: a changed
        # secret is a new sealed value. The secrets are in this process's memory while it works anyway.
        self._opened: dict[str, str] = {}

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        opened = self._opened.get(sealed)
        if opened is not None:
            return opened
        try:
            opened = self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise SecretUnreadable(
                "a stored secret cannot be decrypted with this master key; restore the master key it was "
                "saved with, or enter the secret again"
            ) from None
        if len(self._opened) >= self.MOST_OPENED:
            self._opened.clear()
        self._opened[sealed] = opened
        return opened


def load_master_key(settings: Settings, *, generate: bool = True) -> bytes:
    """The key from `FIELDBRIDGE_MASTER_KEY`, else from the file `FIELDBRIDGE_MASTER_KEY_FILE` names (which
    must exist), else from `master.key` in the data directory, generated there on first run with a notice
    (unless `generate` is False: a key made for a database that holds secrets could open none of them)."""
    if settings.master_key is not None:
        return _checked(settings.master_key.get_secret_value().encode("ascii"), "FIELDBRIDGE_MASTER_KEY")
    if settings.master_key_file is not None:
        # Never generated: a secrets mount that failed to appear must stop the start, not quietly bring a
        # new key that cannot open what is stored.
        named = settings.master_key_file
        advice = f" Restore it from its backup; for a new deployment make one: {MAKE_KEY} > {named}"
        return _read(named, advice)
    private_directory(settings.data_dir)
    path = (settings.data_dir / KEY_FILE).absolute()
    if not generate and not path.exists():
        raise MasterKeyError(
            f"there is no master key: {path} does not exist and neither FIELDBRIDGE_MASTER_KEY nor "
            "FIELDBRIDGE_MASTER_KEY_FILE is set. Give the key the stored secrets were saved with"
        )
    if generate and create_private_file(path, Fernet.generate_key() + b"\n"):
        log.warning(
            "No master key was given, so a new one was generated into %s. Stored secrets (Autotask and "
            "Field Nation credentials) are encrypted with it: back this file up, and give the same key to "
            "every process of this deployment. Without it the stored secrets cannot be read.",
            path,
        )
    return _read(path, "")


MAKE_KEY = (
    f"{sys.executable} -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)
"""A shell command that prints a new key (with this installation's Python, which has the library)."""


def _read(path: Path, advice: str) -> bytes:
    try:
        key = path.read_bytes().strip()
    except OSError as error:
        raise MasterKeyError(
            f"the master key file {path} cannot be read ({error.strerror or error}).{advice}"
        ) from None
    return _checked(key, str(path))


def _checked(key: bytes, origin: str) -> bytes:
    try:
        Fernet(key)
    except ValueError:
        raise MasterKeyError(
            f"the master key from {origin} is not a Fernet key (32 url-safe base64-encoded bytes, 44 "
            "characters); check that the whole key was copied"
        ) from None
    return key
