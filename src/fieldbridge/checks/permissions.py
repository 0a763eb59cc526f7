"""The permission audit, pure: the setup guide's Step 2 tables against the access Autotask reports.

Autotask's entityInformation answers, for the calling API user, `userAccessForQuery|Create|Update|Delete` as
All, Mine or None. Comparing those with the guide's tables finds every missing permission without writing
anything, and every permission granted beyond the list ("do not grant beyond").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from fieldbridge.checks.findings import Finding

Operation = Literal["query", "create", "update", "delete"]
Need = Literal["always", "expense_report", "charge", "attachments"]
_VERB = {"query": "View", "create": "Add", "update": "Edit", "delete": "Delete"}
_OPERATIONS: tuple[Operation, ...] = ("query", "create", "update", "delete")


@dataclass(frozen=True)
class Requirement:
    permission: str  # as the guide names it
    module: str
    entity: str  # the Autotask entity whose entityInformation reports it
    operation: Operation
    need: Need = "always"
    mine_is_enough: bool = False

    @property
    def label(self) -> str:
        return f"{self.permission} — {_VERB[self.operation]}"


# The guide's Step 2 tables. Ticket Costs are needed when expenses go to charges, Expenses when they go to
# expense reports (the blank default), Attachments when attachment sync is on.
REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("Tickets", "Service Desk", "Tickets", "query"),
    Requirement("Tickets", "Service Desk", "Tickets", "create"),
    Requirement("Tickets", "Service Desk", "Tickets", "update"),
    Requirement("Ticket Notes", "Service Desk", "TicketNotes", "query"),
    Requirement("Ticket Notes", "Service Desk", "TicketNotes", "create"),
    Requirement("Ticket Costs (Charges)", "Service Desk", "TicketCharges", "query", "charge"),
    Requirement("Ticket Costs (Charges)", "Service Desk", "TicketCharges", "create", "charge"),
    Requirement("Ticket Costs (Charges)", "Service Desk", "TicketCharges", "update", "charge"),
    Requirement("Attachments", "Service Desk", "TicketAttachments", "query", "attachments"),
    Requirement("Attachments", "Service Desk", "TicketAttachments", "create", "attachments"),
    Requirement("Attachments", "Service Desk", "TicketAttachments", "delete", "attachments"),
    Requirement("Accounts (Companies)", "CRM", "Companies", "query"),
    Requirement("Account Physical Locations", "CRM", "CompanyLocations", "query"),
    Requirement("Contacts", "CRM", "Contacts", "query"),
    Requirement("Time Entries", "Contracts/Timesheets", "TimeEntries", "query"),
    Requirement("Time Entries", "Contracts/Timesheets", "TimeEntries", "create"),
    Requirement("Time Entries", "Contracts/Timesheets", "TimeEntries", "update"),
    Requirement("Time Entries", "Contracts/Timesheets", "TimeEntries", "delete"),
    Requirement("Expenses", "Contracts/Timesheets", "ExpenseReports", "query", "expense_report"),
    Requirement("Expenses", "Contracts/Timesheets", "ExpenseReports", "create", "expense_report"),
    Requirement("Expenses", "Contracts/Timesheets", "ExpenseReports", "update", "expense_report", True),
    Requirement("Resources (Users)", "Resources", "Resources", "query"),
)

# Everything the guide lists, in any configuration: holding one of these is never "beyond the list".
_LISTED = (
    {(r.entity, r.operation) for r in REQUIREMENTS}
    | {("ExpenseItems", op) for op in ("query", "create", "update")}
    | {("ServiceCalls", op) for op in ("query", "create", "update")}
)  # "Service Calls ... if visible"

# Entities whose access the audit reads; Projects stands for the guide's "project management".
AUDITED_ENTITIES: tuple[str, ...] = tuple(
    dict.fromkeys([r.entity for r in REQUIREMENTS] + ["ExpenseItems", "ServiceCalls", "Projects"])
)

REQUIRED = "permission: "
"""How the check of each required permission is named: `permission: Tickets — Add (Service Desk)`."""

Access = Mapping[str, Mapping[Operation, str]]  # entity -> operation -> All | Mine | None


def needed(requirement: Requirement, expense_target: str, attachment_sync: bool) -> bool:
    if requirement.need == "charge":
        return expense_target == "charge"
    if requirement.need == "expense_report":
        return expense_target != "charge"
    if requirement.need == "attachments":
        return attachment_sync
    return True


def audit(access: Access, expense_target: str = "", attachment_sync: bool = False) -> list[Finding]:
    """One finding per requirement (pass or fail) and one warning per permission granted beyond the guide."""
    findings: list[Finding] = []
    for req in REQUIREMENTS:
        if not needed(req, expense_target, attachment_sync):
            continue
        level = access.get(req.entity, {}).get(req.operation, "None")
        ok = level == "All" or (level == "Mine" and req.mine_is_enough)
        check = f"{REQUIRED}{req.label} ({req.module})"
        if ok:
            findings.append(Finding(check, "pass", f"{req.entity} {req.operation}: {level}"))
        else:
            wanted = "All" if req.operation in ("query", "update") and not req.mine_is_enough else "Yes"
            findings.append(
                Finding(
                    check,
                    "fail",
                    f"{req.entity} {req.operation}: {level}",
                    f"In Autotask, Admin > Security Levels > the integration's level > {req.module}: set "
                    f"'{req.label}' to {wanted}",
                )
            )
    for entity in AUDITED_ENTITIES:
        for operation in _OPERATIONS:
            level = access.get(entity, {}).get(operation, "None")
            if level != "None" and (entity, operation) not in _LISTED:
                findings.append(
                    Finding(
                        f"permission beyond the guide: {entity} {_VERB[operation]}",
                        "warn",
                        f"{entity} {operation}: {level}",
                        f"Remove {_VERB[operation]} on {entity} from the integration's security level: "
                        "the setup guide says not to grant beyond what it lists",
                    )
                )
    return findings
