"""Which entities the emulator serves and how their fields look, read from the official swagger (package
data written by scripts/extract_autotask_swagger.py), plus the rules the swagger cannot express."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

# swagger (type, format) -> Autotask's entityInformation dataType
_DATA_TYPES = {
    ("integer", "int32"): "integer",
    ("integer", "int64"): "long",
    ("number", "double"): "double",
    ("number", "decimal"): "decimal",
    ("string", "date-time"): "datetime",
    ("string", "byte"): "string",
    ("string", None): "string",
    ("boolean", None): "boolean",
}


def camel(name: str) -> str:
    """Autotask answers camelCase: the swagger's PascalCase with its first letter lowered."""
    return name[:1].lower() + name[1:]


@dataclass(frozen=True)
class FieldDef:
    name: str  # camelCase, as Autotask answers
    data_type: str
    read_only: bool = False
    required: bool = False
    reference: str | None = None  # entity path name the value must exist in
    picklist: bool = False
    parent_field: str | None = None  # picklist whose value a sub-picklist depends on
    length: int | None = None

    @property
    def flag(self) -> bool:
        """An integer Autotask uses as a 0/1 flag (Contacts.isActive, ServiceCalls.isComplete): it takes
        true/false too, as Autotask converts them."""
        return self.data_type == "integer" and self.name.startswith("is") and self.name[2:3].isupper()


@dataclass(frozen=True)
class EntityDef:
    path: str  # e.g. "Tickets"
    singular: str  # e.g. "Ticket", used in messages and entityInformation
    fields: dict[str, FieldDef]  # keyed by lower-case name
    has_udf_property: bool
    permission: str  # security-level key that governs it
    parent_field: str | None = None  # set for entities reached as a child collection
    verbs: frozenset[str] = field(default_factory=frozenset)  # root verbs: POST, PATCH, PUT, DELETE

    def field(self, name: str) -> FieldDef | None:
        return self.fields.get(name.lower())


