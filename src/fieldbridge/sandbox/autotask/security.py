"""API users, their security levels, and how Autotask authenticates and authorises a call."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from fieldbridge.sandbox.autotask.errors import AutotaskError

API_USER = "API User"
"""The resource type (license type 7) that alone may call the API, and that may own or be assigned nothing."""

ViewLevel = Literal["All", "Mine", "None"]
Operation = Literal["query", "create", "update", "delete"]


@dataclass(frozen=True)
class Permission:
    view: ViewLevel = "None"
    add: bool = False
    edit: ViewLevel = "None"
    delete: bool = False


@dataclass(frozen=True)
class SecurityLevel:
    name: str
    license_type: str  # "API User" for API levels
    permissions: dict[str, Permission] = field(default_factory=dict)

    def permission(self, key: str) -> Permission:
        return self.permissions.get(key, Permission())

    def access(self, key: str, operation: Operation) -> str:
        """The userAccessFor* value entityInformation reports: All, Mine or None."""
        p = self.permission(key)
        if operation == "query":
            return p.view
        if operation == "update":
            return p.edit
        allowed = p.add if operation == "create" else p.delete
        return "All" if allowed else "None"


@dataclass
class ApiUser:
    resource_id: int
    username: str
    secret: str
    integration_code: str  # the code its API tracking identifier is bound to
    tracking_identifier: str  # e.g. "Integration Vendor: Field Nation - Pre-packed integration with Autotask"
    resource_type: str  # "API User" or e.g. "Employee"
    security_level: str
    active: bool = True
    view_unassigned_lob: bool = True  # "Resource can view items with no assigned Line of Business"
    first_name: str = "Field Nation"
    last_name: str = "Integration"
    department: str = "Integrations"


# Characters that break Autotask's authentication when present in a secret (setup guide, Step 3).
FORBIDDEN_SECRET_CHARS = "<>&"


def authenticate(
    users: dict[str, ApiUser], username: str | None, secret: str | None, code: str | None
) -> ApiUser:
    """Decide as Autotask does: the HTTP status and message differ by cause (as Autotask reports each cause).

    Unknown user and a bad integration code answer 500; a wrong secret 401. The causes Autotask's pages do not
    pin down (inactive user, a resource that is not an API user, a secret with < > &) answer 401 with a
    message naming the cause, an emulator choice written down in docs/emulators/autotask.md.
    """
    if not username or not secret or not code:
        missing = [
            n for n, v in (("UserName", username), ("Secret", secret), ("ApiIntegrationCode", code)) if not v
        ]
        raise AutotaskError(401, f"Missing authentication headers: {', '.join(missing)}")
    user = users.get(username.lower())
    if user is None:
        raise AutotaskError(500, "Unable to authenticate: the user name was not found")
    if user.resource_type != API_USER:
        raise AutotaskError(401, "User is not an API user: only resources of type API User may use the API")
    if not user.active:
        raise AutotaskError(401, "User account is inactive")
    if any(c in user.secret for c in FORBIDDEN_SECRET_CHARS):
        # Autotask mangles such secrets on its side: authentication fails even when the caller is right.
        raise AutotaskError(401, "Unauthorized")
    if secret != user.secret:
        raise AutotaskError(401, "Unauthorized")
    if code != user.integration_code:
        raise AutotaskError(
            500, "IntegrationCode is invalid or does not match the API user's tracking identifier"
        )
    return user


def authorise(level: SecurityLevel, key: str, operation: Operation, entity: str) -> None:
    if level.access(key, operation) == "None":
        verb = {"query": "query", "create": "create", "update": "update", "delete": "delete"}[operation]
        raise AutotaskError(
            403,
            f"Your security level does not allow you to {verb} {entity} entities (permission: {key})",
        )
