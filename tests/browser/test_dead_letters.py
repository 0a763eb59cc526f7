"""A failure injected with the emulators' fault controls lands in dead letters with its cause and fix, and
replaying it from the page makes it succeed; the letters come 50 a page, and replay all counts every one."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from playwright.sync_api import Page, expect

from fieldbridge.store import connectors
from fieldbridge.store.tables import DeadLetter, InboxEvent
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


def test_dead_letters_page_by_fifty_by_keyboard_and_replay_all_counts_every_one(
    signed_in: Page, site: ConsoleSite
) -> None:
    page, name = signed_in, site.add_connector()
    waiting = 51
    now = datetime.now(UTC)
    with site.served.broker.db.transaction() as session:
        connector = connectors.get(session, name)
        assert connector is not None
        events = [
            InboxEvent(
                connector_id=connector.id,
                source="trigger",
                system="autotask",
                entity="Ticket",
                record_id=8000 + n,
                status="dead",  # finished: the worker leaves it alone
                attempts=1,
                received_at=now,
                finished_at=now,
                last_error="HTTP 403",
            )
            for n in range(waiting)
        ]
        session.add_all(events)
        session.flush()
        session.add_all(
            DeadLetter(event_id=e.id, connector_id=connector.id, created_at=now, attempts=1, cause="HTTP 403")
            for e in events
        )

    page.goto(f"/dead-letters?connector={name}")
    letters = page.get_by_role("main").get_by_role("listitem")
    expect(letters).to_have_count(50)
    expect(page.get_by_role("button", name=f"Replay all {waiting}")).to_be_visible()
    expect(letters.first).to_contain_text(f"Ticket {8000 + waiting - 1}")  # newest first

    pages = page.get_by_role("navigation", name="Pages")
    expect(pages.get_by_role("link", name="Newer letters")).to_have_count(0)
    pages.get_by_role("link", name="Older letters").focus()
    page.keyboard.press("Enter")
    expect(letters).to_have_count(1)
    expect(letters.first).to_contain_text("Ticket 8000")
    expect(page.get_by_role("button", name=f"Replay all {waiting}")).to_be_visible()  # all, not the page
    expect(pages.get_by_role("link", name="Older letters")).to_have_count(0)
    pages.get_by_role("link", name="Newer letters").focus()
    page.keyboard.press("Enter")
    expect(letters).to_have_count(50)
