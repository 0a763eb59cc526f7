"""Admin routes read their JSON bodies with `fieldbridge.strict_json.parse`: a body it refuses is answered
400 with where the problem is and what to send instead, before any of it is used."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute

from fieldbridge.strict_json import BadJson, parse


class _StrictJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            try:
                self._json = parse(await self.body())
            except BadJson as bad:
                raise HTTPException(400, f"The body {bad.problem}; {bad.fix or 'send valid JSON'}.") from None
        return self._json


class StrictJsonRoute(APIRoute):
    """An APIRoute whose JSON body is read with `parse` (FastAPI's own reading would let the values above
    through, or answer a bare "error parsing the body")."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(_StrictJsonRequest(request.scope, request.receive))

        return strict
