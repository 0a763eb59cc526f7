"""The security level every tenant has built in, "API User (system) (API-only)": Full Access for the API, a
seeded API user on it, and the rule that an API user takes only an API-only level."""

from __future__ import annotations

import httpx
import pytest

from fieldbridge.sandbox.autotask.catalog import load
from tests.integration.autotask_sim.api_users import SYSTEM_LEVEL, api_as, full_access_api
from tests.support.emulators import AutotaskSim

OPERATIONS = ("userAccessForCreate", "userAccessForDelete", "userAccessForQuery", "userAccessForUpdate")


def access(api: httpx.Client, entity: str) -> dict[str, str]:
    info = api.get(f"{entity}/entityInformation").json()["info"]
    return {op: info[op] for op in OPERATIONS}


@pytest.mark.parametrize("entity", sorted({e.path for e in load().entities.values()}))
def test_the_built_in_level_grants_full_access_to_every_entity(
    autotask_sim: AutotaskSim, entity: str
) -> None:
    with full_access_api(autotask_sim) as api:
        assert access(api, entity) == dict.fromkeys(OPERATIONS, "All")


def test_its_seeded_user_may_do_what_the_guides_level_may_not(autotask_sim: AutotaskSim) -> None:
    company = {"companyName": "Orchard Pediatrics", "companyType": 1, "phone": "555-0190"}
    with autotask_sim.api() as guide_level:
        assert guide_level.post("Companies", json=company).status_code == 403
    with full_access_api(autotask_sim) as api:
        created = api.post("Companies", json=company)
        assert created.status_code == 200, created.text
        assert (
            api.get(f"Companies/{created.json()['itemId']}").json()["item"]["companyName"]
            == company["companyName"]
        )


def test_an_api_user_can_be_put_on_the_built_in_level(autotask_sim: AutotaskSim) -> None:
    answer = autotask_sim.control.patch(
        "/_sim/users/svc-fieldnation@acme-msp.example", json={"security_level": SYSTEM_LEVEL}
    )
    assert answer.status_code == 200, answer.text
    with api_as(autotask_sim, "svc-fieldnation@") as api:
        assert access(api, "Companies") == dict.fromkeys(OPERATIONS, "All")


@pytest.mark.parametrize(
    ("username", "change"),
    [
        ("svc-fieldnation@acme-msp.example", {"security_level": "Technician"}),
        ("jdoe@acme-msp.example", {"resource_type": "API User"}),
        ("jdoe@acme-msp.example", {"security_level": SYSTEM_LEVEL}),
    ],
)
def test_an_api_user_takes_only_an_api_only_level(
    autotask_sim: AutotaskSim, username: str, change: dict[str, str]
) -> None:
    answer = autotask_sim.control.patch(f"/_sim/users/{username}", json=change)
    assert answer.status_code == 422
    assert "API-only levels" in answer.json()["detail"]
    with api_as(autotask_sim, "svc-fieldnation@") as api:  # nobody's level changed
        assert access(api, "Companies")["userAccessForCreate"] == "None"
