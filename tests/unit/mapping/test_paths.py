from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldbridge.mapping.errors import ActionError
from fieldbridge.mapping.paths import Path, PathError, Writer, compile_reader, parse_path, parse_target


def read(text: str, record: Any, *, autotask: bool = False) -> Any:
    return compile_reader(parse_path(text), autotask=autotask)(record)


def write(
    text: str, value: Any, doc: dict[str, Any] | None = None, *, autotask: bool = False
) -> dict[str, Any]:
    doc = {} if doc is None else doc
    Writer(parse_path(text), autotask=autotask).set(doc, value)
    return doc


class TestParse:
    def test_dotted(self) -> None:
        assert parse_path("time_window.end") == Path("time_window.end", ("time_window", "end"), None)

    def test_entity_prefix_is_the_first_key(self) -> None:
        assert parse_path("Ticket:Title").head == ("Ticket", "Title")

    def test_both_spellings_of_each_element_mean_the_same(self) -> None:
        guide_source, guide_target = (
            parse_path("time_logs[0].StartDateTime"),
            parse_path("TimeEntry.[0].Start"),
        )
        assert (guide_source.head, guide_source.tail) == (("time_logs",), ("StartDateTime",))
        assert (guide_target.head, guide_target.tail) == (("TimeEntry",), ("Start",))
        assert parse_path("expense.items[0].ExpenseAmount").head == ("expense", "items")

    def test_user_defined_field_name_is_the_rest_of_the_path(self) -> None:
        path = parse_path("UserDefinedField.Site Code.v2")
        assert (path.head, path.udf) == ((), "Site Code.v2")
        assert parse_path("Ticket:UserDefinedField.Region").head == ("Ticket",)

    @pytest.mark.parametrize(
        ("text", "says", "fix"),
        [
            ("", "empty", "field name"),
            (" Title", "surrounding spaces", "field name"),
            ("a..b", "empty segment", "doubled or trailing dot"),
            ("items[1].x", "unsupported segment", "[0]"),
            ("a[0].b[0].c", "more than one", "one array"),
            ("[0].x", "starts with", "array's name"),
            ("1x:Title", "entity prefix", "Entity:Field"),
            ("UserDefinedField.", "no user-defined field", "UserDefinedField.<name>"),
            ("a:b:c", "entity prefix", "Entity:Field"),
            ("Ticket:", "entity prefix", "Entity:Field"),
        ],
    )
    def test_malformed_paths_say_what_to_write(self, text: str, says: str, fix: str) -> None:
        with pytest.raises(PathError) as caught:
            parse_path(text)
        assert says in caught.value.message
        assert fix in caught.value.fix


class TestRead:
    def test_nested_and_missing(self) -> None:
        record = {"a": {"b": 1}, "c": "text"}
        assert read("a.b", record) == 1
        assert read("a.x", record) is None
        assert read("c.d", record) is None  # inside a string: empty, not an error

    def test_autotask_side_finds_rest_camel_case_aliases_and_any_case(self) -> None:
        ticket = {
            "dueDateTime": "2024-01-15T00:00:00Z",
            "companyID": 7,
            "TITLE": "Upper",
            "Account": {"companyName": "Acme"},
        }
        assert read("DueDateTime", ticket, autotask=True) == "2024-01-15T00:00:00Z"
        assert read("AccountID", ticket, autotask=True) == 7
        assert read("Title", ticket, autotask=True) == "Upper"
        assert read("Account.AccountName", ticket, autotask=True) == "Acme"

    def test_field_nation_side_is_exact(self) -> None:
        assert read("Title", {"title": "x"}) is None

    def test_present_null_is_not_looked_up_again(self) -> None:
        assert read("Title", {"Title": None, "title": "other"}, autotask=True) is None

    def test_user_defined_field(self) -> None:
        ticket = {"userDefinedFields": [{"name": "Site Code", "value": "S-1"}, {"name": "Other", "value": 2}]}
        assert read("UserDefinedField.Site Code", ticket, autotask=True) == "S-1"
        assert read("UserDefinedField.site code", ticket, autotask=True) == "S-1"
        assert read("UserDefinedField.Missing", ticket, autotask=True) is None
        assert read("UserDefinedField.Site Code", {"userDefinedFields": "broken"}, autotask=True) is None

    def test_each_element_and_field_nation_list_envelope(self) -> None:
        plain = {"time_logs": [{"hours": 1}, {}, {"hours": 3}]}
        wrapped = {"time_logs": {"metadata": {"total": 3}, "results": plain["time_logs"]}}
        assert read("time_logs[0].hours", plain) == [1, None, 3]
        assert read("time_logs[0].hours", wrapped) == [1, None, 3]
        assert read("time_logs[0].hours", {}) == []
        assert read("time_logs[0].hours", {"time_logs": "nope"}) == []


