"""A tenant of a chosen size: the default seed grown with generated customers (their sites and people, some
projects and service calls) and a ticket history, the same for the same `seed`.

The default seed's records stay as they are; generated ones take the ids after them. Tickets are made in
id order over the past year, most of them closed, as in a real MSP's database; dates are placed relative to
the moment of seeding, so two tenants grown with one seed differ only in their timestamps.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any

from fieldbridge.sandbox.autotask.catalog import Catalog
from fieldbridge.sandbox.autotask.query import format_datetime
from fieldbridge.sandbox.autotask.seed import (
    NOTE_TYPE,
    PRIORITY,
    PUBLISH,
    QUEUE,
    ROLE,
    STATUS,
    build_tenant,
)
from fieldbridge.sandbox.autotask.tenant import Record, Tenant

Records = dict[str, dict[int, Record]]

_PREFIXES = (
    *("Aspen", "Beacon", "Cobalt", "Delta", "Evergreen", "Falcon", "Granite", "Horizon", "Ironwood"),
    *("Jasper", "Kestrel", "Lakeside", "Magnolia", "Northstar", "Oakmont", "Pioneer", "Quartz", "Redwood"),
    *("Sterling", "Tidewater", "Union", "Vista", "Westbrook", "Xenia", "Yellowpine", "Zenith"),
)
_TRADES = (
    "Dental",
    "Family Medicine",
    "Law Offices",
    "Realty",
    "Logistics",
    "Veterinary Clinic",
    "Accounting",
    "Manufacturing",
    "Insurance Agency",
    "Architects",
    "Credit Union",
    "Hotel",
    "Auto Group",
    "Pharmacy",
    "Engineering",
    "Property Management",
)
_CITIES = (
    ("Portland", "OR", "972"),
    ("Salem", "OR", "973"),
    ("Seattle", "WA", "981"),
    ("Tacoma", "WA", "984"),
    ("Boise", "ID", "837"),
    ("Denver", "CO", "802"),
    ("Boulder", "CO", "803"),
    ("Austin", "TX", "787"),
    ("San Antonio", "TX", "782"),
    ("Phoenix", "AZ", "850"),
    ("Columbus", "OH", "432"),
    ("Madison", "WI", "537"),
)
_STREETS = ("Main St", "Oak Ave", "Commerce Dr", "Harbor Way", "Market St", "Industrial Pkwy", "Elm St")
_FIRST = (
    "Ana",
    "Ben",
    "Carla",
    "Dev",
    "Elena",
    "Femi",
    "Gus",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lucia",
    "Mateo",
)
_LAST = (
    "Adams",
    "Baker",
    "Cruz",
    "Diaz",
    "Evans",
    "Foster",
    "Garcia",
    "Hughes",
    "Ito",
    "Jensen",
    "Kim",
    "Lopez",
)
_PROBLEMS = (
    "Printer offline",
    "Cannot connect to VPN",
    "Outlook keeps asking for password",
    "New hire laptop setup",
    "Wi-Fi drops in conference room",
    "Replace failed UPS battery",
    "Shared drive permissions",
    "Phone system voicemail not working",
    "Slow workstation",
    "Firewall firmware update",
    "Backup job failed",
    "Install line-of-business app update",
    "Switch port down",
    "Monitor flickering",
    "Scanner to email broken",
)
_PROJECTS = ("Network refresh", "Office move", "Server migration", "Microsoft 365 migration")
# Most of a real ticket history is closed.
_STATUS_WEIGHTS = {
    "Complete": 70,
    "Complete - Customer Notified": 6,
    "Cancelled": 3,
    "New": 5,
    "In Progress": 7,
    "Waiting Customer": 4,
    "Dispatch to Field": 2,
    "Work Done": 3,
}
_CLOSED = (STATUS["Complete"], STATUS["Complete - Customer Notified"], STATUS["Cancelled"])
_SUB_ISSUES = ((11, 101), (11, 102), (12, 201), (12, 202), (13, 301))
_TECHS = (29682885, 29682886, 29682887)


@dataclass(frozen=True)
class TenantSize:
    """How many tickets and companies the tenant holds (None: as the default seed has them), and the seed of
    the generator."""

    tickets: int | None = None
    companies: int | None = None
    seed: int = 0


def tenant_of_size(catalog: Catalog, size: TenantSize) -> Tenant:
    """The default tenant grown to `size`. A size below the default seed's is refused (ValueError)."""
    tenant = build_tenant(catalog)
    records = tenant.records
    have_tickets, have_companies = len(records["Tickets"]), len(records["Companies"])
    for what, wanted, have in (
        ("tickets", size.tickets, have_tickets),
        ("companies", size.companies, have_companies),
    ):
        if wanted is not None and wanted < have:
            raise ValueError(f"{what} must be at least {have}, what the default seed holds")
    if size.tickets is None and size.companies is None:
        return tenant
    grower = _Grower(records, random.Random(size.seed), datetime.now(UTC))
    grower.companies((size.companies or have_companies) - have_companies)
    grower.tickets((size.tickets or have_tickets) - have_tickets)
    tenant.load(records)
    return tenant


