"""The setup guide's mapping tables (Step 9) as the default mapping set.

Where the guide says a value is "sourced from Autotask" (Priority, AccountID, QueueID) the default is a
`set_static` with no value: ids differ per instance and must never be copied from another organisation, so
validation with Outbound Create on reports them until they are filled. Status tables hold only the ids known
to be common: 1 New (the connector's status for new tickets) and 5 Complete. The guide's
`UserDefinedField.{udf_name}` row is a pattern, not a mapping, so it has no default.
"""

from __future__ import annotations

from fieldbridge.mapping.model import DateConvert, MappingSet, SetStatic, StatusMap, StatusPair, Sync


def default_set() -> MappingSet:
    return MappingSet(
        inbound=[
            Sync(action="sync", source_field="Title", target_field="title"),
            Sync(action="sync", source_field="Description", target_field="description"),
            StatusMap(
                action="status_map",
                source_field="Status",
                target_field="status_id",
                statuses=[StatusPair(autotask=1, fieldnation=1)],
                default=1,
            ),  # New -> Draft
            DateConvert(
                action="date_convert",
                source_field="DueDateTime",
                target_field="time_window.end",
                from_format="autotask",
                to_format="fn",
            ),
            Sync(action="sync", source_field="Account.AccountName", target_field="location.name"),
        ],
        outbound=[
            Sync(action="sync", source_field="title", target_field="Ticket:Title"),
            StatusMap(
                action="status_map",
                source_field="status",
                target_field="Ticket:Status",
                statuses=[StatusPair(autotask=5, fieldnation="work_done")],
            ),  # Work Done -> Complete
            SetStatic(action="set_static", target_field="Ticket:Priority", value=None),
            SetStatic(action="set_static", target_field="Ticket:AccountID", value=None),
            SetStatic(action="set_static", target_field="Ticket:QueueID", value=None),
            DateConvert(
                action="date_convert",
                source_field="time_window.start",
                target_field="Ticket:DueDateTime",
                from_format="fn",
                to_format="autotask",
            ),
            Sync(action="sync", source_field="notes", target_field="Resolution"),
            DateConvert(
                action="date_convert",
                source_field="time_logs[0].StartDateTime",
                target_field="TimeEntry.[0].StartDateTime",
                from_format="fn",
                to_format="autotask",
            ),
            Sync(
                action="sync",
                source_field="expenses[0].amount",
                target_field="expense.items[0].ExpenseAmount",
            ),
        ],
    )