# What the swagger does not say: required fields, references, picklists and read-only server fields,
# from Autotask's documented required fields on create and Autotask's entityInformation as clients report it.
_RULES: dict[str, dict[str, Any]] = {
    "Tickets": {
        "singular": "Ticket",
        "permission": "Tickets",
        "required": ["companyID", "title", "status", "priority"],
        "references": {
            "companyID": "Companies",
            "companyLocationID": "CompanyLocations",
            "contactID": "Contacts",
            "assignedResourceID": "Resources",
            "assignedResourceRoleID": "Roles",
        },
        "picklists": {
            "status": None,
            "priority": None,
            "queueID": None,
            "issueType": None,
            "subIssueType": "issueType",
            "ticketType": None,
            "source": None,
            "ticketCategory": None,
        },
        "read_only": [
            "id",
            "ticketNumber",
            "createDate",
            "creatorResourceID",
            "creatorType",
            "lastActivityDate",
            "lastActivityResourceID",
            "lastActivityPersonType",
            "completedDate",
            "completedByResourceID",
            "lastTrackedModificationDateTime",
            "firstResponseDateTime",
            "resolvedDateTime",
            "impersonatorCreatorResourceID",
            "apiVendorID",
        ],
        "lengths": {"title": 255, "description": 8000, "resolution": 32000},
    },
    "ServiceCalls": {
        "singular": "ServiceCall",
        "permission": "ServiceCalls",
        "required": ["companyID", "startDateTime", "endDateTime"],
        "references": {"companyID": "Companies", "companyLocationID": "CompanyLocations"},
        "picklists": {"status": None},
        "read_only": [
            "id",
            "createDateTime",
            "creatorResourceID",
            "lastModifiedDateTime",
            "impersonatorCreatorResourceID",
        ],
    },
    "Projects": {
        "singular": "Project",
        "permission": "Projects",
        "required": ["companyID", "projectName", "status", "projectType", "startDateTime", "endDateTime"],
        "references": {"companyID": "Companies"},
        "picklists": {"status": None, "projectType": None},
        "read_only": [
            "id",
            "createDateTime",
            "creatorResourceID",
            "projectNumber",
            "lastActivityDateTime",
            "impersonatorCreatorResourceID",
        ],
    },
    "TicketNotes": {
        "singular": "TicketNote",
        "permission": "TicketNotes",
        "parent": "ticketID",
        "required": ["ticketID", "description", "noteType", "publish"],
        "references": {"ticketID": "Tickets"},
        "picklists": {"noteType": None, "publish": None},
        "read_only": [
            "id",
            "createDateTime",
            "creatorResourceID",
            "lastActivityDate",
            "impersonatorCreatorResourceID",
            "impersonatorUpdaterResourceID",
        ],
        "lengths": {"title": 250, "description": 32000},
    },
    "TicketCharges": {
        "singular": "TicketCharge",
        "permission": "TicketCharges",
        "parent": "ticketID",
        "required": ["ticketID", "name", "chargeType", "unitQuantity", "datePurchased"],
        "references": {"ticketID": "Tickets"},
        "picklists": {"chargeType": None, "status": None},
        "read_only": [
            "id",
            "createDate",
            "creatorResourceID",
            "statusLastModifiedBy",
            "statusLastModifiedDate",
            "isBilled",
            "extendedCost",
        ],
        "lengths": {"name": 100, "description": 2000, "notes": 2000},
    },
    "TicketAttachments": {
        "singular": "TicketAttachment",
        "permission": "TicketAttachments",
        "parent": "parentID",
        "required": ["parentID", "attachmentType", "title", "publish"],
        "references": {"parentID": "Tickets"},
        "picklists": {"publish": None},
        "read_only": [
            "id",
            "attachDate",
            "attachedByResourceID",
            "attachedByContactID",
            "fileSize",
            "contentType",
            "parentType",
            "isTaskAttachment",
            "impersonatorCreatorResourceID",
        ],
    },
    "TimeEntries": {
        "singular": "TimeEntry",
        "permission": "TimeEntries",
        "required": ["resourceID"],
        "references": {"ticketID": "Tickets", "resourceID": "Resources", "roleID": "Roles"},
        "picklists": {"timeEntryType": None, "billingCodeID": None},
        "read_only": [
            "id",
            "createDateTime",
            "creatorUserID",
            "lastModifiedDateTime",
            "lastModifiedUserID",
            "billingApprovalDateTime",
            "billingApprovalLevelMostRecent",
            "billingApprovalResourceID",
            "impersonatorCreatorResourceID",
            "impersonatorUpdaterResourceID",
        ],
        "lengths": {"summaryNotes": 8000, "internalNotes": 8000},
    },
    "ExpenseReports": {
        "singular": "ExpenseReport",
        "permission": "Expenses",
        "required": ["name", "submitterID", "weekEnding"],
        "references": {"submitterID": "Resources"},
        "picklists": {"status": None},
        "read_only": [
            "id",
            "amountDue",
            "approvedDate",
            "approverID",
            "submitDate",
            "status",
            "internalCurrencyExpenseTotal",
            "reimbursementCurrencyAmountDue",
        ],
        "lengths": {"name": 100},
    },
    "ExpenseItems": {
        "singular": "ExpenseItem",
        "permission": "Expenses",
        "parent": "expenseReportID",
        "required": [
            "expenseReportID",
            "description",
            "expenseDate",
            "expenseCategory",
            "paymentType",
            "haveReceipt",
            "isBillableToCompany",
        ],
        "references": {"expenseReportID": "ExpenseReports", "ticketID": "Tickets", "companyID": "Companies"},
        "picklists": {"expenseCategory": None, "paymentType": None, "workType": None},
        "read_only": [
            "id",
            "internalCurrencyExpenseAmount",
            "internalCurrencyReimbursementAmount",
            "reimbursementCurrencyReimbursementAmount",
            "isRejected",
        ],
        "lengths": {"description": 128},
    },
    "Companies": {
        "singular": "Company",
        "permission": "Companies",
        "required": ["companyName", "companyType", "phone"],
        "references": {"ownerResourceID": "Resources"},
        "picklists": {"companyType": None},
        "read_only": [
            "id",
            "createDate",
            "createdByResourceID",
            "lastActivityDate",
            "lastTrackedModifiedDateTime",
            "impersonatorCreatorResourceID",
            "apiVendorID",
        ],
    },
    "CompanyLocations": {
        "singular": "CompanyLocation",
        "permission": "CompanyLocations",
        "parent": "companyID",
        "required": ["companyID", "name"],
        "references": {"companyID": "Companies"},
        "picklists": {},
        "read_only": ["id"],
    },
    "Contacts": {
        "singular": "Contact",
        "permission": "Contacts",
        "parent": "companyID",
        "required": ["companyID", "firstName", "lastName", "isActive"],
        "references": {"companyID": "Companies", "companyLocationID": "CompanyLocations"},
        "picklists": {},
        "read_only": [
            "id",
            "createDate",
            "lastActivityDate",
            "lastModifiedDate",
            "impersonatorCreatorResourceID",
            "apiVendorID",
        ],
    },
    "Resources": {
        "singular": "Resource",
        "permission": "Resources",
        "required": ["firstName", "lastName", "email", "userName", "resourceType", "isActive"],
        "references": {},
        "picklists": {"licenseType": None},
        "read_only": ["id", "licenseType", "userType", "userName", "resourceType"],
    },
    "Roles": {
        "singular": "Role",
        "permission": "Resources",
        "required": ["name", "hourlyRate", "isActive"],
        "references": {},
        "picklists": {},
        "read_only": ["id", "isSystemRole"],
    },
    # Ticket webhooks: the official swagger copy predates them; the model mirrors CompanyWebhooks.
    # Managing them is governed by the Tickets permission (an emulator choice: Autotask's pages do not say).
    "TicketWebhooks": {
        "singular": "TicketWebhook",
        "permission": "Tickets",
        "required": [
            "name",
            "webhookUrl",
            "isActive",
            "isSubscribedToCreateEvents",
            "isSubscribedToUpdateEvents",
            "isSubscribedToDeleteEvents",
            "sendThresholdExceededNotification",
        ],
        "references": {},
        "picklists": {},
        "read_only": ["id", "isReady", "webhookGUID", "ownerResourceID"],
        "lengths": {"secretKey": 64, "name": 50, "webhookUrl": 500, "deactivationUrl": 500},
    },
    "TicketWebhookFields": {
        "singular": "TicketWebhookField",
        "permission": "Tickets",
        "parent": "webhookID",
        "required": ["webhookID", "fieldID", "isSubscribedField", "isDisplayAlwaysField"],
        "references": {"webhookID": "TicketWebhooks"},
        "picklists": {},
        "read_only": ["id"],
    },
    "TicketWebhookUdfFields": {
        "singular": "TicketWebhookUdfField",
        "permission": "Tickets",
        "parent": "webhookID",
        "required": ["webhookID", "udfFieldID", "isSubscribedField", "isDisplayAlwaysField"],
        "references": {"webhookID": "TicketWebhooks"},
        "picklists": {},
        "read_only": ["id"],
    },
    "TicketWebhookExcludedResources": {
        "singular": "TicketWebhookExcludedResource",
        "permission": "Tickets",
        "parent": "webhookID",
        "required": ["webhookID", "resourceID"],
        "references": {"webhookID": "TicketWebhooks", "resourceID": "Resources"},
        "picklists": {},
        "read_only": ["id"],
    },
}


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # as in the swagger, e.g. /V1.0/Tickets/{parentId}/Notes/{id}
    derived: bool
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Catalog:
    entities: dict[str, EntityDef]  # keyed by lower-case path name
    routes: tuple[Route, ...]
    children: dict[str, str]  # "Tickets/{parentId}/Notes" -> "TicketNotes"

    def entity(self, path: str) -> EntityDef | None:
        return self.entities.get(path.lower())

    def child_entity(self, parent_path: str, child_segment: str) -> EntityDef | None:
        for key, entity in self.children.items():
            parent, _, child = key.split("/")
            if parent.lower() == parent_path.lower() and child.lower() == child_segment.lower():
                return self.entities[entity.lower()]
        return None

    def match(self, path: str) -> tuple[list[Route], str]:
        """The routes of the most specific template matching `path` (case-insensitively), and that template.

        A literal segment beats a parameter: `/Tickets/query` is not `/Tickets/{id}`.
        """
        path = route_path(path)
        found = [route for route in self.routes if route.pattern.fullmatch(path)]
        if not found:
            return [], ""
        best = min({r.template for r in found}, key=lambda t: t.count("{"))
        return [r for r in found if r.template == best], best


