"""Autotask-shaped errors: `{"errors": [...]}` with 500 for business rules, as Autotask answers them."""

from __future__ import annotations

from fastapi.responses import JSONResponse


class AutotaskError(Exception):
    def __init__(self, status: int, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.status = status
        self.messages = list(messages)

    def response(self) -> JSONResponse:
        if self.status == 405:
            # Autotask's IIS front answers a wrong verb in ASP.NET's own shape.
            return JSONResponse({"Message": self.messages[0]}, status_code=405)
        return JSONResponse({"errors": self.messages}, status_code=self.status)


def invalid(*messages: str) -> AutotaskError:
    """A validation or business-rule failure: Autotask answers these with HTTP 500."""
    return AutotaskError(500, *messages)


def error_response(status: int, message: str) -> JSONResponse:
    return AutotaskError(status, message).response()
