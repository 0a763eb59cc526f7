"""Fixtures for the mapping tests: a Jsonnet runner per session and a catalog shaped like Refresh Fields."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fieldbridge.mapping.catalog import Catalog
from fieldbridge.mapping.jsonnet import JsonnetRunner

from .catalog_data import CATALOG_DATA


@pytest.fixture(scope="session")
def runner() -> Iterator[JsonnetRunner]:
    # Generous: a loaded CI machine must not turn a normal evaluation into a timeout.
    with JsonnetRunner(timeout=10.0) as jsonnet:
        yield jsonnet


@pytest.fixture
def catalog() -> Catalog:
    return Catalog.model_validate(CATALOG_DATA)
