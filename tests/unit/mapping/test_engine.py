from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldbridge.mapping.defaults import default_set
from fieldbridge.mapping.engine import TraceEntry, compile_mappings
from fieldbridge.mapping.errors import MappingError
from fieldbridge.mapping.jsonnet import JsonnetRunner

from .records import TICKET, WORK_ORDER
from .support import engine

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def test_default_inbound_set_on_a_rest_shaped_ticket() -> None:
    document = compile_mappings(default_set(), "inbound").apply(TICKET)
    assert document == {
        "title": "Printer jam",
        "description": "Tray 2",
        "status_id": 1,
        "time_window": {
            "end": {"utc": "2024-03-10 15:00:00", "local": {"date": "2024-03-10", "time": "15:00:00"}}
        },
        "location": {"name": "Acme Corp"},
    }


def test_default_outbound_set_on_a_work_order() -> None:
    document = compile_mappings(default_set(), "outbound").apply(WORK_ORDER)
    assert document == {
        "Ticket": {
            "Title": "Printer jam",
            "Status": 5,
            "DueDateTime": "2024-03-10T14:00:00.000Z",
            "Resolution": "Replaced roller",
        },
        "TimeEntry": [
            {"StartDateTime": "2024-03-10T14:05:00.000Z"},
            {"StartDateTime": "2024-03-10T16:00:00.000Z"},
        ],
        "expense": {"items": [{"expenseCurrencyExpenseAmount": 12.5}, {"expenseCurrencyExpenseAmount": 3}]},
    }


class TestPreview:
    def test_trace_says_which_mapping_wrote_what_and_from_where(self) -> None:
        preview = compile_mappings(default_set(), "inbound").preview(TICKET)
        assert preview.document == compile_mappings(default_set(), "inbound").apply(TICKET)
        assert preview.trace[2] == TraceEntry("inbound[2] (Status -> status_id)", "status_id", 1, 1)
        assert preview.trace[4] == TraceEntry(
            "inbound[4] (Account.AccountName -> location.name)", "location.name", "Acme Corp", "Acme Corp"
        )
        assert preview.ok

    def test_default_applied_and_left_out_fields_are_explained(self, runner: JsonnetRunner) -> None:
        run = engine(
            {
                "source_field": "Status",
                "target_field": "status_id",
                "action": "status_map",
                "statuses": [{"autotask": 1, "fieldnation": 1}],
                "default": 2,
            },
            {
                "source_field": "Priority",
                "target_field": "priority",
                "action": "array_map",
                "mappings": [{"compare": 1, "value": "urgent"}],
            },
            {"source_field": "Missing", "target_field": "m", "action": "sync"},
            {"target_field": "n", "action": "custom", "script": "null"},
            {"target_field": "TimeEntry.[0].x", "action": "set_static", "value": 1},
            runner=runner,
        )
        trace = run.preview({"status": 99, "priority": 3}).trace
        by_target = {entry.target: entry for entry in trace}
        assert by_target["status_id"].default_applied
        assert by_target["status_id"].value == 2
        assert by_target["status_id"].warnings == ()
        assert by_target["priority"].warnings == (
            "nothing matches 3; priority left out (add a default to fill it)",
        )
        assert by_target["m"].warnings == ("the source is empty; m left out (add a default to fill it)",)
        assert by_target["n"].warnings == ("the action gave no value; n left out (add a default to fill it)",)
        assert by_target["TimeEntry[*].x"].warnings == (
            "TimeEntry[*].x has no elements to write into (no mapping fanned out into it)",
        )

    def test_fan_out_gives_one_entry_per_element(self) -> None:
        trace = compile_mappings(default_set(), "outbound").preview(WORK_ORDER).trace
        targets = [entry.target for entry in trace if entry.mapping.startswith("outbound[7]")]
        assert targets == ["TimeEntry[0].StartDateTime", "TimeEntry[1].StartDateTime"]

    def test_errors_become_entries_and_the_rest_still_runs(self) -> None:
        run = engine(
            {
                "source_field": "when",
                "target_field": "a",
                "action": "date_convert",
                "from_format": "autotask",
                "to_format": "fn",
            },
            {"source_field": "title", "target_field": "b", "action": "sync"},
        )
        preview = run.preview({"when": "soon", "title": "T"})
        assert not preview.ok
        assert preview.document == {"b": "T"}
        assert preview.trace[0].error is not None
        assert preview.trace[0].error.startswith(
            "error: inbound[0] (when -> a): 'soon' is not an Autotask date"
        )
        data = preview.to_data()
        assert data["trace"][1] == {
            "mapping": "inbound[1] (title -> b)",
            "target": "b",
            "value": "T",
            "source": "T",
            "default_applied": False,
            "warnings": (),
            "error": None,
        }

    def test_apply_raises_on_the_first_failure(self) -> None:
        run = engine(
            {
                "source_field": "n",
                "target_field": "a",
                "action": "range_map",
                "mappings": [{"compare": 0, "value": "x"}],
            }
        )
        with pytest.raises(MappingError, match=r"inbound\[0\] \(n -> a\): 'many' is not a number"):
            run.apply({"n": "many"})


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["StartDateTime", "notes", "id"]),
            st.one_of(st.none(), st.text(max_size=4), st.integers()),
            max_size=3,
        ),
        max_size=20,
    ),
    st.booleans(),
)
def test_one_target_element_per_source_element(logs: list[dict[str, Any]], enveloped: bool) -> None:
    run = engine(
        {
            "source_field": "time_logs[0].notes",
            "target_field": "TimeEntry.[0].SummaryNotes",
            "action": "sync",
            "default": "-",
        },
        {"target_field": "TimeEntry.[0].RoleID", "action": "set_static", "value": 4},
        {"target_field": "TimeEntry.[0].Tag", "action": "concat", "template": "#{time_logs[0].id}"},
        direction="outbound",
    )
    record = {"time_logs": {"results": logs} if enveloped else logs}
    entries = run.apply(record).get("TimeEntry", [])
    assert len(entries) == len(logs)
    for log, entry in zip(logs, entries, strict=True):
        assert entry["SummaryNotes"] == (log.get("notes") if log.get("notes") is not None else "-")
        assert entry["RoleID"] == 4
        assert entry.get("Tag") == (None if log.get("id") is None else f"#{log['id']}")


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "title",
                "Title",
                "description",
                "status",
                "Status",
                "dueDateTime",
                "Account",
                "userDefinedFields",
                "other",
            ]
        ),
        json_values,
        max_size=8,
    ),
    st.dictionaries(st.text(max_size=5), json_values, max_size=3),
)
def test_apply_is_deterministic_and_never_changes_its_input(
    record: dict[str, Any], other: dict[str, Any]
) -> None:
    run = compile_mappings(default_set(), "inbound")
    before = copy.deepcopy(record)
    try:
        first = run.apply(record)
    except MappingError:
        with pytest.raises(MappingError):  # bad data fails the same way every time
            run.apply(record)
        return
    run.apply(other)  # an unrelated record in between changes nothing
    second = run.apply(record)
    assert first == second
    assert record == before
    first.clear()
    assert run.apply(record) == second  # the document shares nothing with the engine or the record
