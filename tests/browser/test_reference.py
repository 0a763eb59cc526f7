"""The reference sheet: every non-secret value of the connector, and `Copy all` puts all of them in the
clipboard and no secret."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.console import PHONE, ConsoleSite, screenshot
from tests.support.emulators import AutotaskSim, FieldNationSim


def test_copy_all_puts_every_value_and_no_secret_in_the_clipboard(
    signed_in: Page, site: ConsoleSite, autotask_sim: AutotaskSim, fn_sim: FieldNationSim
) -> None:
    page, name = signed_in, site.add_connector(notification_emails=["ops@acme.example"])
    page.goto(f"/reference?connector={name}")  # the sheet loads in the background
    copy_all = page.get_by_role("button", name="Copy all")
    copy_all.click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()

    clipboard = page.evaluate("navigator.clipboard.readText()")
    sheet = page.get_by_role("definition")
    values = sheet.all_inner_texts()
    assert len(values) == len(page.get_by_role("term").all()) > 20
    for label, value in zip(page.get_by_role("term").all_inner_texts(), values, strict=True):
        assert f"{label}:" in clipboard
        assert value in clipboard, label
    assert "ops@acme.example" in clipboard
    assert name in clipboard
    html = page.content()
    for secret in site.secrets(name):
        assert secret not in clipboard
        assert secret not in html
    screenshot(page, "reference")

    page.set_viewport_size(PHONE)
    expect(copy_all).to_be_visible()
    screenshot(page, "reference-phone")


def test_without_javascript_the_sheet_is_a_button_away(
    site: ConsoleSite, signed_in: Page, autotask_sim: AutotaskSim, fn_sim: FieldNationSim
) -> None:
    name = site.add_connector()
    context = signed_in.context.browser.new_context(base_url=site.url, java_script_enabled=False)  # type: ignore[union-attr]
    context.add_cookies(signed_in.context.cookies())
    page = context.new_page()
    page.goto(f"/reference?connector={name}")
    page.get_by_role("button", name="Show the reference sheet").click()
    expect(page.get_by_role("term").filter(has_text="Connector")).to_be_visible()
    expect(page.get_by_label("All values as text")).to_contain_text(name)
    expect(page.get_by_role("button", name="Copy all")).to_be_hidden()  # copying needs the script
    context.close()
