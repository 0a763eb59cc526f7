"""What the permission audit must say of the emulator's hand-made security level (`svc-handmade@`), with
expenses going to charges and attachment sync on: one statement shared by the unit and end-to-end tests."""

from __future__ import annotations

MISSING = frozenset(
    {
        "permission: Tickets — Add (Service Desk)",
        "permission: Ticket Costs (Charges) — Add (Service Desk)",
        "permission: Ticket Costs (Charges) — Edit (Service Desk)",
        "permission: Attachments — Add (Service Desk)",
        "permission: Attachments — Delete (Service Desk)",
        "permission: Contacts — View (CRM)",
        "permission: Time Entries — Delete (Contracts/Timesheets)",
    }
)
BEYOND_THE_GUIDE = frozenset(
    {
        "permission beyond the guide: Tickets Delete",
        "permission beyond the guide: TicketNotes Edit",
        "permission beyond the guide: Companies Add",
        "permission beyond the guide: Companies Edit",
        "permission beyond the guide: Resources Add",
        "permission beyond the guide: Resources Edit",
        "permission beyond the guide: Projects View",
        "permission beyond the guide: Projects Add",
        "permission beyond the guide: Projects Edit",
        "permission beyond the guide: Projects Delete",
    }
)
