"""A ticket and a work order as the two REST APIs return them, for the mapping tests."""

from __future__ import annotations

TICKET = {
    "id": 101,
    "title": "Printer jam",
    "description": "Tray 2",
    "status": 1,
    "dueDateTime": "2024-03-10T15:00:00.000Z",
    "companyID": 7,
    "Account": {"id": 7, "companyName": "Acme Corp"},
    "userDefinedFields": [{"name": "Site Code", "value": "S-1"}],
}
WORK_ORDER = {
    "id": 5001,
    "title": "Printer jam",
    "notes": "Replaced roller",
    "status": {"id": 4, "name": "Work Done"},
    "time_window": {
        "start": {"utc": "2024-03-10 14:00:00", "local": {"date": "2024-03-10", "time": "09:00:00"}}
    },
    "time_logs": {
        "metadata": {"total": 2},
        "results": [
            {"id": 1, "StartDateTime": {"utc": "2024-03-10 14:05:00"}},
            {"id": 2, "StartDateTime": {"utc": "2024-03-10 16:00:00"}},
        ],
    },
    "expenses": [{"amount": 12.5}, {"amount": 3}],
}
