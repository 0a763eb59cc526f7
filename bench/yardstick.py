"""The yardstick: a bare FastAPI route served by uvicorn with its defaults (httptools and uvloop when
installed), in its own process: `python -m bench.yardstick` prints `{"url": ...}` first, then serves until
SIGTERM. What the trigger URL is compared with: the same machine, the same moment, nothing but HTTP."""

from __future__ import annotations

import json
import sys

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from fieldbridge.sandbox.server import base_url, bind_socket

app = FastAPI()


@app.post("/hook")
async def hook(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse({"event_id": 1, "duplicate": False}, status_code=202)


def main() -> None:
    sock = bind_socket("127.0.0.1", 0)
    sys.stdout.write(json.dumps({"url": base_url(sock)}) + "\n")
    sys.stdout.flush()
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])


if __name__ == "__main__":
    main()
