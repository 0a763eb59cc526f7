from __future__ import annotations

from typing import Any

import pytest

from fieldbridge.mapping.errors import MappingError

from .support import apply, engine


def sync(source: str, target: str, **options: Any) -> dict[str, Any]:
    return {"source_field": source, "target_field": target, "action": "sync", **options}


class TestSync:
    def test_copies_the_value(self) -> None:
        assert apply(sync("Title", "title"), {"title": "Printer"}) == {"title": "Printer"}

    @pytest.mark.parametrize("record", [{}, {"title": None}])
    def test_empty_source_leaves_the_target_out(self, record: dict[str, Any]) -> None:
        assert apply(sync("Title", "title"), record) == {}

    def test_default_fills_an_empty_source(self) -> None:
        assert apply(sync("Title", "title", default="Untitled"), {"title": None}) == {"title": "Untitled"}

    def test_object_values_are_copied_not_shared(self) -> None:
        record = {"description": {"html": "<p>x</p>"}}
        document = apply(sync("description", "description"), record)
        document["description"]["html"] = "changed"
        assert record["description"]["html"] == "<p>x</p>"


class TestSetStatic:
    def test_always_the_same_value(self) -> None:
        mapping = {"target_field": "Ticket:QueueID", "action": "set_static", "value": 29682833}
        assert apply(mapping, {"title": "x"}, "outbound") == {"Ticket": {"QueueID": 29682833}}

    def test_no_value_leaves_the_target_out(self) -> None:
        assert (
            apply({"target_field": "Ticket:Priority", "action": "set_static", "value": None}, {}, "outbound")
            == {}
        )

    def test_a_static_object_is_not_changed_by_later_writes_into_it(self) -> None:
        run = engine(
            {"target_field": "location", "action": "set_static", "value": {"mode": "custom"}},
            sync("Account.AccountName", "location.name"),
        )
        assert run.apply({"Account": {"AccountName": "A"}}) == {"location": {"mode": "custom", "name": "A"}}
        assert run.apply({}) == {"location": {"mode": "custom"}}

    def test_into_each_element_fills_every_element_whatever_the_order(self) -> None:
        run = engine(
            {"target_field": "TimeEntry.[0].RoleID", "action": "set_static", "value": 4},
            sync("time_logs[0].hours", "TimeEntry.[0].HoursWorked"),
            direction="outbound",
        )
        document = run.apply({"time_logs": [{"hours": 1}, {"hours": 2}]})
        assert document == {"TimeEntry": [{"HoursWorked": 1, "RoleID": 4}, {"HoursWorked": 2, "RoleID": 4}]}


class TestArrayMap:
    field_nation_form = {
        "source_field": "Priority",
        "target_field": "priority",
        "action": "array_map",
        "mappings": [
            {"compare": 4, "value": "urgent"},
            {"compare": 1, "value": "urgent"},
            {"compare": 2, "value": "normal"},
        ],
        "default": "normal",
    }
    # The setup guide's Array Map JSON, verbatim, with the action added (picklist labels as the guide shows).
    guide_form = {
        "action": "array_map",
        "source_field": "Priority",
        "target_field": "priority",
        "map": [
            {"source_value": "Critical", "target_value": "urgent"},
            {"source_value": "High", "target_value": "urgent"},
            {"source_value": "Medium", "target_value": "normal"},
            {"source_value": "Low", "target_value": "low"},
        ],
        "default": "normal",
    }

    def test_field_nation_form(self) -> None:
        assert apply(self.field_nation_form, {"priority": 4}) == {"priority": "urgent"}
        assert apply(self.field_nation_form, {"priority": 3}) == {"priority": "normal"}  # default

    def test_guide_form(self) -> None:
        assert apply(self.guide_form, {"Priority": "Low"}) == {"priority": "low"}
        assert apply(self.guide_form, {"Priority": "Unheard of"}) == {"priority": "normal"}

    def test_no_default_leaves_the_field_empty(self) -> None:
        mapping = {**self.guide_form}
        del mapping["default"]
        assert apply(mapping, {"Priority": "Unheard of"}) == {}

    def test_picklist_strings_match_record_numbers_and_json_spellings(self) -> None:
        mapping = {
            "source_field": "x",
            "target_field": "y",
            "action": "array_map",
            "mappings": [
                {"compare": "5", "value": "five"},
                {"compare": "true", "value": "yes"},
                {"compare": {"b": 1, "a": 2}, "value": "object"},
            ],
        }
        assert apply(mapping, {"x": 5}) == {"y": "five"}
        assert apply(mapping, {"x": 5.0}) == {"y": "five"}
        assert apply(mapping, {"x": True}) == {"y": "yes"}
        assert apply(mapping, {"x": {"a": 2, "b": 1}}) == {"y": "object"}

    def test_the_first_matching_entry_wins(self) -> None:
        mapping = {
            "source_field": "x",
            "target_field": "y",
            "action": "array_map",
            "mappings": [{"compare": 1, "value": "first"}, {"compare": 1, "value": "second"}],
        }
        assert apply(mapping, {"x": 1}) == {"y": "first"}


