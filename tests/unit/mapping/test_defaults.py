from __future__ import annotations

from fieldbridge.mapping.defaults import default_set
from fieldbridge.mapping.model import SetStatic

# Step 9 of the setup guide, row by row (— means no source field; the UDF row is a pattern, not a mapping).
GUIDE_INBOUND = [
    ("Title", "title"),
    ("Description", "description"),
    ("Status", "status_id"),
    ("DueDateTime", "time_window.end"),
    ("Account.AccountName", "location.name"),
]
GUIDE_OUTBOUND = [
    ("title", "Ticket:Title"),
    ("status", "Ticket:Status"),
    (None, "Ticket:Priority"),
    (None, "Ticket:AccountID"),
    (None, "Ticket:QueueID"),
    ("time_window.start", "Ticket:DueDateTime"),
    ("notes", "Resolution"),
    ("time_logs[0].StartDateTime", "TimeEntry.[0].StartDateTime"),
    ("expenses[0].amount", "expense.items[0].ExpenseAmount"),
]


def test_default_set_is_the_guides_tables() -> None:
    defaults = default_set()
    assert [(m.source_field, m.target_field) for m in defaults.inbound] == GUIDE_INBOUND
    assert [(m.source_field, m.target_field) for m in defaults.outbound] == GUIDE_OUTBOUND


def test_actions_follow_the_guides_notes() -> None:
    defaults = default_set()
    assert [m.action for m in defaults.inbound] == ["sync", "sync", "status_map", "date_convert", "sync"]
    assert [m.action for m in defaults.outbound] == [
        "sync",
        "status_map",
        "set_static",
        "set_static",
        "set_static",
        "date_convert",
        "sync",
        "date_convert",
        "sync",
    ]


def test_instance_specific_ids_are_never_invented() -> None:
    statics = [m for m in default_set().outbound if isinstance(m, SetStatic)]
    assert [m.value for m in statics] == [None, None, None]
