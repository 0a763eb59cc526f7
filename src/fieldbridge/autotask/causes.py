"""Likely causes of Autotask failures and their fixes, worded as in the setup guide's troubleshooting table.

Autotask's own messages rarely say what to change ("Unauthorized"), so every client error carries a `Cause`
that a person can act on; the broker writes it into the pair's history and the UI shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Characters that break Autotask's authentication when the API user's password contains them (guide, Step 3).
MANGLED_CHARACTERS = "<>&"


@dataclass(frozen=True)
class Cause:
    code: str
    """A stable key for programs (history rows, alerts, tests)."""
    problem: str
    """The likely cause, as the setup guide words it."""
    fix: str
    """What a person should change."""

    def __str__(self) -> str:
        return f"{self.problem}. Fix: {self.fix}"


RESOURCE_TYPE = Cause(
    "resource_type",
    "Resource Type is not set to API User",
    "Change the resource type to API User in Autotask Admin (setup guide, Step 3)",
)
SECRET_CHARACTERS = Cause(
    "secret_characters",
    "The API user's password contains <, > or &",
    "Reset the password using only alphanumeric characters and standard symbols, then enter it again",
)
INTEGRATION_CODE = Cause(
    "integration_code",
    "Integration code mismatch",
    "Leave the Integration Code blank to use the Field Nation default, or set the API user's tracking "
    "identifier to Integration Vendor 'Field Nation - Pre-packed integration with Autotask' (Step 4)",
)
NETWORK_EGRESS = Cause(
    "network_egress",
    "Network egress restriction: the Autotask zone cannot be reached",
    "Allow outbound port 443 to *.autotask.net",
)
INACTIVE_USER = Cause(
    "inactive_user",
    "The API user is inactive",
    "Set the API user's Status to Active in Autotask Admin, or enter the credentials of an active API user",
)
UNKNOWN_USER = Cause(
    "unknown_user",
    "Autotask does not know this username",
    "Enter the API user's Username (Key) exactly as Autotask shows it (Admin > Resources (Users) > API User)",
)
WRONG_SECRET = Cause(
    "wrong_secret",
    "The password (Secret) is wrong or was changed",
    "Enter the API user's current password in the connector settings",
)

# The setup guide's permission names (Step 2), by entity path; entities it does not list use their path.
_PERMISSION_NAMES = {
    "tickets": "Tickets",
    "ticketnotes": "Ticket Notes",
    "ticketcharges": "Ticket Costs (Charges)",
    "ticketattachments": "Attachments",
    "companies": "Accounts (Companies)",
    "companylocations": "Account Physical Locations",
    "contacts": "Contacts",
    "timeentries": "Time Entries",
    "expensereports": "Expenses",
    "expenseitems": "Expenses",
    "resources": "Resources (Users)",
}
_PERMISSION_VERBS = {"query": "View", "create": "Add", "update": "Edit", "delete": "Delete"}


def missing_permission(entity: str, access: str) -> Cause:
    """The permission a refused call needed, named as the setup guide's Step 2 tables name it.

    `access` is one of query, create, update, delete.
    """
    name = f"{_PERMISSION_NAMES.get(entity.lower(), entity)} — {_PERMISSION_VERBS.get(access, access)}"
    return Cause(
        "missing_permission",
        f"The API user's security level lacks the permission {name}",
        f"Grant {name} in the API user's security level (setup guide, Step 2)",
    )


def diagnose_authentication(status: int, messages: list[str], secret: str) -> Cause | None:
    """The cause of a refused login, from what Autotask answered and the secret that was sent; None when the
    answer is not about authentication (a 500 for a business rule, say).

    Autotask answers a wrong password and a password it mangles (one with < > &) with the same bare 401, so
    the secret itself tells them apart; it is only inspected here, never shown.
    """
    text = " ".join(messages).lower()
    if "zone information could not be determined" in text or "user name was not found" in text:
        return UNKNOWN_USER
    if "integrationcode" in text or "integration code" in text:
        return INTEGRATION_CODE
    if status != 401:
        return None
    if "not an api user" in text or "resource type" in text:
        return RESOURCE_TYPE
    if "inactive" in text:
        return INACTIVE_USER
    if any(c in secret for c in MANGLED_CHARACTERS):
        return SECRET_CHARACTERS
    return WRONG_SECRET
