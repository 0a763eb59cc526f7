"""The worker's handler module for the sync flows (the `handler_modules` setting names it by default)."""

from __future__ import annotations

from fieldbridge.autotask.service_objects import SERVICE_OBJECTS
from fieldbridge.jobs.handlers import HandlerRegistry, Job
from fieldbridge.jobs.outcome import Outcome
from fieldbridge.sync import context, inbound, outbound, reconcile
from fieldbridge.sync.pairs import WORK_ORDER

RECONCILE_CHECK_SECONDS = 30.0


def handle_autotask(job: Job) -> Outcome:
    return inbound.import_record(context.for_job(job))


def handle_fieldnation(job: Job) -> Outcome:
    return outbound.sync_work_order(context.for_job(job))


def register(registry: HandlerRegistry) -> None:
    for entity in sorted({s.entity for s in SERVICE_OBJECTS.values()}):
        registry.register("autotask", entity, handle_autotask, reads=context.read_stored)
    registry.register("fieldnation", WORK_ORDER, handle_fieldnation, reads=context.read_stored)
    # Each pass checks which connectors are due (their `reconcile_minutes`); the interval only bounds the lag.
    registry.every("reconciler", RECONCILE_CHECK_SECONDS, reconcile.reconcile_due)
