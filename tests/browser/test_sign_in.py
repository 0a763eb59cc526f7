"""Signing in and out of the console, and what a signed-out browser or a forged form gets."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.support.console import PHONE, ConsoleSite, screenshot, sign_in

CONSOLE_PAGES = ["/", "/mappings", "/activity", "/activity/events", "/dead-letters", "/check", "/reference"]


def test_signed_out_every_console_page_redirects_to_sign_in(page: Page, site: ConsoleSite) -> None:
    for path in CONSOLE_PAGES:
        page.goto(path)
        expect(page).to_have_url(re.compile(r"/sign-in\?next="))
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "sign-in")


def test_sign_in_returns_to_the_page_asked_for_and_sign_out_ends_the_session(
    page: Page, site: ConsoleSite, admin: str
) -> None:
    page.goto("/dead-letters")
    page.get_by_label("Username").fill(admin)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password.")
    expect(page.get_by_label("Username")).to_have_value(admin)  # what was typed is kept

    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dead-letters$"))
    expect(page.get_by_role("link", name="Dead letters")).to_have_attribute("aria-current", "page")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2F$"))


def test_the_session_cookie_is_http_only_and_same_site_strict(
    page: Page, site: ConsoleSite, admin: str
) -> None:
    sign_in(page, site, admin)
    cookie = next(c for c in page.context.cookies() if c["name"] == "fieldbridge_session")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["secure"] is False  # served over plain http on loopback; Secure behind TLS


def test_a_form_posted_without_its_csrf_token_is_refused(signed_in: Page, site: ConsoleSite) -> None:
    # The session cookie is the browser's; the form is posted as another site's page would, without a token.
    answer = signed_in.request.post("/sign-out", form={})
    assert answer.status == 403
    assert "Form refused" in answer.text()
    signed_in.goto("/")
    expect(signed_in.get_by_role("button", name="Sign out")).to_be_visible()  # still signed in

    forged = signed_in.request.post("/sign-out", form={"csrf_token": "0" * 64})
    assert forged.status == 403


def test_a_sign_in_without_its_csrf_token_is_refused(site: ConsoleSite, admin: str) -> None:
    answer = httpx.post(
        f"{site.url}/sign-in", data={"username": admin, "password": "correct horse battery staple"}
    )
    assert answer.status_code == 403
    assert "fieldbridge_session" not in answer.cookies


def test_pages_forbid_inline_scripts(signed_in: Page, site: ConsoleSite) -> None:
    answer = signed_in.request.get("/")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_sign_in_at_phone_width(page: Page, site: ConsoleSite) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/sign-in")
    expect(page.get_by_role("button", name="Sign in")).to_be_in_viewport()
    screenshot(page, "sign-in-phone")


def test_the_sign_in_form_takes_a_few_kilobytes_at_most(site: ConsoleSite) -> None:
    """As the admin API's sign-in: each attempt costs a password hash, and credentials never need more."""
    answer = httpx.post(f"{site.url}/sign-in", data={"username": "a", "password": "p" * 5000})
    assert answer.status_code == 413


def test_repeated_failures_lock_the_username_as_the_admin_api_does(page: Page, site: ConsoleSite) -> None:
    username = site.served.add_admin()
    page.goto("/sign-in")
    for _ in range(site.served.broker.settings.sign_in.user_failures):
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill("a wrong password, again")
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-ins for this username")
    expect(page.get_by_role("alert")).to_contain_text("fieldbridge admin unlock")
