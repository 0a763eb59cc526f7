"""A failure injected with the emulators' fault controls lands in dead letters with its cause and fix, and
replaying it from the page makes it succeed."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.support.console import ConsoleSite, screenshot
from tests.support.emulators import AutotaskSim, FieldNationSim
from tests.support.waiting import wait_until

TICKET = 7001


def test_a_failed_sync_is_a_dead_letter_with_cause_and_fix_and_replay_makes_it_succeed(
    signed_in: Page, site: ConsoleSite, autotask_sim: AutotaskSim, fn_sim: FieldNationSim
) -> None:
    page, name = signed_in, site.add_connector()
    # Autotask refuses to show the ticket, as it does when the API user's security level lacks the permission.
    autotask_sim.fault(kind="status", method="GET", path=rf"/V1\.0/Tickets/{TICKET}$", status=403)

    page.goto(f"/activity/{name}/Ticket/{TICKET}")
    page.get_by_role("button", name="Re-sync now").click()
    expect(page.get_by_role("status").filter(has_text="Re-sync asked")).to_be_visible()
    wait_until(lambda: site.dead_letters(name), timeout=30, what="the failed import's dead letter")

    page.get_by_role("navigation", name="Console").get_by_role("link", name="Dead letters").click()
    page.get_by_label("Connector").select_option(name)
    page.get_by_role("button", name="Show").click()
    letter = page.get_by_role("listitem").filter(has_text=f"Ticket {TICKET}")
    expect(letter).to_contain_text("Cause: Autotask get Tickets failed: HTTP 403")
    expect(letter).to_contain_text("Fix: Grant Tickets — View in the API user's security level")
    screenshot(page, "dead-letters")

    autotask_sim.control.delete("/_sim/faults").raise_for_status()  # the permission is granted
    event_id = site.dead_letters(name)[0].event_id
    letter.get_by_role("button", name=f"Replay event {event_id}").click()
    expect(page.get_by_role("status").filter(has_text="1 replayed")).to_be_visible()
    expect(page.get_by_text("No dead letter is waiting.")).to_be_visible()

    wait_until(lambda: site.served.event(event_id).status == "done", timeout=30, what="the replayed event")
    page.goto(f"/activity/events/{event_id}")
    expect(page.get_by_text("done", exact=True)).to_be_visible()
    page.goto(f"/activity?connector={name}")
    expect(page.get_by_role("row").filter(has_text="in sync")).to_have_count(1)
    page.get_by_role("link", name=re.compile(r"^T\d+\.\d+$")).click()
    expect(page.get_by_text(re.compile(rf"Ticket {TICKET}: work order \d+ created"))).to_be_visible()
