"""The rules a connector's settings obey however they are saved (the admin API, `fieldbridge apply`, the other
commands): which changes run the connection test, how a mapping set is judged for a connector, and when
Outbound Create may be on. One copy, so the API and the CLI cannot come to disagree."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from fieldbridge.mapping import Catalog, MappingSet, Problem, default_set, validate
from fieldbridge.setup.connection_check import AUTHENTICATION, Step
from fieldbridge.store import field_catalog, mapping_sets
from fieldbridge.store.tables import Connector

# Saving any of these runs the connection test (the setup guide: saving tests the connection).
CONNECTION_FIELDS = frozenset(
    {
        "autotask_api_url",
        "autotask_username",
        "autotask_secret",
        "autotask_integration_code",
        "fieldnation_api_url",
        "fieldnation_client_id",
        "fieldnation_client_secret",
        "fieldnation_username",
        "fieldnation_password",
    }
)

CREATE_NEEDS_MAPPINGS = (
    "Outbound Create needs the six required ticket fields mapped; save mappings that give them first."
)


class ProblemOut(BaseModel):
    where: str
    message: str
    fix: str
    severity: str


class Validation(BaseModel):
    ok: bool
    """No errors (warnings allowed): the set may be saved."""
    catalog_used: bool
    """False before the first Refresh Fields: field names and picklist values were not checked."""
    problems: list[ProblemOut]


def problem_out(problem: Problem) -> ProblemOut:
    return ProblemOut(
        where=problem.where, message=problem.message, fix=problem.fix, severity=problem.severity
    )


def validate_mappings(
    mapping_set: MappingSet, catalog: dict[str, Any] | None, *, service_object: str, outbound_create: bool
) -> Validation:
    """A mapping set judged for a connector: against its field catalog (once Refresh Fields has run), its
    service object and its Outbound Create setting."""
    known = Catalog.model_validate(catalog) if catalog is not None else None
    problems = validate(mapping_set, known, service_object=service_object, outbound_create=outbound_create)
    return Validation(
        ok=all(problem.severity != "error" for problem in problems),
        catalog_used=known is not None,
        problems=[problem_out(problem) for problem in problems],
    )


def judged(session: Session, connector: Connector, mapping_set: MappingSet) -> Validation:
    """A mapping set judged for a saved connector, as every way of saving one judges it (the admin API,
    `fieldbridge mappings push`, the console)."""
    return validate_mappings(
        mapping_set,
        field_catalog.catalog(session, connector.id),
        service_object=connector.service_object,
        outbound_create=connector.outbound_create,
    )


def mappings_in_force(session: Session, connector_id: int) -> MappingSet:
    """The newest saved mapping set, or the guide's defaults when none is saved."""
    saved = mapping_sets.latest(session, connector_id)
    return default_set() if saved is None else MappingSet.model_validate(saved.body)


def missing_for_outbound_create(mapping_set: MappingSet) -> list[Problem]:
    """What keeps Outbound Create from being switched on with these mappings: otherwise every new work
    order would fail (the guide: "silently")."""
    return [p for p in validate(mapping_set, outbound_create=True) if p.severity == "error"]


def connection_passed(steps: list[Step]) -> bool:
    return all(step.status == "pass" for step in steps)


def signed_in(steps: list[Step]) -> bool:
    """The connection test signed in to Autotask: the full check can run."""
    return any(step.name == AUTHENTICATION and step.status == "pass" for step in steps)
