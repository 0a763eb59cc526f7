"""HTTP clients on the tenant's API as a given seeded API user, such as `svc-fullaccess@`, the one left on
the built-in level "API User (system) (API-only)" (Full Access, so a test of what a route does is not held
up by what the guide's level withholds)."""

from __future__ import annotations

import httpx

from fieldbridge.tls import client_context
from tests.support.emulators import AutotaskSim

SYSTEM_LEVEL = "API User (system) (API-only)"


def api_as(sim: AutotaskSim, username_prefix: str) -> httpx.Client:
    """An HTTP client on the tenant's `V1.0/` API as the seeded user whose name starts with the prefix."""
    user = sim.user(username_prefix)
    headers = sim.headers(username=user["username"], secret=user["secret"], code=user["integration_code"])
    return httpx.Client(base_url=f"{sim.zone_url}V1.0/", headers=headers, timeout=30, verify=client_context())


def full_access_api(sim: AutotaskSim) -> httpx.Client:
    return api_as(sim, "svc-fullaccess@")
