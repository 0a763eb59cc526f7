"""The Autotask emulator's own `/_sim/` actions: act as a person in the Autotask UI, read raw state, change
users, limits and the tenant's zone. Generic controls (reset, faults, calls, clock) come from `control`."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from fieldbridge.sandbox.autotask.errors import AutotaskError
from fieldbridge.sandbox.autotask.scale import TenantSize
from fieldbridge.sandbox.control import SIM_PREFIX

if TYPE_CHECKING:
    from fieldbridge.sandbox.autotask.app import AutotaskEmulator
    from fieldbridge.sandbox.autotask.tenant import Change


RECORDS_PAGE = 1000  # records a `/_sim/records` page holds at most, and by default
MAX_SEEDED = 200_000


class UiWrite(BaseModel):
    as_resource: int | str = Field(description="Resource id or username of the person acting in the UI")
    fields: dict[str, Any] = Field(default_factory=dict)


class Limits(BaseModel):
    request_threshold: int | None = Field(None, ge=1)
    threads: int | None = Field(None, ge=1, le=100)
    attachment_bytes_per_window: int | None = Field(None, ge=1)


class UserChange(BaseModel):
    active: bool | None = None
    secret: str | None = None
    resource_type: str | None = None
    integration_code: str | None = None
    view_unassigned_lob: bool | None = None
    security_level: str | None = None


class SeedSize(BaseModel):
    tickets: int | None = Field(None, ge=1, le=MAX_SEEDED, description="Tickets the tenant holds")
    companies: int | None = Field(None, ge=1, le=MAX_SEEDED, description="Companies the tenant holds")
    seed: int = Field(0, description="The generator's seed: the same seed makes the same records")


class ZoneMove(BaseModel):
    zone: str = Field(pattern=r"^webservices\d{1,2}$")


def sim_router(em: AutotaskEmulator) -> APIRouter:
    router = APIRouter(prefix=SIM_PREFIX, tags=["autotask sandbox"])

    def resource_id(who: int | str) -> int:
        if isinstance(who, int) or str(who).isdigit():
            rid = int(who)
            if em.tenant.get("Resources", rid) is None:
                raise HTTPException(404, f"no resource {rid}")
            return rid
        for r in em.tenant.table("Resources").values():
            if (
                str(r.get("userName", "")).lower() == str(who).lower()
                or str(r.get("email", "")).lower() == str(who).lower()
            ):
                return int(r["id"])
        raise HTTPException(404, f"no resource named {who}")

    def entity_of(name: str) -> Any:
        entity = em.catalog.entity(name)
        if entity is None:
            raise HTTPException(404, f"unknown entity {name}")
        return entity

    def as_ui(act: Callable[[], Change]) -> Change:
        """Do a UI act under the API's rules (a refusal becomes an HTTP error) and fire its webhooks."""
        try:
            change = act()
        except AutotaskError as exc:
            raise HTTPException(exc.status if exc.status != 500 else 422, {"errors": exc.messages}) from None
        em.webhooks.fire(change)
        return change

    @router.post("/ui/{entity}", status_code=201)
    def ui_create(entity: str, write: UiWrite) -> dict[str, Any]:
        """Create a record as a person in the Autotask UI would (same rules, webhooks fire)."""
        ent = entity_of(entity)
        change = as_ui(lambda: em.tenant.create(ent, write.fields, resource_id(write.as_resource)))
        assert change.after is not None
        return em.tenant.render(ent, change.after)

    @router.patch("/ui/{entity}/{record_id}")
    def ui_update(entity: str, record_id: int, write: UiWrite) -> dict[str, Any]:
        ent = entity_of(entity)
        change = as_ui(
            lambda: em.tenant.update(
                ent,
                {**write.fields, "id": record_id},
                resource_id(write.as_resource),
                replace=False,
                owner_only=False,
            )
        )
        assert change.after is not None
        return em.tenant.render(ent, change.after)

    @router.delete("/ui/{entity}/{record_id}")
    def ui_delete(entity: str, record_id: int, as_resource: str) -> dict[str, Any]:
        ent = entity_of(entity)
        as_ui(lambda: em.tenant.delete(ent, record_id, resource_id(as_resource)))
        return {"deleted": record_id}

    @router.get("/records/{entity}")
    def records(
        entity: str,
        after: Annotated[int, Query(description="Records with ids above this one")] = -1,
        limit: Annotated[int, Query(ge=1, le=RECORDS_PAGE)] = RECORDS_PAGE,
    ) -> dict[str, Any]:
        """Raw state in id order, read without counting as an API call (for tests and the demo): `limit`
        records after the id `after`; `next` is the URL of the following page, null on the last."""
        ent = entity_of(entity)
        with em.tenant.lock:
            ordered = em.tenant.ordered(ent.path)
            start = bisect_right(ordered, after, key=lambda r: int(r["id"]))
            chosen = ordered[start : start + limit]
            items = [em.tenant.render(ent, r) for r in chosen]
        more = start + limit < len(ordered)
        next_url = f"{SIM_PREFIX}/records/{ent.path}?after={chosen[-1]['id']}&limit={limit}" if more else None
        return {"items": items, "next": next_url}

    @router.post("/seed")
    def seed(size: SeedSize) -> dict[str, Any]:
        """`POST /_sim/reset` with a tenant of this size, until the next reset (which goes back to the size
        the emulator started with)."""
        try:
            em.reseed(TenantSize(size.tickets, size.companies, size.seed))
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        em.sandbox.clear()
        counts = {name: len(em.tenant.table(name)) for name in ("Tickets", "Companies", "Contacts")}
        return {"seed": size.seed, "counts": counts}

    @router.get("/limits")
    def read_limits() -> dict[str, Any]:
        return {
            "request_threshold": em.threshold.threshold,
            "threads": em.threads.limit,
            "current_hour_requests": em.threshold.count(),
            "attachment_bytes_per_window": em.tenant.attachment_budget[0],
            "in_flight": em.threads.snapshot(),
            "peak_in_flight": em.threads.peaks(),
        }

    @router.put("/limits")
    def limits(change: Limits) -> dict[str, Any]:
        """Change limits; the answer is what `GET /_sim/limits` answers now."""
        if change.request_threshold is not None:
            em.threshold.threshold = change.request_threshold
        if change.threads is not None:
            em.threads.limit = change.threads
        if change.attachment_bytes_per_window is not None:
            em.tenant.attachment_budget = (change.attachment_bytes_per_window, em.tenant.attachment_budget[1])
        return read_limits()

    @router.patch("/users/{username}")
    def change_user(username: str, change: UserChange) -> dict[str, Any]:
        user = em.tenant.users.get(username.lower())
        if user is None:
            raise HTTPException(404, f"no user {username}")
        if change.security_level is not None and change.security_level not in em.tenant.levels:
            raise HTTPException(422, f"no security level {change.security_level}")
        level = em.tenant.levels[change.security_level or user.security_level]
        resource_type = change.resource_type or user.resource_type
        if (resource_type == "API User") != (level.license_type == "API User"):
            raise HTTPException(
                422,
                f"security level {level.name!r} has license type {level.license_type}, which a resource of "
                f"type {resource_type} cannot have: API users take API-only levels (license type API User), "
                "and only they do",
            )
        for name, value in change.model_dump(exclude_none=True).items():
            setattr(user, name, value)
        return {"username": user.username, "active": user.active, "resource_type": user.resource_type}

    @router.put("/tenant/zone")
    def move_zone(move: ZoneMove) -> dict[str, str]:
        """Migrate the tenant to another zone: its old zone URL starts answering 401."""
        em.tenant.zone = move.zone.lower()
        return {"zone": em.tenant.zone, "url": em.zone_url()}

    return router