def route_path(path: str) -> str:
    """The path routes match: ASP.NET routing ignores a trailing slash (`/Tickets/` is `/Tickets`)."""
    return "/" + path.strip("/")


def _pattern(template: str) -> re.Pattern[str]:
    regex = re.sub(r"\\\{(\w+)\\\}", lambda m: f"(?P<{m.group(1)}>[^/]+)", re.escape(template))
    return re.compile(regex, re.IGNORECASE)


def _entity(path: str, spec: dict[str, Any], verbs: frozenset[str]) -> EntityDef:
    rules = _RULES[path]
    read_only = {n.lower() for n in rules["read_only"]}
    required = {n.lower() for n in rules["required"]}
    references = {k.lower(): v for k, v in rules["references"].items()}
    picklists = {k.lower(): v for k, v in rules["picklists"].items()}
    lengths = {k.lower(): v for k, v in rules.get("lengths", {}).items()}
    fields: dict[str, FieldDef] = {}
    for pascal, prop in spec["properties"].items():
        if pascal == "UserDefinedFields":
            continue
        name = camel(pascal)
        key = name.lower()
        data_type = _DATA_TYPES.get((prop["type"], prop["format"]), prop["type"])
        fields[key] = FieldDef(
            name=name,
            data_type=data_type,
            read_only=prop["readOnly"] or key in read_only,
            required=key in required,
            reference=references.get(key),
            picklist=key in picklists,
            parent_field=picklists.get(key),
            length=lengths.get(key, 8000 if data_type == "string" and prop["format"] != "byte" else None),
        )
    return EntityDef(
        path=path,
        singular=rules["singular"],
        fields=fields,
        has_udf_property="UserDefinedFields" in spec["properties"],
        permission=rules["permission"],
        parent_field=rules.get("parent"),
        verbs=verbs,
    )


@cache
def load() -> Catalog:
    data = json.loads(resources.files(__package__).joinpath("swagger_extract.json").read_text())
    routes = [Route(r["method"], r["path"], r["derived"], _pattern(r["path"])) for r in data["routes"]]
    # Autotask's nextPageUrl points at `{E}/query/next`, a route the swagger does not list.
    routes += [
        Route(verb, f"{r.template}/next", True, _pattern(f"{r.template}/next"))
        for r in list(routes)
        if r.template.endswith("/query") and r.method == "POST"
        for verb in ("GET", "POST")
    ]
    entities: dict[str, EntityDef] = {}
    for path, spec in data["models"].items():
        root = f"/V1.0/{path}"
        verbs = frozenset(
            r.method for r in routes if r.template in (root, f"{root}/{{id}}") and r.method != "GET"
        )
        entities[path.lower()] = _entity(path, spec, verbs)
    return Catalog(entities=entities, routes=tuple(routes), children=data["children"])
