"""One emulated Autotask tenant: its records, picklists, UDFs, users and security levels, and the writes
that change them (validated by `rules`, authorised by `security`)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from fieldbridge.sandbox.autotask import rules
from fieldbridge.sandbox.autotask.catalog import Catalog, EntityDef
from fieldbridge.sandbox.autotask.errors import AutotaskError, invalid
from fieldbridge.sandbox.autotask.query import format_datetime, parse_datetime
from fieldbridge.sandbox.autotask.rules import Lookups, PickValue, UdfDef
from fieldbridge.sandbox.autotask.security import ApiUser, SecurityLevel

Record = dict[str, Any]
Action = Literal["Create", "Update", "Delete"]

# Fields the server sets on create: (entity, field) -> how.
_CREATED_AT = {
    "Tickets": "createDate",
    "TicketNotes": "createDateTime",
    "TimeEntries": "createDateTime",
    "TicketCharges": "createDate",
    "TicketAttachments": "attachDate",
    "Companies": "createDate",
    "Contacts": "createDate",
    "ServiceCalls": "createDateTime",
    "Projects": "createDateTime",
}
_CREATOR = {
    "Tickets": "creatorResourceID",
    "TicketNotes": "creatorResourceID",
    "TimeEntries": "creatorUserID",
    "TicketCharges": "creatorResourceID",
    "TicketAttachments": "attachedByResourceID",
    "ServiceCalls": "creatorResourceID",
    "Projects": "creatorResourceID",
    "TicketWebhooks": "ownerResourceID",
}
_LAST_ACTIVITY = {
    "Tickets": "lastActivityDate",
    "TicketNotes": "lastActivityDate",
    "TimeEntries": "lastModifiedDateTime",
    "Contacts": "lastModifiedDate",
    "ServiceCalls": "lastModifiedDateTime",
    "Projects": "lastActivityDateTime",
}
# String fields a real tenant answers as "" when nobody filled them in, not null.
_BLANK_WHEN_UNSET = {
    "Companies": ("companyNumber", "phone", "alternatePhone1", "alternatePhone2", "fax"),
    "CompanyLocations": ("phone", "alternatePhone1", "alternatePhone2", "fax"),
    "Contacts": ("phone", "alternatePhone", "mobilePhone", "faxNumber"),
    "Projects": ("description",),
}
# What a new record holds when its write leaves the field out.
_DEFAULTS: dict[str, dict[str, Any]] = {
    "TicketAttachments": {"parentType": 4, "isTaskAttachment": False},  # 4 = ticket
    "TicketCharges": {"isBilled": False},
    "ExpenseReports": {"status": 1, "submit": False},
    "TimeEntries": {"isNonBillable": False},
    "Companies": {"isActive": True},
}
# Whose record it is, for "Mine" permissions.
_OWNER = {"ExpenseReports": "submitterID", "TimeEntries": "resourceID"}
# A write to a child also counts as activity on its ticket, as in Autotask.
_TICKET_CHILD = {
    "TicketNotes": "ticketID",
    "TimeEntries": "ticketID",
    "TicketCharges": "ticketID",
    "TicketAttachments": "parentID",
}


@dataclass(frozen=True)
class Change:
    """What a write did, for webhooks: `before` is None on create, `after` is None on delete."""

    entity: str
    action: Action
    before: Record | None
    after: Record | None
    actor_id: int


@dataclass
class Tenant:
    catalog: Catalog
    users: dict[str, ApiUser] = field(default_factory=dict)
    levels: dict[str, SecurityLevel] = field(default_factory=dict)
    picklists: dict[tuple[str, str], list[PickValue]] = field(default_factory=dict)
    udfs: dict[str, list[UdfDef]] = field(default_factory=dict)
    records: dict[str, dict[int, Record]] = field(default_factory=dict)
    zone: str = "webservices2"
    attachment_budget: tuple[int, float] = (10 * 1024 * 1024, 300.0)  # bytes per window of seconds
    lock: threading.RLock = field(default_factory=threading.RLock)
    _next_id: int = 100_000
    _attachment_log: deque[tuple[float, int]] = field(default_factory=deque)
    _id_order: dict[str, list[int]] = field(default_factory=dict)  # per table, until a create or delete

    def restore(self, fresh: Tenant) -> None:
        """Take `fresh`'s data in place (the webhooks and the app hold this object), zone and budget too."""
        with self.lock:
            for name in ("users", "levels", "picklists", "udfs", "records", "zone", "attachment_budget"):
                setattr(self, name, getattr(fresh, name))
            self._next_id = fresh._next_id
            self._attachment_log = deque()
            self._id_order = {}

    def load(self, records: dict[str, dict[int, Record]]) -> None:
        """Take seeded records as Autotask would hold them (defaults and computed values filled); ids given
        from now on follow every seeded one."""
        for path, table in records.items():
            entity = self.catalog.entity(path)
            assert entity is not None, path
            for record in table.values():
                _fill_defaults(entity, record)
                _derive(entity, record)
        self.records = records
        self._id_order = {}
        self._next_id = max([100_000, *(max(t, default=0) for t in records.values())])

    # -- reading ------------------------------------------------------------------------------------
    def table(self, entity: str) -> dict[int, Record]:
        return self.records.setdefault(entity, {})

    def get(self, entity: str, record_id: int) -> Record | None:
        return self.table(entity).get(record_id)

    def ordered(self, entity: str) -> list[Record]:
        """The table's records in id order, the order Autotask answers queries in. The order is kept between
        requests, so a query on a large table does not sort it each time."""
        with self.lock:  # UI acts through `/_sim/` write from other threads
            table = self.table(entity)
            ids = self._id_order.get(entity)
            if ids is None or len(ids) != len(table):
                ids = self._id_order[entity] = sorted(table)
            return [table[i] for i in ids]

    def lookups(self) -> Lookups:
        return Lookups(picklist=lambda e, f: self.picklists.get((e, f), []), exists=self.get)

    def udf_types(self, entity: str) -> dict[str, str]:
        return {u.name.lower(): u.type for u in self.udfs.get(entity, [])}

    def sight(self, entity: EntityDef, user: ApiUser) -> Callable[[Record], bool]:
        """Whether the user may see a record: its security level's view scope and Line of Business
        visibility."""
        level = self.levels[user.security_level]
        owner = _OWNER.get(entity.path) if level.permission(entity.permission).view == "Mine" else None
        hide_unassigned = entity.path == "Tickets" and not user.view_unassigned_lob

        def sees(record: Record) -> bool:
            if owner is not None and record.get(owner) != user.resource_id:
                return False
            return not (hide_unassigned and record.get("organizationalLevelAssociationID") is None)

        return sees

    def render(self, entity: EntityDef, record: Record) -> Record:
        """A record as Autotask answers it: every model field, camelCase, UDFs as a name/value list."""
        out = {f.name: record.get(f.name) for f in entity.fields.values()}
        if entity.has_udf_property:
            defined = self.udfs.get(entity.path, [])
            values = {u["name"]: u["value"] for u in record.get("userDefinedFields") or []}
            out["userDefinedFields"] = [{"name": u.name, "value": values.get(u.name)} for u in defined]
        return out

    # -- writing ------------------------------------------------------------------------------------
    def new_id(self) -> int:
        with self.lock:
            self._next_id += 1
            return self._next_id

    def create(self, entity: EntityDef, body: Any, actor_id: int, parent_id: int | None = None) -> Change:
        values, udf_values = rules.read_body(entity, body, self.udfs.get(entity.path, []))
        _parent_from_url(entity, values, parent_id)
        self._refuse_read_only(entity, values, current=None)
        with self.lock:
            record: Record = dict(values)
            record["userDefinedFields"] = self._merge_udfs(entity, [], udf_values)
            _fill_defaults(entity, record)
            _derive(entity, record)
            rules.check(entity, record, self.lookups(), changed=set(record))
            self._charge_attachment(entity, record)
            now = format_datetime(datetime.now(UTC))
            record["id"] = self.new_id()
            if entity.path in _CREATED_AT:
                record[_CREATED_AT[entity.path]] = now
            if entity.path in _CREATOR:
                record[_CREATOR[entity.path]] = actor_id
            self._touch(entity, record, actor_id, now)
            if entity.path == "Tickets":
                record["ticketNumber"] = f"T{datetime.now(UTC):%Y%m%d}.{record['id'] % 10000:04d}"
            if entity.path == "TicketWebhooks":
                import uuid

                record["webhookGUID"] = str(uuid.uuid4())
                record["isReady"] = False
            self.table(entity.path)[record["id"]] = record
            self._id_order.pop(entity.path, None)
            self._after_child_write(entity, record, actor_id, now)
            return Change(entity.path, "Create", None, dict(record), actor_id)

    def update(
        self,
        entity: EntityDef,
        body: Any,
        actor_id: int,
        replace: bool,
        owner_only: bool,
        parent_id: int | None = None,
    ) -> Change:
        values, udf_values = rules.read_body(entity, body, self.udfs.get(entity.path, []))
        record_id = values.pop("id", None)
        if record_id is None:
            raise invalid(f"An update of {entity.singular} needs its 'id' in the body")
        _parent_from_url(entity, values, parent_id)
        with self.lock:
            current = self.get(entity.path, int(record_id))
            if current is None or (
                parent_id is not None
                and entity.parent_field
                and current.get(entity.parent_field) != parent_id
            ):
                raise invalid(f"{entity.singular} {record_id} does not exist")
            owner = _OWNER.get(entity.path)
            if owner_only and owner and current.get(owner) != actor_id:
                raise AutotaskError(
                    403, f"Your security level only allows you to edit your own {entity.path}"
                )
            self._refuse_read_only(entity, values, current)
            before = dict(current)
            if replace:
                # PUT: every writable field not sent becomes null.
                updated = {k: v for k, v in current.items() if (f := entity.field(k)) is None or f.read_only}
                updated.update(values)
            else:
                updated = {**current, **values}
            updated["userDefinedFields"] = self._merge_udfs(
                entity, current.get("userDefinedFields") or [], udf_values
            )
            _derive(entity, updated)
            changed = {k for k in set(values) | set(updated) if updated.get(k) != current.get(k)}
            if not changed and udf_values is None:
                return Change(entity.path, "Update", before, dict(current), actor_id)
            rules.check(entity, updated, self.lookups(), changed=changed)
            now = format_datetime(datetime.now(UTC))
            self._touch(entity, updated, actor_id, now)
            self._on_status_change(entity, before, updated, actor_id, now)
            self.table(entity.path)[int(record_id)] = updated
            self._after_child_write(entity, updated, actor_id, now)
            return Change(entity.path, "Update", before, dict(updated), actor_id)

    def delete(
        self, entity: EntityDef, record_id: int, actor_id: int, parent_id: int | None = None
    ) -> Change:
        with self.lock:
            current = self.get(entity.path, record_id)
            if current is None or (
                parent_id is not None
                and entity.parent_field
                and current.get(entity.parent_field) != parent_id
            ):
                raise invalid(f"{entity.singular} {record_id} does not exist")
            del self.table(entity.path)[record_id]
            self._id_order.pop(entity.path, None)
            now = format_datetime(datetime.now(UTC))
            self._after_child_write(entity, current, actor_id, now)
            return Change(entity.path, "Delete", dict(current), None, actor_id)

    # -- helpers ------------------------------------------------------------------------------------
    def _refuse_read_only(self, entity: EntityDef, values: Record, current: Record | None) -> None:
        for name, value in values.items():
            f = entity.field(name)
            if f is None or not f.read_only or name == "id":
                continue
            unchanged = current is not None and current.get(name) == value
            if value is not None and not unchanged:
                raise invalid(f"Field '{name}' is read-only on entity {entity.singular}")

    def _merge_udfs(
        self, entity: EntityDef, current: list[dict[str, Any]], given: list[dict[str, Any]] | None
    ) -> list[dict[str, Any]]:
        merged = {u["name"]: u["value"] for u in current}
        for item in given or []:
            merged[item["name"]] = item["value"]
        missing = [
            u.name for u in self.udfs.get(entity.path, []) if u.required and merged.get(u.name) in (None, "")
        ]
        if missing:
            raise invalid(f"Missing required user-defined field(s): {', '.join(missing)}")
        return [{"name": n, "value": v} for n, v in merged.items()]

    def _touch(self, entity: EntityDef, record: Record, actor_id: int, now: str) -> None:
        if entity.path in _LAST_ACTIVITY:
            record[_LAST_ACTIVITY[entity.path]] = now
        if entity.path == "Tickets":
            record["lastActivityResourceID"] = actor_id
            record["lastActivityPersonType"] = 1
            record["lastTrackedModificationDateTime"] = now

    def _on_status_change(
        self, entity: EntityDef, before: Record, after: Record, actor_id: int, now: str
    ) -> None:
        if entity.path != "Tickets" or before.get("status") == after.get("status"):
            return
        complete = self.complete_status()
        if after.get("status") == complete:
            after["completedDate"], after["completedByResourceID"] = now, actor_id
            after["resolvedDateTime"] = now
        elif before.get("status") == complete:
            after["completedDate"] = after["completedByResourceID"] = None

    def complete_status(self) -> int | None:
        for p in self.picklists.get(("Tickets", "status"), []):
            if p.label.lower() == "complete":
                return int(p.value)
        return None

    def _after_child_write(self, entity: EntityDef, record: Record, actor_id: int, now: str) -> None:
        link = _TICKET_CHILD.get(entity.path)
        ticket = self.get("Tickets", int(record[link])) if link and record.get(link) is not None else None
        if ticket is not None:
            ticket["lastActivityDate"] = now
        if entity.path in ("TicketWebhookFields", "TicketWebhookUdfFields"):
            hook = self.get("TicketWebhooks", int(record["webhookID"]))
            if hook is not None:
                hook["isReady"] = any(
                    f.get("isSubscribedField") and f.get("webhookID") == hook["id"]
                    for f in self.table("TicketWebhookFields").values()
                ) or any(
                    f.get("isSubscribedField") and f.get("webhookID") == hook["id"]
                    for f in self.table("TicketWebhookUdfFields").values()
                )

    def _charge_attachment(self, entity: EntityDef, record: Record) -> None:
        """Autotask caps attachment uploads at about 10 MB per 5 minutes per tenant."""
        if entity.path != "TicketAttachments" or not record.get("fileSize"):
            return
        limit, window = self.attachment_budget
        now = time.monotonic()
        while self._attachment_log and self._attachment_log[0][0] < now - window:
            self._attachment_log.popleft()
        used = sum(size for _, size in self._attachment_log)
        size = int(record["fileSize"])
        if used + size > limit:
            raise AutotaskError(
                429, f"Attachment upload limit reached: at most {limit} bytes per {int(window)} s"
            )
        self._attachment_log.append((now, size))


