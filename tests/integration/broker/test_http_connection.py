"""Saving credentials runs the connection test; Refresh Fields fills the catalog; mapping sets are
validated against it. All over real HTTP, against the Autotask and Field Nation emulators on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from fieldbridge.autotask import causes
from fieldbridge.mapping import default_set
from fieldbridge.mapping.config import to_data
from fieldbridge.settings import Settings
from tests.support.emulators import AutotaskSim, FieldNationSim, connector_fields
from tests.support.served import Served, serve, with_api_token
from tests.support.smtp import free_port

UNREACHABLE = f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    from fieldbridge.sandbox.autotask.seed import seeded_users

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("connection"),
        master_key=Fernet.generate_key().decode(),
        default_integration_code=SecretStr(seeded_users()[0]["integration_code"]),
    )
    with serve(settings) as served:
        yield served


@pytest.fixture(scope="module")
def admin(broker: Served) -> Iterator[httpx.Client]:
    with with_api_token(broker.broker.db, broker.url) as client:
        yield client


def settings_for(
    autotask: AutotaskSim, fieldnation: FieldNationSim, name: str, **changes: Any
) -> dict[str, Any]:
    body = {
        "name": name,
        **connector_fields(autotask, fieldnation, "svc-fieldnation"),
        "fieldnation_company_id": fieldnation.announced["company_id"],
    }
    return body | changes


def steps_of(response: httpx.Response) -> dict[str, dict[str, Any]]:
    assert response.status_code in (200, 201), response.text
    return {step["name"]: step for step in response.json()["connection_test"]}


def test_good_credentials_pass_every_step(
    admin: httpx.Client, autotask_sim: AutotaskSim, fn_server: FieldNationSim
) -> None:
    steps = steps_of(admin.post("/v1/admin/connectors", json=settings_for(autotask_sim, fn_server, "good")))
    assert {name: step["status"] for name, step in steps.items()} == {
        "Autotask zone discovery": "pass",
        "Autotask authentication": "pass",
        "Field Nation token": "pass",
    }
    assert autotask_sim.zone_url in steps["Autotask zone discovery"]["detail"]
    assert "Tickets query access: All" in steps["Autotask authentication"]["detail"]


@pytest.mark.parametrize(
    ("user", "changes", "step", "cause"),
    [
        (
            "svc-fieldnation",
            {"autotask_username": "nobody@acme-msp.example"},
            "zone discovery",
            "unknown_user",
        ),
        ("svc-fieldnation", {"autotask_secret": "not-the-password-1"}, "authentication", "wrong_secret"),
        ("svc-inactive", {}, "authentication", "inactive_user"),
        ("svc-ampersand", {}, "authentication", "secret_characters"),
        ("svc-custom", {}, "authentication", "integration_code"),
        ("jdoe", {}, "authentication", "resource_type"),
        ("svc-fieldnation", {"autotask_api_url": UNREACHABLE}, "zone discovery", "network_egress"),
    ],
)
def test_each_autotask_failure_names_the_guides_cause_and_fix(
    admin: httpx.Client,
    autotask_sim: AutotaskSim,
    fn_server: FieldNationSim,
    user: str,
    changes: dict[str, str],
    step: str,
    cause: str,
) -> None:
    seeded = autotask_sim.user(user)
    credentials = {"autotask_username": seeded["username"], "autotask_secret": seeded["secret"]} | changes
    name = f"at-{cause.replace('_', '-')}"
    steps = steps_of(
        admin.post("/v1/admin/connectors", json=settings_for(autotask_sim, fn_server, name, **credentials))
    )
    failed = steps[f"Autotask {step}"]
    expected = getattr(causes, cause.upper())
    assert (failed["status"], failed["cause"], failed["fix"]) == ("fail", expected.problem, expected.fix)
    if step == "zone discovery":
        assert steps["Autotask authentication"]["status"] == "skipped"
    assert steps["Field Nation token"]["status"] == "pass"
    assert seeded["secret"] not in str(steps)


@pytest.mark.parametrize(
    ("changes", "cause"),
    [
        ({"fieldnation_client_secret": "not-the-secret"}, "Field Nation refused the client id and secret"),
        (
            {"fieldnation_password": "not-the-password"},
            "Field Nation refused the API user's username or password",
        ),
        ({"fieldnation_api_url": UNREACHABLE}, "Field Nation cannot be reached"),
        ({"fieldnation_username": ""}, "Credentials are missing"),
    ],
)
def test_each_fieldnation_failure_says_what_to_fix(
    admin: httpx.Client,
    autotask_sim: AutotaskSim,
    fn_server: FieldNationSim,
    changes: dict[str, str],
    cause: str,
) -> None:
    body = settings_for(autotask_sim, fn_server, f"fn-{abs(hash(str(changes))) % 10**8}", **changes)
    step = steps_of(admin.post("/v1/admin/connectors", json=body))["Field Nation token"]
    assert step["status"] == "fail"
    assert step["cause"].startswith(cause)
    assert step["fix"]


def test_saving_new_credentials_tests_them_and_other_changes_do_not(
    admin: httpx.Client, autotask_sim: AutotaskSim, fn_server: FieldNationSim
) -> None:
    admin.post("/v1/admin/connectors", json=settings_for(autotask_sim, fn_server, "patched"))
    untested = admin.patch("/v1/admin/connectors/patched", json={"attachment_sync": True})
    assert untested.json()["connection_test"] is None
    wrong = steps_of(
        admin.patch("/v1/admin/connectors/patched", json={"autotask_secret": "wrong-password-12"})
    )
    assert wrong["Autotask authentication"]["cause"] == causes.WRONG_SECRET.problem
    again = admin.post("/v1/admin/connectors/patched/connection-test").json()
    assert [step["status"] for step in again] == ["pass", "fail", "pass"]


def test_refresh_fields_then_mappings_are_validated_against_the_catalog(
    admin: httpx.Client, autotask_sim: AutotaskSim, fn_server: FieldNationSim
) -> None:
    admin.post("/v1/admin/connectors", json=settings_for(autotask_sim, fn_server, "mapped"))
    assert admin.get("/v1/admin/connectors/mapped/catalog").status_code == 404
    refreshed = admin.post("/v1/admin/connectors/mapped/refresh-fields").json()
    assert refreshed["problems"] == []
    assert set(refreshed["autotask"]) == {
        "Tickets",
        "Companies",
        "TicketNotes",
        "TimeEntries",
        "ExpenseReports",
        "ExpenseItems",
    }
    assert refreshed["autotask"]["Tickets"] > 20
    assert refreshed["fieldnation"]["statuses"] == 8
    assert refreshed["fieldnation"]["expense_categories"] > 0
    catalog = admin.get("/v1/admin/connectors/mapped/catalog").json()
    status = next(f for f in catalog["autotask"]["Tickets"]["fields"] if f["name"] == "status")
    assert status["isPickList"] is True
    assert {"value", "label"} <= set(status["picklistValues"][0])

    defaults = to_data(default_set())
    checked = admin.post("/v1/admin/connectors/mapped/mappings/validate", json=defaults).json()
    assert checked["catalog_used"] is True
    misspelt = {**defaults, "inbound": [{"source_field": "Titel", "target_field": "title", "action": "sync"}]}
    problems = admin.post("/v1/admin/connectors/mapped/mappings/validate", json=misspelt).json()["problems"]
    assert any("'Titel' is not a known Autotask Tickets field" in p["message"] for p in problems)
    refused = admin.put("/v1/admin/connectors/mapped/mappings", json=misspelt)
    assert refused.status_code == 422
    assert admin.get("/v1/admin/connectors/mapped/mappings").status_code == 404


def test_mapping_sets_are_versioned_and_previewed(
    admin: httpx.Client, autotask_sim: AutotaskSim, fn_server: FieldNationSim, tmp_path: Path
) -> None:
    admin.post("/v1/admin/connectors", json=settings_for(autotask_sim, fn_server, "versions"))
    first = {
        "schema_version": 1,
        "inbound": [{"source_field": "Title", "target_field": "title", "action": "sync"}],
        "outbound": [],
    }
    second = {
        **first,
        "inbound": [*first["inbound"], {"target_field": "description", "action": "set_static", "value": "x"}],
    }
    for body in (first, second):
        saved = admin.put("/v1/admin/connectors/versions/mappings", json=body)
        assert saved.status_code == 200, saved.text
    assert admin.get("/v1/admin/connectors/versions/mappings").json()["version"] == 2
    assert [
        row["version"] for row in admin.get("/v1/admin/connectors/versions/mappings/versions").json()
    ] == [2, 1]
    preview = admin.post(
        "/v1/admin/connectors/versions/mappings/preview",
        json={"direction": "inbound", "record": {"title": "Printer"}},
    ).json()
    assert preview["document"] == {"title": "Printer", "description": "x"}
    unreadable = admin.put(
        "/v1/admin/connectors/versions/mappings", json={"schema_version": 1, "inbound": [{"action": "sync"}]}
    )
    assert unreadable.status_code == 422
    assert unreadable.json()["detail"]["problems"]
