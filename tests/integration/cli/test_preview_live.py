"""`fieldbridge mappings preview-live`: the connector's mappings on a real record fetched now, a ticket by id
or number (with the account the inbound mappings read) or a work order by id; nothing is written."""

from __future__ import annotations

import json

from tests.integration.cli.commands import Env, fieldbridge, first_error
from tests.support.emulators import AutotaskSim, FieldNationSim


def test_a_ticket_by_id_or_number_previews_with_its_related_records(
    applied: Env, autotask_sim: AutotaskSim
) -> None:
    [ticket] = [t for t in autotask_sim.records("Tickets") if t["id"] == 7001]
    by_id = fieldbridge(applied, "mappings", "preview-live", "acme", "--ticket", "7001", "--json")
    assert by_id.exit_code == 0, by_id.output
    document = json.loads(by_id.stdout)["document"]
    assert document["title"] == ticket["title"]
    number = ticket["ticketNumber"]
    by_number = fieldbridge(applied, "mappings", "preview-live", "acme", "--ticket", number, "--json")
    assert json.loads(by_number.stdout)["document"] == document
    autotask_sim.control.delete("/_sim/calls")
    assert fieldbridge(applied, "mappings", "preview-live", "acme", "--ticket", "7001").exit_code == 0
    calls = autotask_sim.calls()["items"]
    writes = [i for i in calls if i["method"] != "GET" and not i["route"].endswith("/query")]
    assert calls
    assert writes == []


def test_a_work_order_previews_the_outbound_mappings(applied: Env, fn_sim: FieldNationSim) -> None:
    work_order = fn_sim.seeded("Assigned")
    shown = fieldbridge(
        applied, "mappings", "preview-live", "acme", "--work-order", str(work_order), "--json"
    )
    assert shown.exit_code == 0, shown.output
    assert "Ticket" in json.loads(shown.stdout)["document"]


def test_a_record_that_is_not_there_or_no_record_named_says_what_to_give(applied: Env) -> None:
    missing = fieldbridge(applied, "mappings", "preview-live", "acme", "--ticket", "999999")
    assert missing.exit_code == 1
    assert first_error(missing) == "Autotask has no Tickets record 999999 that the API user may see."
    neither = fieldbridge(applied, "mappings", "preview-live", "acme")
    assert neither.exit_code == 1
    assert first_error(neither) == "Say which record to preview."
