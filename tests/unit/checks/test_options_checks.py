"""The sync option ids judged without I/O: an id in its picklist passes, one missing fails, and an option
whose picklist the instance does not give is a warning (it cannot be confirmed either way)."""

from __future__ import annotations

from fieldbridge.checks.facts import PicklistEntry
from fieldbridge.checks.findings import Finding
from fieldbridge.checks.options_checks import OptionUse, option_ids

NOTE_TYPE = ("TicketNotes", "noteType")


def test_an_option_without_a_picklist_is_not_confirmed() -> None:
    uses = [OptionUse("note_type", NOTE_TYPE, (1,))]
    assert option_ids(uses, {NOTE_TYPE: ()}, "acme") == [
        Finding(
            "sync option ids",
            "warn",
            "note_type: not confirmed: the instance gives no picklist for TicketNotes.noteType",
            "Check note_type against Autotask's TicketNotes settings",
        )
    ]


def test_ids_in_their_picklists_pass_together_and_an_empty_list_option_is_not_judged() -> None:
    uses = [OptionUse("note_type", NOTE_TYPE, (1,)), OptionUse("note_messages.note_types", NOTE_TYPE, ())]
    picklists = {NOTE_TYPE: (PicklistEntry(1, "Task Summary", True),)}
    assert option_ids(uses, picklists, "acme") == [
        Finding("sync option ids", "pass", "every id is in the instance's picklists: note_type 1")
    ]
