"""What a person asks of Autotask through the broker (the connection test, Refresh Fields, the check) counts
in the deployment's shared limits, where the workers count their own requests: what a person asks for never
puts a fourth request in flight beside theirs, nor spends past the deployment's hourly share unseen."""

from __future__ import annotations

import httpx

from fieldbridge.sync.clients import shared_limits
from tests.integration.sync.bridge import Bridge
from tests.support.waiting import wait_until


def test_what_a_person_asks_of_autotask_counts_where_the_workers_count(
    bridge: Bridge, admin_api: httpx.Client
) -> None:
    seen_by_workers = shared_limits(bridge.config(), bridge.settings.sync, bridge.db)  # a fresh view
    tenant_before = bridge.at.control.get("/_sim/limits").json()["current_hour_requests"]
    counted_before = seen_by_workers.used()

    assert admin_api.post("/v1/admin/connectors/acme/connection-test").status_code == 200
    assert admin_api.post("/v1/admin/connectors/acme/refresh-fields").status_code == 200
    assert admin_api.post("/v1/admin/connectors/acme/check").status_code == 200

    answered = bridge.at.control.get("/_sim/limits").json()["current_hour_requests"] - tenant_before
    assert answered > 20  # entity information, fields and picklists of each entity, the audit's queries
    # Once the requests of the budget its clients took ahead and did not send are given back (soon after
    # the last answer).
    wait_until(
        lambda: seen_by_workers.used() - counted_before == answered,
        timeout=10,
        what=f"the shared limits to count the {answered} requests Autotask answered",
    )
