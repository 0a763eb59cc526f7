"""Extract the part of Autotask's official swagger that the emulator serves into package data.

Run from the repo root:
    python scripts/extract_autotask_swagger.py reference/autotask/rest-v1.swagger.json
The full swagger (3.8 MB, in reference/, where the contract tests read it) stays outside the package; the emulator ships only routes and models of the
entities it emulates. The official copy predates ticket webhooks, so TicketWebhooks and its children are
derived from CompanyWebhooks (the same shape in Autotask's documentation) and marked `derived`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

OUT = Path("src/fieldbridge/sandbox/autotask/swagger_extract.json")

# entity path name -> swagger model
ENTITIES = {
    "Tickets": "TicketModel",
    "ServiceCalls": "ServiceCallModel",
    "Projects": "ProjectModel",
    "TicketNotes": "TicketNoteModel",
    "TicketCharges": "TicketChargeModel",
    "TicketAttachments": "TicketAttachmentModel",
    "TimeEntries": "TimeEntryModel",
    "ExpenseReports": "ExpenseReportModel",
    "ExpenseItems": "ExpenseItemModel",
    "Companies": "CompanyModel",
    "CompanyLocations": "CompanyLocationModel",
    "Contacts": "ContactModel",
    "Resources": "ResourceModel",
    "Roles": "RoleModel",
    "CompanyWebhooks": "CompanyWebhookModel",
    "CompanyWebhookFields": "CompanyWebhookFieldModel",
    "CompanyWebhookUdfFields": "CompanyWebhookUdfFieldModel",
    "CompanyWebhookExcludedResources": "CompanyWebhookExcludedResourceModel",
}
CHILDREN = {
    "Tickets/{parentId}/Notes": "TicketNotes",
    "Tickets/{parentId}/Charges": "TicketCharges",
    "Tickets/{parentId}/Attachments": "TicketAttachments",
    "Expenses/{parentId}/Items": "ExpenseItems",
    "Companies/{parentId}/Locations": "CompanyLocations",
    "Companies/{parentId}/Contacts": "Contacts",
    "CompanyWebhooks/{parentId}/Fields": "CompanyWebhookFields",
    "CompanyWebhooks/{parentId}/UdfFields": "CompanyWebhookUdfFields",
    "CompanyWebhooks/{parentId}/ExcludedResources": "CompanyWebhookExcludedResources",
}
GLOBAL_ROUTES = {"/VersionInformation", "/V1.0/ThresholdInformation", "/V1.0/ZoneInformation"}


def _kept(path: str) -> bool:
    if path in GLOBAL_ROUTES:
        return True
    rest = path.removeprefix("/V1.0/")
    if any(rest == c or rest.startswith(c + "/") for c in CHILDREN):
        return True
    head = rest.split("/", 1)[0]
    return head in ENTITIES and not re.match(r"[^/]+/\{parentId\}/", rest)


def _property(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": spec.get("type", "object"),
        "format": spec.get("format"),
        "readOnly": bool(spec.get("readOnly")),
    }


def _as_ticket_webhook(text: str) -> str:
    return text.replace("CompanyWebhook", "TicketWebhook")


def main(swagger_path: str) -> None:
    swagger = json.loads(Path(swagger_path).read_text())
    routes: list[dict[str, Any]] = []
    for path, verbs in swagger["paths"].items():
        if not _kept(path):
            continue
        for verb in verbs:
            # Company webhooks are only the template for ticket webhooks: the emulator serves the latter.
            if "CompanyWebhook" in path:
                routes.append({"method": verb.upper(), "path": _as_ticket_webhook(path), "derived": True})
            else:
                routes.append({"method": verb.upper(), "path": path, "derived": False})
    models: dict[str, Any] = {}
    for entity, model in ENTITIES.items():
        props = swagger["definitions"][model]["properties"]
        entry = {
            "model": model,
            "derived": False,
            # SoapParentPropertyId is a server-side expression, never part of a REST item.
            "properties": {k: _property(v) for k, v in props.items() if k != "SoapParentPropertyId"},
        }
        if "CompanyWebhook" in entity:
            models[_as_ticket_webhook(entity)] = {
                **entry,
                "model": _as_ticket_webhook(model),
                "derived": True,
            }
        else:
            models[entity] = entry
    children = {_as_ticket_webhook(k): _as_ticket_webhook(v) for k, v in CHILDREN.items()}
    OUT.write_text(json.dumps({"routes": routes, "models": models, "children": children}, indent=1) + "\n")
    print(f"{len(routes)} routes, {len(models)} models -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
