"""A field catalog as Refresh Fields stores it, with the fields the mapping tests refer to."""

from __future__ import annotations

from typing import Any


def _field(
    name: str, data_type: str, *, picklist: list[tuple[str, str]] | None = None, read_only: bool = False
) -> dict[str, Any]:
    return {
        "name": name,
        "dataType": data_type,
        "length": 0,
        "isRequired": False,
        "isReadOnly": read_only,
        "isQueryable": True,
        "isReference": False,
        "referenceEntityType": "",
        "isPickList": picklist is not None,
        "picklistValues": None
        if picklist is None
        else [
            {
                "value": value,
                "label": label,
                "isDefaultValue": False,
                "sortOrder": 0,
                "parentValue": "",
                "isActive": True,
                "isSystem": True,
            }
            for value, label in picklist
        ],
        "picklistParentValueField": "",
        "isSupportedWebhookField": True,
    }


STATUSES = [("1", "New"), ("5", "Complete"), ("8", "In Progress"), ("29", "Dispatch to Field")]
PRIORITIES = [("1", "High"), ("2", "Medium"), ("3", "Low"), ("4", "Critical")]

CATALOG_DATA: dict[str, Any] = {
    "autotask": {
        "Tickets": {
            "fields": [
                _field("id", "long", read_only=True),
                _field("title", "string"),
                _field("description", "string"),
                _field("status", "integer", picklist=STATUSES),
                _field("priority", "integer", picklist=PRIORITIES),
                _field("companyID", "integer"),
                _field("queueID", "integer", picklist=[("29682833", "Field Services")]),
                _field("assignedResourceID", "integer"),
                _field("assignedResourceRoleID", "integer"),
                _field("dueDateTime", "datetime"),
                _field("resolution", "string"),
                _field("createDate", "datetime", read_only=True),
            ],
            "userDefinedFields": [
                {
                    "name": "Site Code",
                    "label": "Site Code",
                    "type": "string",
                    "isPickList": False,
                    "picklistValues": None,
                    "isReadOnly": False,
                },
                {
                    "name": "Region",
                    "label": "Region",
                    "type": "string",
                    "isPickList": True,
                    "picklistValues": [{"value": "N", "label": "North"}, {"value": "S", "label": "South"}],
                },
            ],
        },
        "Companies": {"fields": [_field("id", "long", read_only=True), _field("companyName", "string")]},
        "TimeEntries": {
            "fields": [
                _field("startDateTime", "datetime"),
                _field("summaryNotes", "string"),
                _field("roleID", "integer"),
            ]
        },
        "ExpenseItems": {
            "fields": [_field("expenseCurrencyExpenseAmount", "double"), _field("description", "string")]
        },
    },
    "fieldnation": {
        "fields": [
            {"name": "title", "type": "string"},
            {"name": "description", "type": "string"},
            {"name": "notes", "type": "string"},
            {"name": "status", "type": "object"},
            {"name": "status_id", "type": "integer"},
            {"name": "time_window.start", "type": "datetime"},
            {"name": "time_window.end", "type": "datetime"},
            {"name": "location.name", "type": "string"},
            {"name": "priority", "type": "string", "options": ["urgent", "normal", "low"]},
            {"name": "time_logs[0].StartDateTime", "type": "datetime"},
            {"name": "time_logs[0].hours", "type": "number"},
            {"name": "expenses[0].amount", "type": "number"},
            {"name": "custom_fields.Site Code", "type": "text"},
            {"name": "pay", "type": "object"},
        ],
    },
}
