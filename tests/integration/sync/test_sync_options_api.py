"""The sync options through the admin API: defaults until saved, saved whole, refused when unreadable, and
used by the next event."""

from __future__ import annotations

import httpx

from tests.integration.sync.bridge import Bridge

URL = "/v1/admin/connectors/acme/sync-options"


def test_options_are_read_saved_and_used_by_the_next_event(bridge: Bridge, admin_api: httpx.Client) -> None:
    current = admin_api.get(URL).json()
    assert current["reconcile_minutes"] == 15
    wanted = {**current, "triggers": {"status_becomes": [24], "queues": []}, "note_publish": 1}
    saved = admin_api.put(URL, json=wanted)
    assert saved.status_code == 200, saved.text
    assert admin_api.get(URL).json() == wanted
    assert bridge.ticket_webhook(7002, {"title": "x"}, 1).kind == "ignored"


def test_unreadable_options_and_unknown_connectors_are_refused(admin_api: httpx.Client) -> None:
    assert admin_api.put(URL, json={"time_marker_field": "title"}).status_code == 422
    assert admin_api.put(URL, json={"resource": 1}).status_code == 422
    assert admin_api.get("/v1/admin/connectors/nobody/sync-options").status_code == 404
