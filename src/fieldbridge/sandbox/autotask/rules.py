"""Field validation and Autotask's business rules for writes, pure functions over a record and lookups."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fieldbridge.sandbox.autotask.catalog import EntityDef, FieldDef
from fieldbridge.sandbox.autotask.errors import invalid
from fieldbridge.sandbox.autotask.query import coerce, format_datetime, parse_datetime
from fieldbridge.sandbox.autotask.security import API_USER

Record = dict[str, Any]
MAX_ATTACHMENT_BYTES = 6 * 1024 * 1024  # Autotask: "about 6-7 MB per file"; the lower bound is the safe one


@dataclass(frozen=True)
class PickValue:
    value: str
    label: str
    is_default: bool = False
    sort_order: int = 0
    parent_value: str | None = None
    is_active: bool = True
    is_system: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "label": self.label,
            "isDefaultValue": self.is_default,
            "sortOrder": self.sort_order,
            "parentValue": self.parent_value,
            "isActive": self.is_active,
            "isSystem": self.is_system,
        }


@dataclass(frozen=True)
class UdfDef:
    name: str
    label: str
    type: str  # string, integer, double, datetime, boolean
    picklist: tuple[PickValue, ...] = ()
    required: bool = False
    description: str = ""
    udf_id: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Lookups:
    """What validation needs to see of the tenant, without holding the tenant."""

    picklist: Callable[[str, str], list[PickValue]]  # (entity path, field name lower) -> values
    exists: Callable[[str, int], Record | None]  # (entity path, id) -> record


def read_body(entity: EntityDef, body: Any, udfs: list[UdfDef]) -> tuple[Record, list[dict[str, Any]] | None]:
    """Field values from a request body (keys case-insensitive) typed as the entity declares them."""
    if not isinstance(body, dict):
        raise invalid(f"The request body must be a JSON object of {entity.singular} fields")
    values: Record = {}
    udf_values: list[dict[str, Any]] | None = None
    for key, value in body.items():
        if str(key).lower() == "userdefinedfields":
            udf_values = _read_udfs(entity, value, udfs)
            continue
        f = entity.field(str(key))
        if f is None:
            raise invalid(f"Unknown field '{key}' on entity {entity.singular}")
        values[f.name] = _typed(f, value)
    return values, udf_values


def _typed(f: FieldDef, value: Any) -> Any:
    if value is None:
        return None
    if f.flag and str(value).lower() in ("true", "false"):
        return coerce(f, value, "field")  # Autotask takes true/false for its 0/1 integer flags
    if f.data_type == "string" and not isinstance(value, str):
        raise invalid(f"Field '{f.name}' expects a string, got {type(value).__name__}")
    if f.data_type in ("integer", "long") and (isinstance(value, bool) or not isinstance(value, int | str)):
        raise invalid(f"Field '{f.name}' expects an integer, got {type(value).__name__}")
    if (
        f.data_type in ("integer", "long")
        and isinstance(value, str)
        and not value.strip().lstrip("-").isdigit()
    ):
        raise invalid(f"Field '{f.name}' expects an integer, got {value!r}")
    if f.data_type == "boolean" and not isinstance(value, bool):
        raise invalid(f"Field '{f.name}' expects true or false, got {value!r}")
    if f.data_type in ("double", "decimal") and (
        isinstance(value, bool) or not isinstance(value, int | float)
    ):
        raise invalid(f"Field '{f.name}' expects a number, got {value!r}")
    typed = coerce(f, value, "field")
    if f.data_type == "datetime":
        return format_datetime(typed)
    return typed


def _read_udfs(entity: EntityDef, value: Any, udfs: list[UdfDef]) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(u, dict) for u in value):
        raise invalid('userDefinedFields must be a list of {"name", "value"} objects')
    by_name = {u.name.lower(): u for u in udfs}
    result = []
    for item in value:
        lowered = {str(k).lower(): v for k, v in item.items()}
        name = lowered.get("name")
        udf = by_name.get(str(name).lower()) if name is not None else None
        if udf is None:
            raise invalid(f"Unknown user-defined field '{name}' on entity {entity.singular}")
        raw = lowered.get("value")
        if (
            raw is not None
            and udf.picklist
            and str(raw) not in {p.value for p in udf.picklist if p.is_active}
        ):
            raise invalid(f"Value {raw!r} is not in the picklist of user-defined field '{udf.name}'")
        result.append({"name": udf.name, "value": None if raw is None else str(raw)})
    return result


def check(entity: EntityDef, record: Record, lookups: Lookups, changed: set[str]) -> None:
    """Every rule a write must satisfy; `changed` names the fields this write set (camelCase)."""
    errors: list[str] = []
    for f in entity.fields.values():
        value = record.get(f.name)
        if f.required and value in (None, ""):
            errors.append(f"Missing required field '{f.name}'")
            continue
        if value is None or f.name not in changed:
            continue
        if f.length and isinstance(value, str) and len(value) > f.length:
            errors.append(f"Field '{f.name}' is longer than {f.length} characters")
        if f.picklist:
            errors.extend(_picklist_errors(entity, f, record, lookups))
        if f.reference and lookups.exists(f.reference, int(value)) is None:
            errors.append(f"Field '{f.name}': no {f.reference} record with id {value}")
    if errors:
        raise invalid(*errors)
    business = _BUSINESS_RULES.get(entity.path)
    if business is not None:
        business(record, lookups, changed)


def _picklist_errors(entity: EntityDef, f: FieldDef, record: Record, lookups: Lookups) -> list[str]:
    values = lookups.picklist(entity.path, f.name.lower())
    value = str(record[f.name])
    match = next((p for p in values if p.value == value), None)
    if match is None or not match.is_active:
        return [f"Value {record[f.name]} is not an active value of picklist '{f.name}'"]
    if f.parent_field and match.parent_value is not None:
        parent = record.get(f.parent_field)
        if parent is None or str(parent) != match.parent_value:
            return [f"Value {record[f.name]} of '{f.name}' does not belong to {f.parent_field} {parent}"]
    return []


def _tickets(record: Record, lookups: Lookups, changed: set[str]) -> None:
    resource, role = record.get("assignedResourceID"), record.get("assignedResourceRoleID")
    if (resource is None) != (role is None):
        raise invalid(
            "When assigning a Resource, you must assign both a assignedResourceID and assignedResourceRoleID."
        )
    if "assignedResourceID" in changed:
        _refuse_api_only(lookups, "assignedResourceID", resource)
    if record.get("queueID") is None and resource is None:
        raise invalid("A ticket needs a queueID, or an assignedResourceID with an assignedResourceRoleID")
    if record.get("dueDateTime") is None:
        raise invalid("Missing required field 'dueDateTime'")
    contact = record.get("contactID")
    if contact is not None and "contactID" in changed:
        found = lookups.exists("Contacts", int(contact))
        if found is not None and found.get("companyID") != record.get("companyID"):
            raise invalid(f"Contact {contact} does not belong to company {record.get('companyID')}")


def _refuse_api_only(lookups: Lookups, field_name: str, resource_id: Any) -> None:
    """API-only resources may create records but not be assigned to or own them (only a creatorResourceID)."""
    if resource_id is None:
        return
    resource = lookups.exists("Resources", int(resource_id))
    if resource is not None and resource.get("resourceType") == API_USER:
        raise invalid(
            f"Field '{field_name}': resource {resource_id} is an API-only resource, which cannot be assigned "
            "to tickets or own time entries"
        )


def _time_entries(record: Record, lookups: Lookups, changed: set[str]) -> None:
    if "resourceID" in changed:
        _refuse_api_only(lookups, "resourceID", record.get("resourceID"))
    if record.get("ticketID") is not None:
        missing = [n for n in ("roleID", "dateWorked", "summaryNotes") if record.get(n) in (None, "")]
        if missing:
            raise invalid(f"A ticket time entry needs {', '.join(missing)}")
    start, end, hours = record.get("startDateTime"), record.get("endDateTime"), record.get("hoursWorked")
    if start is not None and end is not None:
        span = (parse_datetime(end) - parse_datetime(start)).total_seconds() / 3600
        if span <= 0:
            raise invalid("endDateTime must be later than startDateTime")
        if span > 24:
            raise invalid("A time entry cannot span more than 24 hours")
        if hours is None:
            record["hoursWorked"] = round(span, 4)
    elif hours is None:
        raise invalid("A time entry needs startDateTime and endDateTime, or hoursWorked")
    hours = record.get("hoursWorked")
    if hours is not None and not 0 < float(hours) <= 24:
        raise invalid("hoursWorked must be greater than 0 and at most 24")


def _expense_items(record: Record, lookups: Lookups, changed: set[str]) -> None:
    report = lookups.exists("ExpenseReports", int(record["expenseReportID"]))
    if report is not None and report.get("submit"):
        raise invalid(f"Expense report {record['expenseReportID']} has been submitted and cannot be changed")


def _attachments(record: Record, lookups: Lookups, changed: set[str]) -> None:
    kind = record.get("attachmentType")
    if kind == "FILE_ATTACHMENT":
        data = record.get("data")
        if not data:
            raise invalid("A FILE_ATTACHMENT needs base64 'data'")
        try:
            size = len(base64.b64decode(data, validate=True))
        except (binascii.Error, ValueError):
            raise invalid("Attachment 'data' is not valid base64") from None
        if size > MAX_ATTACHMENT_BYTES:
            raise invalid(
                f"The attachment is {size} bytes; the largest allowed is {MAX_ATTACHMENT_BYTES} bytes"
            )
        if not record.get("fullPath"):
            raise invalid("A FILE_ATTACHMENT needs 'fullPath' (the file name)")
        record["fileSize"] = float(size)
    elif kind in ("URL", "FILE_LINK", "FOLDER_LINK"):
        if not record.get("fullPath"):
            raise invalid(f"A {kind} attachment needs 'fullPath'")
    else:
        raise invalid(f"attachmentType must be FILE_ATTACHMENT, URL, FILE_LINK or FOLDER_LINK, not {kind!r}")


def _webhooks(record: Record, lookups: Lookups, changed: set[str]) -> None:
    url = str(record.get("webhookUrl") or "")
    if not url.startswith(("http://", "https://")):
        raise invalid("webhookUrl must be an http(s) URL")


_BUSINESS_RULES: dict[str, Callable[[Record, Lookups, set[str]], None]] = {
    "Tickets": _tickets,
    "TimeEntries": _time_entries,
    "ExpenseItems": _expense_items,
    "TicketAttachments": _attachments,
    "TicketWebhooks": _webhooks,
}
