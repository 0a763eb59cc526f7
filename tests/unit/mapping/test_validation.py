from __future__ import annotations

from typing import Any

import pytest

from fieldbridge.mapping.catalog import Catalog
from fieldbridge.mapping.defaults import default_set
from fieldbridge.mapping.errors import Problem
from fieldbridge.mapping.validation import validate

from .support import mapping_set


def problems(
    inbound: list[dict[str, Any]] | None = None,
    outbound: list[dict[str, Any]] | None = None,
    catalog: Catalog | None = None,
    **options: Any,
) -> list[Problem]:
    return validate(mapping_set(inbound, outbound), catalog, **options)


def only(found: list[Problem]) -> Problem:
    assert len(found) == 1, found
    return found[0]


def sync(source: str, target: str) -> dict[str, Any]:
    return {"source_field": source, "target_field": target, "action": "sync"}


def static(target: str, value: Any) -> dict[str, Any]:
    return {"target_field": target, "action": "set_static", "value": value}


class TestAgainstTheCatalog:
    def test_the_default_set_fits_a_standard_instance(self, catalog: Catalog) -> None:
        found = validate(default_set(), catalog)
        assert [p for p in found if p.severity == "error"] == []

    def test_unknown_autotask_field_with_a_suggestion(self, catalog: Catalog) -> None:
        problem = only(problems([sync("Titel", "title")], catalog=catalog))
        assert problem.where == "inbound[0] (Titel -> title)"
        assert problem.message == "'Titel' is not a known Autotask Tickets field"
        assert problem.fix.startswith("did you mean 'title'?")
        assert "Refresh Fields" in problem.fix

    def test_unknown_user_defined_field_and_field_nation_field(self, catalog: Catalog) -> None:
        udf = only(problems([sync("UserDefinedField.Site Cod", "custom_fields.Site Code")], catalog=catalog))
        assert udf.message == "'Site Cod' is not a known Autotask Tickets user-defined field"
        assert "'Site Code'" in udf.fix
        fn = only(problems([sync("Title", "titel")], catalog=catalog))
        assert fn.message == "'titel' is not a known Field Nation field"

    def test_guide_names_resolve_to_rest_fields(self, catalog: Catalog) -> None:
        assert problems(
            [sync("Account.AccountName", "location.name"), sync("DueDateTime", "time_window.end")],
            [static("Ticket:AccountID", 7), sync("notes", "Resolution")],
            catalog=catalog,
        ) == [
            Problem(
                "inbound[1] (DueDateTime -> time_window.end)",
                "Autotask and Field Nation write dates in different forms, so a direct copy into "
                "time_window.end "
                "may not be understood",
                "use date_convert (e.g. from autotask to fn)",
                "warning",
            )
        ]

    def test_field_inside_an_object_field_is_accepted(self, catalog: Catalog) -> None:
        assert problems(outbound=[sync("pay.total", "Ticket:Title")], catalog=catalog) == []

    def test_entity_missing_from_the_catalog_is_a_warning(self, catalog: Catalog) -> None:
        problem = only(problems(outbound=[sync("title", "TicketNote.[0].Title")], catalog=catalog))
        assert problem.severity == "warning"
        assert "no Autotask TicketNotes" in problem.message

    def test_nested_autotask_path_is_refused(self, catalog: Catalog) -> None:
        problem = only(problems([sync("Title.Text", "title")], catalog=catalog))
        assert "Autotask entities are flat" in problem.message

    def test_read_only_target(self, catalog: Catalog) -> None:
        problem = only(problems(outbound=[sync("title", "Ticket:CreateDate")], catalog=catalog))
        assert problem.message == "createDate is read-only"

    @pytest.mark.parametrize(
        ("mapping", "message"),
        [
            (
                sync("title", "Ticket:CompanyID"),
                "sync writes a text value into companyID, which holds number",
            ),
            (
                static("Ticket:CompanyID", "Acme"),
                "set_static writes a text value into companyID, which holds number",
            ),
            ({"target_field": "Ticket:DueDateTime", "action": "concat", "template": "{title}!"}, None),
            (
                {
                    "source_field": "title",
                    "target_field": "Ticket:Title",
                    "action": "range_map",
                    "mappings": [{"compare": 1, "value": "x"}],
                },
                "range_map compares numbers but title holds text",
            ),
            (sync("status", "Ticket:Title"), "sync writes a object value into title, which holds text"),
        ],
    )
    def test_kinds_that_cannot_convert(
        self, catalog: Catalog, mapping: dict[str, Any], message: str | None
    ) -> None:
        found = problems(outbound=[mapping], catalog=catalog)
        assert [p.message for p in found] == ([] if message is None else [message])

    def test_date_convert_from_a_number(self, catalog: Catalog) -> None:
        mapping = {
            "source_field": "Priority",
            "target_field": "time_window.end",
            "action": "date_convert",
            "from_format": "autotask",
            "to_format": "fn",
        }
        assert only(problems([mapping], catalog=catalog)).message == (
            "date_convert reads priority, which holds a number"
        )

    def test_static_id_written_as_a_string_is_a_number(self, catalog: Catalog) -> None:
        assert problems(outbound=[static("Ticket:QueueID", "29682833")], catalog=catalog) == []

    def test_picklist_value_the_instance_lacks(self, catalog: Catalog) -> None:
        problem = only(problems(outbound=[static("Ticket:Priority", 9)], catalog=catalog))
        assert problem.message == "9 is not a priority value in your instance"
        assert problem.fix.startswith("write one of: 1 (High), 2 (Medium), 3 (Low), 4 (Critical)")

    def test_picklist_label_instead_of_value(self, catalog: Catalog) -> None:
        problem = only(
            problems(
                outbound=[
                    {
                        "source_field": "priority",
                        "target_field": "Ticket:Priority",
                        "action": "array_map",
                        "mappings": [{"compare": "urgent", "value": "Critical"}],
                    }
                ],
                catalog=catalog,
            )
        )
        assert problem.message == "'Critical' is a label of priority; records hold its value '4'"
        assert problem.fix == "write '4' instead of the label 'Critical'"

    def test_guide_array_map_with_labels_on_an_inbound_picklist(self, catalog: Catalog) -> None:
        guide = {
            "action": "array_map",
            "source_field": "Priority",
            "target_field": "priority",
            "map": [
                {"source_value": "High", "target_value": "urgent"},
                {"source_value": "2", "target_value": "normal"},
            ],
            "default": "normal",
        }
        problem = only(problems([guide], catalog=catalog))
        assert problem.fix == "compare with '1' instead of the label 'High'"

    def test_field_nation_options_are_a_picklist(self, catalog: Catalog) -> None:
        mapping = {
            "source_field": "Priority",
            "target_field": "priority",
            "action": "array_map",
            "mappings": [{"compare": 1, "value": "urgent"}, {"compare": 2, "value": "soonish"}],
        }
        assert only(problems([mapping], catalog=catalog)).message == (
            "'soonish' is not a priority value in your instance"
        )

    def test_status_ids_the_instance_lacks_in_both_directions(self, catalog: Catalog) -> None:
        statuses = [{"autotask": 5, "fieldnation": "work_done"}, {"autotask": 77, "fieldnation": 3}]
        inbound = {
            "source_field": "Status",
            "target_field": "status_id",
            "action": "status_map",
            "statuses": statuses,
        }
        outbound = {
            "source_field": "status",
            "target_field": "Ticket:Status",
            "action": "status_map",
            "statuses": statuses,
        }
        found = problems([inbound], [outbound], catalog=catalog)
        assert [(p.where, p.message) for p in found] == [
            ("inbound[0] (Status -> status_id)", "77 is not a status value in your instance"),
            ("outbound[0] (status -> Ticket:Status)", "77 is not a status value in your instance"),
        ]
        assert "5 (Complete)" in found[0].fix

    def test_user_defined_picklist(self, catalog: Catalog) -> None:
        found = problems(outbound=[static("Ticket:UserDefinedField.Region", "West")], catalog=catalog)
        assert only(found).message == "'West' is not a Region value in your instance"