class TestWrite:
    def test_nested_objects_are_created(self) -> None:
        assert write("time_window.end", 5, {"time_window": {"start": 1}}) == {
            "time_window": {"start": 1, "end": 5}
        }

    def test_autotask_side_writes_rest_names_for_soap_era_ones(self) -> None:
        assert write("Ticket.AccountID", 9, autotask=True) == {"Ticket": {"companyID": 9}}
        assert write("expense.items.ExpenseAmount", 4, autotask=True) == {
            "expense": {"items": {"expenseCurrencyExpenseAmount": 4}}
        }

    def test_user_defined_field_replaces_or_appends(self) -> None:
        doc = write("Ticket.UserDefinedField.Site", "A", autotask=True)
        write("Ticket.UserDefinedField.Site", "B", doc, autotask=True)
        write("Ticket.UserDefinedField.Region", "N", doc, autotask=True)
        assert doc == {
            "Ticket": {
                "userDefinedFields": [{"name": "Site", "value": "B"}, {"name": "Region", "value": "N"}]
            }
        }

    def test_each_element_and_every_element(self) -> None:
        doc: dict[str, Any] = {}
        Writer(parse_path("TimeEntry.[0].Start"), autotask=True).set_each(doc, ["a", None, "c"])
        assert doc == {"TimeEntry": [{"Start": "a"}, {}, {"Start": "c"}]}
        written = Writer(parse_path("TimeEntry.[0].RoleID"), autotask=True).set_all(doc, 4)
        assert written == 3
        assert [e["RoleID"] for e in doc["TimeEntry"]] == [4, 4, 4]
        assert Writer(parse_path("Other.[0].x"), autotask=True).set_all(doc, 1) == 0

    def test_collisions_are_errors_not_silent_overwrites(self) -> None:
        with pytest.raises(ActionError, match="already holds a value"):
            write("location.name", "x", {"location": "remote"})
        with pytest.raises(ActionError, match="collides"):
            Writer(parse_path("items[0].x"), autotask=False).set_each({"items": "text"}, [1])

    def test_written_objects_are_private_copies(self) -> None:
        static = {"mode": "custom"}
        doc = write("location", static)
        write("location.name", "Site", doc)
        assert static == {"mode": "custom"}


def test_outbound_targets_outside_the_roots_are_ticket_fields() -> None:
    assert parse_target("Resolution", outbound=True).head == ("Ticket", "Resolution")
    assert parse_target("TimeEntry.[0].x", outbound=True).head == ("TimeEntry",)
    assert parse_target("Ticket:Title", outbound=True).head == ("Ticket", "Title")
    assert parse_target("Resolution", outbound=False).head == ("Resolution",)


@given(st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=5)), max_size=30))
def test_fan_out_reads_and_writes_one_value_per_element(values: list[Any]) -> None:
    record = {"items": [{"v": v} for v in values]}
    read_back = read("items[0].v", record)
    assert read_back == values
    doc: dict[str, Any] = {}
    Writer(parse_path("out.[0].w"), autotask=False).set_each(doc, read_back)
    assert len(doc.get("out", [])) == len(values)
    assert [element.get("w") for element in doc.get("out", [])] == values
