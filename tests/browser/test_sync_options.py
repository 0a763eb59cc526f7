"""The sync options page: Outbound Create is refused, with the missing fields listed, while the mappings lack
a field Autotask needs on a new ticket, and allowed once they are mapped; ids are picked by name."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from fieldbridge.sandbox.autotask.seed import ROLE, STATUS
from fieldbridge.store import connectors
from tests.support.console import ConsoleSite, screenshot
from tests.support.emulators import AutotaskSim, FieldNationSim

NORTHWIND, FIELD_SERVICES, MEDIUM = 174, 29683378, 2


def outbound_create(site: ConsoleSite, name: str) -> bool:
    broker = site.served.broker
    with broker.db.transaction() as session:
        row = connectors.get(session, name)
        assert row is not None
        return row.outbound_create


def test_outbound_create_is_refused_with_the_missing_fields_then_allowed_once_they_are_mapped(
    signed_in: Page, site: ConsoleSite, autotask_sim: AutotaskSim, fn_sim: FieldNationSim
) -> None:
    page, name = signed_in, site.add_connector(fieldnation_company_id=fn_sim.announced["company_id"])
    page.goto(f"/connectors/{name}/setup/refresh-fields")  # so the pickers name the instance's ids
    page.get_by_role("button", name="Refresh Fields").click()
    expect(page.get_by_role("table", name="What the catalog holds")).to_be_visible()
    page.goto("/")
    page.get_by_role("region", name=name).get_by_role("link", name="Sync options").click()
    switch = page.get_by_label(
        "Outbound Create: every new Field Nation work order creates an Autotask ticket"
    )
    switch.check()
    page.get_by_label("Time entry role").select_option(str(ROLE["Field Technician"]))  # chosen by name
    page.get_by_label("Default status of a new ticket").select_option(label=f"New ({STATUS['New']})")
    page.get_by_role("button", name="Save the sync options").click()
    refused = page.get_by_role("alert").filter(has_text="Outbound Create was not switched on")
    for field in ("Ticket:Priority", "Ticket:AccountID", "Ticket:QueueID"):
        expect(refused.get_by_role("listitem").filter(has_text=field)).to_be_visible()
    expect(switch).to_be_checked()  # what was chosen is kept
    expect(page.get_by_label("Time entry role")).to_have_value(str(ROLE["Field Technician"]))
    screenshot(page, "sync-options-refused")
    assert outbound_create(site, name) is False

    refused.get_by_role("link", name="Map them in the mappings editor").click()
    statuses = f"statuses:\n- autotask: {STATUS['Dispatch to Field']}\n  fieldnation: 1"
    page.get_by_label("inbound row 3 parameters").fill(statuses)  # this instance's ids, not the guide's
    for row, value in ((3, MEDIUM), (4, NORTHWIND), (5, FIELD_SERVICES)):
        page.get_by_label(f"outbound row {row} parameters").fill(f"value: {value}")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_role("heading", name="Version 1 (in force)")).to_be_visible()

    page.goto(f"/connectors/{name}/options")
    switch.check()
    page.get_by_role("button", name="Save the sync options").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    expect(switch).to_be_checked()
    expect(page.get_by_label("Time entry role")).to_have_value("")  # the refused post saved nothing
    assert outbound_create(site, name) is True
    screenshot(page, "sync-options")
