"""The console in real Chromium: Debian's `chromium` driven by Playwright (never a downloaded browser), the
broker served on loopback with its worker, both emulators, and pages signed in through the sign-in form.

Chromium missing is a skip with the reason locally and a failure when FIELDBRIDGE_REQUIRE_SERVICES=1 (CI).
Set FIELDBRIDGE_SCREENSHOTS=1 to write each page's screenshot into docs/console/ (`make screenshots`), and
FIELDBRIDGE_CHROMIUM to use a Chromium binary other than /usr/bin/chromium.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, StorageState, expect

from fieldbridge.settings import RetrySettings, Settings
from fieldbridge.store import client_tokens, connectors, dead_letters
from fieldbridge.store.tables import DeadLetter
from tests.support.emulators import AutotaskSim, FieldNationSim, connector_fields
from tests.support.served import ADMIN_PASSWORD, Served, serve
from tests.support.services import services_required

CHROMIUM = Path(os.environ.get("FIELDBRIDGE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "console"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def launch_chromium(playwright: Playwright) -> Browser:
    if not CHROMIUM.exists():
        missing = f"Chromium is not at {CHROMIUM}: `apt-get install chromium` (.ci/run does it when missing)"
        if services_required():
            pytest.fail(missing)
        pytest.skip(missing)
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


@dataclass
class ConsoleSite:
    """The broker (with its worker) serving the console, and the emulators its connectors point at."""

    served: Served
    at: AutotaskSim
    fn: FieldNationSim
    trigger_tokens: dict[str, str] = field(default_factory=dict)
    """Each connector's client token, as issued (the store keeps only its hash)."""

    @property
    def url(self) -> str:
        return self.served.url

    def add_connector(self, name: str | None = None, **settings: Any) -> str:
        """A connector wired to both emulators (the Field Nation API user on Autotask), named `name` or a
        fresh name; `settings` override its fields. Returns its name."""
        name = name or f"c-{uuid.uuid4().hex[:8]}"
        fields = {
            "name": name,
            **connector_fields(self.at, self.fn, "svc-fieldnation"),
            "autotask_integration_code": self.at.creds["integration_code"],
            **settings,
        }
        broker = self.served.broker
        with broker.db.transaction() as session:
            connector = connectors.create(
                session, broker.box, connectors.NewConnector.model_validate(fields), datetime.now(UTC)
            )
            self.trigger_tokens[name] = client_tokens.rotate(session, connector, datetime.now(UTC))
        return name

    def secrets(self, name: str) -> list[str]:
        """Every secret the connector holds in clear, and its trigger URL's client token."""
        broker = self.served.broker
        with broker.db.transaction() as session:
            connector = connectors.get(session, name)
            assert connector is not None
            config = connectors.config(connector, broker.box, None)
        return [*config.secret_values(), self.trigger_tokens[name]]

    def dead_letters(self, name: str) -> list[DeadLetter]:
        broker = self.served.broker
        with broker.db.transaction() as session:
            connector = connectors.get(session, name)
            assert connector is not None
            return dead_letters.page(session, connector.id)


def console_settings(data_dir: Path) -> Settings:
    """One attempt per event: a failure is a dead letter at once, so a test sees it without waiting for
    backoff."""
    return Settings(
        data_dir=data_dir,
        master_key=Fernet.generate_key().decode(),
        retry=RetrySettings(attempts=1),
    )


@contextmanager
def console_site(data_dir: Path, at: AutotaskSim, fn: FieldNationSim) -> Iterator[ConsoleSite]:
    settings = console_settings(data_dir)
    with serve(settings, consume=True) as served:
        # Trigger URLs and webhook targets are built from the public URL, known once the port is bound.
        settings.public_base_url = served.url
        yield ConsoleSite(served, at, fn)


def sign_in(page: Page, site: ConsoleSite, username: str, password: str = ADMIN_PASSWORD) -> None:
    """Through the sign-in form, as a person would."""
    page.goto(f"{site.url}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def screenshot(page: Page, name: str) -> None:
    """docs/console/NAME.png of the whole page, when FIELDBRIDGE_SCREENSHOTS=1."""
    if os.environ.get("FIELDBRIDGE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def new_context(browser: Browser, site: ConsoleSite, state: StorageState | None = None) -> BrowserContext:
    """A browser context on the console, laptop-sized, that may use the clipboard."""
    context = browser.new_context(
        base_url=site.url,
        viewport=LAPTOP,
        permissions=["clipboard-read", "clipboard-write"],
        storage_state=state,
    )
    context.set_default_timeout(15_000)
    return context