class _Grower:
    def __init__(self, records: Records, rng: random.Random, now: datetime) -> None:
        self.records = records
        self.rng = rng
        self.now = now
        self.sites: dict[int, list[int]] = {}  # company -> its locations
        self.people: dict[int, list[int]] = {}  # company -> its contacts
        for location in records["CompanyLocations"].values():
            self.sites.setdefault(int(location["companyID"]), []).append(int(location["id"]))
        for contact in records["Contacts"].values():
            self.people.setdefault(int(contact["companyID"]), []).append(int(contact["id"]))

    def _next(self, entity: str) -> int:
        return max(self.records.setdefault(entity, {}), default=0) + 1

    def _at(self, days_ago: float) -> str:
        return format_datetime(self.now - timedelta(days=days_ago))

    def companies(self, count: int) -> None:
        rng = self.rng
        names = [f"{p} {t}" for p, t in product(_PREFIXES, _TRADES)]
        names += [f"{n} of {c[0]}" for n, c in product(names, _CITIES)]
        if count <= len(names):
            chosen = rng.sample(names, count)
        else:  # more customers than names: the same names again, numbered
            chosen = names + [
                f"{names[i % len(names)]} {i // len(names) + 1}" for i in range(len(names), count)
            ]
        company_id = self._next("Companies")
        location_id = self._next("CompanyLocations")
        contact_id = self._next("Contacts")
        for name in chosen:
            city, state, zip3 = rng.choice(_CITIES)
            street = f"{rng.randrange(10, 9900)} {rng.choice(_STREETS)}"
            phone = f"({rng.randrange(201, 989)}) 555-{rng.randrange(100, 10000):04d}"
            self.records["Companies"][company_id] = {
                "id": company_id,
                "companyName": name,
                "phone": phone,
                "companyType": rng.choices((1, 2, 3, 7), weights=(80, 6, 10, 4))[0],
                "address1": street,
                "city": city,
                "state": state,
                "postalCode": f"{zip3}{rng.randrange(100):02d}",
                "ownerResourceID": rng.choice(_TECHS),
                "createDate": self._at(rng.uniform(400, 3000)),
                "isActive": rng.random() > 0.05,
                "userDefinedFields": [
                    {"name": "Customer Tier", "value": rng.choice(("Gold", "Silver", "Bronze", None))}
                ],
            }
            for n in range(1 if rng.random() < 0.7 else 2):
                self.records["CompanyLocations"][location_id] = {
                    "id": location_id,
                    "companyID": company_id,
                    "name": f"{name} - {'Main' if n == 0 else city}",
                    "address1": street if n == 0 else f"{rng.randrange(10, 9900)} {rng.choice(_STREETS)}",
                    "city": city,
                    "state": state,
                    "postalCode": f"{zip3}{rng.randrange(100):02d}",
                    "phone": phone,
                    "isActive": True,
                    "isPrimary": n == 0,
                }
                self.sites.setdefault(company_id, []).append(location_id)
                location_id += 1
            domain = "".join(ch for ch in name.split()[0].lower() if ch.isalpha())
            for _ in range(rng.randrange(1, 4)):
                first, last = rng.choice(_FIRST), rng.choice(_LAST)
                self.records["Contacts"][contact_id] = {
                    "id": contact_id,
                    "companyID": company_id,
                    "companyLocationID": self.sites[company_id][0],
                    "firstName": first,
                    "lastName": last,
                    "emailAddress": f"{first.lower()}.{last.lower()}@{domain}.example",
                    "phone": phone,
                    "isActive": 1 if rng.random() > 0.1 else 0,
                }
                self.people.setdefault(company_id, []).append(contact_id)
                contact_id += 1
            self._project_or_visit(company_id, name)
            company_id += 1

    def _project_or_visit(self, company_id: int, name: str) -> None:
        rng = self.rng
        if rng.random() < 0.15:
            project_id = self._next("Projects")
            start = rng.uniform(-30, 300)
            done = start > 60
            self.records["Projects"][project_id] = {
                "id": project_id,
                "companyID": company_id,
                "projectName": f"{name}: {rng.choice(_PROJECTS)}",
                "status": 5 if done else rng.choice((1, 2)),
                "projectType": 4,
                "startDateTime": self._at(start),
                "endDateTime": self._at(start - 45),
                "completedDateTime": self._at(start - 40) if done else None,
                "projectNumber": f"P{self.now - timedelta(days=start + 5):%Y%m%d}.{project_id % 10000:04d}",
                "createDateTime": self._at(start + 5),
                "userDefinedFields": [],
            }
        if rng.random() < 0.1:
            call_id = self._next("ServiceCalls")
            start = rng.uniform(-14, 200)
            self.records["ServiceCalls"][call_id] = {
                "id": call_id,
                "companyID": company_id,
                "companyLocationID": self.sites[company_id][0],
                "description": f"Site visit: {rng.choice(_PROBLEMS).lower()}",
                "startDateTime": self._at(start),
                "endDateTime": self._at(start - rng.choice((1, 2, 3)) / 24),
                "status": 3 if start > 0 else 2,
                "isComplete": 1 if start > 0 else 0,
                "createDateTime": self._at(start + 3),
                "creatorResourceID": 29682887,
            }

    def tickets(self, count: int) -> None:
        rng = self.rng
        customers = [c for c in self.records["Companies"] if c != 0 and self.sites.get(c)]
        labels, weights = zip(*_STATUS_WEIGHTS.items(), strict=True)
        ticket_id, note_id = self._next("Tickets"), self._next("TicketNotes")
        for n in range(count):
            company = rng.choice(customers)
            created_days_ago = 365 * (1 - n / max(count, 1)) + rng.uniform(0, 0.5)  # older ids, older tickets
            status = STATUS[rng.choices(labels, weights)[0]]
            closed = status in _CLOSED
            last_activity = max(created_days_ago - rng.uniform(0, 10), 0.01)
            issue, sub_issue = rng.choice(_SUB_ISSUES)
            title = rng.choice(_PROBLEMS)
            assigned = rng.random() < 0.6
            created = self.now - timedelta(days=created_days_ago)
            ticket: Record = {
                "id": ticket_id,
                "ticketNumber": f"T{created:%Y%m%d}.{ticket_id % 10000:04d}",
                "companyID": company,
                "companyLocationID": rng.choice(self.sites[company]),
                "contactID": rng.choice(self.people[company]) if self.people.get(company) else None,
                "title": title,
                "description": f"{title}. Reported by the customer.",
                "status": status,
                "priority": rng.choices(list(PRIORITY.values()), weights=(10, 50, 35, 5))[0],
                "queueID": rng.choice(list(QUEUE.values())),
                "issueType": issue,
                "subIssueType": sub_issue,
                "ticketType": rng.choices((1, 2, 3, 4), weights=(55, 35, 5, 5))[0],
                "source": rng.choice((2, 4, 6, 8)),
                "ticketCategory": 3,
                "dueDateTime": self._at(created_days_ago - rng.choice((1, 2, 3, 5))),
                "createDate": format_datetime(created),
                "creatorResourceID": rng.choice(_TECHS),
                "creatorType": 1,
                "lastActivityDate": self._at(last_activity),
                "completedDate": self._at(last_activity) if closed else None,
                "assignedResourceID": 29682886 if assigned else None,
                "assignedResourceRoleID": ROLE["Help Desk"] if assigned else None,
                "userDefinedFields": [
                    {"name": "Site Access Code", "value": None},
                    {"name": "Dispatch Priority", "value": "Standard"},
                    {"name": "Technician Count", "value": "1"},
                ],
            }
            self.records["Tickets"][ticket_id] = ticket
            for note in self._notes(ticket, closed, created_days_ago, last_activity):
                self.records["TicketNotes"][note_id] = {"id": note_id, **note}
                note_id += 1
            ticket_id += 1

    def _notes(self, ticket: Record, closed: bool, created: float, last: float) -> list[dict[str, Any]]:
        """A technician's note on most tickets, and a workflow rule's on closed ones."""
        rng = self.rng
        notes = []
        if rng.random() < 0.6:
            notes.append(
                {
                    "ticketID": ticket["id"],
                    "title": "Work performed",
                    "description": f"Looked into: {str(ticket['title']).lower()}.",
                    "noteType": rng.choice((NOTE_TYPE["Task Detail"], NOTE_TYPE["Task Notes"])),
                    "publish": rng.choice(list(PUBLISH.values())),
                    "creatorResourceID": rng.choice(_TECHS),
                    "createDateTime": self._at((created + last) / 2),
                    "lastActivityDate": self._at((created + last) / 2),
                }
            )
        if closed:
            notes.append(
                {
                    "ticketID": ticket["id"],
                    "title": "Workflow rule: notify contact on completion",
                    "description": f"The contact was emailed that ticket {ticket['ticketNumber']} is closed.",
                    "noteType": NOTE_TYPE["Workflow Rule Note - Task"],
                    "publish": PUBLISH["Internal Only"],
                    "creatorResourceID": _TECHS[0],
                    "createDateTime": self._at(last),
                    "lastActivityDate": self._at(last),
                }
            )
        return notes
