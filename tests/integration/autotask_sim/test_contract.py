"""The emulator against the official swagger: every route it serves exists there with that verb, and every
field it returns is a property of the entity's swagger model (case-insensitively)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

from fieldbridge.sandbox.autotask.catalog import load
from tests.support.emulators import AutotaskSim

SWAGGER = Path(__file__).resolve().parents[3] / "reference" / "autotask" / "rest-v1.swagger.json"

# Routes the emulator serves although the official swagger copy lacks them, and why.
NOT_IN_SWAGGER = {
    "TicketWebhook": "the swagger copy predates ticket webhooks; modelled on CompanyWebhooks",
    "/query/next": "Autotask's nextPageUrl points at {E}/query/next",
}


@cache
def swagger() -> dict[str, Any]:
    if not SWAGGER.exists():
        pytest.fail(f"the official swagger is expected at {SWAGGER} (reference/ in the repository)")
    return dict(json.loads(SWAGGER.read_text()))


def _exception(template: str) -> str | None:
    return next((why for key, why in NOT_IN_SWAGGER.items() if key in template), None)


def test_every_served_route_exists_in_the_swagger_with_that_verb() -> None:
    paths = swagger()["paths"]
    for route in load().routes:
        if _exception(route.template):
            assert route.derived, f"{route.template} is not marked as derived"
            continue
        assert route.template in paths, f"{route.template} is not in the swagger"
        assert route.method.lower() in paths[route.template], (
            f"{route.method} {route.template} not in swagger"
        )


def test_derived_ticket_webhook_routes_mirror_company_webhook_routes() -> None:
    paths = swagger()["paths"]
    for route in load().routes:
        if "TicketWebhook" in route.template and not route.template.endswith("/next"):
            twin = route.template.replace("TicketWebhook", "CompanyWebhook")
            assert route.method.lower() in paths[twin], f"{route.method} {twin} missing for {route.template}"


def _model_properties(entity: str) -> set[str]:
    model = {e.path: e for e in load().entities.values()}[entity]
    name = {
        "TicketWebhooks": "CompanyWebhookModel",
        "TicketWebhookFields": "CompanyWebhookFieldModel",
        "TicketWebhookUdfFields": "CompanyWebhookUdfFieldModel",
        "TicketWebhookExcludedResources": "CompanyWebhookExcludedResourceModel",
    }.get(entity)
    definitions = swagger()["definitions"]
    if name is None:
        name = next(k for k in definitions if k.lower() == f"{model.singular}Model".lower())
    return {p.lower() for p in definitions[name]["properties"]}


@pytest.mark.parametrize("entity", sorted(e.path for e in load().entities.values()))
def test_every_returned_field_is_a_swagger_property(autotask_sim: AutotaskSim, entity: str) -> None:
    records = autotask_sim.records(entity)
    allowed = _model_properties(entity)
    with httpx.Client(base_url=autotask_sim.zone_url, headers=autotask_sim.headers(), timeout=10) as api:
        info = api.get(f"V1.0/{entity}/entityInformation/fields")
        assert info.status_code == 200, info.text
        for field in info.json()["fields"]:
            assert field["name"].lower() in allowed, f"{entity}.{field['name']} is not in the swagger model"
        if not records:
            return
        answer = api.get(f"V1.0/{entity}/{records[0]['id']}")
        # Not visible to this user (no permission): the record as the emulator holds it must still conform.
        item = answer.json()["item"] if answer.status_code == 200 else records[0]
    for key in item:
        assert key.lower() in allowed, f"{entity}.{key} is not a property of the swagger model"
