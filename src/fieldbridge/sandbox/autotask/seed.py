"""The default tenant: a small MSP with realistic picklists, customers across the alphabet, their sites and
people, projects, service calls, and the tickets the tests and the demo work on.

Ticket statuses deliberately differ from the common defaults except Complete = 5 (setup guide, Step 10:
status ids are per instance), so code that hard-codes "1 = New" fails here as it would on a real tenant.
Note types are numbered as Autotask numbers them: 1-3 are the ones people pick, 13 and up are written by
workflow rules, portals and the system.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fieldbridge.sandbox.autotask.catalog import Catalog, load
from fieldbridge.sandbox.autotask.query import format_datetime
from fieldbridge.sandbox.autotask.rules import PickValue, UdfDef
from fieldbridge.sandbox.autotask.security import ApiUser, Permission, SecurityLevel
from fieldbridge.sandbox.autotask.tenant import Tenant

FIELD_NATION_CODE = "FNPREPACKED7QX2M4K9R1AUTOTASK"  # Field Nation's registered partner integration code
CUSTOM_CODE = "ACMEMSPINTERNAL0001CUSTOM"
DOMAIN = "acme-msp.example"

STATUS = {
    "New": 21,
    "In Progress": 22,
    "Waiting Customer": 23,
    "Dispatch to Field": 24,
    "Work Done": 25,
    "Complete - Customer Notified": 26,
    "Cancelled": 27,
    "Complete": 5,
}
PRIORITY = {"High": 1, "Medium": 2, "Low": 3, "Critical": 4}
QUEUE = {"Client Portal": 29682833, "Level I Support": 29683354, "Field Services": 29683378}
ROLE = {"Field Technician": 29682831, "Help Desk": 29682832, "Dispatcher": 29682834}
NOTE_TYPE = {
    "Task Summary": 1,
    "Task Detail": 2,
    "Task Notes": 3,
    "Workflow Rule Note - Task": 13,
    "Client Portal Note": 18,
    "Workflow Rule Action Note": 91,
    "Email Note": 101,
}
PUBLISH = {"All Autotask Users": 1, "Internal Only": 2}


def _picks(values: dict[str, int], default: str | None = None) -> list[PickValue]:
    return [
        PickValue(str(v), label, is_default=label == default, sort_order=i)
        for i, (label, v) in enumerate(values.items())
    ]


# The "Field Nation Integration" security level, exactly as the setup guide's Step 2 tables list it.
FIELD_NATION_LEVEL = SecurityLevel(
    name="Field Nation Integration",
    license_type="API User",
    permissions={
        "Tickets": Permission(view="All", add=True, edit="All", delete=False),
        "TicketNotes": Permission(view="All", add=True, edit="None"),
        "TicketCharges": Permission(view="All", add=True, edit="All"),
        "TicketAttachments": Permission(view="All", add=True, delete=True),
        "Companies": Permission(view="All"),
        "CompanyLocations": Permission(view="All"),
        "Contacts": Permission(view="All"),
        "TimeEntries": Permission(view="All", add=True, edit="All", delete=True),
        "Expenses": Permission(view="All", add=True, edit="All"),
        "Resources": Permission(view="All"),
        "ServiceCalls": Permission(view="All", add=True, edit="All"),
    },
)

# A level made by hand that misses required permissions and grants some the guide says not to.
INCOMPLETE_LEVEL = SecurityLevel(
    name="Integration (hand-made)",
    license_type="API User",
    permissions={
        "Tickets": Permission(view="All", add=False, edit="All", delete=True),
        "TicketNotes": Permission(view="All", add=True, edit="All"),
        "TicketCharges": Permission(view="All"),
        "TicketAttachments": Permission(view="All"),
        "Companies": Permission(view="All", add=True, edit="All"),
        "CompanyLocations": Permission(view="All"),
        "TimeEntries": Permission(view="All", add=True, edit="All", delete=False),
        "Expenses": Permission(view="Mine", add=True, edit="Mine"),
        "Resources": Permission(view="All", add=True, edit="All"),
        "Projects": Permission(view="All", add=True, edit="All", delete=True),
    },
)

# Built into every tenant: API access as the standard Full Access level has it; it cannot be edited, only
# copied into custom API-only levels such as the one above.
SYSTEM_API_LEVEL = SecurityLevel(
    name="API User (system) (API-only)",
    license_type="API User",
    permissions={
        key: Permission(view="All", add=True, edit="All", delete=True)
        for key in sorted({e.permission for e in load().entities.values()})
    },
)

EMPLOYEE_LEVEL = SecurityLevel(
    name="Technician",
    license_type="Professional",
    permissions={k: Permission(view="All", add=True, edit="All") for k in FIELD_NATION_LEVEL.permissions},
)


def _users() -> list[ApiUser]:
    fn_vendor = "Integration Vendor: Field Nation - Pre-packed integration with Autotask"
    return [
        ApiUser(
            29682900,
            f"svc-fieldnation@{DOMAIN}",
            "Fn-Sandbox-Secret-2026!x",
            FIELD_NATION_CODE,
            fn_vendor,
            "API User",
            FIELD_NATION_LEVEL.name,
        ),
        ApiUser(
            29682901,
            f"svc-handmade@{DOMAIN}",
            "Handmade-Secret-2026-ok",
            FIELD_NATION_CODE,
            fn_vendor,
            "API User",
            INCOMPLETE_LEVEL.name,
            view_unassigned_lob=False,
            first_name="Hand-made",
            last_name="Integration",
        ),
        ApiUser(
            29682902,
            f"svc-inactive@{DOMAIN}",
            "Inactive-Secret-2026-ok",
            FIELD_NATION_CODE,
            fn_vendor,
            "API User",
            FIELD_NATION_LEVEL.name,
            active=False,
            first_name="Retired",
            last_name="Integration",
        ),
        ApiUser(
            29682903,
            f"svc-ampersand@{DOMAIN}",
            "Bad&Secret<2026>long",
            FIELD_NATION_CODE,
            fn_vendor,
            "API User",
            FIELD_NATION_LEVEL.name,
            first_name="Ampersand",
            last_name="Integration",
        ),
        ApiUser(
            29682904,
            f"svc-custom@{DOMAIN}",
            "Custom-Code-Secret-2026",
            CUSTOM_CODE,
            "Custom (Internal Integration): Acme internal",
            "API User",
            FIELD_NATION_LEVEL.name,
            first_name="Custom",
            last_name="Integration",
        ),
        ApiUser(
            29682905,
            f"jdoe@{DOMAIN}",
            "Employee-Password-2026",
            FIELD_NATION_CODE,
            "",
            "Employee",
            EMPLOYEE_LEVEL.name,
            first_name="Jane",
            last_name="Doe",
            department="Service",
        ),
        ApiUser(  # an API user left on the built-in level instead of the guide's
            29682906,
            f"svc-fullaccess@{DOMAIN}",
            "Full-Access-Secret-2026",
            FIELD_NATION_CODE,
            fn_vendor,
            "API User",
            SYSTEM_API_LEVEL.name,
            last_name="Integration (full access)",
        ),
    ]


def seeded_users() -> list[dict[str, Any]]:
    """Every seeded user with its credentials and level, for `fieldbridge sim autotask --print-users`."""
    return [
        {
            "username": u.username,
            "secret": u.secret,
            "integration_code": u.integration_code,
            "resource_id": u.resource_id,
            "resource_type": u.resource_type,
            "security_level": u.security_level,
            "tracking_identifier": u.tracking_identifier,
            "active": u.active,
            "view_unassigned_line_of_business": u.view_unassigned_lob,
        }
        for u in _users()
    ]


def _picklists() -> dict[tuple[str, str], list[PickValue]]:
    issue = {"Hardware": 11, "Network": 12, "Software": 13}
    sub_issues = [
        ("Printer", 101, 11),
        ("Workstation", 102, 11),
        ("Wi-Fi", 201, 12),
        ("Cabling", 202, 12),
        ("Install", 301, 13),
    ]
    return {
        ("Tickets", "status"): _picks(STATUS, default="New"),
        ("Tickets", "priority"): _picks(PRIORITY, default="Medium"),
        ("Tickets", "queueid"): _picks(QUEUE),
        ("Tickets", "issuetype"): _picks(issue),
        ("Tickets", "subissuetype"): [
            PickValue(str(v), label, sort_order=i, parent_value=str(parent))
            for i, (label, v, parent) in enumerate(sub_issues)
        ],
        ("Tickets", "tickettype"): _picks(
            {"Service Request": 1, "Incident": 2, "Problem": 3, "Change Request": 4}
        ),
        ("Tickets", "source"): _picks({"Phone": 2, "Email": 4, "Web Portal": 6, "Monitoring Alert": 8}),
        ("Tickets", "ticketcategory"): _picks({"Standard": 3, "Field Dispatch": 103}),
        ("TicketNotes", "notetype"): _picks(NOTE_TYPE),
        ("TicketNotes", "publish"): _picks(PUBLISH),
        ("TicketAttachments", "publish"): _picks(PUBLISH),
        ("TicketCharges", "chargetype"): _picks({"Operational": 1, "Capitalized": 2}),
        ("TicketCharges", "status"): _picks({"Pending": 1, "Picked": 2, "Delivered": 3}),
        ("TimeEntries", "timeentrytype"): _picks({"Ticket": 2, "Regular": 6}),
        ("TimeEntries", "billingcodeid"): _picks({"Field Labor": 29682801, "Remote Labor": 29682802}),
        ("ExpenseReports", "status"): _picks(
            {"In Progress": 1, "Awaiting Approval": 2, "Approved": 3, "Rejected": 4, "Paid": 5}
        ),
        ("ExpenseItems", "expensecategory"): _picks(
            {"Travel - Mileage": 1, "Meals": 2, "Lodging": 3, "Parts": 4, "Other": 5}
        ),
        ("ExpenseItems", "paymenttype"): _picks(
            {"Cash": 1, "Company Credit Card": 2, "Personal Credit Card": 3, "Reimbursable": 14}
        ),
        ("Companies", "companytype"): _picks(
            {"Customer": 1, "Lead": 2, "Prospect": 3, "Vendor": 7, "Partner": 8}
        ),
        ("Projects", "status"): _picks({"New": 1, "Active": 2, "Complete": 5}),
        ("Projects", "projecttype"): _picks({"Proposal": 2, "Client": 4, "Internal": 5}),
        ("ServiceCalls", "status"): _picks({"New": 1, "Scheduled": 2, "Complete": 3}),
        ("Resources", "licensetype"): _picks({"Professional": 1, "API User": 7}),
    }


def _udfs() -> dict[str, list[UdfDef]]:
    return {
        "Tickets": [
            UdfDef("Site Access Code", "Site Access Code", "string", udf_id=301),
            UdfDef(
                "Dispatch Priority",
                "Dispatch Priority",
                "string",
                picklist=(PickValue("Standard", "Standard", is_default=True), PickValue("Rush", "Rush")),
                udf_id=302,
            ),
            UdfDef("Technician Count", "Technician Count", "integer", udf_id=303),
        ],
        "Companies": [UdfDef("Customer Tier", "Customer Tier", "string", udf_id=401)],
        "Contacts": [],
        "Projects": [],
    }


def _ago(**kwargs: float) -> str:
    return format_datetime(datetime.now(UTC) - timedelta(**kwargs))


def _ahead(**kwargs: float) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(**kwargs))


def _records(users: list[ApiUser]) -> dict[str, dict[int, dict[str, Any]]]:
    companies = [
        (0, "Acme MSP (owner)", "555-0100", "Internal"),
        (174, "Northwind Dental Group", "555-0141", "Gold"),
        (175, "Contoso Retail", "555-0152", "Silver"),
        (176, "Fabrikam Clinics", "555-0163", None),
    ]
    locations = [
        (501, 174, "Northwind - Main Office", "100 Harbor Way", "Portland", "OR", "97201"),
        (502, 174, "Northwind - Eastside", "2200 Burnside St", "Portland", "OR", "97214"),
        (503, 175, "Contoso Store #12", "12 Market St", "Austin", "TX", "78701"),
        (504, 176, "Fabrikam Clinic North", "9 Elm Ave", "Denver", "CO", "80203"),
    ]
    contacts = [
        (601, 174, 501, "Maria", "Lopez", "maria.lopez@northwind.example"),
        (602, 175, 503, "Tom", "Nguyen", "tom.nguyen@contoso.example"),
        (603, 176, 504, "Ava", "Smith", "ava.smith@fabrikam.example"),
    ]
    people = [
        (29682885, "Pat", "Admin", "Employee"),
        (29682886, "Sam", "Tech", "Employee"),
        (29682887, "Riley", "Dispatcher", "Employee"),
    ]
    rec: dict[str, dict[int, dict[str, Any]]] = {
        "Companies": {
            cid: {
                "id": cid,
                "companyName": name,
                "phone": phone,
                "companyType": 1,
                "isActive": True,
                "userDefinedFields": [{"name": "Customer Tier", "value": tier}],
            }
            for cid, name, phone, tier in companies
        },
        "CompanyLocations": {
            lid: {
                "id": lid,
                "companyID": cid,
                "name": name,
                "address1": a1,
                "city": city,
                "state": state,
                "postalCode": z,
                "isActive": True,
                "isPrimary": lid in (501, 503),
            }
            for lid, cid, name, a1, city, state, z in locations
        },
        "Contacts": {
            pid: {
                "id": pid,
                "companyID": cid,
                "companyLocationID": lid,
                "firstName": f,
                "lastName": la,
                "emailAddress": e,
                "isActive": 1,
            }
            for pid, cid, lid, f, la, e in contacts
        },
        "Roles": {
            rid: {"id": rid, "name": name, "hourlyRate": 95.0, "isActive": True, "isSystemRole": False}
            for name, rid in ROLE.items()
        },
        "Resources": {},
    }
    for rid, first, last, rtype in people:
        rec["Resources"][rid] = {
            "id": rid,
            "firstName": first,
            "lastName": last,
            "resourceType": rtype,
            "email": f"{first.lower()}.{last.lower()}@{DOMAIN}",
            "isActive": True,
            "licenseType": 1,
            "userName": f"{first.lower()}.{last.lower()}",
        }
    for u in users:
        rec["Resources"][u.resource_id] = {
            "id": u.resource_id,
            "firstName": u.first_name,
            "lastName": u.last_name,
            "resourceType": u.resource_type,
            "email": u.username,
            "isActive": u.active,
            "userName": u.username,
            "licenseType": 7 if u.resource_type == "API User" else 1,
        }
    tickets = [
        (
            7001,
            174,
            501,
            601,
            "Replace failed switch in server closet",
            STATUS["Dispatch to Field"],
            1,
            "Rush",
        ),
        (7002, 174, 502, 601, "Install two workstations", STATUS["New"], 2, "Standard"),
        (7003, 175, 503, 602, "POS printer jammed", STATUS["In Progress"], 2, "Standard"),
        (7004, 175, 503, 602, "Run cabling for new register", STATUS["Waiting Customer"], 3, None),
        (7005, 176, 504, 603, "Wi-Fi dead zone in exam rooms", STATUS["Dispatch to Field"], 4, "Rush"),
        (7006, 176, 504, 603, "Old monitor disposal", STATUS["Complete"], 3, None),
        (7007, 174, 501, 601, "Quarterly UPS battery check", STATUS["Cancelled"], 3, None),
    ]
    rec["Tickets"] = {}
    for i, (tid, cid, lid, contact, title, status, priority, rush) in enumerate(tickets):
        rec["Tickets"][tid] = {
            "id": tid,
            "ticketNumber": f"T20261120.{i + 1:04d}",
            "companyID": cid,
            "companyLocationID": lid,
            "contactID": contact,
            "title": title,
            "description": f"{title}. Reported by the customer.",
            "status": status,
            "priority": priority,
            "queueID": QUEUE["Field Services"],
            "issueType": 11,
            "subIssueType": 102,
            "ticketType": 1,
            "source": 2,
            "ticketCategory": 3,
            "dueDateTime": _ahead(days=2 + i),
            "createDate": _ago(days=7 - i),
            "creatorResourceID": 29682887,
            "creatorType": 1,
            "lastActivityDate": _ago(hours=12 - i),
            "completedDate": _ago(days=1) if status == STATUS["Complete"] else None,
            "userDefinedFields": [
                {"name": "Site Access Code", "value": f"GATE-{tid % 1000:03d}"},
                {"name": "Dispatch Priority", "value": rush},
                {"name": "Technician Count", "value": "1"},
            ],
        }
    rec["Tickets"][7002]["organizationalLevelAssociationID"] = 3  # one ticket behind a Line of Business
    tech = 29682886
    rec["TicketNotes"] = {
        8001: {
            "id": 8001,
            "ticketID": 7003,
            "title": "Customer call",
            "description": "Printer jams on tray 2.",
            "noteType": NOTE_TYPE["Task Detail"],
            "publish": PUBLISH["Internal Only"],
            "creatorResourceID": tech,
            "createDateTime": _ago(days=1),
            "lastActivityDate": _ago(days=1),
        }
    }
    rec["TimeEntries"] = {
        8101: {
            "id": 8101,
            "ticketID": 7003,
            "resourceID": tech,
            "roleID": ROLE["Help Desk"],
            "dateWorked": _ago(days=1),
            "startDateTime": _ago(days=1, hours=1),
            "endDateTime": _ago(days=1),
            "hoursWorked": 1.0,
            "summaryNotes": "Cleared the jam, ordered a roller.",
            "timeEntryType": 2,
            "createDateTime": _ago(days=1),
            "creatorUserID": tech,
        }
    }
    rec["TicketCharges"] = {
        8201: {
            "id": 8201,
            "ticketID": 7003,
            "name": "Pickup roller",
            "chargeType": 1,
            "unitQuantity": 1.0,
            "unitCost": 18.5,
            "unitPrice": 29.0,
            "datePurchased": _ago(days=1),
            "isBilled": False,
            "createDate": _ago(days=1),
            "creatorResourceID": tech,
        }
    }
    rec["TicketAttachments"] = {
        8301: {
            "id": 8301,
            "parentID": 7003,
            "parentType": 4,
            "attachmentType": "URL",
            "title": "Printer manual",
            "fullPath": "https://manuals.example/printer.pdf",
            "publish": PUBLISH["All Autotask Users"],
            "attachDate": _ago(days=1),
            "attachedByResourceID": tech,
            "isTaskAttachment": False,
        }
    }
    rec["ExpenseReports"] = {
        8401: {
            "id": 8401,
            "name": "Week of site visits",
            "submitterID": tech,
            "weekEnding": _ahead(days=3),
            "status": 1,
            "submit": False,
        }
    }
    rec["ExpenseItems"] = {
        8501: {
            "id": 8501,
            "expenseReportID": 8401,
            "description": "Parking",
            "expenseDate": _ago(days=1),
            "expenseCategory": 5,
            "paymentType": 1,
            "haveReceipt": True,
            "isBillableToCompany": True,
            "expenseCurrencyExpenseAmount": 12.0,
            "ticketID": 7003,
            "companyID": 175,
        }
    }
    rec["ServiceCalls"] = {
        8601: {
            "id": 8601,
            "companyID": 174,
            "companyLocationID": 501,
            "description": "Switch replacement visit",
            "startDateTime": _ahead(days=1),
            "endDateTime": _ahead(days=1, hours=2),
            "status": 1,
            "isComplete": 0,
            "createDateTime": _ago(days=1),
            "creatorResourceID": 29682887,
        }
    }
    rec["Projects"] = {
        8701: {
            "id": 8701,
            "companyID": 176,
            "projectName": "Clinic network refresh",
            "status": 2,
            "projectType": 4,
            "startDateTime": _ago(days=10),
            "endDateTime": _ahead(days=30),
            "projectNumber": "P20261117.0001",
            "createDateTime": _ago(days=10),
            "userDefinedFields": [],
        }
    }
    rec["TicketNotes"][8002] = {
        "id": 8002,
        "ticketID": 7006,
        "title": "Workflow rule: notify contact on completion",
        "description": "The contact was emailed that the ticket is complete.",
        "noteType": NOTE_TYPE["Workflow Rule Note - Task"],
        "publish": PUBLISH["Internal Only"],
        "creatorResourceID": 29682885,
        "createDateTime": _ago(days=1),
        "lastActivityDate": _ago(days=1),
    }
    _more_customers(rec)
    return rec


# The rest of the customer list, A to Z: id, name, type, tier, city, state, postal code, street.
CUSTOMERS = [
    (177, "Bluebird Veterinary Hospital", 1, "Silver", "Beaverton", "OR", "97005", "4410 Hall Blvd"),
    (178, "Cedar Ridge Law Group", 1, "Gold", "Austin", "TX", "78704", "901 S Congress Ave"),
    (179, "Harborview Property Management", 1, "Silver", "Seattle", "WA", "98101", "1520 4th Ave"),
    (180, "Juniper Accounting LLP", 1, "Gold", "Denver", "CO", "80202", "1700 Lincoln St"),
    (181, "Keystone IT Distribution", 7, None, "Columbus", "OH", "43215", "250 E Broad St"),
    (182, "Meridian Freight Logistics", 1, "Bronze", "Portland", "OR", "97217", "8800 Vancouver Way"),
    (183, "Pinecrest Elementary School", 1, "Silver", "Aurora", "CO", "80012", "300 S Peoria St"),
    (184, "Quarry Street Bakery", 3, None, "Round Rock", "TX", "78664", "12 Quarry St"),
    (185, "Summit Orthopedics", 1, "Gold", "Lake Oswego", "OR", "97035", "5 Centerpointe Dr"),
    (186, "Willow Creek Senior Living", 1, "Bronze", "Littleton", "CO", "80120", "6200 Willow Dr"),
    (187, "Zephyr Architecture Studio", 2, None, "Tacoma", "WA", "98402", "950 Pacific Ave"),
]
# Contacts of those customers: id, company, first name, last name, title, with a mobile or not.
CUSTOMER_CONTACTS = [
    (604, 177, "Grace", "Okonkwo", "Practice Manager", True),
    (605, 178, "Daniel", "Reyes", "Office Administrator", False),
    (606, 178, "Hannah", "Brooks", "Managing Partner", True),
    (607, 179, "Victor", "Petrov", "Facilities Director", True),
    (608, 180, "Lena", "Fischer", "Controller", False),
    (609, 181, "Marcus", "Bell", "Account Representative", True),
    (610, 182, "Priya", "Raman", "IT Coordinator", True),
    (611, 183, "Olivia", "Chen", "Principal", False),
    (612, 183, "Ethan", "Walsh", "Technology Teacher", False),
    (613, 184, "Sofia", "Marino", "Owner", True),
    (614, 185, "Kevin", "O'Brien", "Operations Manager", True),
    (615, 186, "Rosa", "Delgado", "Executive Director", False),
    (616, 187, "Noah", "Lindqvist", "Principal Architect", True),
]


def _more_customers(rec: dict[str, dict[int, dict[str, Any]]]) -> None:
    """Customers 177-187 with a site each, their people, projects and service calls. Added after the first
    three so every id the tests and the demo know stays as it was."""
    for cid, name, ctype, tier, city, state, postal, street in CUSTOMERS:
        phone = f"555-0{cid}"
        rec["Companies"][cid] = {
            "id": cid,
            "companyName": name,
            "phone": phone,
            "companyType": ctype,
            "address1": street,
            "city": city,
            "state": state,
            "postalCode": postal,
            "ownerResourceID": 29682885,
            "createDate": _ago(days=900 - 60 * (cid - 177)),
            "isActive": True,
            "userDefinedFields": [{"name": "Customer Tier", "value": tier}],
        }
        lid = cid + 328  # 505, 506, ...
        rec["CompanyLocations"][lid] = {
            "id": lid,
            "companyID": cid,
            "name": f"{name} - Main",
            "address1": street,
            "city": city,
            "state": state,
            "postalCode": postal,
            "phone": phone,
            "isActive": True,
            "isPrimary": True,
        }
    for pid, cid, first, last, title, mobile in CUSTOMER_CONTACTS:
        company = rec["Companies"][cid]
        domain = "".join(ch for ch in str(company["companyName"]).split()[0].lower() if ch.isalpha())
        rec["Contacts"][pid] = {
            "id": pid,
            "companyID": cid,
            "companyLocationID": cid + 328,
            "firstName": first,
            "lastName": last,
            "title": title,
            "emailAddress": f"{first.lower()}.{last.lower().replace(chr(39), '')}@{domain}.example",
            "phone": company["phone"],
            "mobilePhone": f"555-010-{pid:04d}" if mobile else None,
            "isActive": 1,
        }
    rec["Projects"] |= {
        8702: {
            "id": 8702,
            "companyID": 178,
            "projectName": "Office move to Congress Ave",
            "description": "Cabling, phones and twelve workstations at the new office.",
            "status": 1,
            "projectType": 4,
            "startDateTime": _ahead(days=14),
            "endDateTime": _ahead(days=45),
            "projectNumber": "P20261118.0002",
            "createDateTime": _ago(days=3),
            "userDefinedFields": [],
        },
        8703: {
            "id": 8703,
            "companyID": 185,
            "projectName": "Imaging server upgrade",
            "status": 5,
            "projectType": 4,
            "startDateTime": _ago(days=120),
            "endDateTime": _ago(days=60),
            "completedDateTime": _ago(days=62),
            "projectNumber": "P20260720.0001",
            "createDateTime": _ago(days=125),
            "userDefinedFields": [],
        },
    }
    rec["ServiceCalls"] |= {
        8602: {
            "id": 8602,
            "companyID": 183,
            "companyLocationID": 183 + 328,
            "description": "Chromebook cart inventory",
            "startDateTime": _ago(days=6, hours=3),
            "endDateTime": _ago(days=6),
            "status": 3,
            "isComplete": 1,
            "createDateTime": _ago(days=9),
            "creatorResourceID": 29682887,
        },
        8603: {
            "id": 8603,
            "companyID": 179,
            "companyLocationID": 179 + 328,
            "description": "Door controller firmware at the leasing office",
            "startDateTime": _ahead(days=3),
            "endDateTime": _ahead(days=3, hours=1, minutes=30),
            "status": 2,
            "isComplete": 0,
            "createDateTime": _ago(days=2),
            "creatorResourceID": 29682887,
        },
    }


def build_tenant(catalog: Catalog) -> Tenant:
    """The default tenant, its records as Autotask holds them (defaults and computed values filled)."""
    users = _users()
    tenant = Tenant(catalog=catalog)
    tenant.users = {u.username.lower(): u for u in users}
    tenant.levels = {
        lv.name: lv for lv in (FIELD_NATION_LEVEL, INCOMPLETE_LEVEL, EMPLOYEE_LEVEL, SYSTEM_API_LEVEL)
    }
    tenant.picklists = _picklists()
    tenant.udfs = _udfs()
    tenant.load(_records(users))
    return tenant
