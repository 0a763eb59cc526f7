"""A reconciler pass that fails is handled as a failing event is: a line in the connector's own history with
the likely cause and the fix, an alert, and a log line, each scrubbed of the connector's secrets.

A failed pass counts as a pass for the schedule: the next try waits for the connector's `reconcile_minutes`,
so an Autotask that refuses is not asked again every half minute, and the history and the alerts get one
line per interval rather than one per check. Nothing is lost meanwhile: the checkpoint did not move, so
the next pass reads the same window again. The first pass that works after failures says so in history.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from fieldbridge import autotask
from fieldbridge.jobs.redaction import redact
from fieldbridge.notify.alerts import Alert
from fieldbridge.store import history
from fieldbridge.store.secrets import SecretUnreadable
from fieldbridge.sync import checkpoints

if TYPE_CHECKING:
    from fieldbridge.jobs.consumer import Parts
    from fieldbridge.store.database import Database

log = logging.getLogger(__name__)

FAILED = "reconcile-failed"
"""The checkpoint that holds when the last pass failed (present only while passes fail)."""


@dataclass(frozen=True)
class Failure:
    cause: str
    fix: str


def describe(error: Exception, connector: str, minutes: int, secrets: list[str]) -> Failure:
    """The cause and fix to show a person, in the words of the error's own diagnosis when it has one."""
    if isinstance(error, autotask.AutotaskError) and error.fix is not None:
        fix = f"{error.fix}."
    elif isinstance(error, SecretUnreadable):
        fix = "Restore the master key the connector's secrets were saved with, or enter the secrets again."
    else:
        fix = f"If it keeps failing, check the connector: `fieldbridge check --connector {connector}`."
    if isinstance(error, autotask.AutotaskError):
        cause = error.diagnosis
    else:
        cause = f"{type(error).__name__}: {error}"
    retry = f" The reconciler tries again in {minutes} minute(s); nothing is skipped meanwhile."
    return Failure(redact(cause, secrets), redact(fix, secrets) + retry)


def record(
    parts: Parts,
    connector_id: int,
    connector: str,
    subject: str,
    error: Exception,
    secrets: list[str],
    now: datetime,
    minutes: int,
) -> None:
    """Write the failed pass to the connector's history, mark when it failed, alert and log it.

    `subject` names what the pass reads, e.g. "Autotask Tickets"."""
    failure = describe(error, connector, minutes, secrets)
    log.warning("reconcile of connector %s failed: %s", connector, failure.cause)
    with parts.db.transaction() as session:
        history.record_for_connector(
            session,
            connector_id,
            now,
            "error",
            "reconcile-failed",
            f"Reconciler pass failed: {failure.cause}",
            failure.fix,
        )
        checkpoints.save(session, connector_id, FAILED, {}, now)
    parts.alert(Alert("reconcile_failure", connector_id, None, subject, failure.cause, failure.fix))


def record_recovery(db: Database, connector_id: int, now: datetime) -> None:
    """After a pass that worked: if earlier passes failed, say in history that passes work again."""
    with db.transaction() as session:
        if checkpoints.load(session, connector_id, FAILED) is None:
            return
        checkpoints.clear(session, connector_id, FAILED)
        history.record_for_connector(
            session, connector_id, now, "info", "reconcile-recovered", "Reconciler passes work again."
        )
