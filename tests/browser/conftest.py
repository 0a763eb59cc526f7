"""Fixtures of the console's browser tests (what they build on: tests/support/console.py).

`browser`: one headless Chromium per test process while it runs browser tests (package scope: Playwright's
sync API holds an event loop in the main thread, and a later test's `asyncio.run` would find it running).
`site`: the broker serving the console with its worker, wired to the Autotask and Field Nation emulators (one
per module). `page`: a fresh browser context (no cookies; clipboard allowed) at laptop width. `admin`: the
module's admin (password `ADMIN_PASSWORD` of tests/support/served.py). `signed_in`: a page like `page` with
the session of `admin`, who signed in once per module through the sign-in form.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, StorageState, expect, sync_playwright

from tests.support.console import ConsoleSite, console_site, launch_chromium, new_context, sign_in
from tests.support.emulators import AutotaskSim, FieldNationSim


def pytest_configure(config: pytest.Config) -> None:
    # A busy machine (the suite runs on every core) can take more than Playwright's default 5 s per page.
    expect.set_options(timeout=15_000)


@pytest.fixture(scope="package")
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
    context = new_context(browser, site)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def admin(site: ConsoleSite) -> str:
    return site.served.add_admin()


@pytest.fixture(scope="module")
def _signed_in_state(browser: Browser, site: ConsoleSite, admin: str) -> StorageState:
    """The cookies of one sign-in through the form, shared by the module's signed-in pages (a password
    hash per test would be most of a test's time)."""
    context = new_context(browser, site)
    sign_in(context.new_page(), site, admin)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def signed_in(browser: Browser, site: ConsoleSite, _signed_in_state: StorageState) -> Iterator[Page]:
    context = new_context(browser, site, _signed_in_state)
    yield context.new_page()
    context.close()
