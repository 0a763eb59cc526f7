"""Signing in and out of the console, through the same door as the admin API (`admin_session`): the same
argon2 admins, sessions, cookie and sign-in throttle."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from fieldbridge.store.sign_in_throttle import Lockout
from fieldbridge.web import admin_session
from fieldbridge.web.console.pages import redirect, render
from fieldbridge.web.console.security import (
    FORM_COOKIE,
    SIGN_IN_PATH,
    CheckedForm,
    new_form_cookie,
    safe_next,
    session_admin,
)
from fieldbridge.web.deps import SESSION_COOKIE, Broker, BrokerDep

router = APIRouter(include_in_schema=False)


@router.get(SIGN_IN_PATH)
def sign_in_page(
    request: Request, broker: BrokerDep, next_page: Annotated[str, Query(alias="next")] = "/"
) -> Response:
    if session_admin(request, broker) is not None:
        return redirect(safe_next(next_page))
    return _form(request, broker, next_page, username="", problem=None, status_code=200)


def _form(
    request: Request,
    broker: Broker,
    next_page: str,
    *,
    username: str,
    problem: str | None,
    status_code: int,
) -> Response:
    """The sign-in form; its CSRF token is bound to a cookie of its own (there is no session yet)."""
    cookie = request.cookies.get(FORM_COOKIE) or new_form_cookie()
    page: HTMLResponse = render(
        request,
        "sign_in.html",
        None,
        status_code=status_code,
        binding=request.cookies.get(SESSION_COOKIE) or cookie,
        next_page=safe_next(next_page),
        username=username,
        problem=problem,
    )
    secure = admin_session.behind_tls(broker)
    page.set_cookie(FORM_COOKIE, cookie, httponly=True, samesite="strict", path=SIGN_IN_PATH, secure=secure)
    return page


@router.post(SIGN_IN_PATH)
def sign_in(request: Request, form: CheckedForm, broker: BrokerDep) -> Response:
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    next_page = str(form.get("next", "/"))
    outcome = admin_session.open_session(broker, request, username, password)
    if isinstance(outcome, Lockout):
        page = _form(
            request,
            broker,
            next_page,
            username=username,
            problem=admin_session.lockout_message(outcome),
            status_code=429,
        )
        page.headers["Retry-After"] = str(admin_session.retry_after(outcome))
        return page
    if outcome is None:
        return _form(
            request,
            broker,
            next_page,
            username=username,
            problem=admin_session.WRONG_CREDENTIALS,
            status_code=401,
        )
    response = redirect(safe_next(next_page))
    admin_session.set_session_cookie(response, broker, outcome[1])
    response.delete_cookie(FORM_COOKIE, path=SIGN_IN_PATH)
    return response


@router.post("/sign-out")
def sign_out(request: Request, form: CheckedForm, broker: BrokerDep) -> Response:
    response = redirect(SIGN_IN_PATH)
    admin_session.end_session(request, response, broker)
    return response