class TestWithoutACatalog:
    def test_jsonnet_syntax_error_names_the_mapping(self) -> None:
        problem = only(
            problems(
                outbound=[{"target_field": "Resolution", "action": "custom", "script": "$.input.notes +"}]
            )
        )
        assert problem.where == "outbound[0] (custom -> Resolution)"
        assert problem.message.startswith("the Jsonnet script does not compile: line 2")

    def test_time_entries_and_charges_need_the_ticket_service_object(self) -> None:
        outbound = [
            sync("time_logs[0].notes", "TimeEntry.[0].SummaryNotes"),
            sync("expenses[0].amount", "TicketCost.[0].UnitCost"),
            sync("title", "Ticket:Title"),
        ]
        found = problems(outbound=outbound, service_object="ServiceCall")
        assert [(p.severity, p.where) for p in found] == [
            ("warning", "outbound[0] (time_logs[0].notes -> TimeEntry.[0].SummaryNotes)"),
            ("warning", "outbound[1] (expenses[0].amount -> TicketCost.[0].UnitCost)"),
        ]
        assert "only written when the service object is `ticket`" in found[0].message
        assert problems(outbound=outbound, service_object="ticket") == []

    def test_the_same_target_twice_is_a_warning(self) -> None:
        problem = only(problems([sync("Title", "title"), sync("Description", "title")]))
        assert problem.severity == "warning"
        assert problem.where == "inbound[1] (Description -> title)"
        assert "also written by inbound[0] (Title -> title)" in problem.message

    def test_a_target_inside_another_is_an_error(self) -> None:
        problem = only(
            problems([static("location", {"mode": "remote"}), sync("Account.AccountName", "location.name")])
        )
        assert problem.severity == "error"
        assert "one inside the other" in problem.message


