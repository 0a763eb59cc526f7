"""Time logs edited or deleted in Field Nation change or remove the same TimeEntry (one write each, no
read), and the guide's inbound UDF row: an Autotask UDF lands in a Field Nation custom field, written again
only when it changed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fieldbridge.mapping import default_set
from fieldbridge.mapping.model import Sync
from fieldbridge.store.inbox import Hint
from tests.integration.sync.bridge import Bridge
from tests.integration.sync.scenario import TECH, records


def fn_rest(bridge: Bridge, method: str, path: str, **json: Any) -> Any:
    token = bridge.fn.token()
    answer = bridge.fn.control.request(
        method, f"/api/rest/v2{path}", params={"access_token": token}, json=json or None
    )
    assert answer.status_code < 300, answer.text
    return answer.json() if answer.content else None


def entries(bridge: Bridge) -> list[dict[str, Any]]:
    return records(bridge, "TimeEntries", ticketID=7001)


def logged_and_synced(bridge: Bridge) -> tuple[int, int]:
    """A linked work order with one time log written to Autotask; its id and the log's."""
    bridge.import_ticket(7001)
    work_order_id = bridge.work_order_of(7001)
    bridge.fn.act(work_order_id, "route", technician_id=TECH)
    bridge.fn.act(work_order_id, "accept", technician_id=TECH)
    bridge.fn.act(work_order_id, "log_time", hours=1.5)
    bridge.fn_event(work_order_id, "logged")
    [log] = fn_rest(bridge, "GET", f"/workorders/{work_order_id}/time_logs")["results"]
    return work_order_id, int(log["id"])


def test_an_edited_time_log_updates_the_same_time_entry_with_one_write(bridge: Bridge) -> None:
    work_order_id, log_id = logged_and_synced(bridge)
    [entry] = entries(bridge)
    assert entry["summaryNotes"].startswith(f"(#{log_id})")
    start = datetime.fromisoformat(entry["startDateTime"].replace("Z", "+00:00"))
    later_end = (start + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S")
    fn_rest(
        bridge, "PUT", f"/workorders/{work_order_id}/time_logs/{log_id}", out={"created": {"utc": later_end}}
    )
    bridge.reset_counts()
    summary = bridge.fn_event(work_order_id, "edited")
    assert summary.written("updated", "time entry") == [entry["id"]]
    [updated] = entries(bridge)
    assert updated["id"] == entry["id"]
    assert updated["endDateTime"].startswith(later_end.replace(" ", "T"))
    assert bridge.autotask_calls() == {"PATCH /V1.0/TimeEntries": 1}

    bridge.reset_counts()
    assert bridge.fn_event(work_order_id, "edited-again").kind == "unchanged"
    assert bridge.autotask_calls() == {}


def test_a_deleted_time_log_deletes_its_time_entry_once(bridge: Bridge) -> None:
    work_order_id, log_id = logged_and_synced(bridge)
    [entry] = entries(bridge)
    fn_rest(bridge, "DELETE", f"/workorders/{work_order_id}/time_logs/{log_id}")
    bridge.reset_counts()
    summary = bridge.fn_event(work_order_id, "deleted")
    assert summary.written("deleted", "time entry") == [entry["id"]]
    assert entries(bridge) == []
    assert bridge.autotask_calls() == {"DELETE /V1.0/TimeEntries/{id}": 1}
    bridge.reset_counts()
    assert bridge.fn_event(work_order_id, "deleted-again").kind == "unchanged"
    assert bridge.autotask_calls() == {}


def with_udf_row(bridge: Bridge, udf: str, custom_field: str) -> None:
    """The default set plus the guide's `UserDefinedField.{udf_name}` -> custom field row."""
    mappings = default_set()
    row = Sync(
        action="sync", source_field=f"UserDefinedField.{udf}", target_field=f"custom_fields.{custom_field}"
    )
    bridge.save_mappings(mappings.model_copy(update={"inbound": [*mappings.inbound, row]}))


def custom_field(bridge: Bridge, work_order_id: int, name: str) -> Any:
    categories = fn_rest(bridge, "GET", f"/workorders/{work_order_id}/custom_fields")["results"]
    return next(f.get("value") for c in categories for f in c["results"] if f["name"] == name)


def test_a_udf_lands_in_a_custom_field_and_is_written_again_only_when_it_changes(bridge: Bridge) -> None:
    with_udf_row(bridge, "Technician Count", "Devices on site")
    bridge.import_ticket(7001)
    work_order_id = bridge.work_order_of(7001)
    assert custom_field(bridge, work_order_id, "Devices on site") in ("1", 1)

    bridge.at.control.patch(
        "/_sim/ui/Tickets/7001",
        json={
            "as_resource": 29682887,
            "fields": {"userDefinedFields": [{"name": "Technician Count", "value": "2"}]},
        },
    ).raise_for_status()
    bridge.reset_counts()
    summary = bridge.import_ticket(7001)
    assert [w.detail for w in summary.writes] == ["custom field Devices on site"]
    assert custom_field(bridge, work_order_id, "Devices on site") in ("2", 2)
    assert bridge.fn.calls("/workorders/{work_order_id}/custom_fields/{custom_field_id}", "PUT") == 1
    assert bridge.fn.calls("/workorders/{work_order_id}", "PUT") == 0


def test_a_custom_field_field_nation_lacks_is_reported_not_dropped(bridge: Bridge) -> None:
    with_udf_row(bridge, "Site Access Code", "Gate code")
    bridge.import_ticket(7001)
    warnings = [message for level, message in bridge.pair_history(7001) if level == "warning"]
    assert any("no custom field named 'Gate code'" in message for message in warnings)


def test_a_value_field_nation_refuses_goes_to_dead_letters_at_once_with_the_fix(bridge: Bridge) -> None:
    with_udf_row(bridge, "Site Access Code", "Site phone")  # a gate code is no phone number
    refused = bridge.deliver(Hint("import", "autotask", "Ticket", 7001))
    assert refused.status == "dead"
    _, _, message, fix = refused.lines[-1]
    assert "wants a phone number" in message
    assert fix is not None
    assert "Correct the mapping" in fix
