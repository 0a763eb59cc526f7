"""Each console page as a person meets it: the connectors' health, the pairs and their history, the events,
the mappings, the check; every control labelled and reachable by keyboard, at laptop and phone width."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.console import PHONE, ConsoleSite, screenshot
from tests.support.emulators import AutotaskSim, FieldNationSim
from tests.support.waiting import wait_until

TICKET = 7002

UNLABELLED_CONTROLS = """() => [...document.querySelectorAll("input, select, textarea, button, a[href]")]
  .filter((el) => el.type !== "hidden" && !el.hidden && el.offsetParent !== null)
  .filter((el) => !(el.labels && el.labels.length))
  .filter((el) => !el.getAttribute("aria-label") && !el.textContent.trim())
  .map((el) => el.outerHTML)"""


@pytest.fixture
def synced(signed_in: Page, site: ConsoleSite, autotask_sim: AutotaskSim, fn_sim: FieldNationSim) -> str:
    """A connector whose ticket 7002 was synced to a work order from the pair's page; its name."""
    name = site.add_connector()
    signed_in.goto(f"/activity/{name}/Ticket/{TICKET}")
    signed_in.get_by_role("button", name="Re-sync now").click()
    wait_until(
        lambda: [e for e in site.served.events(name) if e.status == "done"], timeout=30, what="the import"
    )
    return name


def test_the_connectors_overview_tells_health_and_what_needs_attention(
    signed_in: Page, site: ConsoleSite, synced: str
) -> None:
    page = signed_in
    page.goto("/")
    card = page.get_by_role("region", name=synced)
    expect(card.get_by_text(re.compile("last synced (just now|1 minute ago)"))).to_be_visible()
    expect(
        card.get_by_role("img", name=re.compile(r"Events received in the last 24 hours: 1 in all"))
    ).to_be_visible()
    expect(
        card.get_by_role("listitem").filter(has_text="No webhook provisioned on Autotask and Field Nation")
    ).to_be_visible()

    card.get_by_role("button", name="Ask Autotask").click()  # in the background: the page stays usable
    expect(card.get_by_text(re.compile(r"of 10000 requests used"))).to_be_visible()
    assert not page.evaluate(UNLABELLED_CONTROLS)
    screenshot(page, "connectors")

    page.set_viewport_size(PHONE)
    page.goto("/")
    nav = page.get_by_role("navigation", name="Console")
    expect(nav.get_by_role("link", name="Reference")).to_be_in_viewport()
    screenshot(page, "connectors-phone")


def test_the_pair_list_searches_and_a_pair_tells_its_history(
    signed_in: Page, site: ConsoleSite, synced: str
) -> None:
    page = signed_in
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Activity").click()
    page.get_by_label("Connector").select_option(synced)
    page.get_by_label("Search").fill(str(TICKET))
    page.get_by_role("button", name="Search").click()
    rows = page.get_by_role("row").filter(has_text="in sync")
    expect(rows).to_have_count(1)
    assert not page.evaluate(UNLABELLED_CONTROLS)
    screenshot(page, "activity")

    # By the ticket's number or any part of its title, in any case (what the sync last read of it).
    for text in ("T20261120.0002", "two WORKSTATIONS"):
        page.get_by_label("Search").fill(text)
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("row").filter(has_text="Install two workstations")).to_have_count(1)

    page.get_by_label("Search").fill("no such ticket anywhere")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No pair matches")).to_be_visible()

    page.goto(f"/activity/{synced}/Ticket/{TICKET}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        re.compile(rf"Ticket {TICKET} ↔ work order \d+")
    )
    history = page.get_by_role("main").get_by_role("listitem")
    expect(history.first).to_contain_text("work order")  # newest first: the result before the receipt
    expect(history.last).to_contain_text("Change notice received")
    screenshot(page, "pair")


def test_events_filter_by_connector_state_and_time_and_tell_their_story(
    signed_in: Page, site: ConsoleSite, synced: str
) -> None:
    page = signed_in
    page.goto("/activity/events")
    page.get_by_label("Connector").select_option(synced)
    page.get_by_label("State").select_option("done")
    page.get_by_label("Received").select_option("1h")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"connector={synced}&state=done&since=1h"))
    expect(page.get_by_role("row").filter(has_text=f"Autotask Ticket {TICKET}")).to_have_count(1)
    assert not page.evaluate(UNLABELLED_CONTROLS)
    screenshot(page, "events")

    page.get_by_label("State").select_option("dead")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No event matches these filters.")).to_be_visible()

    event_id = site.served.events(synced)[0].id
    page.goto(f"/activity/events/{event_id}")
    expect(page.get_by_role("button", name="Replay")).to_be_visible()
    screenshot(page, "event")
    page.get_by_role("link", name=f"Ticket {TICKET}: the pair's history").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Ticket {TICKET} ↔ work order")


def test_the_check_runs_in_the_background_and_shows_each_row_with_its_fix(
    signed_in: Page, site: ConsoleSite, autotask_sim: AutotaskSim, fn_sim: FieldNationSim
) -> None:
    page, name = signed_in, site.add_connector()
    page.goto(f"/check?connector={name}")
    page.get_by_role("button", name="Run the check").click()
    results = page.get_by_role("table", name="Check results")
    expect(results).to_be_visible(timeout=30_000)
    expect(results.get_by_role("row").filter(has_text="pass").first).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+ pass"))).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/check\?connector={name}$"))  # the page itself never left
    assert not page.evaluate(UNLABELLED_CONTROLS)
    screenshot(page, "check")


def test_the_mappings_in_force_both_ways(
    signed_in: Page, site: ConsoleSite, autotask_sim: AutotaskSim
) -> None:
    page, name = signed_in, site.add_connector()
    page.goto(f"/mappings?connector={name}")
    expect(page.get_by_text("The default mappings are in force")).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("Inbound")).get_by_role("row")).not_to_have_count(0)
    expect(page.get_by_role("table", name=re.compile("Outbound")).get_by_role("row")).not_to_have_count(0)
    screenshot(page, "mappings")


def test_the_keyboard_reaches_every_page_from_the_navigation(signed_in: Page, site: ConsoleSite) -> None:
    page = signed_in
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    labels = ["Connectors", "Mappings", "Activity", "Dead letters", "Check", "Reference"]
    page.keyboard.press("Tab")  # the brand
    for label in labels:
        page.keyboard.press("Tab")
        expect(page.get_by_role("navigation", name="Console").get_by_role("link", name=label)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign out")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Reference sheet")).to_be_visible()