class TestOutboundCreate:
    complete = [
        sync("title", "Ticket:Title"),
        static("Ticket:Status", 1),
        static("Ticket:Priority", 2),
        static("Ticket:AccountID", 7),
        static("Ticket:QueueID", 29682833),
        {
            "source_field": "time_window.start",
            "target_field": "Ticket:DueDateTime",
            "action": "date_convert",
            "from_format": "fn",
            "to_format": "autotask",
        },
    ]

    def test_all_six_present(self) -> None:
        assert problems(outbound=self.complete, outbound_create=True) == []

    @pytest.mark.parametrize("missing", range(6))
    def test_each_missing_field_is_an_error_at_save_time(self, missing: int) -> None:
        outbound = [m for i, m in enumerate(self.complete) if i != missing]
        problem = only(problems(outbound=outbound, outbound_create=True))
        assert problem.where == "outbound (Outbound Create)"
        assert problem.severity == "error"
        target = self.complete[missing]["target_field"].removeprefix("Ticket:")
        assert target in problem.message
        assert "set_static" in problem.fix

    def test_not_checked_when_outbound_create_is_off(self) -> None:
        assert problems(outbound=[], outbound_create=False) == []

    def test_resource_and_role_stand_in_for_the_queue_and_rest_names_count(self) -> None:
        outbound = [
            *self.complete[:3],
            static("Ticket:companyID", 7),
            self.complete[5],
            static("Ticket:AssignedResourceID", 30),
            static("Ticket:AssignedResourceRoleID", 4),
        ]
        assert problems(outbound=outbound, outbound_create=True) == []
        assert len(problems(outbound=outbound[:-1], outbound_create=True)) == 1

    def test_the_default_sets_placeholders_must_be_filled(self) -> None:
        found = validate(default_set(), outbound_create=True)
        assert [p.message.split(" a value")[0] for p in found] == [
            "no mapping gives Ticket:Priority",
            "no mapping gives Ticket:AccountID",
            "no mapping gives Ticket:QueueID, nor both AssignedResourceID and AssignedResourceRoleID,",
        ]
