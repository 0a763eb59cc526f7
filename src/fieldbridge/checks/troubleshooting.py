"""The setup guide's troubleshooting table, and which of its rows explains an error.

The Autotask client already gives every error a `Cause` (`fieldbridge.autotask.causes`). This module ties
those causes to the guide's rows, so whatever records an error (the pair's history, a dead letter, an alert,
the connection test, `fieldbridge check`) can say what the admin will have noticed, the likely cause and the
fix in the guide's own words.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldbridge.autotask import AutotaskError, causes


@dataclass(frozen=True)
class Row:
    symptom: str
    cause: str
    resolution: str


# The guide's table, row for row.
RESOURCE_TYPE = Row(
    "Authentication fails entirely",
    "Resource Type is not set to API User",
    "Change the resource type to API User in Autotask Admin",
)
PASSWORD_CHARACTERS = Row(
    "Authentication errors on specific operations",
    "Password contains <, >, or &",
    "Reset the password using only alphanumeric characters and standard symbols",
)
INTEGRATION_CODE = Row(
    "Permission denied or authentication rejected",
    "Integration code mismatch",
    "Try leaving the Integration Code blank to use the Field Nation default",
)
TICKET_ADD = Row(
    "Work orders not creating in Autotask",
    "Ticket Add permission missing or Outbound Create is off",
    "Grant Ticket Add permission and enable the Outbound Create toggle",
)
TIME_ENTRY_DELETE = Row(
    "Time entry deletions not reflected in Autotask",
    "Time Entry Delete permission missing",
    "Add Time Entry Delete permission to the security level",
)
EXPENSES = Row(
    "Expense sync errors",
    "Expense permissions not granted",
    "Add Expense permissions to the security level",
)
EGRESS = Row(
    "Connection times out",
    "Network egress restriction",
    "Allow outbound port 443 to *.autotask.net",
)
TABLE: tuple[Row, ...] = (
    RESOURCE_TYPE,
    PASSWORD_CHARACTERS,
    INTEGRATION_CODE,
    TICKET_ADD,
    TIME_ENTRY_DELETE,
    EXPENSES,
    EGRESS,
)

_BY_CAUSE = {
    causes.RESOURCE_TYPE: RESOURCE_TYPE,
    causes.SECRET_CHARACTERS: PASSWORD_CHARACTERS,
    causes.INTEGRATION_CODE: INTEGRATION_CODE,
    causes.NETWORK_EGRESS: EGRESS,
    # The client names the permission a refused call needed; the guide has rows for these three.
    causes.missing_permission("Tickets", "create"): TICKET_ADD,
    causes.missing_permission("TimeEntries", "delete"): TIME_ENTRY_DELETE,
    **{causes.missing_permission("ExpenseReports", op): EXPENSES for op in ("query", "create", "update")},
}


@dataclass(frozen=True)
class Explanation:
    cause: str
    fix: str
    row: Row | None
    """The guide's row when it has one for this error."""


def row_for(cause: causes.Cause | None) -> Row | None:
    """The guide's row for a cause the Autotask client named, when the guide has one."""
    return _BY_CAUSE.get(cause) if cause is not None else None


def explain(error: BaseException) -> Explanation | None:
    """The likely cause and fix of an Autotask error, or None when the client could name none (a business
    rule, a crash on Autotask's side: its own message is then the best there is)."""
    if not isinstance(error, AutotaskError) or error.cause is None:
        return None
    return Explanation(error.cause.problem, error.cause.fix, row_for(error.cause))
