"""The web console: server-rendered pages over the same functions the admin API and the commands use,
plain forms that work without JavaScript (small scripts of our own add copying and background loading),
and the admin API's docs served from local files."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from fieldbridge.web.console import (
    activity,
    api_docs,
    check_pages,
    dead_letter_pages,
    mapping_editor,
    mapping_pages,
    options_pages,
    overview,
    setup_pages,
    sign_in,
)
from fieldbridge.web.console.pages import STATIC, PageError, redirect, render
from fieldbridge.web.console.security import FormRefused, SignInFirst, session_admin

PAGES = (
    sign_in,
    overview,
    setup_pages,
    options_pages,
    mapping_pages,
    mapping_editor,
    activity,
    dead_letter_pages,
    check_pages,
)


def install(app: FastAPI) -> None:
    api_docs.install(app)
    for module in PAGES:
        app.include_router(module.router)
    app.mount(STATIC, StaticFiles(directory=str(files(__name__) / "static")), name="console-static")
    app.add_exception_handler(SignInFirst, _sign_in_first)
    app.add_exception_handler(FormRefused, _form_refused)
    app.add_exception_handler(PageError, _page_error)


async def _sign_in_first(request: Request, error: Exception) -> Response:
    assert isinstance(error, SignInFirst)
    return redirect(error.location)


async def _form_refused(request: Request, error: Exception) -> Response:
    return render(request, "refused.html", None, status_code=403)


async def _page_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, PageError)
    admin = session_admin(request, request.app.state.broker)
    return render(
        request, "problem.html", admin, status_code=error.status_code, problem=error.problem, fix=error.fix
    )
