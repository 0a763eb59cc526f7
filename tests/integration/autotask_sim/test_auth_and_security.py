"""Zone discovery, authentication causes as Autotask reports them, and security levels over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from tests.support.emulators import AutotaskSim


def test_zone_discovery_answers_the_tenant_zone_and_refuses_unknown_users(autotask_sim: AutotaskSim) -> None:
    with httpx.Client(base_url=autotask_sim.url) as http:
        ok = http.get("/atservicesrest/v1.0/zoneInformation", params={"user": autotask_sim.creds["username"]})
        assert ok.status_code == 200
        assert ok.json()["url"] == autotask_sim.zone_url
        assert ok.json()["url"].endswith("/webservices2/atservicesrest/")
        unknown = http.get("/ATServicesRest/V1.0/ZoneInformation", params={"user": "nobody@nowhere.example"})
        assert unknown.status_code == 500
        assert unknown.json() == {"errors": ["Zone information could not be determined"]}
        version = http.get("/atservicesrest/versioninformation")
        assert version.json() == {"apiVersions": ["V1.0"]}


def test_a_client_with_a_fixed_base_url_reaches_the_tenant_through_the_discovery_host(
    autotask_sim: AutotaskSim,
) -> None:
    with httpx.Client(base_url=autotask_sim.url, headers=autotask_sim.headers()) as http:
        assert http.get("/ATServicesRest/V1.0/Tickets/7001").json()["item"]["id"] == 7001
    assert {
        "method": "GET",
        "route": "GET /V1.0/Tickets/{id}",
        "user": autotask_sim.creds["username"],
        "count": 1,
    } in autotask_sim.calls()["items"]


@pytest.mark.parametrize(
    ("user", "secret", "code", "status", "fragment"),
    [
        ("nobody@acme-msp.example", None, None, 500, "user name was not found"),
        (None, "wrong-secret-0000000", None, 401, "Unauthorized"),
        (None, None, "NOTTHERIGHTCODE", 500, "IntegrationCode"),
        ("jdoe@", None, None, 401, "not an API user"),
        ("svc-inactive@", None, None, 401, "inactive"),
        ("svc-ampersand@", None, None, 401, "Unauthorized"),
    ],
)
def test_authentication_failures_answer_as_autotask_does(
    autotask_sim: AutotaskSim,
    user: str | None,
    secret: str | None,
    code: str | None,
    status: int,
    fragment: str,
) -> None:
    username = secret_value = None
    if user and user.endswith("@"):
        seeded = autotask_sim.user(user)
        username, secret_value = seeded["username"], seeded["secret"]
    elif user:
        username = user
    headers = autotask_sim.headers(username=username, secret=secret or secret_value, code=code)
    response = httpx.get(f"{autotask_sim.zone_url}V1.0/Tickets/7001", headers=headers)
    assert response.status_code == status
    assert any(fragment in m for m in response.json()["errors"])


def test_a_secret_with_forbidden_characters_fails_even_when_correct(autotask_sim: AutotaskSim) -> None:
    seeded = autotask_sim.user("svc-ampersand@")
    assert any(c in seeded["secret"] for c in "<>&")
    headers = autotask_sim.headers(username=seeded["username"], secret=seeded["secret"])
    assert httpx.get(f"{autotask_sim.zone_url}V1.0/Tickets/7001", headers=headers).status_code == 401


def test_header_names_and_path_segments_are_case_insensitive(autotask_sim: AutotaskSim) -> None:
    headers = {k.lower(): v for k, v in autotask_sim.headers().items()}
    response = httpx.get(f"{autotask_sim.zone_url}v1.0/tickets/7001", headers=headers)
    assert response.status_code == 200
    assert response.json()["item"]["id"] == 7001


def test_a_moved_tenant_answers_401_from_its_old_zone(autotask_sim: AutotaskSim) -> None:
    old = autotask_sim.zone_url
    autotask_sim.control.put("/_sim/tenant/zone", json={"zone": "webservices14"}).raise_for_status()
    assert httpx.get(f"{old}V1.0/Tickets/7001", headers=autotask_sim.headers()).status_code == 401
    new = httpx.get(
        f"{autotask_sim.url}/atservicesrest/v1.0/zoneInformation",
        params={"user": autotask_sim.creds["username"]},
    ).json()["url"]
    assert new.endswith("/webservices14/atservicesrest/")
    assert httpx.get(f"{new}V1.0/Tickets/7001", headers=autotask_sim.headers()).status_code == 200


def _handmade(autotask_sim: AutotaskSim) -> dict[str, str]:
    seeded = autotask_sim.user("svc-handmade@")
    return autotask_sim.headers(username=seeded["username"], secret=seeded["secret"])


def test_entity_information_reports_the_callers_security_level(autotask_sim: AutotaskSim) -> None:
    def info(headers: dict[str, str], entity: str) -> dict[str, object]:
        return dict(
            httpx.get(f"{autotask_sim.zone_url}V1.0/{entity}/entityInformation", headers=headers).json()[
                "info"
            ]
        )

    complete = info(autotask_sim.headers(), "TimeEntries")
    assert complete["userAccessForDelete"] == "All"
    assert complete["canDelete"] is True
    partial = info(_handmade(autotask_sim), "TimeEntries")
    assert partial["userAccessForDelete"] == "None"
    assert info(_handmade(autotask_sim), "Tickets")["userAccessForCreate"] == "None"
    assert info(_handmade(autotask_sim), "Contacts")["userAccessForQuery"] == "None"
    assert (
        info(_handmade(autotask_sim), "Tickets")["userAccessForDelete"] == "All"
    )  # granted beyond the guide
    notes = info(autotask_sim.headers(), "TicketNotes")
    assert (notes["canCreate"], notes["canUpdate"], notes["canDelete"]) == (True, True, False)


def test_calls_beyond_the_security_level_are_refused(autotask_sim: AutotaskSim) -> None:
    headers = _handmade(autotask_sim)
    contacts = httpx.post(
        f"{autotask_sim.zone_url}V1.0/Contacts/query",
        headers=headers,
        json={"filter": [{"op": "exist", "field": "id"}]},
    )
    assert contacts.status_code == 403
    assert "Contacts" in contacts.json()["errors"][0]
    delete = httpx.delete(f"{autotask_sim.zone_url}V1.0/TimeEntries/8101", headers=headers)
    assert delete.status_code == 403
    assert any(r["id"] == 8101 for r in autotask_sim.records("TimeEntries")), "a refused delete deleted"


def test_line_of_business_hides_unassigned_tickets_from_a_user_without_that_visibility(
    autotask_sim: AutotaskSim,
) -> None:
    query = {"filter": [{"op": "exist", "field": "id"}]}
    seen_by_complete = httpx.post(
        f"{autotask_sim.zone_url}V1.0/Tickets/query/count", headers=autotask_sim.headers(), json=query
    ).json()["queryCount"]
    seen_by_handmade = httpx.post(
        f"{autotask_sim.zone_url}V1.0/Tickets/query/count", headers=_handmade(autotask_sim), json=query
    ).json()["queryCount"]
    assert seen_by_complete == len(autotask_sim.records("Tickets"))
    assert seen_by_handmade == 1  # only the ticket with a Line of Business


def test_mine_permissions_limit_edits_to_own_records(autotask_sim: AutotaskSim) -> None:
    response = httpx.patch(
        f"{autotask_sim.zone_url}V1.0/ExpenseReports",
        headers=_handmade(autotask_sim),
        json={"id": 8401, "name": "Renamed"},
    )
    assert response.status_code == 403
    assert "own" in response.json()["errors"][0]
