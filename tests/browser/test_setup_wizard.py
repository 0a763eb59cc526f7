"""Setting a connector up in the browser from an empty data directory, in the setup guide's order, against
both emulators; then a ticket made in Autotask as a person would becomes a work order seen in the pairs."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect
from pydantic import SecretStr

from fieldbridge.sandbox.autotask.seed import ROLE, STATUS
from tests.support.console import ConsoleSite, screenshot
from tests.support.emulators import AutotaskSim, FieldNationSim
from tests.support.waiting import wait_until

DISPATCHER = 29682887
"""A seeded employee: makes the ticket in the Autotask UI, and is who field work is booked to."""


@pytest.fixture
def deployment(site: ConsoleSite, autotask_sim: AutotaskSim, fn_sim: FieldNationSim) -> ConsoleSite:
    """The deployment's default integration code is Field Nation's partner code (the emulator's), as
    FIELDBRIDGE_DEFAULT_INTEGRATION_CODE sets it: a connector left on the default uses it."""
    site.served.broker.settings.default_integration_code = SecretStr(autotask_sim.creds["integration_code"])
    return site


def autotask_credentials(page: Page, site: ConsoleSite, secret: str) -> None:
    user = site.at.user("svc-fieldnation")
    page.get_by_label("Autotask username (Key)").fill(user["username"])
    page.get_by_label("Autotask password (Secret)").fill(secret)
    page.get_by_text("Advanced: zone discovery").click()
    page.get_by_label("Autotask zone discovery URL").fill(site.at.url)
    page.get_by_role("button", name="Save and test the connection").click()


def test_a_connector_set_up_through_the_wizard_syncs_a_ticket_made_in_autotask(
    signed_in: Page, deployment: ConsoleSite
) -> None:
    page, site = signed_in, deployment
    name = f"w-{uuid.uuid4().hex[:8]}"
    page.goto("/")
    page.get_by_role("link", name="Set up a connector").click()

    # Step 1, with a wrong secret first: the cause and fix are told, and nothing typed is lost.
    page.get_by_label("Connector name").fill(name)
    autotask_credentials(page, site, "Not-the-password-2026")
    failed = page.get_by_role("alert")
    expect(failed).to_contain_text("the connection test failed")
    expect(failed).to_contain_text("Fix:")
    expect(page.get_by_label("Autotask username (Key)")).to_have_value(
        site.at.user("svc-fieldnation")["username"]
    )
    expect(page.get_by_label("Autotask password (Secret)")).to_have_value("")  # secrets are never sent back
    screenshot(page, "setup-autotask-failed")
    page.get_by_label("Autotask password (Secret)").fill(site.at.user("svc-fieldnation")["secret"])
    page.get_by_role("button", name="Save and test the connection").click()
    expect(page.get_by_role("status").filter(has_text="The connection test passed")).to_be_visible()
    assert site.at.user("svc-fieldnation")["secret"] not in page.content()

    # Step 2: Field Nation.
    page.get_by_role("link", name="Next: Field Nation credentials").click()
    fn = site.fn.announced
    page.get_by_label("Field Nation client id").fill(fn["client_id"])
    page.get_by_label("Field Nation client secret").fill(fn["client_secret"])
    page.get_by_label("Field Nation API username").fill(fn["username"])
    page.get_by_label("Field Nation API password").fill(fn["password"])
    page.get_by_label("Field Nation company id").fill(str(fn["company_id"]))
    page.get_by_text("Advanced: API address").click()
    page.get_by_label("Field Nation API URL").fill(fn["url"])
    page.get_by_role("button", name="Save and test the connection").click()
    expect(page.get_by_role("status").filter(has_text="Field Nation issued a token")).to_be_visible()
    screenshot(page, "setup-fieldnation")

    # Step 3: service object; then Refresh Fields, in the background.
    page.get_by_role("link", name="Next: Service object").click()
    page.get_by_label("ticket (recommended)").check()
    page.get_by_role("button", name="Save the service object").click()
    page.get_by_role("button", name="Refresh Fields").click()
    catalog = page.get_by_role("table", name="What the catalog holds")
    expect(catalog.get_by_role("row").filter(has_text="Tickets")).to_be_visible()
    screenshot(page, "setup-refresh-fields")

    # Mappings: the guide's default status id is not this instance's; the editor says so and takes its own.
    page.get_by_role("link", name="Next: Mappings").click()
    page.get_by_role("link", name="Open the mappings editor").click()
    dispatch = STATUS["Dispatch to Field"]
    page.get_by_label("inbound row 3 parameters").fill(f"statuses:\n- autotask: {dispatch}\n  fieldnation: 1")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_role("heading", name="Version 1 (in force)")).to_be_visible()

    # Trigger URL, copied; webhooks provisioned both sides with one button.
    page.goto(f"/connectors/{name}/setup")  # resumed where it was left
    expect(page.get_by_role("heading", name="Step 6: Trigger URL")).to_be_visible()
    page.get_by_role("button", name="Issue the trigger URL").click()
    issued = page.get_by_role("textbox", name="Trigger URL").input_value()
    assert issued.startswith(f"{site.url}/v1/broker/inbound?client_token=fbc_")
    page.get_by_role("button", name="Copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == issued
    page.get_by_role("button", name="Provision webhooks").click()
    expect(page.get_by_role("status").filter(has_text="Webhooks provisioned")).to_be_visible()
    screenshot(page, "setup-webhooks")

    # Trigger conditions (Workflow Setup): picked by name from the instance.
    page.get_by_role("link", name="Next: Trigger conditions").click()
    page.get_by_label(f"Dispatch to Field ({STATUS['Dispatch to Field']})").check()
    resources = page.get_by_label("Time entry resource")
    resources.select_option(str(DISPATCHER))
    # API users cannot own time entries in Autotask, so ours is not offered.
    expect(resources.locator("option", has_text="svc-fieldnation")).to_have_count(0)
    page.get_by_label("Time entry role").select_option(str(ROLE["Field Technician"]))
    screenshot(page, "setup-triggers")
    page.get_by_role("button", name="Save the trigger conditions").click()

    # The full check.
    expect(page.get_by_role("heading", name="Step 9: Check")).to_be_visible()
    page.get_by_role("button", name="Run the check").click()
    results = page.get_by_role("table", name="Check results")
    expect(results).to_be_visible()
    screenshot(page, "setup-check")
    # All pass: Autotask's zone (the emulator) is on this machine, so it reaches the loopback trigger URL
    # and plain HTTP crosses no network.
    results_by_row = [
        row.get_by_role("cell").first.inner_text() for row in results.get_by_role("row").all()[1:]
    ]
    assert results_by_row, results.inner_text()
    assert set(results_by_row) == {"pass"}, results.inner_text()

    # A dispatcher makes a ticket in the Autotask UI, in the status that sends it to Field Nation.
    made = site.at.control.post(
        "/_sim/ui/Tickets",
        json={
            "as_resource": DISPATCHER,
            "fields": {
                "title": "Replace the core switch",
                "companyID": 174,
                "status": STATUS["Dispatch to Field"],
                "priority": 2,
                "queueID": 29683378,
                "dueDateTime": "2026-12-02T09:00:00Z",
            },
        },
    )
    made.raise_for_status()
    number = made.json()["ticketNumber"]

    def listed() -> bool:
        page.goto(f"/activity?connector={name}")
        return page.get_by_role("row").filter(has_text=number).filter(has_text="in sync").count() == 1

    wait_until(listed, timeout=30, interval=0.5, what="the pair in the pair list")
    page.get_by_role("link", name=number).click()
    expect(page.get_by_text(re.compile(r"work order \d+ created"))).to_be_visible()
