"""The admin API's interactive docs work offline: every file they load is served by FieldBridge itself."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, Route, expect

from tests.support.console import ConsoleSite


def test_swagger_ui_and_redoc_render_from_local_files_only(page: Page, site: ConsoleSite) -> None:
    here = urlsplit(site.url).netloc
    elsewhere: list[str] = []

    def local_only(route: Route) -> None:
        if urlsplit(route.request.url).netloc == here:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", local_only)
    page.goto("/docs")
    expect(page.get_by_role("heading", name="FieldBridge")).to_be_visible()
    expect(page.get_by_text("/v1/admin/connectors/{name}/check").first).to_be_visible()
    page.goto("/redoc")
    expect(page.get_by_role("heading", name="FieldBridge", exact=False).first).to_be_visible()
    assert elsewhere == []
