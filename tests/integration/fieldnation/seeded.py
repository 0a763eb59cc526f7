"""The Field Nation emulator as this package's tests know it: the upload limit it is served with, and ids
its seed holds (the API user, who manages the work orders it creates, and the buyer company)."""

from __future__ import annotations

UPLOAD_LIMIT = 4096
MANAGER = 2001
COMPANY = 4182
