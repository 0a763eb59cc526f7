"""Contract: every property the emulator returns exists in Field Nation's model of that object
(`rest-v2-models.json`), with the JSON type the model names and, for enums, one of the listed values.
Nested objects are checked against their own models, so one work order covers most of the file."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.support.emulators import FieldNationSim

MODELS_FILE = Path(__file__).resolve().parents[3] / "reference" / "fieldnation" / "rest-v2-models.json"
PRIMITIVES: dict[str, tuple[type, ...]] = {
    "String": (str,),
    "Integer": (int,),
    "Boolean": (bool,),
    "BigDecimal": (int, float),
    # Field Nation sends dates as `{"utc", "local"}` objects; the Java client types them as dates.
    "java.util.Date": (str, dict),
}
ANYTHING = {"Object", "java.util.Map", "java.io.File"}
REQUIRED = (
    "WorkOrder", "Status", "Schedule", "Location", "CustomField",
    "TimeLog", "Expense", "Message", "AttachmentFolder", "Attachment",
)  # fmt: skip


@cache
def models() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(MODELS_FILE.read_text())
    return loaded


def violations(value: Any, type_name: str, where: str, owner: str, seen: set[str]) -> list[str]:
    """What in `value` breaks `type_name` (a model, a primitive, `List<...>` or an enum of `owner`)."""
    if type_name.startswith("List<"):
        if not isinstance(value, list):
            return [f"{where}: expected a list for {type_name}, got {value!r}"]
        inner = type_name[5:-1]
        return [
            v for i, item in enumerate(value) for v in violations(item, inner, f"{where}[{i}]", owner, seen)
        ]
    if type_name in models():
        if not isinstance(value, dict):
            return [f"{where}: expected a {type_name} object, got {value!r}"]
        seen.add(type_name)
        properties = models()[type_name]["properties"]
        found = []
        for key, item in value.items():
            if key not in properties:
                found.append(f"{where}.{key}: not a property of {type_name}")
            elif item is not None:
                found += violations(item, properties[key], f"{where}.{key}", type_name, seen)
        return found
    enum = models()[owner].get("enums", {}).get(type_name)
    if enum is not None:
        return [] if value in enum else [f"{where}: {value!r} is not one of {type_name} {enum}"]
    if type_name in ANYTHING:
        return []
    kinds = PRIMITIVES[type_name]
    is_bool = isinstance(value, bool)
    if not isinstance(value, kinds) or (is_bool and bool not in kinds):
        return [f"{where}: {value!r} is not a {type_name}"]
    return []


def get(sim: FieldNationSim, path: str) -> Any:
    response = sim.control.get(f"/api/rest/v2{path}", params={"access_token": sim.token()})
    assert response.status_code == 200, response.text
    return response.json()


def enrich(sim: FieldNationSim) -> None:
    """Make the seeded data show every optional part: replies, uploads, a custom location, tags, parts."""
    wo = sim.seeded("Assigned")
    sim.act(wo, "upload", name="site.jpg", content="jpeg")
    sim.act(wo, "update_part", name="PSU", carrier="fedex", tracking="7712", status="Arrived")
    sim.act(wo, "delayed", minutes=20)
    token = {"access_token": sim.token()}
    message = get(sim, f"/workorders/{wo}/messages")["results"][0]["id"]
    sim.control.post(f"/api/rest/v2/workorders/{wo}/messages/{message}", params=token, json={"message": "Ok"})
    sim.control.put(
        f"/api/rest/v2/workorders/{sim.seeded('Draft')}",
        params=token,
        json={
            "location": {"mode": "custom", "city": "Austin", "coordinates": {"latitude": 1, "longitude": 2}}
        },
    )


def test_every_returned_property_is_in_the_models_file(fn_sim: FieldNationSim) -> None:
    enrich(fn_sim)
    seen: set[str] = set()
    problems: list[str] = []
    work_orders = get(fn_sim, "/workorders?per_page=100")
    assert work_orders["metadata"]["total"] == 8
    problems += violations(work_orders, "WorkOrders", "GET /workorders", "WorkOrders", seen)
    for wo in work_orders["results"]:
        wo_id = wo["id"]
        for path, model in (
            (f"/workorders/{wo_id}", "WorkOrder"),
            (f"/workorders/{wo_id}/schedule", "Schedule"),
            (f"/workorders/{wo_id}/custom_fields", "CustomFields"),
            (f"/workorders/{wo_id}/time_logs", "TimeLogs"),
            (f"/workorders/{wo_id}/expenses", "Expenses"),
            (f"/workorders/{wo_id}/messages", "Messages"),
            (f"/workorders/{wo_id}/attachments", "AttachmentFolders"),
            (f"/workorders/{wo_id}/tags", "Tags"),
        ):
            problems += violations(get(fn_sim, path), model, f"GET {path}", model, seen)
    problems += violations(
        get(fn_sim, "/custom-fields"), "CustomFields", "GET /custom-fields", "CustomFields", seen
    )
    categories = get(fn_sim, "/company/4182/expenses")
    problems += violations(categories, "ExpenseCategories", "GET expenses", "ExpenseCategories", seen)
    assert problems == []
    assert set(REQUIRED) <= seen  # each model named by the issue was really met, not skipped


def test_single_answers_match_their_models(fn_sim: FieldNationSim) -> None:
    """Objects answered on their own (created, updated) follow the same models as in lists."""
    wo = fn_sim.seeded("Assigned")
    token = {"access_token": fn_sim.token()}
    answers = {
        "Expense": fn_sim.control.post(
            f"/api/rest/v2/workorders/{wo}/expenses", params=token, json={"category": {"id": 1}, "amount": 5}
        ),
        "Message": fn_sim.control.post(
            f"/api/rest/v2/workorders/{wo}/messages",
            params=token,
            json={"message": "Hi", "type": "ASSIGNEDTECH"},
        ),
        "AttachmentFolder": fn_sim.control.post(
            f"/api/rest/v2/workorders/{wo}/attachments", params=token, json={"name": "Photos"}
        ),
        "TimeLog": fn_sim.control.post(f"/api/rest/v2/workorders/{wo}/check_out", params=token),
        "CustomField": fn_sim.control.put(
            f"/api/rest/v2/workorders/{wo}/custom_fields/105", params=token, json={"value": "08:00"}
        ),
    }
    seen: set[str] = set()
    for model, response in answers.items():
        assert response.status_code in (200, 201), response.text
        assert violations(response.json(), model, model, model, seen) == []
    assert set(answers) <= seen


@pytest.mark.parametrize(
    ("value", "model", "complaint"),
    [
        ({"id": 1, "incident_id": "X"}, "WorkOrder", "incident_id: not a property of WorkOrder"),
        ({"id": "1"}, "Status", "'1' is not a Integer"),
        ({"status": "open"}, "TimeLog", "'open' is not one of StatusEnum"),
        (
            {"results": [{"id": 1, "colour": "red"}]},
            "AttachmentFolder",
            "colour: not a property of Attachment",
        ),
        ({"confirmed": 1}, "Status", "1 is not a Boolean"),
        ({"hours": True}, "TimeLog", "True is not a BigDecimal"),
    ],
)
def test_the_checker_catches_what_the_models_do_not_allow(value: Any, model: str, complaint: str) -> None:
    [found] = violations(value, model, model, model, set())
    assert complaint in found
