"""How the client suite makes its Autotask clients: `Connect` is the `connect` fixture's type."""

from __future__ import annotations

from collections.abc import Callable

from fieldbridge.autotask import AutotaskClient, Retry

Connect = Callable[..., AutotaskClient]
"""Makes a client for a seeded user (by username prefix); keyword arguments override the client's options."""

# Short waits so that retry tests stay fast; the shape of the backoff is the same as in production.
FAST_RETRY = Retry(attempts=4, base_delay=0.05, max_delay=0.2)
