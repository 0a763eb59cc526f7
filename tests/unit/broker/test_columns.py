from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, ValidationError

from fieldbridge.store.columns import Fits, int_range, max_length
from fieldbridge.store.tables import Connector, InboxEvent


class Sample(BaseModel):
    username: Annotated[str, Fits(Connector.autotask_username)] = ""
    event_id: Annotated[int, Fits(InboxEvent.id, minimum=1)] = 1
    record_id: Annotated[int, Fits(InboxEvent.record_id)] = 0


def test_bounds_are_read_from_the_column_definitions() -> None:
    assert max_length(Connector.autotask_username) == 255
    assert max_length(InboxEvent.dedup_key) == 200
    # PostgreSQL's INTEGER is 32 bits: the narrower bound of the two databases.
    assert int_range(InboxEvent.id) == (-(2**31), 2**31 - 1)
    assert int_range(InboxEvent.record_id) == (-(2**63), 2**63 - 1)
    with pytest.raises(TypeError):
        max_length(InboxEvent.record_id)
    with pytest.raises(TypeError):
        int_range(Connector.name)


def test_values_that_fit_are_taken_as_they_are() -> None:
    sample = Sample(username="u" * 255, event_id=2**31 - 1, record_id=-(2**63))
    assert (len(sample.username), sample.event_id, sample.record_id) == (255, 2**31 - 1, -(2**63))
    assert Sample.model_validate({"event_id": "0000000000000000000000042"}).event_id == 42


@pytest.mark.parametrize(
    ("given", "where", "message"),
    [
        ({"username": "u" * 256}, "username", "String should have at most 255 characters"),
        ({"event_id": 2**31}, "event_id", "Input should be less than or equal to 2147483647"),
        ({"event_id": 0}, "event_id", "Input should be greater than or equal to 1"),
        ({"event_id": "9" * 5000}, "event_id", "Input should be less than or equal to 2147483647"),
        (
            {"record_id": "-" + "9" * 5000},
            "record_id",
            "Input should be greater than or equal to -9223372036854775808",
        ),
        ({"record_id": 2**63}, "record_id", "Input should be less than or equal to 9223372036854775807"),
    ],
)
def test_values_that_do_not_fit_are_refused_naming_the_bound(
    given: dict[str, object], where: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        Sample.model_validate(given)
    [error] = refused.value.errors()
    assert (error["loc"], error["msg"]) == ((where,), message)


def test_openapi_shows_the_bounds() -> None:
    properties = Sample.model_json_schema()["properties"]
    assert properties["username"]["maxLength"] == 255
    assert (properties["event_id"]["minimum"], properties["event_id"]["maximum"]) == (1, 2**31 - 1)
