"""Fixtures of the console's browser tests (what they build on: tests/support/console.py).

`browser`: one headless Chromium per test process. `site`: the broker serving the console with its worker,
wired to the Autotask and Field Nation emulators (one per module). `page`: a fresh browser context (no
cookies; clipboard allowed) at laptop width. `admin`: a new admin's username. `signed_in`: `page` signed in
as `admin` through the sign-in form.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.console import LAPTOP, ConsoleSite, console_site, launch_chromium, sign_in
from tests.support.emulators import AutotaskSim, FieldNationSim


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, _autotask_server: AutotaskSim, fn_server: FieldNationSim
) -> Iterator[ConsoleSite]:
    with console_site(Path(tmp_path_factory.mktemp("console")), _autotask_server, fn_server) as served:
        yield served


@pytest.fixture
def page(browser: Browser, site: ConsoleSite) -> Iterator[Page]:
    context = browser.new_context(
        base_url=site.url, viewport=LAPTOP, permissions=["clipboard-read", "clipboard-write"]
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def admin(site: ConsoleSite) -> str:
    return site.served.add_admin()


@pytest.fixture
def signed_in(page: Page, site: ConsoleSite, admin: str) -> Page:
    sign_in(page, site, admin)
    return page
