"""Liveness, readiness and Prometheus metrics (unauthenticated: they reveal counts, never content)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from fieldbridge.web.deps import BrokerDep

log = logging.getLogger(__name__)

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {}})
def readyz(broker: BrokerDep, response: Response) -> dict[str, str]:
    """The database and the queue answer; 503 naming the one that does not."""
    checks: dict[str, str] = {}
    for name, probe in (("database", _database), ("queue", _queue)):
        try:
            probe(broker)
            checks[name] = "ok"
        except Exception as error:
            # Only the error's type: driver messages can carry connection details.
            log.warning("readiness: %s unavailable: %s", name, type(error).__name__)
            checks[name] = f"unavailable ({type(error).__name__})"
            response.status_code = 503
    return checks


@router.get("/metrics", response_class=Response)
def metrics(broker: BrokerDep) -> Response:
    return Response(broker.metrics.render(), media_type=CONTENT_TYPE_LATEST)


def _database(broker: BrokerDep) -> None:
    with broker.db.read_rows() as connection:  # a write transaction would wait for the write lock
        connection.execute(text("SELECT 1"))


def _queue(broker: BrokerDep) -> None:
    broker.queue.pending()
