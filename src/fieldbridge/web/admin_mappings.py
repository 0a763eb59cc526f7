"""A connector's mapping sets: read, save (a new version, refused while it has errors), validate against
the field catalog from Refresh Fields, and preview on a sample record. The checks are
`fieldbridge.mapping`'s; this module only stores and serves them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fieldbridge.mapping import ConfigError, MappingError, MappingSet, compile_mappings, load
from fieldbridge.mapping.config import to_data
from fieldbridge.setup.rules import Validation, judged, problem_out
from fieldbridge.store import connectors, mapping_sets
from fieldbridge.store.tables import Connector
from fieldbridge.web.deps import AdminDep, BrokerDep, current_admin, utcnow
from fieldbridge.web.strict_json import StrictJsonRoute

router = APIRouter(
    prefix="/v1/admin/connectors/{name}/mappings",
    tags=["mappings"],
    dependencies=[Depends(current_admin)],
    route_class=StrictJsonRoute,
)


class MappingSetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    created_at: datetime
    created_by: str
    body: dict[str, Any]


class Saved(BaseModel):
    mapping_set: MappingSetOut
    validation: Validation


class PreviewRequest(BaseModel):
    direction: Literal["inbound", "outbound"]
    record: dict[str, Any]
    """An Autotask ticket (inbound) or a Field Nation work order (outbound), as the APIs answer them."""
    mappings: dict[str, Any] | None = None
    """A mapping set to try; without it, the saved one."""


@router.get("", responses={404: {}})
def read(name: str, broker: BrokerDep) -> MappingSetOut:
    """The mapping set in force (the newest version)."""
    with broker.db.transaction() as session:
        row = mapping_sets.latest(session, _connector(session, name).id)
        if row is None:
            raise HTTPException(
                404, "No mapping set is saved yet; PUT one (`fieldbridge mappings defaults` prints a start)."
            )
        return MappingSetOut.model_validate(row)


@router.get("/versions")
def list_versions(name: str, broker: BrokerDep) -> list[MappingSetOut]:
    """Every saved version, newest first."""
    with broker.db.transaction() as session:
        return [
            MappingSetOut.model_validate(row)
            for row in mapping_sets.versions(session, _connector(session, name).id)
        ]


@router.put("", responses={409: {}, 422: {}})
def save(name: str, body: dict[str, Any], user: AdminDep, broker: BrokerDep) -> Saved:
    """Save a new version. With errors it is refused (422) and nothing changes; warnings are returned."""
    with broker.db.transaction() as session:
        connector = _connector(session, name)
        mapping_set = _loaded(body)
        checked = judged(session, connector, mapping_set)
        if not checked.ok:
            raise HTTPException(
                422, {"message": "The mapping set has errors and was not saved.", **checked.model_dump()}
            )
        try:
            row = mapping_sets.save(session, connector.id, to_data(mapping_set), user.username, utcnow())
        except IntegrityError:
            raise HTTPException(
                409, "Another version was saved at the same moment; reload and save again."
            ) from None
        return Saved(mapping_set=MappingSetOut.model_validate(row), validation=checked)


@router.post("/validate", responses={422: {}})
def check(name: str, body: dict[str, Any], broker: BrokerDep) -> Validation:
    """Validate without saving."""
    with broker.db.transaction() as session:
        return judged(session, _connector(session, name), _loaded(body))


@router.post("/preview", responses={404: {}, 422: {}})
def preview(name: str, request: PreviewRequest, broker: BrokerDep) -> dict[str, Any]:
    """What the mappings make of `record`: the document, and a trace of each value with its mapping."""
    with broker.db.transaction() as session:
        connector = _connector(session, name)
        if request.mappings is None:
            row = mapping_sets.latest(session, connector.id)
            if row is None:
                raise HTTPException(404, "No mapping set is saved yet; send one as `mappings`.")
            mapping_set = _loaded(row.body)
        else:
            mapping_set = _loaded(request.mappings)
    try:
        return compile_mappings(mapping_set, request.direction).preview(request.record).to_data()
    except MappingError as error:
        raise HTTPException(
            422, {"message": "A mapping cannot run.", "problems": [problem_out(error.problem).model_dump()]}
        ) from None


def _connector(session: Session, name: str) -> Connector:
    connector = connectors.get(session, name)
    if connector is None:
        raise HTTPException(404, f"There is no connector named {name!r}.")
    return connector


def _loaded(body: dict[str, Any]) -> MappingSet:
    try:
        return load(json.dumps(body))
    except ConfigError as error:
        detail = {
            "message": "The mapping set cannot be read.",
            "problems": [problem_out(p).model_dump() for p in error.problems],
        }
        raise HTTPException(422, detail) from None