def _parent_from_url(entity: EntityDef, values: Record, parent_id: int | None) -> None:
    """On a child route (`/Companies/{parentId}/Contacts`) the parent comes from the URL; a body naming
    another parent is refused."""
    if parent_id is None or not entity.parent_field:
        return
    given = values.get(entity.parent_field)
    if given is not None and int(given) != parent_id:
        raise invalid(f"{entity.parent_field} {given} does not match the parent id {parent_id} in the URL")
    values[entity.parent_field] = parent_id


def _fill_defaults(entity: EntityDef, record: Record) -> None:
    """What Autotask sets on a new record when the write leaves it out."""
    for name, value in _DEFAULTS.get(entity.path, {}).items():
        if record.get(name) is None:
            record[name] = value


def _derive(entity: EntityDef, record: Record) -> None:
    """What Autotask computes on every write: a service call's duration in hours from its start and end, and
    "" for the unset string fields it answers that way."""
    if entity.path == "ServiceCalls" and record.get("startDateTime") and record.get("endDateTime"):
        span = parse_datetime(record["endDateTime"]) - parse_datetime(record["startDateTime"])
        record["duration"] = round(span.total_seconds() / 3600, 4)
    for name in _BLANK_WHEN_UNSET.get(entity.path, ()):
        if record.get(name) is None:
            record[name] = ""
