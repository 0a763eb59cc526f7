"""Editing a connector's mappings in the browser: an invalid row shows its error on the row and cannot be
saved; a valid change previews on a real ticket, saves as a new version with its diff, and rolls back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from fieldbridge.sandbox.autotask.seed import STATUS
from fieldbridge.store import connectors, mapping_sets
from tests.support.console import ConsoleSite, screenshot
from tests.support.emulators import AutotaskSim, FieldNationSim

TICKET = 7001


@pytest.fixture
def refreshed(signed_in: Page, site: ConsoleSite, autotask_sim: AutotaskSim, fn_sim: FieldNationSim) -> str:
    """A connector whose fields were refreshed from the emulators (through its set-up page); its name."""
    name = site.add_connector(fieldnation_company_id=fn_sim.announced["company_id"])
    signed_in.goto(f"/connectors/{name}/setup/refresh-fields")
    signed_in.get_by_role("button", name="Refresh Fields").click()
    expect(signed_in.get_by_role("table", name="What the catalog holds")).to_be_visible()
    return name


def saved_versions(site: ConsoleSite, name: str) -> list[int]:
    broker = site.served.broker
    with broker.db.transaction() as session:
        row = connectors.get(session, name)
        assert row is not None
        return [saved.version for saved in mapping_sets.versions(session, row.id)]


def test_an_invalid_row_shows_its_error_inline_and_is_not_saved(
    signed_in: Page, site: ConsoleSite, refreshed: str
) -> None:
    page, name = signed_in, refreshed
    page.goto(f"/mappings/{name}")
    status_row = page.get_by_role("row").filter(has=page.locator("input[value='Status']"))
    # The guide's default status id 1 is not a status of this instance: the row says so, with the ids it has.
    page.get_by_role("button", name="Check without saving").click()
    error = page.get_by_role("alert").filter(has_text="inbound[2] (Status -> status_id)")
    expect(error).to_contain_text("1 is not a status value in your instance")
    expect(error).to_contain_text("24 (Dispatch to Field)")
    expect(status_row).to_have_class(re.compile("has-problem"))

    page.get_by_label("inbound row 1 target").fill("no_such_field")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_role("alert").filter(has_text="was not saved")).to_be_visible()
    expect(
        page.get_by_role("alert").filter(has_text="'no_such_field' is not a known Field Nation field")
    ).to_be_visible()
    expect(page.get_by_label("inbound row 1 target")).to_have_value("no_such_field")  # nothing typed is lost
    screenshot(page, "mappings-editor-errors")
    assert saved_versions(site, name) == []


def test_a_valid_change_previews_on_a_real_ticket_saves_a_version_with_its_diff_and_rolls_back(
    signed_in: Page, site: ConsoleSite, refreshed: str
) -> None:
    page, name = signed_in, refreshed
    page.goto(f"/mappings/{name}")
    dispatch = STATUS["Dispatch to Field"]
    page.get_by_label("inbound row 3 parameters").fill(f"statuses:\n- autotask: {dispatch}\n  fieldnation: 2")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_role("heading", name="Version 1 (in force)")).to_be_visible()

    page.get_by_role("link", name="Edit the mappings").click()
    page.get_by_label("inbound row 1 action").select_option("concat")
    page.get_by_label("inbound row 1 source").fill("")
    page.get_by_label("inbound row 1 parameters").fill("template: '{Title} (#{ticketNumber})'")
    page.get_by_label("Ticket number or id").fill(str(TICKET))
    page.get_by_role("button", name="Preview inbound").click()
    preview = page.locator("#preview-result")
    expect(preview.get_by_role("heading", name=f"Preview of ticket {TICKET} (inbound)")).to_be_visible()
    expect(preview.get_by_text("Create a work order (this ticket is not linked yet)")).to_be_visible()
    expect(preview.get_by_label("Mapped document")).to_contain_text(
        re.compile(r'"title": ".+ \(#T\d+\.\d+\)"')
    )
    screenshot(page, "mappings-editor")

    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_role("heading", name="Version 2 (in force)")).to_be_visible()
    diff = page.get_by_label("Diff")
    expect(diff).to_contain_text("-  target_field: title")
    expect(diff).to_contain_text("+  action: concat")
    screenshot(page, "mappings-version")

    page.get_by_role("button", name="Roll back to version 1").click()
    expect(page.get_by_role("heading", name="Version 3 (in force)")).to_be_visible()
    expect(page.get_by_label("Diff")).to_contain_text("-  action: concat")
    assert saved_versions(site, name) == [3, 2, 1]
    page.get_by_role("link", name="Edit the mappings").click()
    expect(page.get_by_label("inbound row 1 action")).to_have_value("sync")
