"""The seeded buyer company: its people, custom fields of every type, expense categories, saved locations,
and a few work orders in different states, built by replaying the same operations the app performs so each
one is in a state the lifecycle can reach."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from fieldbridge.sandbox.fieldnation import operations as op
from fieldbridge.sandbox.fieldnation.lifecycle import APPROVED, PAID, WORK_DONE, status_name
from fieldbridge.sandbox.fieldnation.payloads import (
    ContactIn,
    FnDateIn,
    LocationIn,
    PayBaseIn,
    PayIn,
    Ref,
    RichTextIn,
    ScheduleIn,
    ServiceWindowIn,
    WorkOrderIn,
)
from fieldbridge.sandbox.fieldnation.state import (
    Catalog,
    CustomFieldCategory,
    CustomFieldDef,
    Named,
    SavedLocation,
    State,
    User,
    WorkOrder,
)
from fieldbridge.sandbox.fieldnation.timezones import UTC_FORMAT

if TYPE_CHECKING:
    from fieldbridge.sandbox.fieldnation.emulator import FieldNationEmulator

API_USER_ID = 2001
SEEDED_WORK_ORDERS = 8  # what `populate` makes: one in each status
API_USERNAME = "api.fieldbridge@brightline.example"
CHICAGO = 2


def _people() -> dict[int, User]:
    people = [
        User(API_USER_ID, "Dana", "Reyes", API_USERNAME, "+1 312 555 0101", "manager", "Chicago", "IL"),
        User(
            2002,
            "Sam",
            "Okafor",
            "sam.okafor@brightline.example",
            "+1 312 555 0102",
            "manager",
            "Chicago",
            "IL",
        ),
        User(
            3001,
            "Luis",
            "Moreno",
            "luis.moreno@techs.example",
            "+1 773 555 0131",
            "technician",
            "Chicago",
            "IL",
        ),
        User(
            3002,
            "Priya",
            "Nair",
            "priya.nair@techs.example",
            "+1 630 555 0132",
            "technician",
            "Naperville",
            "IL",
        ),
        User(
            3003, "Tom", "Becker", "tom.becker@techs.example", "+1 303 555 0133", "technician", "Denver", "CO"
        ),
        User(
            3004,
            "Aisha",
            "Khan",
            "aisha.khan@techs.example",
            "+1 414 555 0134",
            "technician",
            "Milwaukee",
            "WI",
        ),
    ]
    return {u.id: u for u in people}


def build_catalog() -> Catalog:
    fields = [
        CustomFieldDef(101, "Autotask Ticket Number", "text", 1, flags=["unique", "seen_by_provider"]),
        CustomFieldDef(
            102, "Devices on site", "numeric", 1, tip="Count of devices the technician will touch"
        ),
        CustomFieldDef(103, "Customer due date", "date", 1),
        CustomFieldDef(104, "Site access from", "date_time", 1),
        CustomFieldDef(105, "Site opens at", "time", 1),
        CustomFieldDef(106, "Priority", "predefined", 1, options=["Low", "Medium", "High", "Critical"]),
        CustomFieldDef(107, "Site phone", "phone", 1, flags=["seen_by_provider"]),
        CustomFieldDef(201, "Replaced serial number", "text", 2, flags=["required_during_checkin"]),
    ]
    # id, name, address, city, state, zip, country, latitude, longitude, time zone id, location type id
    locations = [
        SavedLocation(8001, "Contoso Store #12", "233 S Wacker Dr", "Chicago", "IL", "60606", "US",
                      41.8789, -87.6359, 2, 1),
        SavedLocation(8002, "Fabrikam Clinic Downtown", "1600 Glenarm Pl", "Denver", "CO", "80202", "US",
                      39.7446, -104.9887, 3, 1),
        SavedLocation(8003, "Contoso Distribution Center", "4000 E Broad St", "Columbus", "OH", "43213", "US",
                      39.9712, -82.9093, 1, 1),
    ]  # fmt: skip
    return Catalog(
        company=Named(4182, "Brightline IT Services"),
        api_user_id=API_USER_ID,
        users=_people(),
        clients={c.id: c for c in (Named(6001, "Contoso Retail"), Named(6002, "Fabrikam Health"))},
        projects={p.id: p for p in (Named(7001, "POS refresh 2025"), Named(7002, "Clinic Wi-Fi upgrade"))},
        types_of_work={
            t.id: t
            for t in (
                Named(1, "Networking"),
                Named(2, "Point of Sale"),
                Named(3, "Desktop Support"),
                Named(4, "Printers"),
            )
        },
        location_types={
            t.id: t
            for t in (
                Named(1, "Commercial"),
                Named(2, "Residential"),
                Named(3, "Government"),
                Named(4, "Educational"),
            )
        },
        saved_locations={loc.id: loc for loc in locations},
        custom_field_categories={
            1: CustomFieldCategory(1, "Ticket details", "buyer"),
            2: CustomFieldCategory(2, "Provider close-out", "assigned_provider"),
        },
        custom_fields={f.id: f for f in fields},
        expense_categories={
            e.id: e
            for e in (
                Named(1, "Parts"),
                Named(2, "Travel"),
                Named(3, "Tolls & parking"),
                Named(4, "Shipping"),
                Named(5, "Other"),
            )
        },
        default_time_zone_id=CHICAGO,
    )


def draft(
    emu: FieldNationEmulator,
    title: str,
    saved_location: int,
    type_of_work: int,
    hours_ahead: float,
    correlation_id: str | None,
    client: int = 6001,
    project: int = 7001,
) -> WorkOrder:
    """A buyer's new work order at a saved location, its four-hour window `hours_ahead` of now, with the
    ticket number in custom field 101 when it came from a ticket."""
    now = emu.now().replace(microsecond=0)
    window = ServiceWindowIn(
        mode="between",
        start=FnDateIn(utc=(now + timedelta(hours=hours_ahead)).strftime(UTC_FORMAT)),
        end=FnDateIn(utc=(now + timedelta(hours=hours_ahead + 4)).strftime(UTC_FORMAT)),
    )
    wo = op.create_work_order(
        emu,
        WorkOrderIn(
            title=title,
            description=RichTextIn(
                html=f"<p>{title}. Bring the usual kit; call the site contact on arrival.</p>"
            ),
            confidential=RichTextIn(html="<p>Gate code 4417.</p>"),
            location=LocationIn(mode="location", saved_location=Ref(id=saved_location)),
            schedule=ScheduleIn(service_window=window),
            pay=PayIn(type="hourly", base=PayBaseIn(amount=65.0, units=4)),
            contacts=[ContactIn(name="Jordan Lee", role="Store manager", phone="+1 312 555 0199")],
            type_of_work=Ref(id=type_of_work),
            client=Ref(id=client),
            project=Ref(id=project),
            correlation_id=correlation_id,
        ),
        API_USER_ID,
    )
    if correlation_id is not None:
        op.set_custom_field(emu, wo, 101, correlation_id, API_USER_ID)
    op.set_custom_field(emu, wo, 106, "Medium", API_USER_ID)
    return wo


def work(emu: FieldNationEmulator, wo: WorkOrder, tech: int, hours_ago: float, expense: float) -> None:
    """Assign `tech`, who visits for two hours ending `hours_ago`, pays for parking, writes closing notes
    and marks the work done."""
    now = emu.now().replace(microsecond=0)

    def at(hours: float) -> FnDateIn:
        return FnDateIn(utc=(now - timedelta(hours=hours)).strftime(UTC_FORMAT))

    op.assign(emu, wo, tech, API_USER_ID)
    op.check_in(emu, wo, tech, at(hours_ago + 2))
    op.check_out(emu, wo, tech, at(hours_ago))
    op.add_expense(emu, wo, 2, expense, 1, "Parking", tech)
    op.add_closing_notes(emu, wo, "Replaced and tested; customer signed off.", tech)
    op.mark_work_done(emu, wo, tech)


def populate(emu: FieldNationEmulator) -> None:
    """Replay the app: a draft, a published, a routed, an assigned (checked in), a work-done, an approved,
    a paid and a cancelled work order."""
    buyer = API_USER_ID
    now = emu.now().replace(microsecond=0)
    draft(emu, "Replace receipt printer - Store 12", 8001, 4, 24, "T20250301.0001")

    published = draft(emu, "Install two wireless access points", 8002, 1, 48, "T20250301.0002")
    op.publish(emu, published, buyer)

    routed = draft(emu, "Swap core network switch - Clinic", 8002, 1, 30, "T20250301.0003")
    op.route(emu, routed, 3003, buyer)

    on_site = draft(emu, "Install POS terminals - Store 12", 8001, 2, -1, "T20250301.0004")
    op.route(emu, on_site, 3001, buyer)
    op.accept_route(emu, on_site, 3001)
    op.set_sub_status(emu, on_site, "confirmed", 3001)
    op.check_in(emu, on_site, 3001, FnDateIn(utc=(now - timedelta(hours=1)).strftime(UTC_FORMAT)))
    op.post_message(emu, on_site, 3001, "On site, two terminals unboxed.", "FROMTECH")
    op.add_expense(emu, on_site, 1, 42.5, 1, "Mounting brackets", 3001)

    for title, tech, ticket, done in (
        ("Replace printer fuser - DC", 3002, "T20250301.0005", WORK_DONE),
        ("Desktop refresh - 3 PCs", 3004, "T20250301.0006", APPROVED),
        ("Label printer install - DC", 3002, "T20250301.0007", PAID),
    ):
        wo = draft(emu, title, 8003, 3, -6, ticket)
        work(emu, wo, tech, 3, 18.0)
        if done in (APPROVED, PAID):
            op.approve(emu, wo, buyer)
        if done == PAID:
            op.pay(emu, wo, buyer)

    cancelled = draft(emu, "Cable run survey - Store 12", 8001, 1, 72, "T20250301.0008")
    op.publish(emu, cancelled, buyer)
    op.cancel_or_delete(emu, cancelled, "Customer postponed the survey", buyer)


def summary(state: State) -> dict[str, Any]:
    """What `/_sim/seed` shows: the ids a demo or a test needs to act on the seeded company."""
    c = state.catalog
    people = sorted(c.users.values(), key=lambda u: u.id)
    return {
        "company": {"id": c.company.id, "name": c.company.name},
        "api_user_id": c.api_user_id,
        "managers": [{"id": u.id, "name": u.name} for u in people if u.role == "manager"],
        "technicians": [{"id": u.id, "name": u.name} for u in people if u.role == "technician"],
        "custom_fields": [{"id": f.id, "name": f.name, "type": f.type} for f in c.custom_fields.values()],
        "expense_categories": [{"id": e.id, "name": e.name} for e in c.expense_categories.values()],
        "saved_locations": [{"id": s.id, "name": s.name} for s in c.saved_locations.values()],
        "work_orders": [
            {"id": wo.id, "title": wo.title, "status": status_name(wo.status_id)}
            for wo in state.work_orders.values()
        ],
    }
