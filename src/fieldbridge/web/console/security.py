"""Who may see a console page, and which posts are the console's own.

Pages need the admin's session cookie (the one the admin API sets: HttpOnly, SameSite=Strict, Secure
behind TLS); signed out, every page redirects to the sign-in page. Every form that changes something
carries a CSRF token, an HMAC keyed by the session cookie (or, on the sign-in form, by a random cookie of
its own), so only a page this console served to this browser can post it; a post without one is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.datastructures import FormData

from fieldbridge.store import admins
from fieldbridge.store.tables import AdminUser
from fieldbridge.web.deps import SESSION_COOKIE, Broker, BrokerDep, utcnow

CSRF_FIELD = "csrf_token"
FORM_COOKIE = "fieldbridge_form"
"""Binds the sign-in form's CSRF token before there is a session."""
SIGN_IN_PATH = "/sign-in"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class SignInFirst(Exception):
    """Raised by a page's dependency when no admin is signed in; answered with a redirect to sign in."""

    def __init__(self, back_to: str) -> None:
        self.back_to = back_to

    @property
    def location(self) -> str:
        return f"{SIGN_IN_PATH}?next={quote(self.back_to, safe='')}"


class FormRefused(Exception):
    """A post without the CSRF token of this browser's session: answered 403 with what to do."""


def session_admin(request: Request, broker: Broker) -> AdminUser | None:
    """The admin behind the session cookie (API tokens are for scripts, not for the console)."""
    with broker.db.transaction() as session:
        return admins.user_for_session(session, request.cookies.get(SESSION_COOKIE), utcnow())


def signed_in(request: Request, broker: BrokerDep) -> AdminUser:
    user = session_admin(request, broker)
    if user is None:
        query = f"?{request.url.query}" if request.url.query else ""
        raise SignInFirst(request.url.path + query if request.method == "GET" else "/")
    return user


ConsoleAdmin = Annotated[AdminUser, Depends(signed_in)]


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never `//host` or a full URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def csrf_token(binding: str) -> str:
    return hmac.new(binding.encode(), b"fieldbridge console form", hashlib.sha256).hexdigest()


def form_binding(request: Request) -> str | None:
    """What this browser's tokens are bound to: its session, else the sign-in form's cookie."""
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(FORM_COOKIE)


def new_form_cookie() -> str:
    return secrets.token_urlsafe(32)


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token is this browser's; FormRefused otherwise."""
    form = await request.form()
    binding, sent = form_binding(request), form.get(CSRF_FIELD)
    if not binding or not isinstance(sent, str) or not hmac.compare_digest(csrf_token(binding), sent):
        raise FormRefused
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]
