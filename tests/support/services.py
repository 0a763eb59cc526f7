"""PostgreSQL and Redis for the tests that need them: where they are, and what to do when they do not answer.

Set FIELDBRIDGE_TEST_POSTGRES_URL and FIELDBRIDGE_TEST_REDIS_URL to a database and a Redis db of your own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

POSTGRES_URL = os.environ.get(
    "FIELDBRIDGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/fieldbridge_test"
)
REDIS_URL = os.environ.get("FIELDBRIDGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def services_required() -> bool:
    return os.environ.get("FIELDBRIDGE_REQUIRE_SERVICES") == "1"


def unavailable(service: str, why: str) -> None:
    """Skip locally, fail in CI: CI sets FIELDBRIDGE_REQUIRE_SERVICES=1 so a missing service is an error."""
    message = f"{service} is not reachable ({why}); start it or set its URL in the environment"
    if services_required():
        pytest.fail(message)
    pytest.skip(message)


def create_postgres_database(url: str) -> None:
    """Create the database `url` names if it is missing; skip or fail (see `unavailable`) if the server does
    not answer."""
    parsed = make_url(url)
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            ).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    except OperationalError as error:
        unavailable("PostgreSQL", str(error.orig).strip().splitlines()[0])
    finally:
        server.dispose()


def ping_redis(url: str) -> None:
    """Skip or fail (see `unavailable`) unless Redis answers at `url`."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        unavailable("Redis", str(error))
    finally:
        client.close()


@contextmanager
def fresh_schema(postgres_url: str) -> Iterator[str]:
    """The URL of a new empty schema, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield in_schema(postgres_url, schema)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def in_schema(url: str, schema: str) -> str:
    """`url` with `schema` on its search_path: every connection made from it (subprocesses too) is in it."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"
