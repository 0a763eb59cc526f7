"""Work orders: create, read, update, list (lazily, page by page), cancel, the status transitions, the
schedule and custom fields."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from fieldbridge.fieldnation.models import (
    CustomField,
    CustomFieldCategory,
    Listing,
    Schedule,
    WorkOrder,
    WorkOrderFields,
)
from fieldbridge.fieldnation.transport import Transport


class WorkOrders:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def _work_order(self, method: str, path: str, **kwargs: Any) -> WorkOrder:
        return WorkOrder.model_validate(self._t.request(method, path, **kwargs).json())

    def create(self, fields: WorkOrderFields) -> WorkOrder:
        """A draft needs only a title. Field Nation answers with the id and status only."""
        return self._work_order("POST", "/workorders", json=fields)

    def get(self, work_order_id: int) -> WorkOrder:
        return self._work_order("GET", f"/workorders/{work_order_id}")

    def update(self, work_order_id: int, fields: WorkOrderFields) -> WorkOrder:
        return self._work_order("PUT", f"/workorders/{work_order_id}", json=fields)

    def list(self, page: int = 1, per_page: int = 25) -> Listing[WorkOrder]:
        response = self._t.request("GET", "/workorders", params={"page": page, "per_page": per_page})
        return Listing[WorkOrder].model_validate(response.json())

    def iterate(self, per_page: int = 100) -> Iterator[WorkOrder]:
        """Every work order, fetching the next page only when the previous one is used up."""
        page = 1
        while True:
            listing = self.list(page, per_page)
            yield from listing.results
            if page >= listing.metadata.pages or not listing.results:
                return
            page += 1

    def find_by_correlation_id(self, correlation_id: str, newest: int = 300) -> WorkOrder | None:
        """The work order carrying `correlation_id` among the `newest` most recently created, if any.

        REST v2 has no filter on `correlation_id`, and the order of the list is not documented (ascending
        ids, oldest first, in what we have seen): so this reads the first page and the last pages, which
        hold the newest work orders in either order. It is meant for finding a work order that was just
        created and whose answer was lost, not for searching history.
        """
        per_page = 100
        first = self.list(1, per_page)
        pages = [first] + [
            self.list(page, per_page)
            for page in range(first.metadata.pages, max(1, first.metadata.pages - newest // per_page), -1)
        ]
        matches = [wo for listing in pages for wo in listing.results if wo.correlation_id == correlation_id]
        return max(matches, key=lambda wo: wo.id, default=None)

    def cancel(self, work_order_id: int, reason: str | None = None) -> WorkOrder | None:
        """Cancel a work order; a draft is deleted instead and `None` comes back."""
        params = {"cancel_reason": reason} if reason else None
        response = self._t.request("DELETE", f"/workorders/{work_order_id}", params=params)
        return None if response.status_code == 204 else WorkOrder.model_validate(response.json())

    def publish(self, work_order_id: int) -> WorkOrder:
        return self._work_order("POST", f"/workorders/{work_order_id}/publish")

    def unpublish(self, work_order_id: int) -> WorkOrder:
        return self._work_order("DELETE", f"/workorders/{work_order_id}/publish")

    def route(self, work_order_id: int, technician_id: int) -> WorkOrder:
        body = {"technician": {"id": technician_id}}
        return self._work_order("POST", f"/workorders/{work_order_id}/route", json=body)

    def assign(self, work_order_id: int, technician_id: int) -> WorkOrder:
        body = {"user": {"id": technician_id}}
        return self._work_order("POST", f"/workorders/{work_order_id}/assignee", json=body)

    def unassign(self, work_order_id: int) -> WorkOrder:
        return self._work_order("DELETE", f"/workorders/{work_order_id}/assignee")

    def approve(self, work_order_id: int) -> WorkOrder:
        return self._work_order("POST", f"/workorders/{work_order_id}/approve")

    def mark_incomplete(self, work_order_id: int, reason: str | None = None) -> WorkOrder:
        params = {"reason": reason} if reason else None
        return self._work_order("DELETE", f"/workorders/{work_order_id}/complete", params=params)

    def schedule(self, work_order_id: int) -> Schedule:
        return Schedule.model_validate(self._t.request("GET", f"/workorders/{work_order_id}/schedule").json())

    def set_schedule(self, work_order_id: int, schedule: Mapping[str, Any]) -> Schedule:
        """`schedule` is `{"service_window": {"mode", "start", "end"}, "time_zone": {"id"|"name"}}`."""
        response = self._t.request("PUT", f"/workorders/{work_order_id}/schedule", json=schedule)
        return Schedule.model_validate(response.json())


class CustomFields:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def company(self) -> list[CustomFieldCategory]:
        """The company's custom fields, by category."""
        return _categories(self._t.request("GET", "/custom-fields").json())

    def of_work_order(self, work_order_id: int) -> list[CustomFieldCategory]:
        return _categories(self._t.request("GET", f"/workorders/{work_order_id}/custom_fields").json())

    def set(self, work_order_id: int, custom_field_id: int, value: str | int | float | None) -> CustomField:
        path = f"/workorders/{work_order_id}/custom_fields/{custom_field_id}"
        return CustomField.model_validate(self._t.request("PUT", path, json={"value": value}).json())


def _categories(body: Any) -> list[CustomFieldCategory]:
    return Listing[CustomFieldCategory].model_validate(body).results