class TestRangeMap:
    mapping = {
        "source_field": "hours",
        "target_field": "size",
        "action": "range_map",
        "mappings": [
            {"compare": 0, "value": "small"},
            {"compare": 4, "value": "medium"},
            {"compare": 8.5, "value": "large"},
        ],
    }

    @pytest.mark.parametrize(
        ("hours", "size"),
        [
            (0, "small"),
            (3.99, "small"),
            (4, "medium"),
            (8.49, "medium"),
            (8.5, "large"),
            (100, "large"),
            ("5", "medium"),
        ],
    )
    def test_rightmost_bound_not_above_the_value_wins(self, hours: Any, size: str) -> None:
        assert apply(self.mapping, {"hours": hours}) == {"size": size}

    def test_below_every_bound_uses_the_default_or_leaves_it_out(self) -> None:
        assert apply(self.mapping, {"hours": -1}) == {}
        assert apply({**self.mapping, "default": "none"}, {"hours": -1}) == {"size": "none"}

    @pytest.mark.parametrize("value", ["lots", True, [1]])
    def test_a_value_that_is_not_a_number_names_the_mapping(self, value: Any) -> None:
        with pytest.raises(MappingError) as caught:
            apply(self.mapping, {"hours": value})
        assert caught.value.problem.where == "inbound[0] (hours -> size)"
        assert "is not a number" in caught.value.problem.message
        assert "numeric field" in caught.value.problem.fix


class TestStatusMap:
    statuses = [
        {"autotask": 1, "fieldnation": 1},
        {"autotask": 29, "fieldnation": 2},
        {"autotask": 5, "fieldnation": "work_done"},
        {"autotask": 8, "fieldnation": 3},
        {"autotask": 12, "fieldnation": 3},
    ]

    def inbound(self, status: Any) -> dict[str, Any]:
        mapping = {
            "source_field": "Status",
            "target_field": "status_id",
            "action": "status_map",
            "statuses": self.statuses,
        }
        return apply(mapping, {"status": status})

    def outbound(self, status: Any, **options: Any) -> dict[str, Any]:
        mapping = {
            "source_field": "status",
            "target_field": "Ticket:Status",
            "action": "status_map",
            "statuses": self.statuses,
            **options,
        }
        return apply(mapping, {"status": status}, "outbound")

    def test_inbound_autotask_ids_become_field_nation_statuses(self) -> None:
        assert self.inbound(29) == {"status_id": 2}
        assert self.inbound("29") == {"status_id": 2}  # picklist values arrive as strings
        assert self.inbound(99) == {}

    def test_outbound_matches_the_status_object_by_id_or_name(self) -> None:
        assert self.outbound({"id": 2, "name": "Published"}) == {"Ticket": {"Status": 29}}
        assert self.outbound({"id": 4, "name": "Work Done"}) == {"Ticket": {"Status": 5}}
        assert self.outbound("work_done") == {"Ticket": {"Status": 5}}
        assert self.outbound(1) == {"Ticket": {"Status": 1}}
        assert self.outbound("2") == {"Ticket": {"Status": 29}}

    def test_outbound_the_first_pair_wins_when_several_share_a_status(self) -> None:
        assert self.outbound({"id": 3, "name": "Assigned"}) == {"Ticket": {"Status": 8}}

    def test_unmatched_status_uses_the_default(self) -> None:
        assert self.outbound({"id": 7, "name": "Cancelled"}, default=1) == {"Ticket": {"Status": 1}}
        assert self.outbound({"id": 7, "name": "Cancelled"}) == {}


class TestConcat:
    def test_fields_and_literals_with_a_separator_skip_empty_fields(self) -> None:
        mapping = {
            "target_field": "title",
            "action": "concat",
            "separator": " - ",
            "values": [
                {"literal": "AT"},
                {"field": "TicketNumber"},
                {"field": "Missing"},
                {"field": "Title"},
            ],
        }
        assert apply(mapping, {"ticketNumber": "T2024.01", "title": "Printer"}) == {
            "title": "AT - T2024.01 - Printer"
        }

    def test_template_keeps_its_shape_and_braces(self) -> None:
        mapping = {
            "target_field": "title",
            "action": "concat",
            "template": "{{{TicketNumber}}} {Title}: {Missing}.",
        }
        assert apply(mapping, {"TicketNumber": 7, "Title": "Jam"}) == {"title": "{7} Jam: ."}

    def test_all_fields_empty_uses_the_default(self) -> None:
        mapping = {
            "target_field": "title",
            "action": "concat",
            "template": "#{TicketNumber}",
            "default": "none",
        }
        assert apply(mapping, {}) == {"title": "none"}

    def test_non_text_values_are_written_as_json(self) -> None:
        mapping = {
            "target_field": "t",
            "action": "concat",
            "separator": ",",
            "values": [{"field": "a"}, {"field": "b"}, {"field": "c"}, {"field": "d"}],
        }
        assert apply(mapping, {"a": True, "b": 2.5, "c": {"k": 1}, "d": [1]}) == {
            "t": 'true,2.5,{"k": 1},[1]'
        }

    def test_fan_out_pairs_elements_and_repeats_single_fields(self) -> None:
        # Field Nation's convention: `(#<time log id>) <notes>` so a later edit finds the same TimeEntry.
        mapping = {
            "target_field": "TimeEntry.[0].SummaryNotes",
            "action": "concat",
            "template": "(#{time_logs[0].id}) {time_logs[0].notes} [{title}]",
        }
        document = apply(
            mapping, {"title": "WO", "time_logs": [{"id": 11, "notes": "a"}, {"id": 12}]}, "outbound"
        )
        assert document == {"TimeEntry": [{"SummaryNotes": "(#11) a [WO]"}, {"SummaryNotes": "(#12)  [WO]"}]}


def test_related_entity_and_user_defined_fields_in_one_inbound_set() -> None:
    run = engine(
        sync("Account.AccountName", "location.name"),
        sync("UserDefinedField.Site Code", "custom_fields.Site Code"),
    )
    ticket = {"Account": {"companyName": "Acme"}, "userDefinedFields": [{"name": "Site Code", "value": "S1"}]}
    assert run.apply(ticket) == {"location": {"name": "Acme"}, "custom_fields": {"Site Code": "S1"}}
