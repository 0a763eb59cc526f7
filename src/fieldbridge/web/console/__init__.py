"""The web console: server-rendered pages over the same functions the admin API and the commands use,
and the admin API's docs served from local files."""

from __future__ import annotations

from fastapi import FastAPI

from fieldbridge.web.console import api_docs


def install(app: FastAPI) -> None:
    api_docs.install(app)
