"""Rendering a console page: the Jinja2 templates, the layout's navigation, and the headers every page
carries (a Content-Security-Policy that allows no inline script)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from fieldbridge.store.tables import AdminUser
from fieldbridge.web.console.security import CSRF_FIELD, PAGE_HEADERS, csrf_token, form_binding

STATIC = "/console-static"


class PageError(Exception):
    """A page that cannot be shown or an action refused: answered as a console page with the cause and fix."""

    def __init__(self, status_code: int, problem: str, fix: str | None = None) -> None:
        super().__init__(problem)
        self.status_code, self.problem, self.fix = status_code, problem, fix


@dataclass(frozen=True)
class NavLink:
    label: str
    path: str


NAVIGATION = (
    NavLink("Connectors", "/"),
    NavLink("Mappings", "/mappings"),
    NavLink("Activity", "/activity"),
    NavLink("Dead letters", "/dead-letters"),
    NavLink("Check", "/check"),
    NavLink("Reference", "/reference"),
)


def _when(value: datetime | None) -> str:
    """A time as the console shows it: UTC, to the second."""
    return "never" if value is None else f"{value.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def _ago(value: datetime | None) -> str:
    if value is None:
        return "never"
    seconds = int((datetime.now(UTC) - value).total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count > 1 else ''} ago"
    return "just now"


_templates = Environment(
    loader=PackageLoader("fieldbridge.web.console", "templates"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_templates.filters["when"] = _when
_templates.filters["ago"] = _ago
_templates.globals.update(navigation=NAVIGATION, static=STATIC, csrf_field=CSRF_FIELD)


def render(
    request: Request,
    template: str,
    admin: AdminUser | None,
    *,
    status_code: int = 200,
    binding: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """`binding`: what the page's CSRF token is bound to when the request's cookies do not say it yet (the
    sign-in form's cookie, set by this very answer)."""
    bound_to = binding or form_binding(request)
    html = _templates.get_template(template).render(
        request=request,
        path=request.url.path,
        admin=admin,
        csrf=csrf_token(bound_to) if bound_to else "",
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)


def redirect(location: str) -> RedirectResponse:
    """After a post: the page to show next, fetched with GET (a reload does not post again)."""
    return RedirectResponse(location, status_code=303, headers=PAGE_HEADERS)
